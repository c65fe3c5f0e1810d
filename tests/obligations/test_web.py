"""Obligations over HTTP: an XLSX import through the API naming each bad row (payment before the
contract, negative debt, forbidden change reason), a change refused for its reason, the stage
order, the pages for officials (the board with its chart, a register, a body's page with the
listing reported to its superior), the template and the export. The clock is frozen."""

from __future__ import annotations

import io
from datetime import date

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook

from tests.accounts.helpers import login_as, token_for
from tests.obligations import helpers as h
from tests.records.factories import World, build_world
from xinyong.commitments.obligations import service
from xinyong.core import clock
from xinyong.core.db import session_scope
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


def bearer(role, region="330100"):
    return {"Authorization": f"Bearer {token_for(role, region)}"}


def xlsx(key: str, rows: list[dict]) -> bytes:
    cols = service.register(key).columns
    wb = Workbook()
    ws = wb.active
    ws.append([c[0][0] for c in cols.values()])
    for row in rows:
        ws.append([row.get(k) for k in cols])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(client, key, rows, role="admin"):
    return client.post(f"/api/v1/obligations/{key}/import", headers=bearer(role),
                       files={"file": ("x.xlsx", xlsx(key, rows), "application/octet-stream")})


def test_imports_name_each_bad_row_and_keep_the_others(client, world):
    b = world.bureau
    r = upload(client, "contracts", [h.contract(b), h.contract(b, paid_amount="5", paid_on="2025-01-01")])
    assert r.status_code == 200, r.text
    assert (r.json()["created"], r.json()["errors"]) == (1, [{"row": 2, "column": "付款日期",
                                                              "message": "付款日期早于合同签订日期"}])
    r = upload(client, "debts", [h.debt(b, resources="-10"), h.debt(b)])
    assert r.json()["created"] == 1 and r.json()["errors"][0]["column"] == "综合财力（万元）"
    r = upload(client, "agreements", [h.agreement(b, status="已依法解除", changed_on="2026-02-01",
                                                   change_reason="领导人员更替", legal_ground="公共利益",
                                                   legal_basis="依法", compensation="补偿")])
    assert r.json()["created"] == 0 and "换届" in r.json()["errors"][0]["message"]
    r = upload(client, "ppp", [h.ppp(b, stage_0=None)])
    assert r.json()["errors"][0]["column"] == "准备阶段日期" and "未经“识别”" in r.json()["errors"][0]["message"]
    listed = client.get("/api/v1/obligations/contracts", headers=bearer("checker")).json()
    assert [x["fields"]["arrears"] for x in listed] == [100.0]  # accepted 03-02, due 04-01, unpaid
    assert client.get("/api/v1/obligations/contracts", headers=bearer("checker", "330200")).json() == []


def test_changes_stage_and_judgment_over_the_api(client, world):
    b = world.bureau
    upload(client, "agreements", [h.agreement(b)])
    upload(client, "ppp", [h.ppp(b)])
    upload(client, "judgments", [h.judgment(b, listed_on="2026-01-10")])
    a = client.get("/api/v1/obligations/agreements", headers=bearer("admin")).json()[0]
    refused = client.post(f"/api/v1/obligations/agreements/{a['id']}/status", headers=bearer("admin"),
                          json={"status": "terminated", "reason": "政府换届", "legal_ground": "公共利益",
                                "legal_basis": "依法", "compensation": "补偿"})
    assert refused.status_code == 422 and "换届" in refused.json()["detail"]["message"]
    ok = client.post(f"/api/v1/obligations/agreements/{a['id']}/status", headers=bearer("admin"),
                     json={"status": "changed", "reason": "国家重大项目选址", "legal_ground": "国家利益",
                           "legal_basis": "土地管理法第五十八条", "compensation": "依法补偿", "compensation_amount": 80})
    assert ok.status_code == 200 and ok.json()["fields"]["status"] == "changed"
    p = client.get("/api/v1/obligations/ppp", headers=bearer("admin")).json()[0]
    assert client.post(f"/api/v1/obligations/ppp/{p['id']}/stage", headers=bearer("admin"),
                       json={"stage": "采购"}).status_code == 422
    assert client.post(f"/api/v1/obligations/ppp/{p['id']}/stage", headers=bearer("admin"),
                       json={"stage": "移交"}).status_code == 200
    with clock.frozen_today(DAY), session_scope() as s:
        service.daily_judgments(s, DAY)
    summary = client.get(f"/api/v1/obligations/bodies/{b.id}/summary", headers=bearer("auditor")).json()
    assert summary["judgments_listed"] == 1 and summary["ppp_projects"] == 1
    arrears = client.get("/api/v1/obligations/arrears", headers=bearer("supervisor"))
    assert arrears.status_code == 200


