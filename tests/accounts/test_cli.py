"""``xinyong users …``: users, departments and tokens from the command line."""

from __future__ import annotations

import re

from sqlalchemy import select
from typer.testing import CliRunner

from tests.factories import DEPT
from xinyong.accounts import service
from xinyong.accounts.models import ApiToken, User
from xinyong.cli import app
from xinyong.core.errors import XinyongError

runner = CliRunner()


def run(*args: str, input: str | None = None, code: int = 0) -> str:
    """Run ``xinyong users …``; ``code=2``: refused with a domain error (``main()`` turns it
    into a message and exit status 2)."""
    res = runner.invoke(app, ["users", *args], input=input)
    if code == 2:
        assert isinstance(res.exception, XinyongError), res.output
        return res.output
    assert res.exit_code == code, res.output
    return res.output


def test_users_departments_and_tokens(app_env, session, world, monkeypatch):
    from rich.console import Console

    from xinyong.accounts import cli

    monkeypatch.setattr(cli, "console", Console(width=250))  # whole table rows, whatever the terminal
    out = run("departments", "add", DEPT, "--name", "杭州市市场监督管理局", "--region", "330100",
              "--categories", "admin_penalty,admin_licence")
    assert "已建立" in out
    assert service.get_department(session, DEPT).categories == ["admin_licence", "admin_penalty"]
    run("departments", "add", "X" * 18, "--name", "n", "--region", "330100", "--categories", "no_such", code=2)
    run("departments", "set-categories", DEPT, "admin_penalty")
    session.expire_all()
    assert service.get_department(session, DEPT).categories == ["admin_penalty"]
    assert DEPT in run("departments", "list")

    out = run("create", "hz-reporter", "--role", "reporter", "--region", "330100", "--department", DEPT,
              "--name", "报送员甲")
    password = out.strip().splitlines()[-1].strip()
    assert service.password_problems(password) == []
    user = session.scalar(select(User).where(User.username == "hz-reporter"))
    assert user.must_change_password and service.authenticate(session, "hz-reporter", password)

    run("create", "bad", "--role", "checker", "--region", "999999", code=2)
    out = run("create", "me-myself", "--role", "subject", "--subject", str(world.person.id))
    session.expire_all()
    me = session.scalar(select(User).where(User.username == "me-myself"))
    assert me.subject_id == world.person.id and me.region_code == world.person.region_code
    run("create", "typed", "--role", "checker", "--region", "330106", "--password-stdin",
        input="Keyed-Secret-99x\n")
    assert service.authenticate(session, "typed", "Keyed-Secret-99x")

    listing = run("list", "--region", "330100")
    assert "hz-reporter" in listing and "typed" in listing

    run("set-role", "typed", "--role", "supervisor", "--region", "330000")
    session.expire_all()
    assert session.scalar(select(User.role).where(User.username == "typed")) == "supervisor"

    run("lock", "typed")
    session.expire_all()
    assert service.is_locked(session.scalar(select(User).where(User.username == "typed")))
    run("unlock", "typed")
    out = run("reset-password", "typed")
    assert service.authenticate(session, "typed", out.strip().splitlines()[-1].strip())
    run("reset-totp", "typed")

    out = run("tokens", "issue", "hz-reporter", "--name", "市场监管系统", "--days", "30")
    token = re.search(r"(xy_[0-9a-f]{8}_\S+)", out).group(1)
    row = session.scalar(select(ApiToken))
    assert token not in row.token_hash and row.categories == ["admin_penalty"]
    assert service.resolve_token(session, token)[1].username == "hz-reporter"
    run("tokens", "issue", "hz-reporter", "--categories", "admin_licence", code=2)  # not the department's
    assert f"xy_{row.prefix}" in run("tokens", "list")
    run("tokens", "revoke", f"xy_{row.prefix}")
    session.expire_all()
    assert service.token_state(session.scalar(select(ApiToken))) == "revoked"
    run("tokens", "revoke", "xy_ffffffff", code=2)


def test_an_administrators_token_from_the_command_line_is_held_to_the_cap(app_env, session):
    """The command line is the operator (no region, no TOTP), but an administrator's token is
    short there too, and the refusal is on the record."""
    from tests.accounts.helpers import make_user
    from xinyong.audit.models import AuditEntry

    make_user(session, "admin", "330100", username="ops-admin")
    session.commit()
    run("tokens", "issue", "ops-admin", "--days", "365", code=2)
    session.expire_all()
    assert session.scalar(select(ApiToken.id)) is None
    assert session.scalar(select(AuditEntry.action).where(AuditEntry.action == "refused")) == "refused"
    out = run("tokens", "issue", "ops-admin", "--hours", "6")
    assert "到期" in out
