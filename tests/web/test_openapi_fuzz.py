"""schemathesis against the app's own OpenAPI document, in-process (ASGI): every operation
with a bounded number of generated requests, as a provincial administrator by API token. No
answer may be a 5xx, every answer's status code and content type must be ones the document
gives for the operation, and every 4xx must carry a clear error body
(``detail.message``). ``XINYONG_FUZZ_EXAMPLES`` (with ``XINYONG_FUZZ_SEED``) runs more, random
examples: ``make fuzz`` runs them for ten minutes on each database (docs/api.md).

The examples are derandomized, so the suite gives the same answer on every run (a gate must
not flicker); explore beyond them with ``--hypothesis-seed=N`` and a larger ``max_examples``
when hardening a route, and add what it finds as a fixed case."""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    status_code_conformance,
)

from tests.accounts.helpers import token_for
from xinyong.web.app import create_app

# The document is the app's own; the app reads its database from the settings at request time,
# so the one loaded here runs against each test's database (set by ``app_env``).
APP = create_app()
schema = schemathesis.openapi.from_dict(APP.openapi())
schema.app = APP


@pytest.fixture
def admin_token(app_env, world):
    return token_for("admin", "330000")


EXAMPLES = int(os.environ.get("XINYONG_FUZZ_EXAMPLES", "10"))
RANDOM = "XINYONG_FUZZ_EXAMPLES" in os.environ  # a long run explores; the suite's run is fixed
# Bodies are not held to their schemas' formats here: times are sent as UTC without an offset
# (e.g. token_expires_at), which JSON Schema's date-time format refuses (docs/api.md).
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance]


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=not RANDOM, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=list(HealthCheck), database=None)
def test_api_never_fails_and_explains_every_refusal(case, admin_token):
    response = case.call(headers={"Authorization": f"Bearer {admin_token}"})
    case.validate_response(response, checks=CHECKS)
    if 400 <= response.status_code < 500:
        body = response.json()
        assert isinstance(body.get("detail"), dict), body
        assert body["detail"].get("message"), body
        assert body["detail"].get("message_en"), body
