"""A client on the test database (as tests/web has)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from xinyong.web.app import create_app


@pytest.fixture
def client(app_env):
    with TestClient(create_app()) as c:
        yield c
