"""Hostile files, sent the way an attacker would: XML bombs and external entities in a workbook,
a 1 GB cell in a small XLSX, millions of empty rows, a JSON Lines line nested 100,000 deep, a
number of 5,000 digits, and empty or binary check-batch files. Each is refused at upload with a
clear 4xx, quickly and within bounded memory, and stores nothing."""

from __future__ import annotations

import io
import json
import re
import time
import tracemalloc
import zipfile

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook
from sqlalchemy import func, select

from tests import factories as f
from xinyong.accounts import service as accounts
from xinyong.checks.models import CheckBatch
from xinyong.core import xlsx
from xinyong.core.db import session_scope
from xinyong.records.ingest import import_file
from xinyong.records.models import ImportBatch, Record
from xinyong.records.readers import FileUnusable
from xinyong.web.app import create_app

PASSWORD = "Baosong-2026-测试密码"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def client(app_env):
    with TestClient(create_app()) as c:
        yield c


@pytest.fixture
def people(app_env):
    with session_scope() as db:
        accounts.create_department(db, code=f.DEPT, name=f.DEPT_NAME, region_code="330100",
                                   categories=["admin_penalty"])
        user, _ = accounts.create_user(db, username="hz-scj", role="reporter", region_code="330100",
                                       department_code=f.DEPT, password=PASSWORD)
        cookie, ws = accounts.start_session(db, user)
        checker, _ = accounts.create_user(db, username="hz-checker", role="checker", region_code="330100",
                                          password=PASSWORD)
        checker_token = accounts.issue_token(db, checker, name="核查", by="test").token
        return {"cookie": cookie, "csrf": ws.csrf_token, "checker_token": checker_token}


def workbook(rows: list[list]) -> bytes:
    wb = Workbook()
    for r in rows:
        wb.active.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def rezip(data: bytes, replace: dict[str, bytes | None], *, add: dict[str, bytes] | None = None) -> bytes:
    """The workbook with some parts replaced (bytes, or ``None`` to stream a generator in)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, replace.get(info.filename, src.read(info.filename)))
        for name, body in (add or {}).items():
            dst.writestr(name, body)
    return out.getvalue()


def streamed_part(data: bytes, name: str, pieces) -> bytes:
    """The workbook with part ``name`` written from an iterable of byte pieces (large, compressed)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED,
                                                                   compresslevel=1) as dst:
        for info in src.infolist():
            if info.filename == name:
                continue
            dst.writestr(info.filename, src.read(info.filename))
        with dst.open(name, "w", force_zip64=True) as fh:
            for piece in pieces:
                fh.write(piece)
    return out.getvalue()


def penalty_workbook() -> bytes:
    row = f.penalty_row(1)
    return workbook([list(row), list(row.values())])


SHEET = "xl/worksheets/sheet1.xml"
HEAD = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
NS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def upload(client, people, name: str, data: bytes):
    client.cookies.set("xinyong_session", people["cookie"])
    return client.post("/records/upload", files={"file": (name, data, XLSX_TYPE)},
                       data={"category": "admin_penalty", "csrf_token": people["csrf"]}, follow_redirects=False)


def failed_job(client, r) -> str:
    """An upload is queued (303 to its page) and read by a job worker (at once in the tests): a
    file that cannot be read fails its job, and the page says why, in Chinese. Returns the page."""
    assert r.status_code == 303 and r.headers["location"].startswith("/records/uploads/"), r.text[-500:]
    page = client.get(r.headers["location"]).text
    assert "失败" in page and "未存入任何数据" in page, page[-800:]
    return page


def stored() -> tuple[int, int]:
    with session_scope() as db:
        return (db.scalar(select(func.count()).select_from(Record)),
                db.scalar(select(func.count()).select_from(ImportBatch)))


def test_an_entity_bomb_and_an_external_entity_are_refused(client, people):
    laughs = HEAD + b'<!DOCTYPE lolz [<!ENTITY lol "lol">' + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10)
    ) + b"]><worksheet " + NS + b'><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>' \
        b"</sheetData></worksheet>"
    xxe = HEAD + b'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><worksheet ' + NS + \
        b'><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row></sheetData></worksheet>'
    for bomb in (laughs, xxe):
        r = upload(client, people, "bomb.xlsx", rezip(penalty_workbook(), {SHEET: bomb}))
        assert "文档类型声明" in failed_job(client, r)
    assert stored() == (0, 0)


def test_a_one_gigabyte_cell_is_refused_in_bounded_memory(client, people, tmp_path):
    gigabyte = 1 << 30
    body = [HEAD + b"<worksheet " + NS + b'><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>']
    body += [b"A" * (1 << 24)] * (gigabyte >> 24)
    body += [b"</t></is></c></row></sheetData></worksheet>"]
    data = streamed_part(penalty_workbook(), SHEET, body)
    assert len(data) < 8 * 1024 * 1024  # a small file on the wire (about 1 MB at the best compression)
    path = tmp_path / "cell.xlsx"
    path.write_bytes(data)
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(xlsx.UnsafeWorkbook) as exc:
        xlsx.inspect_workbook(path, xlsx.Limits(unzipped_bytes=2 * gigabyte, cell_chars=32_767, rows=1_048_576))
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert "32,767" in exc.value.zh and elapsed < 5 and peak < 32 * 1024 * 1024
    # with the default limits the archive's directory alone refuses it (it unpacks to 1 GB)
    r = upload(client, people, "cell.xlsx", data)
    assert "解压后超过" in failed_job(client, r)
    assert stored() == (0, 0)


