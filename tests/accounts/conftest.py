"""Fixtures for the accounts tests: a client on the test database, the small world."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.records.factories import World, build_world
from xinyong.web.app import create_app


@pytest.fixture
def client(app_env):
    with TestClient(create_app(), follow_redirects=False) as c:
        yield c


@pytest.fixture
def world(session) -> World:
    return build_world(session)
