"""POST /api/v1/records and the reporter's upload pages: the file import's rules, over HTTP."""

from __future__ import annotations

import csv
import io
import re

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import func, select

from tests import factories as f
from xinyong.accounts import service as accounts
from xinyong.core.db import session_scope
from xinyong.records.models import ImportBatch, Record
from xinyong.web.app import create_app

PASSWORD = "Baosong-2026-测试密码"


@pytest.fixture
def client(app_env):
    with TestClient(create_app()) as c:
        yield c


@pytest.fixture
def reporter(app_env):
    """A 杭州 department that reports penalties, its reporter, an API token, a web session."""
    with session_scope() as db:
        accounts.create_department(db, code=f.DEPT, name=f.DEPT_NAME, region_code="330100",
                                   categories=["admin_penalty"])
        user, _ = accounts.create_user(db, username="hz-scj", role="reporter", region_code="330100",
                                       department_code=f.DEPT, password=PASSWORD)
        token = accounts.issue_token(db, user, name="系统对接", by="test").token
        cookie, ws = accounts.start_session(db, user)
        checker, _ = accounts.create_user(db, username="hz-checker", role="checker", region_code="330100",
                                          password=PASSWORD)
        checker_token = accounts.issue_token(db, checker, name="核查", by="test").token
        return {"token": token, "cookie": cookie, "csrf": ws.csrf_token, "checker_token": checker_token}


def post(client, token, rows, **body):
    return client.post("/api/v1/records", json={"category": "admin_penalty", "rows": rows, **body},
                       headers={"Authorization": f"Bearer {token}"})


def count_records() -> int:
    with session_scope() as db:
        return db.scalar(select(func.count()).select_from(Record))


def test_a_batch_goes_in_and_again_is_unchanged(client, reporter):
    rows = [f.penalty_row(1), f.penalty_row(2), f.person_penalty_row(3)]
    r = post(client, reporter["token"], rows)
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["total"], body["new"], body["rejected"], body["errors"]) == (3, 3, 0, [])
    again = post(client, reporter["token"], rows).json()
    assert (again["new"], again["unchanged"]) == (0, 3)
    changed = post(client, reporter["token"], [f.penalty_row(1, **{"罚款金额（万元）": "2"})]).json()
    assert changed["updated"] == 1
    assert count_records() == 3
    with session_scope() as db:
        batch = db.get(ImportBatch, body["batch_id"])
        assert batch.created_by == "hz-scj(reporter)" and batch.department_code == f.DEPT


def test_bad_rows_are_named_and_the_good_ones_kept(client, reporter):
    rows = [
        f.penalty_row(1),
        f.penalty_row(2, code="91330106MA2XXXXXX0"),  # check digit
        f.penalty_row(3, code=f.company(3, region="330206")),  # 宁波: outside the department's region
        f.penalty_row(4, **{"处罚决定日期": "2099-01-01"}),
    ]
    body = post(client, reporter["token"], rows).json()
    assert (body["new"], body["rejected"]) == (1, 3)
    by_row = {e["row"]: e for e in body["errors"]}
    assert set(by_row) == {2, 3, 4}
    assert "行政区划" in by_row[3]["message"] and by_row[3]["message_en"]
    assert "晚于今天" in by_row[4]["message"]
    assert count_records() == 1


def test_who_may_write(client, reporter):
    rows = [f.penalty_row(1)]
    assert client.post("/api/v1/records", json={"rows": rows}).status_code == 401
    bad = client.post("/api/v1/records", json={"rows": rows}, headers={"Authorization": "Bearer nonsense"})
    assert bad.status_code == 401 and bad.json()["detail"]["message"]
    denied = post(client, reporter["checker_token"], rows)
    assert denied.status_code == 403 and denied.json()["detail"]["message"]
    assert count_records() == 0


def test_a_malformed_or_oversized_batch_stores_nothing(client, reporter, monkeypatch):
    r = client.post("/api/v1/records", json={"rows": []}, headers={"Authorization": f"Bearer {reporter['token']}"})
    assert r.status_code == 422 and r.json()["detail"]["message"]
    r = client.post("/api/v1/records", json={"rows": "x"}, headers={"Authorization": f"Bearer {reporter['token']}"})
    assert r.status_code == 422
    from xinyong.core.settings import get_settings

    monkeypatch.setattr(get_settings(), "api_max_batch_rows", 2)
    r = post(client, reporter["token"], [f.penalty_row(n) for n in range(1, 4)])
    assert r.status_code == 422 and "3" in r.json()["detail"]["message"]
    assert count_records() == 0


