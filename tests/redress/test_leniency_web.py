"""Leniency through the pages and the API: the office records a self-correction from a record's
page, the check (API and result page) says why the measure was softened, the source department
revokes it; bad input comes back as a Chinese message on the page."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.accounts.helpers import department_code, login_as
from tests.records.factories import World, build_world
from tests.redress.helpers import DOCX, PDF
from xinyong.core.db import session_scope
from xinyong.records.models import Record
from xinyong.web.app import create_app


@pytest.fixture
def client(app_env):
    with TestClient(create_app(), follow_redirects=False) as c:
        yield c


@pytest.fixture
def world(session) -> World:
    return build_world(session)


def servant_debtor_record(world: World) -> int:
    with session_scope() as db:
        r = db.scalar(select(Record).where(Record.subject_id == world.servant.id,
                                           Record.category_code == "dishonest_judgment_debtor"))
        r.department_code = department_code("330100")  # reported by the Hangzhou test department
        return r.id


def test_office_records_check_softens_department_revokes(client, world):
    rid = servant_debtor_record(world)
    login_as(client, "admin", "330100")
    assert "自我纠错（从轻、减轻、免于惩戒）" in client.get(f"/records/{rid}").text
    page = client.get(f"/self-corrections?record={rid}")
    assert page.status_code == 200
    assert "主动挽回损失" in page.text and "存在政务失信记录的公务人员任用、升迁、评优评先限制：免于实施" in page.text
    bad = client.post("/self-corrections", data={"record_id": rid, "kind": "loss_recovered", "note": "已退还"},
                      files={"evidence": ("凭证.pdf", DOCX, "application/pdf")})
    assert bad.status_code == 422 and "不是 PDF、PNG 或 JPEG" in bad.text
    bad = client.post("/self-corrections", data={"record_id": rid, "kind": "loss_recovered", "note": "x",
                                                  "corrected_on": "2026-13-01"})
    assert bad.status_code == 422 and "不是有效日期" in bad.text
    ok = client.post("/self-corrections", data={"record_id": rid, "kind": "loss_recovered", "note": "已足额退还"},
                     files={"evidence": ("凭证.pdf", PDF, "application/pdf")})
    assert ok.status_code == 303, ok.text
    listed = client.get("/api/v1/self-corrections", params={"record_id": rid}).json()
    (c,) = listed["corrections"]
    assert c["in_force"] and c["kind_name"] == "主动挽回损失" and c["recorded_as"] == "office"
    assert client.get(f"/api/v1/self-corrections/{c['id']}/evidence").content == PDF

    login_as(client, "checker", "330100")
    res = client.post("/api/v1/checks", json={"scenario": "cadre_selection", "purpose": "干部考察",
                                               "code": world.servant_ric})
    assert res.status_code == 201, res.text
    hit = next(h for h in res.json()["hits"] if h["measure_code"] == "ps_appointment_limit")
    assert hit["waived"] and "免于实施" in hit["leniency"] and "76号" in hit["leniency"]
    result = client.get(f"/checks/{res.json()['id']}").text
    assert "免于实施：已登记自我纠错（主动挽回损失）" in result and "不适用" in result

    login_as(client, "reporter", "330100")
    r = client.post(f"/api/v1/self-corrections/{c['id']}/revoke", json={"reasons": "退款未到账"})
    assert r.status_code == 200 and not r.json()["in_force"]
    again = client.post(f"/self-corrections/{c['id']}/revoke", data={"reasons": "再撤"})
    assert again.status_code == 422 and "不能再次撤销" in again.text