def test_pages_template_and_export(client, world):
    b = world.bureau
    upload(client, "contracts", [h.contract(b)])
    upload(client, "debts", [h.debt(b, balance="1300", resources="1000")])
    upload(client, "judgments", [h.judgment(b, listed_on="2026-01-10")])
    with clock.frozen_today(DAY), session_scope() as s:
        service.daily_judgments(s, DAY)
    login_as(client, "admin")
    board = client.get("/obligations")
    assert board.status_code == 200 and "拖欠企业账款（按单位）" in board.text and b.name in board.text
    assert "data-chart" in board.text or "echarts" not in board.text
    page = client.get("/obligations/debts")
    assert page.status_code == 200 and "130.00%" in page.text and "红色" in page.text
    superior = client.get(f"/obligations/bodies/{world.city_gov.code}")
    assert superior.status_code == 200 and b.name in superior.text  # the listing reported to it
    own = client.get(f"/obligations/bodies/{b.code}")
    assert "列入失信被执行人名单" in own.text and "评优评先" in own.text
    t = client.get("/api/v1/obligations/contracts/template.xlsx", headers=bearer("reporter"))
    assert t.status_code == 200 and load_workbook(io.BytesIO(t.content)).active["A1"].value == "合同编号"
    e = client.get("/api/v1/obligations/contracts/export.xlsx", headers=bearer("auditor"))
    assert e.status_code == 200 and load_workbook(io.BytesIO(e.content)).active.max_row == 2
    assert client.get("/api/v1/obligations/ppp_holders/export.xlsx", headers=bearer("admin")).status_code == 422


def test_the_bodys_promise_keeping_page_shows_its_obligations(client, world):
    b = world.bureau
    upload(client, "debts", [h.debt(b, balance="1300", resources="1000")])
    login_as(client, "admin")
    page = client.get(f"/commitments/bodies/{b.code}")
    assert page.status_code == 200, page.text
    assert "政府履约" in page.text and "130.0%" in page.text and "红色" in page.text


def _proposals(client, world):
    """A contract in arrears and an agreement past due, proposed by the daily run (DAY = 2026-06-15)."""
    from xinyong.commitments.obligations import findings

    b = world.bureau
    assert upload(client, "contracts", [h.contract(b, name="档案数字化服务")]).json()["created"] == 1
    assert upload(client, "agreements", [h.agreement(b, name="新能源电池项目投资协议")]).json()["created"] == 1
    with clock.frozen_today(DAY), session_scope() as s:
        service.daily_arrears(s, DAY)
        out = findings.daily_findings(s, DAY)
    assert out["arrears"] == 1 and out["agreement_overdue"] == 1
    with session_scope() as s:
        from sqlalchemy import select

        from xinyong.commitments.obligations.models import Finding
        return {f.kind: f.id for f in s.scalars(select(Finding))}


