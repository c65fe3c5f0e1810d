"""Objections through the API and the pages: a subject files from its credit file with an
attachment, the office works through its queue, the subject sees each step; the refusals come
back as Chinese messages."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.accounts.helpers import login_as
from tests.records.factories import World, build_world
from tests.redress.helpers import DOCX, PDF, PNG
from tests.web.conftest import assert_masked
from xinyong.web.app import create_app


@pytest.fixture
def client(app_env):
    with TestClient(create_app(), follow_redirects=False) as c:
        yield c


@pytest.fixture
def world(session) -> World:
    return build_world(session)


def as_subject(client, world):
    login_as(client, "subject", None, subject_id=world.person.id)


def test_a_subject_files_from_its_file_and_sees_every_step(client, world):
    as_subject(client, world)
    page = client.get("/my/file").text
    assert f'href="/objections/new?record={world.person_penalty_id}"' in page and "提出异议" in page
    form = client.get(f"/objections/new?record={world.person_penalty_id}")
    assert form.status_code == 200 and "异议理由" in form.text and "杭市监罚〔2026〕4号" in form.text
    r = client.post("/objections/new", data={"record_id": world.person_penalty_id, "grounds": "fact_error",
                                             "reasons": "罚款已缴清且处罚决定已撤销"},
                    files=[("files", ("撤销决定.pdf", PDF, "application/pdf"))])
    assert r.status_code == 303, r.text
    case_url = r.headers["location"]
    case_id = int(case_url.rsplit("/", 1)[1])
    page = client.get("/my/file").text
    assert "异议处理中" in page and "查看异议进度" in page
    mine = client.get("/my/objections").text
    assert f"第 {case_id} 号" in mine and "已提交，待受理" in mine and "受理期限" in mine
    case = client.get(case_url).text
    assert "撤销决定.pdf" in case and "提出异议" in case and "处理经过" in case and "受理" in case
    assert 'name="action"' not in case  # the subject takes no office step
    att = client.get(f"/api/v1/objections/{case_id}").json()["attachments"][0]
    got = client.get(att["url"])
    assert got.status_code == 200 and got.content == PDF and got.headers["content-type"] == "application/pdf"

    login_as(client, "admin")
    queue = client.get("/objections").text
    assert f"第 {case_id} 号" in queue and "张*丰" in queue and "未办结（1）" in queue
    assert_masked(queue, world)
    r = client.post(f"/objections/{case_id}/steps", data={"action": "accept"})
    assert r.status_code == 303
    r = client.post(f"/objections/{case_id}/steps", data={"action": "decide", "outcome": "kept"})
    assert r.status_code == 422 and "请填写理由" in r.text  # the form says why, nothing changed
    r = client.post(f"/api/v1/objections/{case_id}/decide", json={"outcome": "revoked", "reasons": "处罚决定已撤销"})
    assert r.status_code == 200 and r.json()["status"] == "decided" and r.json()["outcome"] == "revoked"
    r = client.post(f"/api/v1/objections/{case_id}/decide", json={"outcome": "kept", "reasons": "再决定"})
    assert r.status_code == 422 and "不能再次决定" in r.json()["detail"]["message"]
    r = client.post(f"/api/v1/objections/{case_id}/close", json={})
    assert r.status_code == 200 and r.json()["status"] == "closed"

    as_subject(client, world)
    case = client.get(case_url).text
    assert "已结案" in case and "撤销" in case and "处罚决定已撤销" in case
    out = client.get(f"/api/v1/objections/{case_id}").json()
    assert [e["action"] for e in out["events"]] == ["filed", "accepted", "decided", "closed"]
    page = client.get("/my/file").text
    assert "杭市监罚〔2026〕4号" not in page  # revoked: no longer shown


def test_the_api_refuses_in_chinese(client, world):
    as_subject(client, world)
    base = {"grounds": "fact_error", "reasons": "有误"}
    r = client.post("/api/v1/objections", data={**base, "record_id": world.hz_recent_id})
    assert r.status_code == 403 and "只能对本人" in r.json()["detail"]["message"]
    r = client.post("/api/v1/objections", data={**base, "record_id": world.person_penalty_id},
                    files=[("files", ("证明.pdf", DOCX, "application/pdf"))])
    assert r.status_code == 422 and "不是 PDF、PNG 或 JPEG" in r.json()["detail"]["message"]
    r = client.post("/api/v1/objections", data={**base, "record_id": world.person_penalty_id},
                    files=[("files", ("截图.png", PNG, "image/png"))])
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["status"] == "filed" and body["next"]["what"] == "受理" and body["subject_name"] == "张*丰"
    assert client.post(f"/api/v1/objections/{body['id']}/accept", json={}).status_code == 403  # not the office
    page = client.post("/objections/new", data={**base, "record_id": world.person_penalty_id})
    assert page.status_code == 422 and "异议正在处理" in page.text

    login_as(client, "admin", "330200")  # Ningbo's office: not the record's region
    r = client.post(f"/api/v1/objections/{body['id']}/accept", json={})
    assert r.status_code == 403 and "地区权限范围" in r.json()["detail"]["message"]
    assert client.get(f"/api/v1/objections/{body['id']}").status_code == 403
    assert client.get("/api/v1/objections").json()["objections"] == []

    login_as(client, "admin")
    r = client.post("/api/v1/objections", data={**base, "record_id": world.person_debtor_id})
    assert r.status_code == 422 and "书面异议申请的扫描件" in r.json()["detail"]["message"]
    r = client.post("/api/v1/objections", data={**base, "record_id": world.person_debtor_id},
                    files=[("application", ("申请.pdf", PDF, "application/pdf"))])
    assert r.status_code == 201 and r.json()["on_behalf"] is True
    listing = client.get("/api/v1/objections", params={"status": "open"}).json()
    assert listing["counts"]["filed"] == 2 and len(listing["objections"]) == 2
    assert client.get("/api/v1/objections", params={"status": "bogus"}).status_code == 422


def test_the_office_files_on_a_subjects_behalf_from_its_queue(client, world):
    login_as(client, "admin")
    queue = client.get("/objections").text
    assert 'action="/objections/new"' in queue and "代信用主体提出异议" in queue
    form = client.get("/objections/new", params={"record": world.hz_recent_id}).text
    assert 'name="application"' in form and "杭市监罚〔2026〕1号" in form
    r = client.post("/objections/new", data={"record_id": world.hz_recent_id, "grounds": "omission",
                                             "reasons": "遗漏了已履行罚款的信息"},
                    files=[("application", ("书面申请.pdf", PDF, "application/pdf"))])
    assert r.status_code == 303
    case = client.get(r.headers["location"]).text
    assert "信用办代为提出" in case and "书面异议申请（扫描件）" in case and 'name="action" value="accept"' in case
    assert client.get("/objections/new", params={"record": world.hz_old_id + 100000}).status_code == 404
    login_as(client, "admin", "330200")
    assert client.get("/objections/new", params={"record": world.hz_recent_id}).status_code == 403
