"""Resolved API tokens trusted for a few seconds (xinyong/accounts/token_cache.py): the second
call asks the database nothing for its token, a change in this process takes effect at once, a
change elsewhere within XINYONG_TOKEN_CACHE_SECONDS, expiry on every call."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, select, text, update

from tests.accounts.helpers import token_for
from xinyong.accounts import service, token_cache
from xinyong.accounts.models import ApiToken, User
from xinyong.core import db as core_db
from xinyong.core.db import session_scope, utcnow


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class Statements:
    """The statements the app's engine runs while the block is open."""

    def __enter__(self):
        self.sql: list[str] = []
        self.engine = core_db.get_engine()
        event.listen(self.engine, "before_cursor_execute", self._on)
        return self

    def _on(self, _conn, _cursor, statement, *_args) -> None:
        self.sql.append(statement)

    def __exit__(self, *exc) -> None:
        event.remove(self.engine, "before_cursor_execute", self._on)

    def touching(self, table: str) -> list[str]:
        return [s for s in self.sql if table in s]


def _elsewhere(sql: str, **params) -> None:
    """A change another process makes: plain SQL on its own connection, no session of ours."""
    with core_db.get_engine().begin() as conn:
        conn.execute(text(sql), params)


def test_a_second_call_asks_nothing_for_its_token(client):
    token = token_for("checker")
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    with Statements() as seen:
        r = client.get("/api/v1/me", headers=bearer(token))
    assert r.status_code == 200 and r.json()["via"] == "token" and r.json()["token_expires_at"]
    assert seen.touching("api_tokens") == [] and seen.sql == []


def test_a_change_in_this_process_takes_effect_at_once(client):
    token = token_for("checker")
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    with session_scope() as db:  # the ORM unit of work (revoking through the service)
        service.revoke_token(db, db.scalar(select(ApiToken)), by="test")
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401
    token = token_for("checker", username="checker2")
    assert client.get("/api/v1/me", headers=bearer(token)).json()["role"] == "checker"
    with session_scope() as db:  # a bulk UPDATE through a session, which no flush sees
        db.execute(update(User).where(User.username == "checker2").values(role="auditor"))
    assert client.get("/api/v1/me", headers=bearer(token)).json()["role"] == "auditor"


def test_a_change_elsewhere_takes_effect_within_the_setting(client, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(token_cache.time, "monotonic", lambda: clock[0])
    token = token_for("checker")
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    _elsewhere("UPDATE api_tokens SET revoked_at = :at", at=utcnow())
    clock[0] += 4.9  # within the default 5 seconds: still the answer resolved before
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    clock[0] += 0.2
    r = client.get("/api/v1/me", headers=bearer(token))
    assert r.status_code == 401 and r.json()["detail"]["message_en"] == "the API token has been revoked"


def test_zero_seconds_asks_every_time(client, monkeypatch):
    from xinyong.core import settings

    monkeypatch.setenv("XINYONG_TOKEN_CACHE_SECONDS", "0")
    settings.reset_settings()
    token = token_for("checker")
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    assert len(token_cache.tokens) == 0
    _elsewhere("UPDATE api_tokens SET revoked_at = :at", at=utcnow())
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401


def test_expiry_is_checked_on_every_call(client, monkeypatch):
    token = token_for("checker")
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    expires = token_cache.tokens._entries[next(iter(token_cache.tokens._entries))].expires_at
    from xinyong.accounts import access

    monkeypatch.setattr(access, "utcnow", lambda: expires + timedelta(seconds=1))
    r = client.get("/api/v1/me", headers=bearer(token))
    assert r.status_code == 401 and r.json()["detail"]["message_en"] == "the API token has expired"


def test_last_used_is_kept_without_emptying_the_cache(client):
    token = token_for("checker")
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    with session_scope() as db:
        assert db.scalar(select(ApiToken.last_used_at)) is not None  # written by the first call
    assert len(token_cache.tokens) == 1  # … and that write did not throw the answer away


def test_a_cached_token_is_still_rate_limited(client, monkeypatch):
    from xinyong.core import settings

    monkeypatch.setenv("XINYONG_API_RATE_PER_TOKEN", "3")
    settings.reset_settings()
    token = token_for("checker")
    codes = [client.get("/api/v1/me", headers=bearer(token)).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


@pytest.mark.parametrize("header", ["Basic abc", "Bearer "])
def test_a_malformed_header_is_refused_before_any_lookup(client, header):
    r = client.get("/api/v1/me", headers={"Authorization": header})
    assert r.status_code == 401 and "Bearer" in r.json()["detail"]["message_en"]