def test_the_findings_page_lists_the_facts_and_the_office_confirms_or_refuses(client, world):
    from sqlalchemy import select

    from xinyong.audit.models import AuditEntry
    from xinyong.commitments.obligations.models import Finding
    from xinyong.records.models import Record

    ids = _proposals(client, world)
    login_as(client, "admin")
    board = client.get("/obligations")
    assert "待信用办核实的拟认定 2 条" in board.text and 'href="/obligations/findings"' in board.text
    page = client.get("/obligations/findings")
    assert page.status_code == 200
    for text in ("档案数字化服务", "拖欠 100.00 万元", "已逾期", "新能源电池项目投资协议", "土地出让金返还30%", "现状态：履行中",
                 "拟认定（2）", "确认认定并写入信用记录", "不予认定的理由", 'name="csrf_token"'):
        assert text in page.text, text
    # a bad unit code: the page again, the error in Chinese, what was typed kept, nothing decided
    bad = client.post(f"/obligations/findings/{ids['arrears']}/confirm",
                      data={"unit": "杭州市信用办", "unit_code": "12345", "note": "核实属实"})
    assert bad.status_code == 422 and "未能确认" in bad.text and "统一社会信用代码不正确" in bad.text
    assert 'value="12345"' in bad.text
    empty = client.post(f"/obligations/findings/{ids['agreement_overdue']}/refuse", data={"note": " "})
    assert empty.status_code == 422 and "不予认定须写明理由" in empty.text
    ok = client.post(f"/obligations/findings/{ids['arrears']}/confirm",
                     data={"unit": "杭州市信用办", "unit_code": h.FINDER, "note": "核实属实"})
    assert ok.status_code == 303 and ok.headers["location"] == "/obligations/findings?done=confirmed"
    assert "已确认认定" in client.get(ok.headers["location"]).text
    no = client.post(f"/obligations/findings/{ids['agreement_overdue']}/refuse", data={"note": "协议已于期限内兑现，登记遗漏"})
    assert no.status_code == 303
    again = client.post(f"/obligations/findings/{ids['arrears']}/confirm",
                        data={"unit": "杭州市信用办", "unit_code": h.FINDER, "note": ""})
    assert again.status_code == 422 and "已是“已认定”" in again.text
    with session_scope() as s:
        rows = {f.kind: f for f in s.scalars(select(Finding))}
        assert (rows["arrears"].status, rows["agreement_overdue"].status) == ("confirmed", "refused")
        assert s.scalar(select(Record.category_code).where(Record.id == rows["arrears"].record_id)) == "arrears_to_enterprises"
        actions = s.scalars(select(AuditEntry.action).where(AuditEntry.entity == "obligation_finding")).all()
        assert actions.count("confirm") == 1 and actions.count("refuse") == 1
    done = client.get("/obligations/findings?status=all")
    assert "协议已于期限内兑现，登记遗漏" in done.text and "信用记录编号" in done.text
    assert "确认认定并写入信用记录" not in done.text


def test_the_findings_page_for_others_filters_and_errors(client, world):
    ids = _proposals(client, world)
    login_as(client, "supervisor")
    page = client.get("/obligations/findings")
    assert page.status_code == 200 and "档案数字化服务" in page.text
    assert "确认认定并写入信用记录" not in page.text and "待信用办核实" in page.text
    assert client.post(f"/obligations/findings/{ids['arrears']}/refuse", data={"note": "x"}).status_code == 403
    assert "没有已认定的认定建议" in client.get("/obligations/findings?status=confirmed").text
    assert "状态应为" in client.get("/obligations/findings?status=nonsense").text
    bad_region = client.get("/obligations/findings?region=33x")
    assert bad_region.status_code == 422 and "地区代码应为6位数字" in bad_region.text
    outside = client.get("/obligations/findings?region=330203")
    assert outside.status_code == 403 and "超出您的地区权限范围" in outside.text
    login_as(client, "admin")
    from xinyong.accounts.access import CSRF_HEADER

    client.headers.pop(CSRF_HEADER, None)  # a form posted without its token
    refused = client.post(f"/obligations/findings/{ids['arrears']}/refuse", data={"note": "理由"})
    assert refused.status_code == 403
