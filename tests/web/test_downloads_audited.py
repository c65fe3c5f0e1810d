"""Security finding 6: every download that carries persons' data writes an audit entry, and an
import's error report masks the identity numbers of rows refused for a reason other than the
number itself.

The walking test reads the application's own route table: every route that answers with a file
must be listed in :mod:`xinyong.audit.downloads`, either as carrying persons' data (then it is
downloaded here with a person in it, and must leave an entry naming who, which file and how many
persons) or as holding no one (with the reason). A new download route fails the test until
someone decides which it is."""

from __future__ import annotations

import io
import re
import time

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tests import factories as f
from tests.accounts.helpers import token_for
from tests.checks.helpers import candidates_xlsx
from tests.lists.helpers import person, record
from tests.records.test_write_api import csv_bytes
from xinyong.accounts import service as accounts
from xinyong.audit.downloads import NOT_PERSONAL, PERSONAL
from xinyong.audit.models import AuditEntry
from xinyong.core.db import session_scope
from xinyong.lists import service as lists
from xinyong.web.app import create_app, route_table

FILE_SUFFIXES = (".xlsx", ".csv", ".zip", ".pdf")
FILE_TYPES = ("spreadsheet", "csv", "octet-stream", "zip", "pdf")


def download_routes() -> set[str]:
    """The GET routes that answer with a file: a path ending in a file's suffix, or an OpenAPI
    answer documented with a file's content type."""
    app = create_app()
    found = set()
    for r in route_table(app):
        if r.mount or "GET" not in r.methods:
            continue
        if r.path.endswith(FILE_SUFFIXES) or r.path.rstrip("/").endswith("/export"):
            found.add(r.path)
    for path, ops in app.openapi()["paths"].items():
        content = ops.get("get", {}).get("responses", {}).get("200", {}).get("content", {})
        if any(t in ct for ct in content for t in FILE_TYPES):
            found.add(path)
    return found


def test_every_download_is_sorted_into_personal_or_not():
    routes = download_routes()
    assert routes, "the walk found no download at all: the walk is broken"
    unsorted = routes - set(PERSONAL) - set(NOT_PERSONAL)
    assert not unsorted, f"downloads neither audited nor declared free of personal data: {sorted(unsorted)}"
    stale = (set(PERSONAL) | set(NOT_PERSONAL)) - routes
    assert not stale, f"listed downloads the app no longer has: {sorted(stale)}"
    assert not set(PERSONAL) & set(NOT_PERSONAL)


# --- each personal download, made with a person in it -----------------------------------------


def _reporter() -> tuple[str, str]:
    """A 杭州 department's reporter with a web session: (cookie, csrf token)."""
    with session_scope() as db:
        accounts.create_department(db, code=f.DEPT, name=f.DEPT_NAME, region_code="330100",
                                   categories=["admin_penalty"])
        user, _ = accounts.create_user(db, username="hz-scj", role="reporter", region_code="330100",
                                       department_code=f.DEPT, password="Baosong-2026-测试密码")
        cookie, ws = accounts.start_session(db, user)
        return cookie, ws.csrf_token


