"""Supervision inputs: each template reads back, a bad row is named by row, column and reason
and left out while the good ones are written and audited, a row sent again updates, judicial
replies are overdue against a given date (never the wall clock), and the board's figures on a
small fixture, in a pinned number of statements."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tests.supervision.helpers import gov, supervisor
from xinyong.accounts.principal import cli_principal
from xinyong.audit.models import AuditEntry
from xinyong.core.errors import InvalidInput
from xinyong.supervision import service
from xinyong.supervision.models import KINDS, SupervisionInput

DAY = date(2026, 6, 15)


@pytest.mark.parametrize("kind", list(KINDS))
def test_each_template_reads_back(kind):
    data = service.template_bytes(kind)
    wb = load_workbook(io.BytesIO(data))
    ws = wb.worksheets[0]
    headers = [c.value for c in ws[1]]
    assert headers == [c.header for c in service.FIELDS[kind]]
    required = {c.header for c in service.FIELDS[kind] if c.required}
    for cell in ws[1]:
        assert cell.comment is not None and cell.comment.text.startswith("【必填】" if cell.value in required else "【选填】")
    assert wb.sheetnames[1] == "填写说明"
    dropdowns = {c.header for c in service.FIELDS[kind] if c.choices}
    lists = [dv for dv in ws.data_validations.dataValidation if dv.type == "list"]
    assert len(lists) == len(dropdowns)
    # the empty template is read as no rows (not an error), its columns all recognised
    assert service.read_xlsx(kind, data) == []


def test_a_file_without_the_required_columns_is_refused():
    with pytest.raises(InvalidInput) as exc:
        service.read_xlsx("judicial", service.template_bytes("appraisals"))
    assert "缺少必填列" in exc.value.zh and "建议法院" in exc.value.zh


def _filled(kind: str, rows: list[list]) -> bytes:
    wb = load_workbook(io.BytesIO(service.template_bytes(kind)))
    ws = wb.worksheets[0]
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_an_xlsx_import_names_each_bad_row(session):
    hz = gov(session, "杭州市某区人民政府", "330106")
    nb = gov(session, "宁波市某区人民政府", "330203")
    firm = gov(session, "杭州某有限公司", "330106", kind="enterprise")
    missing = hz.code[:-3] + ("000" if not hz.code.endswith("000") else "001")
    data = _filled("judicial", [
        [hz.code, hz.name, None, 2026, "杭州市西湖区人民法院", "（2026）浙0106司建1号", "违法拆除", "2026-03-01", "2026-05-01", None, None],
        [missing, "查无此单位", None, 2026, "某法院", "（2026）浙0106司建2号", None, "2026-03-01", "2026-05-01", None, None],
        [hz.code, hz.name, None, 2026, "某法院", "（2026）浙0106司建3号", None, "2026-03-01", "2026-02-01", None, None],
        [hz.code, hz.name, None, 2026, "某法院", "（2026）浙0106司建4号", None, "2026-03-01", "2026-04-01", "2026-02-01", None],
        [nb.code, nb.name, None, 2026, "某法院", "（2026）浙0203司建5号", None, "2026-03-01", "2026-04-01", None, None],
        [firm.code, firm.name, None, 2026, "某法院", "（2026）浙0106司建6号", None, "2026-03-01", "2026-04-01", None, None],
        [hz.code, hz.name, "330102", 2026, "某法院", "（2026）浙0106司建7号", None, "2026-03-01", "2026-04-01", None, None],
        [hz.code, hz.name, None, 2026, "某法院", "（2026）浙0106司建8号", None, "2026-13-01", "2026-04-01", None, None],
    ])
    rows = service.read_xlsx("judicial", data)
    result = service.import_rows(session, "judicial", rows, who=supervisor("330100"), today=DAY)
    assert (result.rows, result.created, result.rejected) == (8, 1, 7)
    by_row = {e.row: (e.column, e.reason) for e in result.errors}
    assert by_row[2][0] == "单位统一社会信用代码" and ("平台没有" in by_row[2][1] or "校验" in by_row[2][1])
    assert by_row[3] == ("答复期限", "答复期限早于发出日期")
    assert by_row[4] == ("答复日期", "答复日期早于发出日期")
    assert by_row[5][0] == "单位统一社会信用代码" and "不在您的地区权限范围内" in by_row[5][1]
    assert "不是政府机构" in by_row[6][1]
    assert by_row[7][0] == "行政区划代码" and "不一致" in by_row[7][1]
    assert by_row[8][0] == "发出日期" and "格式不正确" in by_row[8][1]
    stored = session.scalars(select(SupervisionInput)).all()
    assert [(s.kind, s.body_id, s.ref_no, s.region_code) for s in stored] == [
        ("judicial", hz.id, "（2026）浙0106司建1号", "330106")]


def test_scores_must_not_be_negative_nor_beyond_the_scale(session):
    hz = gov(session, "杭州市某局", "330106")
    result = service.import_rows(session, "appraisals", [
        {"body_code": hz.code, "year": 2026, "score": -3},
        {"body_code": hz.code, "year": 2025, "score": 130},
        {"body_code": hz.code, "year": 2024, "score": "九十"},
        {"body_code": hz.code, "year": 2023, "score": 88.5},
        {"body_code": hz.code, "year": 1999, "score": 80},
    ], who=supervisor(), today=DAY)
    by_row = {e.row: (e.column, e.reason) for e in result.errors}
    assert by_row == {1: ("得分", "得分不得为负数"), 2: ("得分", "得分不得超过 100"), 3: ("得分", "得分“九十”不是数字"),
                      5: ("年度", "年度“1999”有误，应为 2000 至 2027 之间的四位年份")}
    assert result.created == 1
    item = session.scalar(select(SupervisionInput))
    assert (item.source, item.score) == ("万人评议机关", 88.5)  # the default appraisal


def test_a_row_sent_again_updates_and_is_audited_before_and_after(session):
    hz = gov(session, "杭州市某局", "330106")
    row = {"body_code": hz.code, "year": 2026, "source": "杭州市中级人民法院", "ref_no": "（2026）浙01司建9号",
           "issued_on": "2026-03-01", "deadline": "2026-04-30"}
    first = service.import_rows(session, "judicial", [row], who=supervisor(), today=DAY)
    again = service.import_rows(session, "judicial", [row], who=supervisor(), today=DAY)
    answered = service.import_rows(session, "judicial", [row | {"done_on": "2026-05-06", "note": "已整改"}],
                                   who=supervisor(), today=DAY)
    assert (first.created, again.unchanged, answered.updated) == (1, 1, 1)
    item = session.scalar(select(SupervisionInput))
    assert item.done_on == date(2026, 5, 6) and service.replied_late(item.deadline, item.done_on)
    entries = session.scalars(select(AuditEntry).where(AuditEntry.entity == "supervision_input")
                              .order_by(AuditEntry.seq)).all()
    assert [e.action for e in entries] == ["create", "update"]
    assert entries[1].before["done_on"] is None and entries[1].after["done_on"] == "2026-05-06"
    assert {(e.username, e.role, e.subject_id) for e in entries} == {("supervisor_330100", "supervisor", hz.id)}


def test_proposal_flags_and_on_time_from_the_dates(session):
    hz = gov(session, "杭州市某局", "330106")
    base = {"body_code": hz.code, "year": 2026, "category": "人大代表建议", "title": "加强诚信建设", "issued_on": "2026-03-01",
            "deadline": "2026-06-01"}
    result = service.import_rows(session, "proposals", [
        base | {"ref_no": "1", "done_on": "2026-05-20", "adopted": "是", "satisfied": "否"},  # on time from the dates
        base | {"ref_no": "2", "done_on": "2026-06-10"},                                     # late from the dates
        base | {"ref_no": "3", "on_time": "是"},                                              # on time, but not done
        base | {"ref_no": "4", "adopted": "也许"},
        base | {"ref_no": "5", "category": "议案"},
        base | {"ref_no": "1"},                                                               # row 1 again in one file
    ], who=supervisor(), today=DAY)
    by_row = {e.row: (e.column, e.reason) for e in result.errors}
    assert set(by_row) == {3, 4, 5, 6}
    assert by_row[3][0] == "按时办结" and by_row[4] == ("采纳", "“也许”应填 是 或 否")
    assert by_row[5][0] == "类别" and "政协提案" in by_row[5][1] and "与第1行重复" in by_row[6][1]
    stored = {s.ref_no: s for s in session.scalars(select(SupervisionInput))}
    assert (stored["1"].on_time, stored["1"].adopted, stored["1"].satisfied) == (True, True, False)
    assert stored["2"].on_time is False and stored["2"].adopted is None


def test_overdue_is_counted_against_the_given_day_in_calendar_days():
    deadline = date(2026, 4, 30)
    assert service.overdue_days(deadline, None, date(2026, 4, 30)) == 0  # the deadline day itself is in time
    assert service.overdue_days(deadline, None, date(2026, 5, 1)) == 1
    assert service.overdue_days(deadline, None, date(2026, 5, 6)) == 6  # 劳动节 holidays count: calendar days
    assert service.overdue_days(deadline, date(2026, 5, 6), date(2026, 6, 1)) == 0  # answered (late) is not overdue
    assert service.replied_late(deadline, date(2026, 5, 6)) and not service.replied_late(deadline, deadline)


def _fixture(session):
    """Two counties of Hangzhou and one of Ningbo, with every kind of input."""
    xh = gov(session, "西湖区人民政府", "330106")
    xh_bureau = gov(session, "西湖区市场监督管理局", "330106")
    sc = gov(session, "上城区人民政府", "330102")
    nb = gov(session, "海曙区人民政府", "330203")
    who = cli_principal("fixture")
    j = {"source": "某法院", "issued_on": "2026-01-10"}
    assert not service.import_rows(session, "judicial", [
        {"body_code": xh.code, "year": 2026, "ref_no": "J1", "deadline": "2026-03-01", **j},  # overdue 106 days
        {"body_code": xh_bureau.code, "year": 2026, "ref_no": "J2", "deadline": "2026-06-01", **j},  # overdue 14 days
        {"body_code": xh.code, "year": 2026, "ref_no": "J3", "deadline": "2026-03-01", "done_on": "2026-02-20", **j},
        {"body_code": sc.code, "year": 2026, "ref_no": "J4", "deadline": "2026-07-01", **j},  # not yet due
        {"body_code": sc.code, "year": 2025, "ref_no": "J5", "deadline": "2025-12-01", "issued_on": "2025-10-01",
         "source": "某法院"},  # last year's, still unanswered: overdue too
        {"body_code": nb.code, "year": 2026, "ref_no": "J6", "deadline": "2026-02-01", **j},  # out of Hangzhou
    ], who=who, today=DAY).errors
    p = {"category": "政协提案", "title": "提案", "issued_on": "2026-03-01"}
    assert not service.import_rows(session, "proposals", [
        {"body_code": xh.code, "year": 2026, "ref_no": "P1", "done_on": "2026-05-01", "on_time": "是", "adopted": "是",
         "satisfied": "是", **p},
        {"body_code": xh.code, "year": 2026, "ref_no": "P2", "done_on": "2026-05-01", "on_time": "否", "adopted": "是",
         "satisfied": "否", **p},
        {"body_code": xh_bureau.code, "year": 2026, "ref_no": "P3", "done_on": "2026-05-01", "on_time": "是",
         "adopted": "否", **p},
        {"body_code": xh.code, "year": 2026, "ref_no": "P4", **p},  # nothing recorded yet
        {"body_code": sc.code, "year": 2025, "ref_no": "P5", "done_on": "2025-05-01", "on_time": "否",
         "issued_on": "2025-03-01", "category": "政协提案", "title": "去年的"},
    ], who=who, today=DAY).errors
    assert not service.import_rows(session, "appraisals", [
        {"body_code": xh.code, "year": 2025, "score": 91},
        {"body_code": xh.code, "year": 2026, "score": 93.5, "result": "满意"},
        {"body_code": sc.code, "year": 2025, "score": 88},
        {"body_code": nb.code, "year": 2026, "score": 99},
    ], who=who, today=DAY).errors
    assert not service.import_rows(session, "inspections", [
        {"body_code": xh.code, "year": 2026, "category": "考核", "source": "杭州市人民政府", "result": "优秀", "score": 96},
        {"body_code": sc.code, "year": 2026, "category": "督查", "source": "杭州市人民政府", "result": "发现问题"},
    ], who=who, today=DAY).errors
    assert not service.import_rows(session, "ratings", [
        {"body_code": sc.code, "year": 2026, "source": "某大学信用研究中心", "result": "A"},
    ], who=who, today=DAY).errors
    session.commit()
    return xh, sc, nb


def test_the_boards_figures(session, engine, count_queries):
    _fixture(session)
    with count_queries(engine) as q:
        b = service.board(session, region="330100", year=2026, today=DAY)
    assert q.count == 4  # counts and rates per region, the overdue replies, the latest appraisals, overdue complaints
    assert [r.region_code for r in b.regions] == ["330106", "330102"]  # the most overdue replies first
    xh, sc = b.regions
    assert xh.counts == {"inspections": 1, "proposals": 4, "judicial": 3, "appraisals": 1, "ratings": 0}
    assert sc.counts == {"inspections": 1, "proposals": 0, "judicial": 1, "appraisals": 0, "ratings": 1}
    assert (xh.overdue, sc.overdue) == (2, 1)
    assert (xh.on_time_rate, xh.adopted_rate, xh.satisfied_rate) == (2 / 3, 2 / 3, 1 / 2)
    assert sc.on_time_rate is None  # last year's proposal is not this year's
    assert [(o.ref_no, o.days) for o in b.overdue] == [("J5", 196), ("J1", 106), ("J2", 14)]
    assert [(a.body_name, a.year, a.score) for a in b.appraisals] == [("西湖区人民政府", 2026, 93.5),
                                                                      ("上城区人民政府", 2025, 88.0)]
    assert b.totals["judicial"] == 4 and b.overdue_total == 3
    assert b.rates() == {"on_time": 2 / 3, "adopted": 2 / 3, "satisfied": 1 / 2}
    # another day: J2 is not yet due on 1 June, J1 is
    early = service.board(session, region="330100", year=2026, today=date(2026, 6, 1))
    assert [o.ref_no for o in early.overdue] == ["J5", "J1"]
    # the whole province (the command line): per city, Ningbo too, the latest appraisal of each body up to the year
    whole = service.board(session, region=None, year=2025, today=DAY)
    assert [(r.region_code, r.overdue, r.counts["judicial"], r.counts["proposals"]) for r in whole.regions] == [
        ("330100", 3, 1, 1), ("330200", 1, 0, 0)]  # the most overdue first; 2025's inputs only
    assert whole.regions[0].on_time_rate == 0.0
    province = service.board(session, region="330000", year=2026, today=DAY)
    assert [(r.region_code, r.total) for r in province.regions] == [("330100", 12), ("330200", 2)]
    assert [(a.body_name, a.score) for a in whole.appraisals] == [("西湖区人民政府", 91.0), ("上城区人民政府", 88.0)]


def test_the_board_stays_four_statements_with_more_rows(session, engine, count_queries):
    _fixture(session)
    bodies = [gov(session, f"县{i}人民政府", "330106") for i in range(30)]
    service.import_rows(session, "appraisals", [{"body_code": b.code, "year": 2026, "score": 60 + i}
                                                for i, b in enumerate(bodies)], who=cli_principal(), today=DAY)
    session.commit()
    with count_queries(engine) as q:
        b = service.board(session, region="330100", year=2026, today=DAY)
    assert q.count == 4 and len(b.appraisals) == 32  # 30 new, 西湖 2026, 上城 2025


def test_listing_is_scoped_to_the_readers_region(session):
    _fixture(session)
    total, rows = service.listing(session, "judicial", region="330100", today=DAY)
    assert total == 5 and {r.item.ref_no for r in rows} == {"J1", "J2", "J3", "J4", "J5"}
    days = {r.item.ref_no: r.overdue_days for r in rows}
    assert days == {"J1": 106, "J2": 14, "J3": 0, "J4": 0, "J5": 196}
    total, _ = service.listing(session, "judicial", region="330203", today=DAY, year=2026)
    assert total == 1
