"""API tokens over HTTP (expiry, revocation, rate limit, no CSRF), the administrators' pages,
and region scope on credit files."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select, update

from tests.accounts.helpers import login_as, logout, token_for
from tests.records.factories import World
from xinyong.accounts.models import ApiToken, User
from xinyong.audit.models import AuditEntry
from xinyong.core.db import session_scope, utcnow


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_me_with_a_token(client):
    token = token_for("reporter")
    r = client.get("/api/v1/me", headers=bearer(token))
    assert r.status_code == 200
    body = r.json()
    assert body["role"] == "reporter" and body["via"] == "token" and body["region_code"] == "330100"
    assert body["categories"] == ["admin_licence", "admin_penalty", "dishonest_judgment_debtor"]
    assert body["token_expires_at"]


def test_bad_tokens_get_401_with_a_reason(client):
    for header in ("Bearer nonsense", "Basic abc", "Bearer "):
        r = client.get("/api/v1/me", headers={"Authorization": header})
        assert r.status_code == 401, header
        assert r.json()["detail"]["message"]
    token = token_for("checker")
    with session_scope() as db:
        db.execute(update(ApiToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    r = client.get("/api/v1/me", headers=bearer(token))
    assert r.status_code == 401 and r.json()["detail"]["message_en"] == "the API token has expired"
    # a token on a public route is still checked: a dead token is never silently the public
    assert client.get("/api/v1/policy", headers=bearer(token)).status_code == 401


def test_a_revoked_token_stops_at_once(client):
    token = token_for("reporter")
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    login_as(client, "admin")
    with session_scope() as db:
        row = db.scalar(select(ApiToken))
        user_id, token_id = row.user_id, row.id
    page = client.get(f"/admin/users/{user_id}")
    assert page.status_code == 200 and f"xy_{row.prefix}" in page.text and token not in page.text
    assert client.post(f"/admin/tokens/{token_id}/revoke").status_code == 303
    logout(client)
    r = client.get("/api/v1/me", headers=bearer(token))
    assert r.status_code == 401 and "吊销" in r.json()["detail"]["message"]


def test_token_calls_need_no_csrf_token_and_are_rate_limited(client, monkeypatch):
    monkeypatch.setenv("XINYONG_API_RATE_PER_TOKEN", "3")
    from xinyong.core.settings import reset_settings

    reset_settings()
    token = token_for("checker")
    for _ in range(3):
        assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    r = client.get("/api/v1/me", headers=bearer(token))
    assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1 and r.json()["detail"]["message"]
    other = token_for("auditor")  # another token has its own window
    assert client.get("/api/v1/me", headers=bearer(other)).status_code == 200
    # a POST with a token and no CSRF header is not refused for CSRF
    r = client.post("/api/v1/records", headers=bearer(token_for("reporter")), json={"rows": []})
    assert r.status_code != 403


def test_admin_creates_a_user_and_sees_the_password_once(client):
    login_as(client, "admin")
    r = client.get("/admin/users/new")
    assert r.status_code == 200
    r = client.post("/admin/users", data={"username": "newchecker", "role": "checker", "region_code": "330106",
                                          "display_name": "新核查员"})
    assert r.status_code == 201
    password = re.search(r'<p class="once">([^<]+)</p>', r.text).group(1)
    with session_scope() as db:
        user = db.scalar(select(User).where(User.username == "newchecker"))
        assert user.must_change_password and password not in user.password_hash
    assert "newchecker" in client.get("/admin/users").text
    # outside the administrator's region: refused
    r = client.post("/admin/users", data={"username": "far", "role": "checker", "region_code": "330203"})
    assert r.status_code == 403
    r = client.post("/admin/users", data={"username": "weak", "role": "king", "region_code": "330106"})
    assert r.status_code == 422


def test_admin_locks_unlocks_resets_and_issues_tokens(client):
    login_as(client, "admin")
    with session_scope() as db:
        from tests.accounts.helpers import make_user

        target = make_user(db, "reporter", "330100")
        target_id = target.id
    assert client.post(f"/admin/users/{target_id}/lock").status_code == 303
    assert "锁定" in client.get(f"/admin/users/{target_id}").text
    assert client.post(f"/admin/users/{target_id}/unlock").status_code == 303
    r = client.post(f"/admin/users/{target_id}/password")
    assert r.status_code == 200 and "新初始密码" in r.text
    r = client.post(f"/admin/users/{target_id}/tokens", data={"name": "部门系统", "days": "30",
                                                              "categories": ["admin_penalty"]})
    assert r.status_code == 201
    token = re.search(r'<p class="once">([^<]+)</p>', r.text).group(1)
    assert token.startswith("xy_")
    logout(client)
    me = client.get("/api/v1/me", headers=bearer(token)).json()
    assert me["categories"] == ["admin_penalty"] and me["username"] == "reporter_330100"
    login_as(client, "admin")
    r = client.post(f"/admin/users/{target_id}/tokens", data={"name": "x", "categories": ["admin_licence_x"]})
    assert r.status_code == 422


def test_an_admin_cannot_manage_users_outside_its_region(client):
    with session_scope() as db:
        from tests.accounts.helpers import make_user

        far = make_user(db, "checker", "330200").id
    login_as(client, "admin")
    assert client.get(f"/admin/users/{far}").status_code == 403
    assert client.post(f"/admin/users/{far}/lock").status_code == 403
    assert "checker_330200" not in client.get("/admin/users").text


def test_region_scope_on_personal_files(client, world):
    person = str(world.person.id)  # 西湖区, in 杭州
    login_as(client, "checker", "330100")
    r = client.get(f"/api/v1/subjects/{person}", params={"purpose": "公务员录用核查"})
    assert r.status_code == 200 and r.json()["withheld"] == 0  # in full: the 授权查询 penalty is shown
    with session_scope() as db:  # the official's read is in the audit log, with its purpose
        reads = db.execute(select(AuditEntry.username, AuditEntry.purpose)
                           .where(AuditEntry.action == "read", AuditEntry.subject_id == world.person.id)).all()
    assert reads == [("checker_330100", "公务员录用核查")]
    login_as(client, "checker", "330106")  # the county itself
    assert client.get(f"/api/v1/subjects/{person}").status_code == 200
    login_as(client, "checker", "330200")  # 宁波: not its region
    assert client.get(f"/api/v1/subjects/{person}").status_code == 403
    assert client.get(f"/api/v1/records/{world.person_penalty_id}").status_code == 403
    # an enterprise elsewhere is public information
    assert client.get(f"/api/v1/subjects/{world.ent_hz.code}").status_code == 200
    logout(client)
    assert client.get(f"/api/v1/subjects/{person}").status_code == 404  # the public: by number and name only
    r = client.post("/api/v1/subjects/lookup", json={"code": world.person_ric, "name": World.PERSON_NAME})
    assert r.status_code == 200 and r.json()["withheld"] == 1
    assert client.get(f"/api/v1/records/{world.person_penalty_id}").status_code == 404


def test_a_subject_reads_its_own_file_in_full_and_only_its_own(client, world):
    login_as(client, "subject", None, subject_id=world.person.id, username="zhangsanfeng")
    r = client.get(f"/api/v1/subjects/{world.person.id}")
    assert r.status_code == 200 and r.json()["withheld"] == 0
    assert client.get(f"/api/v1/records/{world.person_penalty_id}").status_code == 200
    r = client.get(f"/api/v1/subjects/{world.servant.id}")  # someone else: as for the public, not by number
    assert r.status_code == 404
    page = client.get(f"/subjects/{world.person.id}")
    assert page.status_code == 200