def _error_report(client) -> tuple[str, dict, int]:
    cookie, csrf = _reporter()
    client.cookies.set("xinyong_session", cookie)
    data = csv_bytes([f.person_penalty_row(1, **{"处罚决定日期": "2099-01-01"})])
    r = client.post("/records/upload", files={"file": ("a.csv", data, "text/csv")},
                    data={"category": "admin_penalty", "csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303, r.text
    return _batch_of(client, r.headers["location"]) + "/errors.xlsx", {}, 1


def _batch_of(client, job_page: str) -> str:
    """The import batch an upload became: the upload answers with its job's page (the job ran
    at once, XINYONG_JOBS_INLINE), which links the batch."""
    found = re.search(r"/records/batches/\d+", client.get(job_page).text)
    assert found, job_page
    return found.group(0)


def _check_result(client) -> tuple[str, dict, int]:
    headers = {"Authorization": f"Bearer {token_for('checker')}"}
    rows = [["周考生", f.person(7), "", ""], ["吴考生", f.person(8), "", ""]]
    r = client.post("/api/v1/checks/batches", headers=headers,
                    data={"scenario": "civil_servant_recruitment", "purpose": "2026年度公务员招录资格审查"},
                    files={"file": ("考生.xlsx", candidates_xlsx(rows), "application/octet-stream")})
    assert r.status_code == 202, r.text
    for _ in range(200):
        b = client.get(f"/api/v1/checks/batches/{r.json()['id']}", headers=headers).json()
        if b["status"] in ("done", "failed"):
            break
        time.sleep(0.05)
    assert b["status"] == "done", b
    return b["result_url"], headers, 2


def _list_export(client) -> tuple[str, dict, int]:
    with session_scope() as s:
        p, _ = person(s, "罗公示")
        record(s, p, "dishonest_judgment_debtor", "serious")
        lists.refresh(s)
    # an official: the public's export leaves natural persons out (found only by number and name)
    return "/api/v1/lists/export.xlsx", {"Authorization": f"Bearer {token_for('checker')}"}, 1


def _commitments_export(client) -> tuple[str, dict, int]:
    from tests.commitments.helpers import TODAY, row
    from xinyong.accounts.principal import cli_principal
    from xinyong.commitments import service as commitments

    with session_scope() as s:
        servant, ric = person(s, "卢承诺", kind="public_servant")
        commitments.create(s, row(servant, kind="告知承诺", subject_code=ric), who=cli_principal("credit_office"),
                           today=TODAY)
    return "/api/v1/commitments/export.xlsx", {"Authorization": f"Bearer {token_for('admin')}"}, 1


MAKERS = {
    "/api/v1/commitments/export.xlsx": _commitments_export,
    "/records/batches/{batch_id}/errors.xlsx": _error_report,
    "/api/v1/checks/batches/{batch_id}/result.xlsx": _check_result,
    "/api/v1/lists/export.xlsx": _list_export,
}


def downloads() -> list[tuple[str, int]]:
    with session_scope() as db:
        return [(e.entity, (e.after or {}).get("persons")) for e in
                db.scalars(select(AuditEntry).where(AuditEntry.action == "download").order_by(AuditEntry.seq))]


def test_every_personal_download_has_a_maker():
    assert set(MAKERS) == set(PERSONAL), "add a maker here for each new personal download"


@pytest.mark.parametrize("path", sorted(PERSONAL))
def test_a_download_with_a_person_in_it_is_audited(client, path):
    url, headers, persons = MAKERS[path](client)
    before = downloads()
    got = client.get(url, headers=headers)
    assert got.status_code == 200, got.text
    load_workbook(io.BytesIO(got.content))  # a real file came back
    after = downloads()
    assert after[len(before):] == [(PERSONAL[path], persons)], after


def test_the_error_report_masks_numbers_of_rows_refused_for_other_reasons(client):
    cookie, csrf = _reporter()
    client.cookies.set("xinyong_session", cookie)
    elsewhere = f.person(1, region="330206")  # 宁波: outside the department's region, a valid number
    good = f.person(2)
    mistyped = good[:-1] + ("0" if good[-1] != "0" else "1")  # refused for the number itself
    rows = [f.person_penalty_row(1, ric=elsewhere), f.person_penalty_row(2, ric=mistyped)]
    r = client.post("/records/upload", files={"file": ("a.csv", csv_bytes(rows), "text/csv")},
                    data={"category": "admin_penalty", "csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303, r.text
    report = client.get(_batch_of(client, r.headers["location"]) + "/errors.xlsx").content
    sheet = load_workbook(io.BytesIO(report))["错误明细"]
    text = "\n".join(str(c) for line in sheet.iter_rows(values_only=True) for c in line if c is not None)
    assert "330206" in text and elsewhere not in text  # refused for its region: the full number fixes nothing
    assert mistyped in text  # kept as sent: the department must see what it typed
    assert downloads()[-1] == ("import_error_report", 2)


def test_a_row_of_the_wrong_kind_keeps_no_full_number():
    """The report writer alone: a person refused because the category records only bodies."""
    from xinyong.records.report import _line
    from xinyong.records.validation import RowError

    ric = f.person(3)
    line = _line(RowError(4, "证件号码", ric, f"“某类别”只记录法人，该代码 {ric} 属于自然人", "wrong kind"))
    assert ric not in " ".join(map(str, line)) and ric[:6] + "*" * 12 in line[2]
    kept = _line(RowError(4, "证件号码", ric, "校验位错误", "check digit", keeps_code=True))
    assert kept[2] == ric

