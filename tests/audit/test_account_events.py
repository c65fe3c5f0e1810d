"""Account events reach the audit log: logins (right and wrong), logouts, users and tokens made,
changed, locked and revoked — from the web pages and from the command line."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from tests.accounts.helpers import make_user
from tests.accounts.test_web_login import csrf_of, form_login
from tests.factories import DEPT
from xinyong.audit import service as audit
from xinyong.audit.models import AuditEntry
from xinyong.cli import app
from xinyong.core.db import session_scope
from xinyong.web.app import create_app


@pytest.fixture
def client(app_env):
    with TestClient(create_app()) as c:
        yield c


def entries():
    with session_scope() as db:
        return [(e.action, e.entity, e.username, e.role, e.after or {}, e.before or {})
                for e in db.scalars(select(AuditEntry).order_by(AuditEntry.seq))]


def test_web_logins_and_logouts_are_audited(client):
    with session_scope() as db:
        make_user(db, "checker", "330100", username="audit_probe")
    assert form_login(client, "audit_probe", "wrong-password-123A").status_code == 401
    assert form_login(client, "audit_probe").status_code in (200, 303)
    token = csrf_of(client.get("/account").text)
    assert client.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    got = [(a, u, r) for a, _e, u, r, _after, _before in entries()]
    assert ("login_failed", "audit_probe", None) in got
    assert ("login", "audit_probe", "checker") in got
    assert ("logout", "audit_probe", "checker") in got
    assert "wrong-password" not in str(entries())  # a tried password is never kept
    with session_scope() as db:
        assert audit.verify(db).ok


def test_cli_user_and_token_changes_are_audited(app_env):
    runner = CliRunner()
    assert runner.invoke(app, ["users", "departments", "add", DEPT, "--name", "杭州市市场监督管理局",
                               "--region", "330100", "--categories", "admin_penalty"]).exit_code == 0
    assert runner.invoke(app, ["users", "create", "hz_rep", "--role", "reporter", "--region", "330100",
                               "--department", DEPT]).exit_code == 0
    assert runner.invoke(app, ["users", "lock", "hz_rep"]).exit_code == 0
    assert runner.invoke(app, ["users", "unlock", "hz_rep"]).exit_code == 0
    issued = runner.invoke(app, ["users", "tokens", "issue", "hz_rep", "--name", "系统对接"])
    assert issued.exit_code == 0
    got = entries()
    assert [(a, e) for a, e, *_ in got] == [
        ("create", "department"), ("create", "user"), ("lock", "user"), ("unlock", "user"), ("token_issued", "token"),
    ]
    lock = got[2]
    assert lock[5]["locked_until"] is None and lock[4]["locked_until"]  # before / after
    assert all(u == "cli" for _a, _e, u, *_ in got)
    # neither a token nor a password hash is ever in the log
    token = issued.output.split("xy_", 1)[1].split()[0]
    assert token not in str(got) and "$argon2" not in str(got)
    with session_scope() as db:
        assert audit.verify(db).ok
