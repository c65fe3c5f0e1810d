"""The demo's users: one per role, working logins, made once."""

from __future__ import annotations

import pyotp
from sqlalchemy import select

from xinyong.accounts import service
from xinyong.accounts.models import Department, User
from xinyong.accounts.roles import ROLES, region_covers
from xinyong.demo.generator import build_demo
from xinyong.demo.users import create_demo_users
from xinyong.subjects.models import Subject


def test_one_demo_user_per_role(session):
    build_demo(session, scale=0.003, seed=11)
    session.commit()
    logins = create_demo_users(session)
    session.commit()
    assert {u.role for u in logins} == set(ROLES)
    for login in logins:
        user = service.authenticate(session, login.username, login.password)
        assert user.role == login.role and not user.must_change_password
    admin = next(u for u in logins if u.role == "admin")
    stored = session.scalar(select(User).where(User.username == admin.username))
    assert stored.totp_enabled and admin.totp_uri.startswith("otpauth://totp/")
    service.verify_totp(session, stored, pyotp.TOTP(admin.totp_secret).now())
    reporter = session.scalar(select(User).where(User.role == "reporter"))
    dept = session.scalar(select(Department).where(Department.code == reporter.department_code))
    assert dept.region_code == "330100" and dept.categories
    assert session.scalar(select(Subject.kind).where(Subject.code == dept.code)) == "gov_body"
    subject_user = session.scalar(select(User).where(User.role == "subject"))
    person = session.get(Subject, subject_user.subject_id)
    assert person.kind == "person" and region_covers("330100", person.region_code)
    # again: nobody twice
    assert create_demo_users(session) == []
    assert session.scalar(select(User.id).where(User.username == "demo-admin")) == stored.id
