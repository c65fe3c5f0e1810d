"""Credit repair through the pages and the API: the subject applies from its credit file, seeing
the conditions before anything is sent; the office works through its queue; the subject sees the
decision; refusals come back as Chinese messages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from tests.accounts.helpers import login_as
from tests.records.factories import World, build_world
from tests.redress.helpers import DOCX, PDF, PNG
from tests.web.conftest import assert_masked
from xinyong.core.clock import frozen_today, today
from xinyong.web.app import create_app


@pytest.fixture
def client(app_env):
    with TestClient(create_app(), follow_redirects=False) as c:
        yield c


@pytest.fixture
def world(session) -> World:
    return build_world(session)


def test_a_subject_applies_from_its_file_and_the_office_decides(client, world):
    rid = world.person_penalty_id
    login_as(client, "subject", None, subject_id=world.person.id)
    page = client.get("/my/file").text
    assert f'href="/repairs/new?record={rid}"' in page and "申请信用修复" in page
    early = client.get(f"/repairs/new?record={rid}")
    assert early.status_code == 200 and "已满最短公示期" in early.text and "不满足" in early.text
    assert "提交信用修复申请" not in early.text  # no form while the data says no
    later = today() + timedelta(days=400)
    with frozen_today(later):
        cond = client.get(f"/api/v1/records/{rid}/repair-conditions").json()
        assert cond["may_apply"] and cond["commitment"] and "performance" in cond["proofs"]
        form = client.get(f"/repairs/new?record={rid}").text
        assert "提交信用修复申请" in form and "信用承诺书" in form and "待您证明" in form
        r = client.post("/repairs/new", data={"record_id": rid, "reasons": "已缴清罚款"})
        assert r.status_code == 422 and "不符合信用修复条件" in r.text and "签署信用承诺书" in r.text
        bad = client.post("/api/v1/repairs", data={"record_id": rid, "reasons": "已缴清", "commitment": "true"},
                          files=[(k, ("证明.pdf", DOCX, "application/pdf")) for k in cond["proofs"]])
        assert bad.status_code == 422 and "不是 PDF、PNG 或 JPEG" in bad.json()["detail"]["message"]
        files = [(k, (f"{k}.pdf", PDF if k != "payment" else PNG, "application/pdf")) for k in cond["proofs"]]
        r = client.post("/repairs/new", data={"record_id": rid, "reasons": "已缴清罚款并整改", "commitment": "on"},
                        files=files)
        assert r.status_code == 303, r.text
        case_url = r.headers["location"]
        case_id = int(case_url.rsplit("/", 1)[1])
        mine = client.get("/my/repairs").text
        assert f"第 {case_id} 号" in mine and "已提交，待受理" in mine
        case = client.get(case_url).text
        assert "信用承诺" in case and "办理经过" in case and 'name="action"' not in case

        login_as(client, "admin")
        queue = client.get("/repairs").text
        assert f"第 {case_id} 号" in queue and "未办结（1）" in queue
        assert_masked(queue, world)
        assert client.post(f"/repairs/{case_id}/steps", data={"action": "accept"}).status_code == 303
        r = client.post(f"/repairs/{case_id}/steps", data={"action": "reject"})
        assert r.status_code == 422 and "不予修复须写明理由" in r.text
        r = client.post(f"/api/v1/repairs/{case_id}/approve", json={"reasons": "符合条件"})
        assert r.status_code == 200 and r.json()["status"] == "approved"
        r = client.post(f"/api/v1/repairs/{case_id}/approve", json={})
        assert r.status_code == 422 and "不能再次决定" in r.json()["detail"]["message"]

        login_as(client, "subject", None, subject_id=world.person.id)
        out = client.get(f"/api/v1/repairs/{case_id}").json()
        assert out["status_name"] == "准予修复"
        assert [e["action"] for e in out["events"]] == ["filed", "accepted", "approved"]
        got = client.get(out["attachments"][0]["url"])
        assert got.status_code == 200 and got.content in (PDF, PNG)
        assert client.get(f"/api/v1/records/{rid}/repair-conditions").json()["may_apply"] is False  # repaired


def test_another_subjects_record_and_a_never_repairable_one(client, world):
    login_as(client, "subject", None, subject_id=world.person.id)
    r = client.get(f"/api/v1/records/{world.hz_recent_id}/repair-conditions")
    assert r.status_code == 403 and "只能对本人" in r.json()["detail"]["message"]
    r = client.get(f"/api/v1/records/{world.person_debtor_id}/repair-conditions")
    body = r.json()
    assert r.status_code == 200 and body["repairable"] is False and body["conditions"][0]["blocks"]
