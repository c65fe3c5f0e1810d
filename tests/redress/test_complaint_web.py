"""Complaints through the pages and the API: the public form (bad input answered in Chinese on
the form, nothing stored), the tracking code shown once and used to track and rate, the queue
and the case page for the credit office, the 12345 import page with its per-row errors."""

from __future__ import annotations

import io
import re

import pytest
from fastapi.testclient import TestClient

from tests.accounts.helpers import login_as
from xinyong.accounts.access import CSRF_COOKIE, CSRF_HEADER
from xinyong.web.app import create_app

FORM = {"target_kind": "gov_body", "body_name": "杭州市某某局", "region": "330100",
        "behaviour": "gov_arrears_to_enterprises", "account": "工程款至今未付", "anonymous": "1"}


@pytest.fixture
def client(app_env):
    with TestClient(create_app(), follow_redirects=False) as c:
        yield c


def _public_post(client, url: str, data: dict):
    """A public form post: the double-submit CSRF token from the cookie the form page set."""
    return client.post(url, data={**data, "csrf_token": client.cookies.get(CSRF_COOKIE) or ""})


def _code(html: str) -> str:
    return re.search(r'id="tracking-code">([^<]+)<', html).group(1)


def test_the_public_files_tracks_and_rates(client):
    page = client.get("/complaints/new")
    assert page.status_code == 200 and "拖欠企业账款" in page.text and "匿名投诉" in page.text
    bad = _public_post(client, "/complaints/new", {**FORM, "account": ""})
    assert bad.status_code == 422 and "请填写失信事实经过" in bad.text and "杭州市某某局" in bad.text
    named = _public_post(client, "/complaints/new", {**FORM, "anonymous": "", "name": "王小五", "phone": "12"})
    assert named.status_code == 422 and "联系电话格式不正确" in named.text
    filed = _public_post(client, "/complaints/new", {**FORM, "anonymous": "", "name": "王小五", "phone": "13912345678"})
    assert filed.status_code == 201 and "只显示这一次" in filed.text
    code = _code(filed.text)
    track = _public_post(client, "/complaints/track", {"code": code})
    assert "已转办，待答复" in track.text and "杭州市信用办" in track.text
    assert "王小五" not in track.text and "13912345678" not in track.text and "评价答复" not in track.text
    wrong = _public_post(client, "/complaints/track", {"code": "AAAA-BBBB-CCCC-DDDD"})
    assert "查询码不正确" in wrong.text
    r = client.post("/api/v1/complaints/track", json={"code": "AAAA-BBBB-CCCC-DDDD"},
                    headers={CSRF_HEADER: client.cookies.get(CSRF_COOKIE) or ""})
    assert r.status_code == 404
    # the credit office replies on the case page; the complainant is masked there
    login_as(client, "admin", "330100")
    queue = client.get("/complaints")
    assert queue.status_code == 200 and "杭州市某某局" in queue.text and "未办结" in queue.text
    case_id = int(re.search(r'href="/complaints/(\d+)"', queue.text).group(1))
    case = client.get(f"/complaints/{case_id}").text
    assert "王*" in case and "139****5678" in case and "王小五" not in case
    no_purpose = client.post(f"/complaints/{case_id}/reveal", data={"purpose": " "})
    assert no_purpose.status_code == 422 and "目的" in no_purpose.text and "王小五" not in no_purpose.text
    shown = client.post(f"/complaints/{case_id}/reveal", data={"purpose": "答复前电话回访"})
    assert shown.status_code == 200 and "王小五（13912345678）" in shown.text and "记入审计日志" in shown.text
    assert "王小五" not in client.get(f"/complaints/{case_id}").text  # shown for that answer only
    refused = client.post(f"/complaints/{case_id}/steps", data={"action": "reply", "finding": "", "reply": "x"})
    assert refused.status_code == 422 and "请选择核查结论" in refused.text
    ok = client.post(f"/complaints/{case_id}/steps", data={"action": "reply", "finding": "partly", "reply": "部分属实"})
    assert ok.status_code == 303
    client.cookies.clear()
    rate = client.post("/api/v1/complaints/rate", json={"code": code, "rating": "unsatisfied"})
    assert rate.status_code == 422, rate.text
    rated = client.post("/api/v1/complaints/rate", json={"code": code, "rating": "satisfied"})
    assert rated.status_code == 200 and rated.json()["status"] == "rated"
    stats = client.get("/api/v1/complaints/stats").json()
    assert stats["by_region"][0]["total"] == 1 and stats["by_body"][0]["satisfied"] == 1
    assert "王" not in str(stats)
    assert "杭州市某某局" in client.get("/complaints/stats").text


def test_the_api_filing_answers_the_code_once(client):
    r = client.post("/api/v1/complaints", json={**FORM, "anonymous": True})
    assert r.status_code == 201 and re.fullmatch(r"[A-Z2-9-]{19}", r.json()["tracking_code"])
    bad = client.post("/api/v1/complaints", json={**FORM, "behaviour": "tax_violation", "anonymous": True})
    assert bad.status_code == 422


def test_the_import_page_names_each_bad_row(client):
    from openpyxl import Workbook

    from xinyong.redress.complaint_import import COLUMNS

    login_as(client, "admin", "330100")
    template = client.get("/api/v1/complaints/template.xlsx")
    assert template.status_code == 200 and template.content[:2] == b"PK"
    wb = Workbook()
    ws = wb.active
    ws.append([v[0][0] for v in COLUMNS.values()])
    ws.append(["GD1", "2026-01-05", "330100", "政府机构", "杭州市某某局", "", "", "拖欠企业账款", "来电反映", "", "", ""])
    ws.append(["GD2", "2026-01-05", "330100", "政府机构", "杭州市某某局", "", "", "不存在的行为", "来电反映", "", "", ""])
    buf = io.BytesIO()
    wb.save(buf)
    r = client.post("/complaints/import", files={"file": ("工单.xlsx", buf.getvalue(), "application/octet-stream")})
    assert r.status_code == 200, r.text
    assert "新登记 1 件" in r.text and "第 3 行" in r.text and "失信行为" in r.text
    wrong = client.post("/complaints/import", files={"file": ("工单.pdf", b"%PDF-1.4", "application/pdf")})
    assert wrong.status_code == 422 and "XLSX" in wrong.text


def test_the_record_endpoint_takes_the_deciding_unit(client, session):
    from tests.records.factories import build_world

    world = build_world(session)
    login_as(client, "admin", "330100")
    r = client.post("/api/v1/complaints", json={**FORM, "body_name": world.bureau.name, "behaviour": "gov_debt_overdue",
                                                "anonymous": True})
    case_id = r.json()["id"]
    assert client.post(f"/api/v1/complaints/{case_id}/reply",
                       json={"finding": "substantiated", "reply": "属实"}).status_code == 200
    body = {"decision_no": "杭信认〔2026〕9号", "facts": {"debt_name": "某专项债", "debt_type": "政府负有偿还责任的债务",
                                                         "violation_type": "逾期未偿还"}}
    missing = client.post(f"/api/v1/complaints/{case_id}/record", json=body)
    assert missing.status_code == 422
    done = client.post(f"/api/v1/complaints/{case_id}/record",
                       json={**body, "department_code": world.city_gov.code, "department_name": world.city_gov.name})
    assert done.status_code == 200, done.text
    assert done.json()["record_id"] and "record" not in done.json()["steps"]