# --- the upload pages ------------------------------------------------------------------------


def login(client, reporter):
    client.cookies.set("xinyong_session", reporter["cookie"])


def csv_bytes(rows) -> bytes:
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=list(rows[0]))
    w.writeheader()
    w.writerows(rows)
    return out.getvalue().encode("utf-8")


def test_the_upload_page_imports_and_offers_the_error_report(client, reporter):
    login(client, reporter)
    page = client.get("/records/upload")
    assert page.status_code == 200 and "数据报送" in page.text and "行政处罚" in page.text
    data = csv_bytes([f.penalty_row(1), f.penalty_row(2, **{"处罚决定日期": "2025-02-30"})])
    r = client.post("/records/upload", files={"file": ("三月处罚.csv", data, "text/csv")},
                    data={"category": "admin_penalty", "csrf_token": reporter["csrf"]}, follow_redirects=False)
    assert r.status_code == 303, r.text
    job_url = r.headers["location"]
    assert re.fullmatch(r"/records/uploads/\d+", job_url)  # the upload's page: its job's progress and report
    page = client.get(job_url)
    assert "三月处罚.csv" in page.text and "已完成" in page.text and "下载错误报告" in page.text
    assert "已处理 2 / 共 2 行" in page.text and "hx-get" not in page.text  # done: no more polling
    batch_url = re.search(r'href="(/records/batches/\d+)"', page.text).group(1)
    page = client.get(batch_url)
    assert "三月处罚.csv" in page.text and "下载错误报告" in page.text
    report = client.get(batch_url + "/errors.xlsx")
    assert report.status_code == 200
    sheet = load_workbook(io.BytesIO(report.content))["错误明细"]
    assert [c.value for c in sheet[2]][0] == 3  # the bad row, numbered as the spreadsheet shows it
    assert count_records() == 1
    # the page lists the batch
    assert batch_url in client.get("/records/upload").text


def test_an_upload_without_the_csrf_token_is_refused(client, reporter):
    login(client, reporter)
    data = csv_bytes([f.penalty_row(1)])
    r = client.post("/records/upload", files={"file": ("a.csv", data, "text/csv")}, data={"category": ""})
    assert r.status_code == 403
    assert count_records() == 0


def test_an_unusable_upload_is_explained_and_stores_nothing(client, reporter):
    login(client, reporter)
    r = client.post("/records/upload", files={"file": ("a.xlsx", b"not a workbook", "application/octet-stream")},
                    data={"csrf_token": reporter["csrf"]})
    assert r.status_code == 422 and "不是 Excel" in r.text
    r = client.post("/records/upload", files={"file": ("a.exe", b"MZ", "application/octet-stream")},
                    data={"csrf_token": reporter["csrf"]})
    assert r.status_code == 422 and "只接受" in r.text
    assert count_records() == 0


def test_another_department_cannot_read_a_batch(client, reporter):
    body = post(client, reporter["token"], [f.penalty_row(1), f.penalty_row(2, code="x")]).json()
    with session_scope() as db:
        accounts.create_department(db, code=f.OTHER_DEPT, name="宁波市市场监督管理局", region_code="330200",
                                   categories=["admin_penalty"])
        other, _ = accounts.create_user(db, username="nb-scj", role="reporter", region_code="330200",
                                        department_code=f.OTHER_DEPT, password=PASSWORD)
        cookie, _ = accounts.start_session(db, other)
    client.cookies.set("xinyong_session", cookie)
    assert client.get(f"/records/batches/{body['batch_id']}").status_code == 404
    assert client.get(f"/records/batches/{body['batch_id']}/errors.xlsx").status_code == 404


def batch_url_of(client, r) -> str:
    """The batch an upload became: the upload's page (its job, done at once in the tests) links it."""
    assert r.status_code == 303 and r.headers["location"].startswith("/records/uploads/"), r.text
    page = client.get(r.headers["location"]).text
    return re.search(r'href="(/records/batches/\d+)"', page).group(1)


