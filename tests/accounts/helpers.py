"""Log in as a role in tests.

- ``login_as(client, role, region="330100", ...)`` makes (or reuses) a user of that role and
  region in the app's database, opens a full web session for it (the second factor counted as
  done) and puts the session cookie and the ``X-CSRF-Token`` header on the TestClient, so GETs
  and POSTs (forms or JSON) go through as that user. Returns a :class:`LoggedIn`.
- ``token_for(role, region="330100", ...)`` issues an API token for such a user and returns the
  token string: send it as ``headers={"Authorization": f"Bearer {token}"}``.
- ``make_user(db, role, region, ...)`` only creates the user (password :data:`PASSWORD`).

A reporter belongs to a department of its region (created when missing, reporting every
category of the active catalog unless ``categories`` is given); a subject user needs
``subject_id`` (the subject whose file it reads).
"""

from __future__ import annotations

from dataclasses import dataclass

import pyotp
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.accounts import service
from xinyong.accounts.access import CSRF_HEADER, SESSION_COOKIE
from xinyong.accounts.models import Department, User
from xinyong.core.codes import make_uscc
from xinyong.core.db import session_scope

PASSWORD = "Correct-Horse-42"
DEFAULT_REGION = "330100"
DEFAULT_CATEGORIES = ("admin_penalty", "admin_licence", "dishonest_judgment_debtor")


def department_code(region: str) -> str:
    return make_uscc("11", region, "00259001")


def ensure_department(db: Session, region: str, categories=DEFAULT_CATEGORIES) -> Department:
    code = department_code(region)
    dept = db.scalar(select(Department).where(Department.code == code))
    if dept is None:
        dept = service.create_department(db, code=code, name=f"测试部门{region}", region_code=region,
                                         categories=categories)
    return dept


def make_user(
    db: Session,
    role: str,
    region: str | None = DEFAULT_REGION,
    *,
    username: str | None = None,
    subject_id: int | None = None,
    categories=DEFAULT_CATEGORIES,
    totp: bool = True,
    password: str = PASSWORD,
) -> User:
    """A user of ``role`` (reused when one with this username exists). Administrators get a
    TOTP secret in force (``pyotp.TOTP(totp_secret_of(user)).now()`` makes a code)."""
    username = username or f"{role}_{region or subject_id}"
    user = db.scalar(select(User).where(User.username == username))
    if user is not None:
        return user
    dept = ensure_department(db, region, categories).code if role == "reporter" else None
    user, _ = service.create_user(
        db, username=username, role=role, region_code=None if role == "subject" else region,
        department_code=dept, subject_id=subject_id, password=password, display_name=f"测试{role}",
    )
    if totp and role == "admin":
        service.begin_totp(db, user)
        user.totp_enabled = True
    db.flush()
    return user


def totp_code(user: User) -> str:
    return pyotp.TOTP(service.totp_secret(user)).now()


@dataclass
class LoggedIn:
    user_id: int
    username: str
    role: str
    region: str | None
    csrf: str
    cookie: str


def login_as(client: TestClient, role: str, region: str | None = DEFAULT_REGION, **kw) -> LoggedIn:
    with session_scope() as db:
        user = make_user(db, role, region, **kw)
        raw, ws = service.start_session(db, user)
        ws.stage = "full"
        out = LoggedIn(user.id, user.username, role, region, ws.csrf_token, raw)
    client.cookies.set(SESSION_COOKIE, out.cookie)
    client.headers[CSRF_HEADER] = out.csrf
    return out


def logout(client: TestClient) -> None:
    client.cookies.delete(SESSION_COOKIE)
    client.headers.pop(CSRF_HEADER, None)


def token_for(role: str, region: str | None = DEFAULT_REGION, *, days: int = 30, **kw) -> str:
    with session_scope() as db:
        user = make_user(db, role, region, **kw)
        # an administrator's token is held to XINYONG_TOKEN_ADMIN_MAX_HOURS (its default validity)
        issued = service.issue_token(db, user, name="test", by="test", days=None if role == "admin" else days)
        return issued.token
