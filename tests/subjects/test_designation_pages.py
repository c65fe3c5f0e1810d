"""The 任职与登记身份 page: a registrar downloads the template, uploads it filled in and sees the
refused rows named (row, column, reason) beside the counts; an official of the region looks a body
up and sees its registered persons masked, each one a logged read; a checker gets no upload form,
an official of another region and the public are refused, and a file that is not a workbook
leaves nothing stored."""

from __future__ import annotations

import io
from datetime import date

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import func, select

from tests.accounts.helpers import login_as, logout
from tests.lists.helpers import body
from xinyong.audit.models import AuditEntry
from xinyong.core.codes import make_ric
from xinyong.subjects import designations
from xinyong.subjects.models import Designation
from xinyong.web.app import create_app

HEAD = make_ric("330106", date(1968, 4, 5), 21)


@pytest.fixture
def client(app_env):
    with TestClient(create_app(), follow_redirects=False) as c:
        yield c


def _workbook(rows: list[dict]) -> bytes:
    wb = load_workbook(io.BytesIO(designations.template_bytes()))
    ws = wb.worksheets[0]
    headers = [c.value for c in ws[1]]
    for values in rows:
        ws.append([values.get(h) for h in headers])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_a_registrar_uploads_the_template_and_sees_each_refused_row(client, session):
    bureau = body(session, "某区自然资源局", kind="gov_body", region="330106")
    session.commit()
    login_as(client, "admin", "330100")
    page = client.get("/designations")
    assert page.status_code == 200 and "上传任职与登记身份" in page.text and "/designations/template.xlsx" in page.text
    template = client.get("/designations/template.xlsx")
    assert template.status_code == 200 and template.content[:2] == b"PK"

    data = _workbook([
        {"单位统一社会信用代码": bureau.code, "姓名": "华局长", "公民身份号码": HEAD, "登记身份": "主要负责人",
         "职务": "局长", "起始日期": "2019-03-01"},
        {"单位统一社会信用代码": bureau.code, "姓名": "某人", "公民身份号码": "330106199002301234",
         "登记身份": "法定代表人", "起始日期": "2019-03-01"},
    ])
    done = client.post("/designations", files={"file": ("登记.xlsx", data, "application/octet-stream")})
    assert done.status_code == 200, done.text
    assert "共 2 行：登记身份新增 1" in done.text and "退回 1 行" in done.text
    assert "公民身份号码" in done.text.split('id="import-result"')[1]  # the refused row's column, named
    assert session.scalar(select(func.count()).select_from(Designation).where(Designation.body_id == bureau.id)) == 1

    # the look-up: masked, and each person shown is a logged read
    before = session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.entity == "designation",
                                                                               AuditEntry.action == "read"))
    shown = client.get("/designations", params={"body": bureau.code})
    assert shown.status_code == 200 and "某区自然资源局" in shown.text and "主要负责人" in shown.text
    assert HEAD not in shown.text and "华局长" not in shown.text and "至今" in shown.text
    session.expire_all()
    after = session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.entity == "designation",
                                                                              AuditEntry.action == "read"))
    assert after == before + 1


def test_bad_files_store_nothing_and_say_why(client, session):
    login_as(client, "reporter", "330100")
    junk = client.post("/designations", files={"file": ("登记.xlsx", b"not a spreadsheet", "application/octet-stream")})
    assert junk.status_code == 422 and "文件未能导入，未写入任何数据" in junk.text and "XLSX" in junk.text
    empty = client.post("/designations", files={"file": ("登记.xlsx", b"", "application/octet-stream")})
    assert empty.status_code == 422 and "上传的文件是空的" in empty.text
    assert session.scalar(select(func.count()).select_from(Designation)) == 0


def test_who_may_see_and_who_may_import(client, session):
    far = body(session, "某市自然资源局", kind="gov_body", region="330200")  # 宁波
    session.commit()
    login_as(client, "checker", "330100")
    page = client.get("/designations")
    assert page.status_code == 200 and "上传任职与登记身份" not in page.text and "查阅单位登记" in page.text
    assert client.post("/designations", files={"file": ("x.xlsx", b"PK", "application/octet-stream")}).status_code == 403
    other = client.get("/designations", params={"body": far.code})
    assert other.status_code == 403 and "某市自然资源局" not in other.text
    logout(client)
    assert client.get("/designations").status_code in (302, 303, 401)