def empty_rows(n: int, *, valued: int = 0):
    row = f.penalty_row(1)
    yield HEAD + b"<worksheet " + NS + b"><sheetData>"
    for i, values in enumerate([list(row), *([list(row.values())] * valued)], start=1):
        cells = b"".join(b'<c t="inlineStr"><is><t>%s</t></is></c>' % str(v).encode() for v in values)
        yield b'<row r="%d">%s</row>' % (i, cells)
    start = valued + 2
    step = 100_000
    for lo in range(start, n + 1, step):
        yield b"<row/>" * (min(lo + step, n + 1) - lo)  # no row numbers: each is the one after
    yield b"</sheetData></worksheet>"


def test_two_million_empty_rows_are_refused_at_once(client, people):
    data = streamed_part(penalty_workbook(), SHEET, empty_rows(2_000_000))
    assert len(data) < 1024 * 1024
    started = time.perf_counter()
    r = upload(client, people, "rows.xlsx", data)
    assert "行上限" in failed_job(client, r)
    assert time.perf_counter() - started < 15
    assert stored() == (0, 0)


def test_empty_rows_after_the_data_are_not_read(session, tmp_path):
    """Within the limit, the import stops at the last row holding a value."""
    path = tmp_path / "tail.xlsx"
    path.write_bytes(streamed_part(penalty_workbook(), SHEET, empty_rows(300_000, valued=1)))
    started = time.perf_counter()
    result = import_file(session, path, category="admin_penalty")
    assert result.new == 1 and time.perf_counter() - started < 30  # the look: seconds; the read: row 2


def test_a_dimension_that_lies_does_not_widen_the_read(session, tmp_path):
    data = penalty_workbook()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheet = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', z.read(SHEET))
    assert b"XFD1048576" in sheet
    path = tmp_path / "dim.xlsx"
    path.write_bytes(rezip(data, {SHEET: sheet}))
    started = time.perf_counter()
    result = import_file(session, path, category="admin_penalty")
    assert result.new == 1 and time.perf_counter() - started < 5


@pytest.mark.parametrize("line, words", [
    ('{"a": ' + "[" * 100_000 + "]" * 100_000 + "}", "嵌套"),
    ('{"罚款金额（万元）": ' + "9" * 5000 + "}", "位数过多"),
])
def test_hostile_json_lines_are_refused(client, people, session, tmp_path, line, words):
    first = json.dumps(f.penalty_row(1), ensure_ascii=False)
    data = (first + "\n" + line + "\n").encode()
    client.cookies.set("xinyong_session", people["cookie"])
    r = client.post("/records/upload", files={"file": ("x.jsonl", data, "application/jsonl")},
                    data={"category": "admin_penalty", "csrf_token": people["csrf"]}, follow_redirects=False)
    assert words in failed_job(client, r)
    assert stored() == (0, 0)
    path = tmp_path / "x.jsonl"
    path.write_bytes(data)
    with pytest.raises(FileUnusable, match="line 2"):
        import_file(session, path, category="admin_penalty")


@pytest.mark.parametrize("name, content, words", [
    ("c.csv", b"", "空"),
    ("c.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "不是文本"),
    ("c.xlsx", b"\x00\x01binary", "不是 Excel"),
    ("c.csv", "姓名,统一社会信用代码或公民身份号码\n".encode(), "没有要核查的行"),
    ("c.csv", "编号,备注\n1,2\n".encode(), "须有"),
    ("c.xlsx", b"", "空"),
])
def test_bad_check_batch_files_are_refused_at_upload(client, people, name, content, words):
    headers = {"Authorization": f"Bearer {people['checker_token']}"}
    r = client.post("/api/v1/checks/batches", headers=headers,
                    data={"scenario": "civil_servant_recruitment", "purpose": "资格审查"},
                    files={"file": (name, content, "application/octet-stream")})
    assert r.status_code == 422 and words in r.json()["detail"]["message"], r.text
    with session_scope() as db:
        assert db.scalar(select(func.count()).select_from(CheckBatch)) == 0


def test_a_bomb_as_a_check_batch_is_refused_at_upload(client, people):
    bomb = HEAD + b'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><worksheet ' + NS + \
        b'><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row></sheetData></worksheet>'
    data = rezip(workbook([["姓名", "公民身份号码"], ["张三", ""]]), {SHEET: bomb})
    r = client.post("/api/v1/checks/batches", headers={"Authorization": f"Bearer {people['checker_token']}"},
                    data={"scenario": "civil_servant_recruitment", "purpose": "资格审查"},
                    files={"file": ("c.xlsx", data, XLSX_TYPE)})
    assert r.status_code == 422 and "文档类型声明" in r.json()["detail"]["message"]


@pytest.mark.parametrize("body", [
    b'{"category": "admin_penalty", "rows": [{"a": ' + b"9" * 5000 + b"}]}",
    b'{"category": "admin_penalty", "rows": [{"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}]}",
])
def test_hostile_json_bodies_are_a_clear_4xx(client, people, body):
    from xinyong.accounts.models import User

    with session_scope() as db:
        token = accounts.issue_token(db, db.scalar(select(User).where(User.username == "hz-scj")), name="t",
                                     by="test").token
    r = client.post("/api/v1/records", content=body,
                    headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    assert 400 <= r.status_code < 500 and r.json()["detail"]["message"], r.text
    assert stored() == (0, 0)
