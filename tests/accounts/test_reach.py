"""An administrator manages only within its own reach (security finding 3): a city
administrator tried to read the whole province's audit log by making a province-wide auditor,
an auditor of another city, a token for a user above it, or by editing another city's user.
Each attack is refused — in the service, so web, API and command line alike — with a clear
Chinese message, and the refusal is itself an audit entry. Administrators' own tokens are short
and need a fresh TOTP code (finding 13)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.accounts.helpers import login_as, logout, make_user, totp_code
from xinyong.accounts import access, service
from xinyong.accounts.models import ApiToken, User
from xinyong.accounts.principal import cli_principal
from xinyong.audit.models import AuditEntry
from xinyong.core.db import session_scope
from xinyong.core.errors import InvalidInput
from xinyong.core.settings import get_settings, reset_settings


def _as(db, user: User):
    return service.principal_of(db, user, via="session")


def _refusals(db) -> list[AuditEntry]:
    return list(db.scalars(select(AuditEntry).where(AuditEntry.action == "refused").order_by(AuditEntry.seq)))


# --- the service: every path ------------------------------------------------------------------


def test_a_city_admin_cannot_create_a_province_wide_auditor(session):
    city = _as(session, make_user(session, "admin", "330100"))
    with pytest.raises(service.OutsideReach) as exc:
        service.create_user(session, username="aud_all", role="auditor", region_code="330000", actor=city)
    assert exc.value.zh.startswith("全省范围的审计员只能由省级管理员建立")
    assert session.scalar(select(User).where(User.username == "aud_all")) is None
    (entry,) = _refusals(session)
    assert entry.username == "admin_330100" and entry.after["attempt"] == "create" and entry.entity_id == "aud_all"


def test_a_province_admin_may_create_a_province_wide_auditor(session):
    province = _as(session, make_user(session, "admin", "330000"))
    user, _ = service.create_user(session, username="aud_all", role="auditor", region_code="330000", actor=province)
    assert user.region_code == "330000"
    assert not _refusals(session)


def test_a_city_admin_cannot_create_an_auditor_in_another_city(session):
    city = _as(session, make_user(session, "admin", "330100"))
    with pytest.raises(service.OutsideReach) as exc:
        service.create_user(session, username="aud_nb", role="auditor", region_code="330200", actor=city)
    assert "超出您的管理范围" in exc.value.zh and "宁波市" in exc.value.zh
    # its own city and counties: allowed (an auditor scoped like everyone else)
    user, _ = service.create_user(session, username="aud_hz", role="auditor", region_code="330106", actor=city)
    assert user.region_code == "330106"


def test_a_city_admin_cannot_issue_a_token_for_a_user_above_it(session):
    city = _as(session, make_user(session, "admin", "330100"))
    above = make_user(session, "auditor", "330000", username="aud_province")
    with pytest.raises(service.OutsideReach) as exc:
        service.issue_token(session, above, name="x", by=city.username, days=30, actor=city)
    assert "超出您的管理范围" in exc.value.zh
    assert session.scalar(select(ApiToken.id)) is None
    assert _refusals(session)[-1].after["attempt"] == "token_issue"


def test_a_city_admin_cannot_edit_another_citys_user(session):
    city = _as(session, make_user(session, "admin", "330100"))
    other = make_user(session, "checker", "330200", username="checker_nb")
    own = make_user(session, "checker", "330100", username="checker_hz")
    for attempt in (
        lambda: service.set_role(session, other, role="auditor", actor=city),
        lambda: service.lock(session, other, actor=city),
        lambda: service.reset_password(session, other, actor=city),
        lambda: service.reset_totp(session, other, actor=city),
        lambda: service.set_active(session, other, False, actor=city),
        # moving its own user out of its reach (to the province) is the same attack
        lambda: service.set_role(session, own, role="auditor", region_code="330000", actor=city),
    ):
        with pytest.raises(service.OutsideReach):
            attempt()
    session.refresh(own)
    assert (own.role, own.region_code) == ("checker", "330100")
    assert len(_refusals(session)) == 6


def test_a_non_admin_manages_nothing_and_the_command_line_everything(session):
    checker = _as(session, make_user(session, "checker", "330100"))
    with pytest.raises(service.OutsideReach) as exc:
        service.create_user(session, username="x_one", role="checker", region_code="330100", actor=checker)
    assert "只有信用办管理员" in exc.value.zh
    user, _ = service.create_user(session, username="x_two", role="auditor", region_code="330000",
                                  actor=cli_principal())
    assert user.region_code == "330000"


def test_departments_follow_the_same_reach(session):
    city = _as(session, make_user(session, "admin", "330100"))
    from xinyong.core.codes import make_uscc

    with pytest.raises(service.OutsideReach):
        service.create_department(session, code=make_uscc("11", "330200", "00259009"), name="宁波某局",
                                  region_code="330200", actor=city)


# --- administrators' tokens -----------------------------------------------------------------------


def test_an_admin_cannot_issue_itself_a_long_token_that_skips_totp(session):
    me = make_user(session, "admin", "330100")
    who = _as(session, me)
    with pytest.raises(InvalidInput) as exc:
        service.issue_token(session, me, name="mine", by=who.username, days=365, actor=who,
                            totp_code=totp_code(me))
    assert "最长 12 小时" in exc.value.zh
    with pytest.raises(InvalidInput) as exc:  # short enough, but no code
        service.issue_token(session, me, name="mine", by=who.username, hours=8, actor=who)
    assert "动态验证码" in exc.value.zh
    with pytest.raises(InvalidInput):  # a wrong code
        service.issue_token(session, me, name="mine", by=who.username, hours=8, actor=who, totp_code="000000")
    assert [e.after["attempt"] for e in _refusals(session)] == ["token_issue"] * 3
    assert session.scalar(select(ApiToken.id)) is None

    issued = service.issue_token(session, me, name="mine", by=who.username, actor=who, totp_code=totp_code(me))
    lasts = issued.row.expires_at - issued.row.created_at
    assert timedelta(hours=11, minutes=59) < lasts <= timedelta(hours=12, seconds=1)


def test_the_admin_token_cap_is_a_setting_and_binds_the_command_line(session, monkeypatch):
    monkeypatch.setenv("XINYONG_TOKEN_ADMIN_MAX_HOURS", "4")
    reset_settings()
    try:
        assert get_settings().token_admin_max_hours == 4
        admin = make_user(session, "admin", "330100")
        with pytest.raises(InvalidInput):
            service.issue_token(session, admin, name="ops", by="cli", hours=5, actor=cli_principal())
        issued = service.issue_token(session, admin, name="ops", by="cli", actor=cli_principal())
        assert issued.row.expires_at - issued.row.created_at <= timedelta(hours=4, seconds=1)
    finally:
        monkeypatch.delenv("XINYONG_TOKEN_ADMIN_MAX_HOURS")
        reset_settings()


# --- the web: the same attacks through the pages --------------------------------------------------


def test_web_a_city_admin_creating_a_province_auditor_is_refused(client):
    login_as(client, "admin", "330100")
    r = client.post("/admin/users", data={"username": "aud_all", "role": "auditor", "region_code": "330000"})
    assert r.status_code == 403
    assert "全省范围的审计员只能由省级管理员建立" in r.text
    with session_scope() as db:
        assert db.scalar(select(User).where(User.username == "aud_all")) is None
        assert _refusals(db)


def test_web_a_city_admin_cannot_issue_a_token_for_a_province_user(client):
    with session_scope() as db:
        above_id = make_user(db, "auditor", "330000", username="aud_province").id
    login_as(client, "admin", "330100")
    r = client.post(f"/admin/users/{above_id}/tokens", data={"name": "x", "days": "30"})
    assert r.status_code == 403


def test_web_an_admin_token_needs_a_fresh_code_and_is_short(client):
    me = login_as(client, "admin", "330100")
    r = client.post(f"/admin/users/{me.user_id}/tokens", data={"name": "mine", "days": "365"})
    assert r.status_code == 422 and "最长 12 小时" in r.text
    r = client.post(f"/admin/users/{me.user_id}/tokens", data={"name": "mine", "hours": "12"})
    assert r.status_code == 422 and "动态验证码" in r.text
    with session_scope() as db:
        code = totp_code(db.get(User, me.user_id))
    r = client.post(f"/admin/users/{me.user_id}/tokens", data={"name": "mine", "hours": "12", "totp_code": code})
    assert r.status_code == 201, r.text
    with session_scope() as db:
        assert len(_refusals(db)) == 2


# --- the audit log: an auditor sees its region ------------------------------------------------------


def test_a_city_auditor_sees_only_its_regions_entries(client):
    with session_scope() as db:
        hz = make_user(db, "checker", "330100", username="checker_hz")
        nb = make_user(db, "checker", "330200", username="checker_nb")
        from xinyong.audit import service as audit

        audit.log_event(db, who=_as(db, hz), action="read", entity="credit_file", subject_id=1, purpose="核查")
        audit.log_event(db, who=_as(db, nb), action="read", entity="credit_file", subject_id=2, purpose="核查")
        audit.log_event(db, who="cli", action="create", entity="user", entity_id=9)
    login_as(client, "auditor", "330100")
    names = {e["username"] for e in client.get("/api/v1/audit/entries", params={"limit": 500}).json()["entries"]}
    assert "checker_hz" in names and "checker_nb" not in names and "cli" not in names
    page = client.get("/audit")
    assert page.status_code == 200 and "checker_nb" not in page.text
    # asking for the other city's user by name gives nothing either
    assert client.get("/api/v1/audit/entries", params={"user": "checker_nb"}).json()["total"] == 0
    logout(client)
    login_as(client, "auditor", "330000")
    names = {e["username"] for e in client.get("/api/v1/audit/entries", params={"limit": 500}).json()["entries"]}
    assert {"checker_hz", "checker_nb", "cli"} <= names


def test_subject_users_list_keeps_to_the_admins_region(client, world):
    with session_scope() as db:
        make_user(db, "subject", None, subject_id=world.ent_hz.id, username="ent_hz_user")
        make_user(db, "subject", None, subject_id=world.ent_nb.id, username="ent_nb_user")
    login_as(client, "admin", "330100")
    page = client.get("/admin/subject-users")
    assert page.status_code == 200
    assert "ent_hz_user" in page.text and "ent_nb_user" not in page.text


# --- cookies: Secure unless the demo on loopback ------------------------------------------------------


def _scope(client_host: str, server_host: str, scheme: str = "http", headers=()) -> dict:
    return {"type": "http", "scheme": scheme, "client": (client_host, 50000), "server": (server_host, 8000),
            "headers": list(headers)}


@pytest.mark.parametrize(("scope", "secure"), [
    (_scope("127.0.0.1", "127.0.0.1"), False),  # the demo: a browser on the server itself
    (_scope("::1", "::1"), False),
    (_scope("127.0.0.1", "127.0.0.1", headers=[(b"x-forwarded-for", b"203.0.113.9")]), True),  # a proxy in front
    (_scope("203.0.113.9", "127.0.0.1"), True),  # a trusted proxy's forwarded address
    (_scope("10.0.0.5", "10.0.0.1"), True),
    (_scope("127.0.0.1", "127.0.0.1", scheme="https"), True),
])
def test_cookie_secure_auto(monkeypatch, scope, secure):
    monkeypatch.setenv("XINYONG_COOKIE_SECURE", "auto")
    reset_settings()
    try:
        assert access.cookie_secure(scope) is secure
    finally:
        monkeypatch.setenv("XINYONG_COOKIE_SECURE", "false")
        reset_settings()


@pytest.mark.parametrize(("value", "secure"), [("true", True), ("1", True), ("false", False), ("off", False)])
def test_cookie_secure_forced(monkeypatch, value, secure):
    monkeypatch.setenv("XINYONG_COOKIE_SECURE", value)
    reset_settings()
    try:
        assert access.cookie_secure(_scope("127.0.0.1", "127.0.0.1")) is secure
        assert access.cookie_secure(_scope("10.0.0.5", "10.0.0.1")) is secure
    finally:
        monkeypatch.setenv("XINYONG_COOKIE_SECURE", "false")
        reset_settings()
