"""schemathesis against the app's own OpenAPI document, in-process (ASGI): every operation
with a bounded number of generated requests, as a provincial administrator by API token. No
answer may be a 5xx, and every 4xx must carry a clear error body (``detail.message``).

The examples are derandomized, so the suite gives the same answer on every run (a gate must
not flicker); explore beyond them with ``--hypothesis-seed=N`` and a larger ``max_examples``
when hardening a route, and add what it finds as a fixed case."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error

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


@schema.parametrize()
@settings(max_examples=10, deadline=None, derandomize=True, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=list(HealthCheck))
def test_api_never_fails_and_explains_every_refusal(case, admin_token):
    response = case.call(headers={"Authorization": f"Bearer {admin_token}"})
    case.validate_response(response, checks=[not_a_server_error])
    if 400 <= response.status_code < 500:
        body = response.json()
        assert isinstance(body.get("detail"), dict), body
        assert body["detail"].get("message"), body
        assert body["detail"].get("message_en"), body
