"""Login through an OpenID Connect provider (the province's single sign-on), against a small
provider running in the test process (tests/disclosure/oidc_provider.py): the happy path with
PKCE, and the refusals — a token signed with an unpublished key or with ``alg: none``, another
issuer or audience, the wrong nonce, an expired token, a replayed state, a person without a
subject user."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.accounts.helpers import make_user
from tests.disclosure.oidc_provider import CLIENT_ID, CLIENT_SECRET, ISSUER, Provider
from tests.records.factories import World, build_world
from xinyong.accounts.access import SESSION_COOKIE
from xinyong.audit.models import AuditEntry
from xinyong.core import settings
from xinyong.core.db import session_scope
from xinyong.disclosure import oidc
from xinyong.web.app import create_app


@pytest.fixture
def world(session) -> World:
    w = build_world(session)
    make_user(session, "subject", None, subject_id=w.person.id, username="zhang")
    session.commit()
    return w


@pytest.fixture
def provider(world, monkeypatch, app_env) -> Provider:
    p = Provider(identity=world.person_ric)
    for name, value in {"ENABLED": "1", "ISSUER": ISSUER, "CLIENT_ID": CLIENT_ID, "CLIENT_SECRET": CLIENT_SECRET,
                        "REDIRECT_URL": "http://testserver/login/oidc/callback"}.items():
        monkeypatch.setenv(f"XINYONG_OIDC_{name}", value)
    settings.reset_settings()
    app = p.app()
    monkeypatch.setattr(oidc, "HTTP", lambda: TestClient(app, base_url=ISSUER))
    p.browser = TestClient(app, base_url=ISSUER, follow_redirects=False)
    return p


@pytest.fixture
def client(provider):
    with TestClient(create_app(), follow_redirects=False) as c:
        yield c


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


def login(client, provider, next_url="/my/credit"):
    """The browser's round trip: platform → provider → callback. Returns the callback's answer."""
    start = client.get("/login/oidc", params={"next": next_url})
    assert start.status_code == 303, start.text
    assert start.headers["location"].startswith(f"{ISSUER}/authorize?")
    back = provider.browser.get(_path(start.headers["location"]))
    assert back.status_code == 302
    return client.get(_path(back.headers["location"]))


def test_login_page_offers_the_provider(client):
    assert "使用浙江政务服务网统一身份认证登录" in client.get("/login").text


def test_happy_path_logs_the_person_in(client, provider, world, session):
    res = login(client, provider)
    assert res.status_code == 303, res.text
    assert res.headers["location"] == "/my/credit"
    assert client.cookies.get(SESSION_COOKIE)
    page = client.get("/my/credit")
    assert page.status_code == 200 and "我的完整信用信息" in page.text
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "login").order_by(AuditEntry.seq.desc())).first()
    assert entry.username == "zhang" and entry.after["step"] == "oidc"


def test_the_request_carries_pkce_and_a_nonce(client, provider):
    start = client.get("/login/oidc")
    q = dict(p.split("=", 1) for p in urlsplit(start.headers["location"]).query.split("&"))
    assert q["code_challenge_method"] == "S256" and len(q["code_challenge"]) == 43
    assert q["nonce"] and q["state"] and q["client_id"] == CLIENT_ID


@pytest.mark.parametrize("fault,message", [
    ("key", "签名无效"),
    ("alg_none", "签名无效"),
    ("issuer", "签发方不符"),
    ("audience", "不是签发给本平台的"),
    ("nonce", "nonce 不符"),
    ("expired", "已过期"),
    ("no_identity", "没有公民身份号码"),
])
def test_bad_tokens_are_refused(client, provider, fault, message):
    provider.fault = fault
    res = login(client, provider)
    assert res.status_code == 401
    assert message in res.text and "统一身份认证登录失败" in res.text
    assert not client.cookies.get(SESSION_COOKIE)
    assert client.get("/my/credit").status_code == 303  # still not logged in: sent to /login


def test_a_state_works_once_and_must_be_known(client, provider):
    start = client.get("/login/oidc")
    back = provider.browser.get(_path(start.headers["location"]))
    callback = _path(back.headers["location"])
    assert client.get(callback).status_code == 303
    client.cookies.clear()
    replay = client.get(callback)
    assert replay.status_code == 401 and "已使用过" in replay.text
    forged = client.get("/login/oidc/callback", params={"code": "x", "state": "made-up"})
    assert forged.status_code == 401 and "state 不符" in forged.text


def test_a_wrong_pkce_verifier_is_refused_by_the_provider(client, provider):
    start = client.get("/login/oidc")
    back = provider.browser.get(_path(start.headers["location"]))
    with session_scope() as s:  # someone swapped the stored verifier: the provider refuses the code
        from xinyong.disclosure.authorization_models import OidcLogin

        for row in s.scalars(select(OidcLogin)):
            row.code_verifier = "x" * 64
    res = client.get(_path(back.headers["location"]))
    assert res.status_code == 401 and "拒绝了本次登录" in res.text


def test_a_person_without_a_subject_user_is_refused(client, provider):
    from datetime import date

    from xinyong.core.codes import make_ric

    provider.identity = make_ric("330106", date(1985, 3, 3), 77)
    res = login(client, provider)
    assert res.status_code == 401 and "没有与该身份对应的信用主体账户" in res.text


def test_disabled_provider_says_so(app_env, monkeypatch):
    monkeypatch.delenv("XINYONG_OIDC_ENABLED", raising=False)
    settings.reset_settings()
    with TestClient(create_app(), follow_redirects=False) as c:
        res = c.get("/login/oidc")
        assert res.status_code == 422 and "未启用统一身份认证" in res.text
        assert "统一身份认证登录" not in c.get("/login").text
