"""Login through the pages: CSRF on the form, lockout, the administrators' second factor,
session timeouts, logout, rate limits."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select, update

from tests.accounts.helpers import PASSWORD, login_as, make_user
from xinyong.accounts import service
from xinyong.accounts.access import CSRF_COOKIE, CSRF_HEADER, SESSION_COOKIE
from xinyong.accounts.models import User, WebSession
from xinyong.core.db import session_scope, utcnow

CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    m = CSRF_INPUT.search(html)
    assert m, "the page has no CSRF field"
    return m.group(1)


def new_user(role: str, **kw) -> User:
    with session_scope() as db:
        user = make_user(db, role, "330100", **kw)
        db.expunge(user)
        return user


def form_login(client, username: str, password: str = PASSWORD, next: str = "/"):
    page = client.get("/login", params={"next": next})
    assert page.status_code == 200
    return client.post("/login", data={"username": username, "password": password, "next": next,
                                       "csrf_token": csrf_of(page.text)})


def test_login_page_sets_the_csrf_cookie_and_the_form_carries_it(client):
    r = client.get("/login")
    assert r.status_code == 200 and "登录" in r.text
    assert client.cookies.get(CSRF_COOKIE) == csrf_of(r.text)
    set_cookie = r.headers["set-cookie"]
    assert "HttpOnly" in set_cookie and "SameSite=Strict" in set_cookie


def test_a_checker_logs_in_and_out(client):
    user = new_user("checker")
    r = form_login(client, user.username, next="/subjects")
    assert r.status_code == 303 and r.headers["location"] == "/subjects"
    cookie = r.headers["set-cookie"]
    assert SESSION_COOKIE in cookie and "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
    page = client.get("/account")
    assert page.status_code == 200 and user.username in page.text and "核查人员" in page.text
    token = csrf_of(page.text)
    r = client.post("/logout", data={"csrf_token": token})
    assert r.status_code == 303
    assert client.get("/account").status_code == 303  # back to the login page
    with session_scope() as db:
        assert db.scalar(select(WebSession.ended_at).where(WebSession.user_id == user.id)) is not None


def test_login_rejects_a_form_without_the_csrf_token(client):
    user = new_user("checker")
    client.get("/login")
    r = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert r.status_code == 403 and "CSRF" in r.text
    r = client.post("/login", data={"username": user.username, "password": PASSWORD, "csrf_token": "forged"})
    assert r.status_code == 403


def test_wrong_password_is_refused_without_saying_which_part_was_wrong(client):
    user = new_user("checker")
    r = form_login(client, user.username, "Wrong-Password-1")
    assert r.status_code == 401 and "用户名或密码错误" in r.text
    r = form_login(client, "nobody-here", "Wrong-Password-1")
    assert r.status_code == 401 and "用户名或密码错误" in r.text


def test_open_redirect_after_login_is_refused(client):
    user = new_user("checker")
    r = form_login(client, user.username, next="//evil.example/x")
    assert r.headers["location"] == "/"


def test_lockout_after_repeated_failures_then_unlock(client, monkeypatch):
    monkeypatch.setenv("XINYONG_LOCKOUT_THRESHOLD", "3")
    from xinyong.core.settings import reset_settings

    reset_settings()
    user = new_user("checker")
    for _ in range(2):
        assert form_login(client, user.username, "Wrong-Password-1").status_code == 401
    r = form_login(client, user.username, "Wrong-Password-1")
    assert r.status_code == 403 and "锁定" in r.text
    r = form_login(client, user.username)  # the right password no longer helps
    assert r.status_code == 403 and "锁定" in r.text
    # the lock lapses after lockout_minutes
    with session_scope() as db:
        db.execute(update(User).where(User.id == user.id).values(locked_until=utcnow() - timedelta(seconds=1)))
    assert form_login(client, user.username).status_code == 303


def test_an_administrator_must_enrol_totp_before_anything_else(client):
    admin = new_user("admin", totp=False, username="newadmin")
    r = form_login(client, admin.username, next="/admin/users")
    assert r.status_code == 303 and r.headers["location"] == "/account/totp"
    # anything else sends it back to the enrolment, and the API refuses
    r = client.get("/admin/users")
    assert r.status_code == 303 and r.headers["location"] == "/account/totp"
    assert client.get("/").headers["location"] == "/account/totp"
    page = client.get("/account/totp")
    assert page.status_code == 200 and "<svg" in page.text
    secret = re.search(r'<p class="once"><code>([A-Z2-7]+)</code></p>', page.text).group(1)
    r = client.post("/account/totp", data={"code": "000000", "csrf_token": csrf_of(page.text)})
    assert r.status_code == 422
    r = client.post("/account/totp", data={"code": pyotp.TOTP(secret).now(), "csrf_token": csrf_of(page.text)})
    assert r.status_code == 303
    assert client.get("/admin/users").status_code == 200
    with session_scope() as db:
        stored = db.get(User, admin.id)
        assert stored.totp_enabled and secret not in stored.totp_secret  # encrypted at rest
        assert service.totp_secret(stored) == secret


def test_an_administrator_logs_in_with_password_and_code(client):
    admin = new_user("admin", username="admin2")
    r = form_login(client, admin.username, next="/admin/users")
    assert r.status_code == 303 and r.headers["location"].startswith("/login/totp")
    # the password alone is not a login
    assert client.get("/admin/users").status_code == 303
    assert client.get("/admin/users").headers["location"].startswith("/login")
    page = client.get(r.headers["location"])
    with session_scope() as db:
        code = pyotp.TOTP(service.totp_secret(db.get(User, admin.id))).now()
    r = client.post("/login/totp", data={"code": "123456" if code != "123456" else "654321",
                                         "csrf_token": csrf_of(page.text), "next": "/admin/users"})
    assert r.status_code == 422
    before = client.cookies.get(SESSION_COOKIE)
    r = client.post("/login/totp", data={"code": code, "csrf_token": csrf_of(page.text), "next": "/admin/users"})
    assert r.status_code == 303 and r.headers["location"] == "/admin/users"
    assert client.cookies.get(SESSION_COOKIE) != before  # a new session id after the second factor
    assert client.get("/admin/users").status_code == 200
    # the same code is good once
    with session_scope() as db:
        user = db.get(User, admin.id)
        with pytest.raises(service.WrongCode):
            service.verify_totp(db, user, code)


def test_session_idle_timeout_and_absolute_expiry(client):
    who = login_as(client, "checker")
    assert client.get("/account").status_code == 200
    with session_scope() as db:
        db.execute(update(WebSession).where(WebSession.user_id == who.user_id)
                   .values(last_seen_at=utcnow() - timedelta(minutes=31)))
    r = client.get("/account")
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")
    assert client.get("/api/v1/me").status_code == 401

    who = login_as(client, "checker")
    with session_scope() as db:
        db.execute(update(WebSession).where(WebSession.user_id == who.user_id, WebSession.ended_at.is_(None))
                   .values(expires_at=utcnow() - timedelta(seconds=1)))
    assert client.get("/api/v1/me").status_code == 401


def test_a_locked_users_session_stops_working(client):
    who = login_as(client, "checker")
    assert client.get("/api/v1/me").status_code == 200
    with session_scope() as db:
        service.lock(db, db.get(User, who.user_id))
    assert client.get("/api/v1/me").status_code == 401


def test_csrf_is_required_on_every_unsafe_request_with_a_session(client):
    login_as(client, "checker")
    token = client.headers.pop(CSRF_HEADER)
    r = client.post("/logout")
    assert r.status_code == 403
    r = client.post("/logout", headers={CSRF_HEADER: "wrong"})
    assert r.status_code == 403
    r = client.post("/logout", headers={CSRF_HEADER: token})
    assert r.status_code == 303


def test_login_rate_limit_per_username_and_per_address(client, monkeypatch):
    monkeypatch.setenv("XINYONG_LOGIN_RATE_PER_USERNAME", "3")
    monkeypatch.setenv("XINYONG_LOGIN_RATE_PER_IP", "5")
    monkeypatch.setenv("XINYONG_LOCKOUT_THRESHOLD", "100")
    from xinyong.core.settings import reset_settings

    reset_settings()
    user = new_user("checker")
    for _ in range(3):
        assert form_login(client, user.username, "Wrong-Password-1").status_code == 401
    r = form_login(client, user.username)
    assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1 and "频繁" in r.text
    # another username from the same address: two more tries, then the address is limited
    assert form_login(client, "someone-else", "Wrong-Password-1").status_code == 401
    r = form_login(client, "someone-else-2", "Wrong-Password-1")
    assert r.status_code == 429


def test_must_change_a_generated_password_first(client):
    with session_scope() as db:
        user, password = service.create_user(db, username="fresh", role="checker", region_code="330100")
    r = form_login(client, "fresh", password)
    assert r.headers["location"] == "/account/password"
    assert client.get("/subjects").headers["location"] == "/account/password"
    page = client.get("/account/password")
    r = client.post("/account/password", data={
        "old_password": password, "new_password": "short", "new_password2": "short",
        "csrf_token": csrf_of(page.text)})
    assert r.status_code == 422 and "12" in r.text
    r = client.post("/account/password", data={
        "old_password": password, "new_password": "Another-Good-Pass-7", "new_password2": "Another-Good-Pass-7",
        "csrf_token": csrf_of(page.text)})
    assert r.status_code == 200 and "密码已修改" in r.text
    assert client.get("/subjects").status_code == 200
