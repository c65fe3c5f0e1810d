"""Commitments over HTTP: registering and importing through the API (per-row errors), a status
change audited and a reported breach written as a record, another region refused, the officials'
register (overdue first, rates per county), a body's page and the public list with persons
masked. The clock is frozen: the pages read today's date."""

from __future__ import annotations

import io
from datetime import date

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook
from sqlalchemy import select

from tests.accounts.helpers import login_as, logout, token_for
from tests.commitments.helpers import ACCEPTING, code
from tests.records.factories import World, build_world
from tests.web.conftest import assert_masked
from xinyong.audit.models import AuditEntry
from xinyong.commitments.models import Commitment
from xinyong.core import clock
from xinyong.core.db import session_scope
from xinyong.records.models import Record
from xinyong.web.app import create_app

DAY = date(2026, 6, 15)


@pytest.fixture
def world(app_env) -> World:
    with clock.frozen_today(DAY), session_scope() as s:
        w = build_world(s)
        s.flush()
        s.expunge_all()
    return w


@pytest.fixture
def client(app_env):
    with clock.frozen_today(DAY), TestClient(create_app(), follow_redirects=False) as c:
        yield c


def body(subject_code, subject_name, **kw):
    out = {"code": code("330106", "20260301"), "kind": "服务质量承诺", "subject_code": subject_code,
           "subject_name": subject_name, "matter": "政务服务", "content": "承诺时限内办结", "list_kind": "公共服务清单",
           "list_item": "户籍证明", "accepting_unit": "某区信用办", "accepting_code": ACCEPTING, "made_on": "2026-03-01",
           "due_on": "2026-06-01"}
    out.update(kw)
    return out


def bearer(role, region="330100"):
    return {"Authorization": f"Bearer {token_for(role, region)}"}


def test_register_change_and_breach_over_the_api_and_another_region_refused(client, world):
    admin = bearer("admin")
    r = client.post("/api/v1/commitments", json=body(world.bureau.code, world.bureau.name), headers=admin)
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["status_name"] == "履行中" and made["overdue"] is True  # due 06-01, today 06-15
    bad = client.post("/api/v1/commitments", json=body(world.bureau.code, world.bureau.name, code="3301062026"),
                      headers=admin)
    assert bad.status_code == 422 and "应为20位" in bad.json()["detail"]["message"]
    # Ningbo's officials: a Hangzhou body is outside; so is a Hangzhou commitment
    nb = bearer("admin", "330200")
    r = client.post("/api/v1/commitments", json=body(world.bureau.code, world.bureau.name), headers=nb)
    assert r.status_code == 422 and "地区权限" in r.json()["detail"]["message"]
    r = client.post(f"/api/v1/commitments/{made['id']}/status", json={"status": "breached", "reason": "未按时办结"},
                    headers=nb)
    assert r.status_code == 403
    assert client.get("/api/v1/commitments", params={"region": "330106"}, headers=nb).status_code == 403
    assert client.get("/api/v1/commitments", headers=nb).json() == []
    # the region's own reporter reports the breach: one record, the change audited
    r = client.post(f"/api/v1/commitments/{made['id']}/status", json={"status": "已违诺", "reason": "未按时办结"},
                    headers=bearer("reporter"))
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "breached" and r.json()["breach_record_id"]
    with session_scope() as s:
        record = s.get(Record, r.json()["breach_record_id"])
        assert record.category_code == "commitment_breach" and record.subject_id == world.bureau.id
        entry = s.scalar(select(AuditEntry).where(AuditEntry.entity == "commitment", AuditEntry.action == "status"))
        assert (entry.before["status"], entry.after["status"]) == ("in_force", "breached")
    rates = client.get("/api/v1/commitments/rates", params={"by": "body"}, headers=admin).json()
    assert [(x["name"], x["breached"], x["rate"]) for x in rates] == [(world.bureau.name, 1, 0.0)]


def _xlsx(rows: list[list]) -> bytes:
    from xinyong.commitments.service import COLUMNS

    wb = Workbook()
    ws = wb.active
    ws.append([h[0][0] for h in COLUMNS.values()])
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_import_names_each_bad_row_and_keeps_the_good_ones(client, world):
    good = [code("330106", "20260301"), "告知承诺", world.ent_hz.code, world.ent_hz.name, "企业登记", "限期补齐材料", "",
            "", "", "", "某区市场监管局", ACCEPTING, "可向社会公开", "2026-03-01", "2026-07-01", ""]
    wrong_date = list(good)
    wrong_date[0] = "33010620261301000001"
    far = list(good)
    far[0], far[2], far[3] = code("330203", "20260301"), world.ent_nb.code, world.ent_nb.name
    data = _xlsx([good, wrong_date, far])
    r = client.post("/api/v1/commitments/import", headers=bearer("reporter"),
                    files={"file": ("c.xlsx", data, "application/octet-stream")})
    assert r.status_code == 200, r.text
    out = r.json()
    assert (out["rows"], out["created"], out["rejected"]) == (3, 1, 2)
    assert [(e["row"], e["column"]) for e in out["errors"]] == [(2, "承诺编码"), (3, "承诺主体代码")]
    assert "不是有效日期" in out["errors"][0]["message"] and "地区权限" in out["errors"][1]["message"]
    template = client.get("/api/v1/commitments/template.xlsx", headers=bearer("reporter"))
    assert template.status_code == 200 and template.content[:2] == b"PK"


def test_the_register_page_puts_overdue_first_and_the_public_list_masks_persons(client, world):
    admin = bearer("admin")
    late = client.post("/api/v1/commitments", json=body(world.bureau.code, world.bureau.name, matter="逾期事项"),
                       headers=admin).json()
    client.post("/api/v1/commitments", json=body(world.city_gov.code, world.city_gov.name, matter="未到期事项",
                                                 due_on="2026-12-31"), headers=admin)
    servant = client.post("/api/v1/commitments", json=body(world.servant_ric, World.SERVANT_NAME, matter="窗口服务承诺",
                                                           due_on="2026-12-31"), headers=admin)
    assert servant.status_code == 201, servant.text
    person = client.post("/api/v1/commitments", json=body(world.person_ric, World.PERSON_NAME, kind="告知承诺",
                                                          matter="个人告知承诺", list_kind=None, list_item=None),
                         headers=admin)
    assert person.status_code == 201, person.text
    login_as(client, "checker")
    html = client.get("/commitments").text
    assert html.index("逾期事项") < html.index("未到期事项") and "逾期未履行" in html and "履约率" in html
    assert_masked(html, world)
    with session_scope() as s:  # the page showed two persons: one read naming both
        reads = s.scalars(select(AuditEntry).where(AuditEntry.entity == "commitment", AuditEntry.action == "read")).all()
        assert len(reads) == 1 and reads[0].purpose == "查阅信用承诺登记簿"
    page = client.get(f"/commitments/bodies/{world.bureau.id}")
    assert page.status_code == 200 and "逾期事项" in page.text and "未到期事项" not in page.text
    logout(client)
    public = client.get("/commitments/public")
    assert public.status_code == 200
    assert "窗口服务承诺" in public.text and "欧**娜" in public.text and "逾期事项" in public.text
    assert "个人告知承诺" not in public.text  # a person's own commitment is not for the public
    assert_masked(public.text, world)
    assert client.get("/commitments").status_code in (302, 303, 401)
    with session_scope() as s:
        assert s.get(Commitment, late["id"]).status == "in_force"  # pages never change anything
