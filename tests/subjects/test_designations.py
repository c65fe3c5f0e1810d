"""Posts and designations in: every bad row named with its row, column and reason and left out,
the good ones written and audited, a re-sent row updating its end date, overlapping terms of one
role refused, the XLSX template read back, and a check reaching the person so registered."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tests.lists.helpers import body, record
from xinyong.accounts.principal import Principal, cli_principal
from xinyong.audit.models import AuditEntry
from xinyong.checks import service as checks
from xinyong.core.codes import make_ric
from xinyong.core.errors import InvalidInput
from xinyong.subjects import designations
from xinyong.subjects.identity import lookup_key
from xinyong.subjects.models import Designation, Post, Subject

WHO = cli_principal("organisation_dept")
HEAD = make_ric("330106", date(1968, 4, 5), 21)
NEXT = make_ric("330106", date(1974, 9, 9), 23)


def row(**kw):
    out = {"body_code": None, "name": "华局长", "ric": HEAD, "title": None, "role": "主要负责人", "start": "2019-03-01",
           "end": None, "basis": "某委〔2019〕3号"}
    out.update(kw)
    return out


def test_good_rows_are_written_and_bad_rows_named(session):
    bureau = body(session, "某县自然资源局", kind="gov_body", region="330122")
    code = bureau.code
    result = designations.import_rows(session, [
        row(body_code=code, title="局长"),                                      # 1 good: post and designation
        row(body_code=code, name="金下任", ric=NEXT, role="主要负责人", start="2022-01-01"),  # 2 overlaps row 1
        row(body_code="91330106MA2XXXXX0X"),                                     # 3 bad check digit
        row(body_code=code[:-1] + ("0" if code[-1] != "0" else "1")),            # 4 no such body (or bad code)
        row(body_code=code, ric="330106199002301234"),                           # 5 bad identity number
        row(body_code=code, role="书记"),                                        # 6 not a role one registers
        row(body_code=code, role=None, title=None),                              # 7 neither post nor role
        row(body_code=code, start="2021-05-01", end="2020-01-01"),               # 8 ends before it starts
        row(body_code=code, start="2021-13-01"),                                 # 9 no such date
        row(body_code=code, name="别人", start="2010-01-01", end="2011-01-01"),  # 10 name differs from the stored one
    ], who=WHO)
    assert (result.rows, result.designations_new, result.posts_new) == (10, 1, 1)
    by_row = {e.row: (e.column, e.reason) for e in result.errors}
    assert set(by_row) == {2, 3, 4, 5, 6, 7, 8, 9, 10}
    assert by_row[2][0] == "起始日期" and "重叠" in by_row[2][1]
    assert by_row[3][0] == by_row[4][0] == "单位统一社会信用代码"
    assert by_row[5][0] == "公民身份号码"
    assert by_row[6][0] == "登记身份" and "法定代表人" in by_row[6][1]
    assert by_row[7][0] == "职务"
    assert by_row[8] == ("终止日期", "终止日期早于起始日期")
    assert by_row[9][0] == "起始日期" and "格式不正确" in by_row[9][1]
    assert by_row[10][0] == "姓名"
    # a refused row leaves nothing behind: not even the person it named
    assert session.scalar(select(Subject.id).where(Subject.code == lookup_key(NEXT))) is None
    head = session.scalar(select(Subject).where(Subject.code == lookup_key(HEAD)))
    assert head.kind == "public_servant" and head.code_cipher and head.code != HEAD  # stored protected
    d = session.scalar(select(Designation).where(Designation.person_id == head.id))
    assert (d.body_id, d.role, d.start_date, d.end_date, d.created_by) == (bureau.id, "principal", date(2019, 3, 1), None,
                                                                          "organisation_dept")
    assert session.scalar(select(Post.title).where(Post.person_id == head.id)) == "局长"
    entries = session.scalars(select(AuditEntry).where(AuditEntry.entity.in_(("designation", "post", "subject")))).all()
    assert {(e.entity, e.action, e.subject_id) for e in entries} == {("subject", "create", head.id),
                                                                     ("designation", "create", head.id),
                                                                     ("post", "create", head.id)}


def test_a_handover_ends_one_term_and_starts_the_next(session):
    bureau = body(session, "某县教育局", kind="gov_body", region="330122")
    designations.import_rows(session, [row(body_code=bureau.code)], who=WHO)
    result = designations.import_rows(session, [
        row(body_code=bureau.code, end="2021-12-31"),                             # the same term, now ended
        row(body_code=bureau.code, name="金下任", ric=NEXT, start="2022-01-01"),  # the successor
    ], who=WHO)
    assert (result.errors, result.designations_updated, result.designations_new) == ([], 1, 1)
    terms = session.execute(select(Designation.start_date, Designation.end_date).where(Designation.body_id == bureau.id)
                            .order_by(Designation.start_date)).all()
    assert terms == [(date(2019, 3, 1), date(2021, 12, 31)), (date(2022, 1, 1), None)]
    update = session.scalar(select(AuditEntry).where(AuditEntry.entity == "designation", AuditEntry.action == "update"))
    assert update.before["end_date"] is None and update.after["end_date"] == "2021-12-31"
    # the same rows again change nothing
    again = designations.import_rows(session, [row(body_code=bureau.code, end="2021-12-31")], who=WHO)
    assert (again.errors, again.designations_new, again.designations_updated) == ([], 0, 0)


def test_a_department_registers_only_within_its_region(session):
    bureau = body(session, "宁波某局", kind="gov_body", region="330203")
    reporter = Principal(user_id=None, username="hz_reporter", role="reporter", region_code="330100", via="session")
    result = designations.import_rows(session, [row(body_code=bureau.code)], who=reporter)
    assert [(e.row, e.column) for e in result.errors] == [(1, "单位统一社会信用代码")]
    assert "地区权限" in result.errors[0].reason
    assert session.scalar(select(Designation.id).where(Designation.body_id == bureau.id)) is None


def test_the_template_reads_back(session):
    wb = load_workbook(io.BytesIO(designations.template_bytes()))
    ws = wb.worksheets[0]
    headers = [c.value for c in ws[1]]
    assert headers[:4] == ["单位统一社会信用代码", "单位名称", "姓名", "公民身份号码"] and "登记身份" in headers
    bureau = body(session, "某县审计局", kind="gov_body", region="330122")
    values = {"单位统一社会信用代码": bureau.code, "姓名": "华局长", "公民身份号码": HEAD, "登记身份": "法定代表人",
              "起始日期": "2018-06-01"}
    ws.append([values.get(h) for h in headers])
    out = io.BytesIO()
    wb.save(out)
    rows = designations.read_xlsx(out.getvalue())
    result = designations.import_rows(session, rows, who=WHO)
    assert (result.errors, result.designations_new) == ([], 1)
    with pytest.raises(InvalidInput) as missing:
        bare = load_workbook(io.BytesIO(designations.template_bytes()))
        bare.worksheets[0].delete_cols(4)
        buf = io.BytesIO()
        bare.save(buf)
        designations.read_xlsx(buf.getvalue())
    assert missing.value.zh == "表格缺少必填列：公民身份号码"
    with pytest.raises(InvalidInput) as junk:
        designations.read_xlsx(b"not a spreadsheet")
    assert "无法打开该 Excel 文件" in junk.value.zh


def test_a_check_reaches_the_person_registered_at_the_time(session):
    firm = body(session, "杭州某贸易有限公司")
    designations.import_rows(session, [
        row(body_code=firm.code, name="华经理", role="法定代表人", start="2015-01-01", end="2023-06-30"),
        row(body_code=firm.code, name="金下任", ric=NEXT, role="法定代表人", start="2023-07-01"),
    ], who=WHO)
    listed = record(session, firm, "dishonest_judgment_debtor", "serious", decided=date(2023, 3, 1),
                    days_shown=100_000)
    who = cli_principal("tester")
    first = checks.check_one(session, scenario="consumption_restriction", code=HEAD, purpose="测试", who=who)
    assert {(h.role, h.source_id) for h in first.hits} == {("legal_rep", listed.id)}
    later = checks.check_one(session, scenario="consumption_restriction", code=NEXT, purpose="测试", who=who)
    assert later.hits == []


def test_an_upload_is_inspected_before_it_is_parsed():
    """The designations import refuses a workbook with a document type declaration (an entity
    bomb) before openpyxl reads it, as every other upload does."""
    import zipfile

    from xinyong.core.xlsx import UnsafeWorkbook

    buf = io.BytesIO(designations.template_bytes())
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = b"<!DOCTYPE x [<!ENTITY a \"aaaaaaaaaa\">]>" + data
            dst.writestr(item, data)
    with pytest.raises(UnsafeWorkbook):
        designations.read_xlsx(out.getvalue())