def test_a_template_downloaded_filled_in_and_uploaded(client, reporter):
    """The newcomer's path on the web: the template from the upload page, filled in with one good
    row and one bad one, uploaded; the good row is stored, the bad one explained."""
    login(client, reporter)
    page = client.get("/records/upload")
    assert 'href="/records/templates/admin_penalty.xlsx"' in page.text
    client.cookies.clear()  # the template is the published catalog: no login needed
    r = client.get("/records/templates/admin_penalty.xlsx")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "filename*=UTF-8''" in r.headers["content-disposition"]
    wb = load_workbook(io.BytesIO(r.content))
    ws = wb.worksheets[0]
    headers = [c.value for c in ws[1]]
    assert headers[:2] == ["主体名称", "统一社会信用代码或公民身份号码"]
    assert "填写说明" in wb.sheetnames
    row = f.penalty_row(7)
    good = {
        "主体名称": row["行政相对人名称"], "统一社会信用代码或公民身份号码": row["行政相对人代码_1(统一社会信用代码)"],
        "决定文书号": "杭市监罚〔2026〕77号", "决定日期": "2026-03-01", "报送部门": f.DEPT_NAME,
        "报送部门统一社会信用代码": f.DEPT, "违法行为类型": "无照经营", "违法事实": "未取得营业执照从事经营",
        "处罚依据": "《无证无照经营查处办法》", "处罚类别": "罚款", "处罚内容": "罚款五千元",
    }
    bad = {**good, "决定文书号": "杭市监罚〔2026〕78号", "统一社会信用代码或公民身份号码": "91330100MA2XXXXXX1"}
    for row_no, values in ((2, good), (3, bad)):  # typed in under the headers, as an official does
        for col, header in enumerate(headers, start=1):
            ws.cell(row=row_no, column=col, value=values.get(header))
    filled = io.BytesIO()
    wb.save(filled)

    login(client, reporter)
    # the page's default, 按表头自动识别: the platform's own template is known by its mark
    r = client.post("/records/upload", files={"file": ("三月处罚（模板）.xlsx", filled.getvalue(), "application/octet-stream")},
                    data={"category": "", "csrf_token": reporter["csrf"]}, follow_redirects=False)
    assert r.status_code == 303, r.text
    assert count_records() == 1
    report = client.get(batch_url_of(client, r) + "/errors.xlsx")
    sheet = load_workbook(io.BytesIO(report.content))["错误明细"]
    first = [c.value for c in sheet[2]]
    assert first[0] == 3  # the spreadsheet's row of the bad one
    assert "统一社会信用代码" in " ".join(str(v) for v in first if v)
    page = client.get(batch_url_of(client, r)).text  # and the batch page says it at once
    assert "退回的行" in page and first[3] in page and "<td class=\"num\">3</td>" in page


def test_the_batch_page_masks_identity_numbers_in_the_errors(client, reporter):
    login(client, reporter)
    ric = f.person_penalty_row(1)["证件号码"]
    wrong = ric[:-1] + ("0" if ric[-1] != "0" else "1")  # a mistyped check digit: still personal data
    data = csv_bytes([f.person_penalty_row(1, ric=wrong)])
    r = client.post("/records/upload", files={"file": ("a.csv", data, "text/csv")},
                    data={"category": "admin_penalty", "csrf_token": reporter["csrf"]}, follow_redirects=False)
    assert r.status_code == 303, r.text
    page = client.get(batch_url_of(client, r)).text
    assert "退回的行" in page and "校验" in page
    assert wrong not in page and wrong[:6] in page  # masked, as on every page
    report = load_workbook(io.BytesIO(client.get(batch_url_of(client, r) + "/errors.xlsx").content))["错误明细"]
    assert report.cell(row=2, column=3).value == wrong  # the department's own report keeps it as sent


def test_templates_of_every_category_and_no_other(client):
    r = client.get("/policy")
    assert 'href="/records/templates/admin_penalty.xlsx"' in r.text
    assert 'href="/records/templates/honour.xlsx"' in r.text
    assert client.get("/records/templates/honour.xlsx").status_code == 200
    r = client.get("/records/templates/nonsense.xlsx")
    assert r.status_code == 404 and "未知的记录类别" in r.text


def test_a_batch_page_whose_report_cannot_be_read_still_shows_the_batch(client, reporter):
    from xinyong.records import uploads

    login(client, reporter)
    data = csv_bytes([f.penalty_row(1), f.penalty_row(2, code="not-a-code")])
    r = client.post("/records/upload", files={"file": ("a.csv", data, "text/csv")},
                    data={"category": "admin_penalty", "csrf_token": reporter["csrf"]}, follow_redirects=False)
    batch_id = int(batch_url_of(client, r).rsplit("/", 1)[1])
    uploads.report_file(batch_id).write_bytes(b"not a workbook")
    page = client.get(batch_url_of(client, r))
    assert page.status_code == 200 and "a.csv" in page.text and "退回的行" not in page.text
