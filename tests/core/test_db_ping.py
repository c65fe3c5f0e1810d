"""PostgreSQL connections are checked before use only after they have been idle
(``XINYONG_DB_PING_IDLE_SECONDS``, xinyong/core/db.py): a connection the server dropped while
idle is replaced without the request noticing; a recently used one costs no round trip."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import PG_URL
from xinyong.core import settings
from xinyong.core.db import make_engine

pytestmark = pytest.mark.skipif(not PG_URL, reason="PostgreSQL connections")


def _backend_pid(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT pg_backend_pid()")).scalar_one()


def _kill(pid: int) -> None:
    with create_engine(PG_URL, isolation_level="AUTOCOMMIT").connect() as conn:
        assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar_one()
    time.sleep(0.2)


def _engine(monkeypatch, seconds: str):
    monkeypatch.setenv("XINYONG_DB_PING_IDLE_SECONDS", seconds)
    settings.reset_settings()
    return make_engine(PG_URL)


def test_an_idle_connection_the_server_dropped_is_replaced(monkeypatch):
    engine = _engine(monkeypatch, "0.1")
    try:
        pid = _backend_pid(engine)
        _kill(pid)  # and then idle for longer than the setting
        assert _backend_pid(engine) != pid  # checked, found dead, replaced: no error
    finally:
        engine.dispose()
        settings.reset_settings()


def test_a_recently_used_connection_is_not_pinged(monkeypatch):
    engine = _engine(monkeypatch, "60")
    pings = []
    original = engine.dialect.do_ping
    monkeypatch.setattr(engine.dialect, "do_ping", lambda c: pings.append(1) or original(c))
    try:
        for _ in range(3):
            _backend_pid(engine)
        assert pings == []
    finally:
        engine.dispose()
        settings.reset_settings()


def test_zero_pings_before_every_use(monkeypatch):
    engine = _engine(monkeypatch, "0")
    try:
        pid = _backend_pid(engine)
        _kill(pid)
        assert _backend_pid(engine) != pid
    finally:
        engine.dispose()
        settings.reset_settings()
