"""What the API and page tests share: the small world of subjects, a client, the masking check."""

from __future__ import annotations

import re
from datetime import date

import pytest
from fastapi.testclient import TestClient
from stdnum.cn import ric

from tests.records.factories import World, build_world
from xinyong.core.codes import make_ric
from xinyong.web.app import create_app

LEGAL_REP_RIC = make_ric("330106", date(1970, 2, 3), 11)


@pytest.fixture
def world(session) -> World:
    return build_world(session)


@pytest.fixture
def client(app_env):
    with TestClient(create_app()) as c:
        yield c


def assert_masked(text: str, world: World) -> None:
    """No identity number and no natural person's full name anywhere in an output: the world's
    known ones, and (accounts) no valid identity number at all, whoever's it is."""
    for secret in (world.person_ric, world.servant_ric, LEGAL_REP_RIC, World.PERSON_NAME,
                   World.SERVANT_NAME, "李四光"):
        assert secret not in text, secret
    for candidate in _RIC_LIKE.findall(text):
        assert not ric.is_valid(candidate), f"an unmasked identity number: {candidate}"


_RIC_LIKE = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
