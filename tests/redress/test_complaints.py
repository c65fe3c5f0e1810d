"""Complaints about government dishonesty (投诉举报): the state machine, deadlines across the
Spring Festival, routing, escalation (idempotent), the 12345 import with bad rows, rating by
tracking code, a substantiated complaint becoming a record, and the public statistics."""

from __future__ import annotations

import io
import re
from contextlib import contextmanager
from datetime import date

import pytest
from sqlalchemy import func, select

from tests.records.factories import World, build_world
from tests.redress.helpers import OFFICE, OFFICE_NB
from xinyong.accounts.models import Department
from xinyong.accounts.principal import PUBLIC, Principal
from xinyong.audit.models import AuditEntry
from xinyong.core.errors import Forbidden, InvalidInput, NotFound
from xinyong.redress import complaint_import, complaints
from xinyong.redress import complaint_rules as rules
from xinyong.redress.models import Complaint, ComplaintEvent

DAY = date(2026, 2, 2)  # a Monday, before the Spring Festival of 2026 (15–23 February)


@contextmanager
def refused(kind, words: str):
    """The call raises ``kind`` and its Chinese message says ``words``."""
    with pytest.raises(kind) as e:
        yield
    assert re.search(words, e.value.zh), e.value.zh


PROVINCE = Principal(user_id=910, username="office_zj", role="admin", region_code="330000", via="session")


@pytest.fixture
def world(session) -> World:
    return build_world(session)


def _file(session, world: World | None = None, *, region="330100", body=None, day=DAY, **kw):
    args = {"target_kind": "gov_body", "body_name": body or (world.bureau.name if world else "某县人民政府"),
            "behaviour": "gov_arrears_to_enterprises", "account": "工程款拖欠两年未付", "region": region,
            "today": day, **kw}
    c, code = complaints.file_complaint(session, PUBLIC, **args)
    session.commit()
    return c, code


# --- the state machine -----------------------------------------------------------------------


def test_every_allowed_and_every_refused_transition():
    expected = {
        ("routed", "reply"): "replied", ("routed", "reject"): "rejected", ("routed", "escalate"): "escalated",
        ("escalated", "reply"): "replied", ("escalated", "reject"): "rejected",
        ("escalated", "escalate"): "escalated",
        ("replied", "rate"): "rated", ("replied", "close"): "closed", ("replied", "record"): "replied",
        ("rated", "close"): "closed", ("rated", "record"): "rated", ("closed", "record"): "closed",
    }
    for status in rules.STATUSES:
        for step in rules.TRANSITIONS:
            if (status, step) in expected:
                assert rules.next_status(status, step) == expected[(status, step)], (status, step)
                assert step in rules.allowed_steps(status)
            else:
                with pytest.raises(InvalidInput) as e:
                    rules.next_status(status, step)
                assert e.value.zh and not e.value.zh.isascii(), (status, step)
                assert step not in rules.allowed_steps(status)
    with refused(InvalidInput, "未知的处理步骤"):
        rules.next_status("routed", "approve")
    with refused(InvalidInput, "已答复，不能再次答复"):
        rules.next_status("replied", "reply")
    with refused(InvalidInput, "不能再次评价"):
        rules.next_status("rated", "rate")


def test_recordable_needs_a_substantiated_reply_once():
    assert rules.recordable("replied", "substantiated", None) is None
    assert rules.recordable("closed", "partly", None) is None
    assert "属实" in rules.recordable("replied", "unsubstantiated", None)
    assert "答复属实后" in rules.recordable("routed", None, None)
    assert "不能重复认定" in rules.recordable("rated", "substantiated", 7)


def test_superior_regions():
    assert rules.superior("330106") == "330100"
    assert rules.superior("330100") == "330000"
    assert rules.superior("330000") is None


# --- deadlines -------------------------------------------------------------------------------


def test_reply_deadline_across_the_spring_festival_and_its_make_up_days():
    # 2026: 15–23 February off; Saturdays 14 and 28 February are make-up working days
    assert rules.reply_due(date(2026, 2, 2), 15).due == date(2026, 2, 28)  # ends on the make-up Saturday
    assert rules.reply_due(date(2026, 2, 10), 15).due == date(2026, 3, 9)
    assert rules.reply_due(date(2026, 2, 13), 1).due == date(2026, 2, 14)  # a make-up Saturday counts
    assert rules.reply_due(date(2026, 2, 14), 1).due == date(2026, 2, 24)  # the holiday does not


def test_the_deadline_comes_from_the_policy(session, world, monkeypatch):
    c, _ = _file(session, world)
    assert c.reply_due == date(2026, 2, 28) and c.status == "routed"
    p = complaints.policy(session)
    changed = p.model_copy(update={"complaints": p.complaints.model_copy(update={"reply_workdays": 5})})
    monkeypatch.setattr(complaints, "policy", lambda s: changed)
    monkeypatch.setattr(complaints, "complaint_policy", lambda s: changed.complaints)
    c2, _ = _file(session, world)
    assert c2.reply_due == date(2026, 2, 9)


# --- filing and routing ----------------------------------------------------------------------


def test_routing_to_the_bodys_department_or_the_regions_office(session, world):
    c, code = _file(session, world)
    assert (c.body_id, c.region_code, c.department_code) == (world.bureau.id, "330100", None)
    session.add(Department(code=world.bureau.code, name=world.bureau.name, region_code="330100", categories=[]))
    session.commit()
    c2, code2 = _file(session, world)
    assert (c2.department_code, c2.department_name) == (world.bureau.code, world.bureau.name)
    assert code != code2 and len(code) == 19 and complaints.by_code(session, code2.lower()).id == c2.id
    assert c2.tracking_hash != code2 and code2 not in str(session.scalar(select(Complaint.tracking_hash)))
    reporter = Principal(user_id=920, username="dept", role="reporter", region_code="330100",
                         department_code=world.bureau.code, via="session")
    other = Principal(user_id=921, username="dept2", role="reporter", region_code="330100",
                      department_code="91330100000000000X", via="session")
    assert complaints.may_reply(reporter, c2) and not complaints.may_reply(other, c2)
    assert not complaints.may_reply(reporter, c)  # routed to the office, not to the department
    assert [x.id for x in complaints.queue(session, reporter, today=DAY)] == [c2.id]
    with refused(Forbidden, "未转办给您所在的单位"):
        complaints.take_step(session, other, c2.id, "reply", finding="unsubstantiated", reply="经查不属实", today=DAY)
    with pytest.raises(Forbidden):
        complaints.take_step(session, OFFICE_NB, c.id, "reply", finding="unsubstantiated", reply="x", today=DAY)
    with refused(Forbidden, "只有信用办"):
        complaints.take_step(session, reporter, c2.id, "close", today=DAY)
    # an unknown body is routed to the credit office of the region named
    c3, _ = _file(session, body="某某乡人民政府", region="330106")
    assert (c3.body_id, c3.region_code, c3.department_code) == (None, "330106", None)


@pytest.mark.parametrize("change, message", [
    ({"behaviour": "tax_violation"}, "请从清单中选择政务失信行为"),
    ({"account": "  "}, "请填写失信事实经过"),
    ({"account": "长" * 2001}, "不能超过 2000 字"),
    ({"region": "999999"}, "行政区划"),
    ({"target_kind": "person"}, "请选择投诉对象"),
    ({"target_kind": "public_servant"}, "公务人员姓名"),
    ({"anonymous": False}, "投诉人姓名"),
    ({"anonymous": False, "name": "王五", "phone": "12"}, "联系电话格式不正确"),
    ({"occurred_on": date(2026, 3, 1)}, "不能晚于今天"),
])
def test_bad_filings_are_refused_in_chinese_and_change_nothing(session, world, change, message):
    with refused(InvalidInput, message):
        _file(session, world, **change)
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Complaint)) == 0


def test_a_named_complaint_keeps_its_complainant_out_of_every_view(session, world):
    c, code = _file(session, world, anonymous=False, name="王小五", phone="13912345678")
    from xinyong.redress.complaint_schemas import ComplaintOut, TrackOut

    names = complaints.behaviours(complaints.policy(session))
    public = TrackOut.build(c, names, complaints.events(session, c.id), DAY).model_dump_json()
    assert "王小五" not in public and "13912345678" not in public and "王" not in public
    official = ComplaintOut.of(c, names, [], DAY).model_dump_json()
    assert "王小五" not in official and "13912345678" not in official and "139****5678" in official


# --- steps, rating, tracking -----------------------------------------------------------------


def test_reply_rate_close_by_code(session, world):
    c, code = _file(session, world)
    with refused(InvalidInput, "不能评价"):
        complaints.rate(session, code, "satisfied", today=DAY)
    with refused(InvalidInput, "核查结论"):
        complaints.take_step(session, OFFICE, c.id, "reply", finding="maybe", reply="x", today=DAY)
    complaints.take_step(session, OFFICE, c.id, "reply", finding="substantiated", reply="经查属实，已督促付款",
                         today=date(2026, 2, 5))
    session.commit()
    assert c.status == "replied" and c.rate_due == rules.reply_due(date(2026, 2, 5), 10).due
    with refused(NotFound, "查询码不正确"):
        complaints.rate(session, "AAAA-BBBB-CCCC-DDDD", "satisfied", today=DAY)
    with refused(InvalidInput, "评价意见"):
        complaints.rate(session, code, "unsatisfied", today=DAY)
    complaints.rate(session, code, "basically", today=date(2026, 2, 6))
    session.commit()
    with refused(InvalidInput, "不能再次评价"):
        complaints.rate(session, code, "satisfied", today=DAY)
    complaints.take_step(session, OFFICE, c.id, "close", today=date(2026, 2, 9))
    session.commit()
    with refused(InvalidInput, "已办结"):
        complaints.take_step(session, OFFICE, c.id, "reply", finding="partly", reply="x", today=DAY)
    assert [e.action for e in complaints.events(session, c.id)] == ["filed", "routed", "replied", "rated", "closed"]
    actions = set(session.scalars(select(AuditEntry.action).where(AuditEntry.entity == "complaint")))
    assert {"complaint_file", "complaint_reply", "complaint_rate", "complaint_close"} <= actions


def test_a_late_rating_is_refused_and_the_daily_run_closes_unrated_replies_across_the_spring_festival(
        session, world):
    rated_late, late_code = _file(session, world)
    in_time, in_time_code = _file(session, world)
    left, _ = _file(session, world)
    for c in (rated_late, in_time, left):
        complaints.take_step(session, OFFICE, c.id, "reply", finding="partly", reply="部分属实", today=date(2026, 2, 5))
    session.commit()
    # 10 working days after Thursday 5 February, over the festival (15–23 February, the 14th a make-up day)
    assert rated_late.rate_due == date(2026, 2, 26)
    complaints.rate(session, in_time_code, "satisfied", today=date(2026, 2, 26))  # the last day still counts
    session.commit()
    with refused(InvalidInput, "评价期限已于 2026-02-26 届满"):
        complaints.rate(session, late_code, "satisfied", today=date(2026, 2, 27))
    session.rollback()
    assert complaints.daily(session, date(2026, 2, 26))["closed_unrated"] == 0  # the period still runs
    first = complaints.daily(session, date(2026, 2, 27))
    session.commit()
    assert first["closed_unrated"] == 2
    for c in (rated_late, left, in_time):
        session.refresh(c)
    assert (rated_late.status, rated_late.closed_on, left.status) == ("closed", date(2026, 2, 27), "closed")
    assert in_time.status == "rated"
    with refused(InvalidInput, "已办结"):
        complaints.rate(session, late_code, "satisfied", today=date(2026, 2, 27))
    assert complaints.daily(session, date(2026, 2, 27))["closed_unrated"] == 0  # idempotent
    session.commit()
    assert [e.action for e in complaints.events(session, left.id)] == ["filed", "routed", "replied", "closed"]
    assert session.scalar(select(func.count()).select_from(AuditEntry)
                          .where(AuditEntry.action == "complaint_unrated")) == 1


def test_the_handling_officials_reveal_a_named_complainant_and_each_reveal_is_audited(session, world):
    named, _ = _file(session, world, anonymous=False, name="张投诉", phone="13912345678")
    anonymous, _ = _file(session, world)
    reporter = Principal(user_id=905, username="rep_other", role="reporter", region_code="330100",
                         department_code="X" * 18, via="session")
    for outsider in (OFFICE_NB, reporter):
        with refused(Forbidden, "承办该投诉"):
            complaints.reveal_complainant(session, outsider, named.id, purpose="回访")
    with refused(InvalidInput, "目的"):
        complaints.reveal_complainant(session, OFFICE, named.id, purpose="  ")
    with refused(InvalidInput, "匿名投诉"):
        complaints.reveal_complainant(session, OFFICE, anonymous.id, purpose="回访")
    seen = complaints.reveal_complainant(session, OFFICE, named.id, purpose="答复前电话回访", ip="10.0.0.1")
    complaints.reveal_complainant(session, OFFICE, named.id, purpose="核实诉求")
    session.commit()
    assert seen == {"name": "张投诉", "phone": "13912345678"}
    entries = list(session.scalars(select(AuditEntry).where(AuditEntry.action == "complaint_reveal")
                                   .order_by(AuditEntry.seq)))
    assert [(e.username, e.entity, e.entity_id, e.purpose) for e in entries] == [
        ("office_hz", "complaint.complainant", str(named.id), "答复前电话回访"),
        ("office_hz", "complaint.complainant", str(named.id), "核实诉求")]
    assert entries[0].ip == "10.0.0.1" and "13912345678" not in str(entries[0].after)


# --- escalation ------------------------------------------------------------------------------


def test_overdue_complaints_escalate_once_a_day_up_to_the_province(session, world):
    county, _ = _file(session, body="某某街道办事处", region="330106")
    city, _ = _file(session, world)
    on_time, _ = _file(session, world, day=date(2026, 2, 27))
    replied, _ = _file(session, world)
    complaints.take_step(session, OFFICE, replied.id, "reply", finding="partly", reply="部分属实", today=DAY)
    session.commit()
    day = date(2026, 3, 2)  # the day after the deadline of 28 February
    first = complaints.daily(session, day)
    session.commit()
    assert first["escalated"] == 2
    session.refresh(county)
    session.refresh(city)
    assert (county.status, county.region_code, county.origin_region, county.escalations) == \
        ("escalated", "330100", "330106", 1)
    assert (city.region_code, city.department_code) == ("330000", None)
    assert city.reply_due == rules.reply_due(day, 10).due
    again = complaints.daily(session, day)
    session.commit()
    assert again["escalated"] == 0 and again["overdue"] == 0
    assert session.scalar(select(func.count()).select_from(ComplaintEvent)
                          .where(ComplaintEvent.action == "escalated")) == 2
    # overdue again: the county's goes to the province; the province's cannot go higher
    later = date(2026, 3, 17)
    assert complaints.daily(session, later)["escalated"] == 1
    session.commit()
    session.refresh(county)
    session.refresh(city)
    assert county.region_code == "330000" and county.escalations == 2
    assert city.region_code == "330000" and complaints.due(city, later).overdue
    assert complaints.counts(session, PROVINCE, later)["overdue"] == 1
    # the county office still reads what it first handled; the city office no longer replies to the province's
    assert complaints.may_reply(PROVINCE, city) and not complaints.may_reply(OFFICE, city)
    complaints.ensure_reads(OFFICE, city)
    assert complaints.queue(session, PROVINCE, today=later)[0].id == city.id  # the overdue one first
    assert on_time.status == "routed"


def test_the_daily_job_is_registered_and_reports(session, world):
    from xinyong.core import daily

    job = next(j for j in daily.registered() if j.name == "redress.complaints")
    _file(session, world)
    assert job.run(session, date(2026, 3, 2))["escalated"] == 1
    assert job.run(session, date(2026, 3, 2))["escalated"] == 0


# --- the 12345 import ------------------------------------------------------------------------


def _xlsx(rows: list[list]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append([v[0][0] for v in complaint_import.COLUMNS.values()])
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _row(no, **kw):
    base = {"hotline_no": no, "filed_on": "2026-02-02", "region": "330100", "target_kind": "政府机构",
            "body_name": "杭州市发展和改革委员会", "body_code": "", "official_name": "", "behaviour": "拖欠企业账款",
            "account": "来电反映拖欠货款", "occurred_on": "", "name": "", "phone": ""}
    base.update(kw)
    return [base[k] for k in complaint_import.COLUMNS]


def test_import_keeps_good_rows_and_names_each_bad_row_and_column(session, world):
    data = _xlsx([
        _row("GD001"),
        _row("GD002", behaviour="偷税漏税"),
        _row("GD003", filed_on="2026-13-01"),
        _row("GD004", region="330200"),
        _row("GD005", name="李来电", phone="0571-88886666"),
        _row("GD006", name="李来电"),
        _row("", account="无编号"),
        _row("GD007", target_kind="公务人员"),
    ])
    rows = complaint_import.read_xlsx(data)
    result = complaint_import.import_rows(session, OFFICE, rows, today=DAY)
    session.commit()
    assert [(r, len(code)) for r, _id, code in result.filed] == [(2, 19), (6, 19)]
    got = [(e.row, e.column) for e in result.errors]
    assert got == [(3, "失信行为"), (4, "来电日期"), (5, "行政区划代码"), (7, "来电人电话"), (8, "工单编号"),
                   (9, "被投诉公务人员姓名")]
    assert "日期“2026-13-01”格式不正确" in result.errors[1].message
    assert "不是您地区权限范围内" in result.errors[2].message
    assert session.scalar(select(func.count()).select_from(Complaint)) == 2
    named = session.scalar(select(Complaint).where(Complaint.hotline_no == "GD005"))
    assert named.channel == "hotline" and not named.anonymous and named.body_id == world.bureau.id
    # the same file again: the filed work orders are not filed twice
    again = complaint_import.import_rows(session, OFFICE, complaint_import.read_xlsx(data), today=DAY)
    assert again.filed == [] and again.unchanged == 2
    with refused(InvalidInput, "XLSX"):
        complaint_import.read_xlsx(b"%PDF-1.4 not a workbook")
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["工单编号", "诉求内容"])
    buf = io.BytesIO()
    wb.save(buf)
    with refused(InvalidInput, "缺少必填列"):
        complaint_import.read_xlsx(buf.getvalue())


def test_a_file_of_thousands_of_rows_is_filed_in_a_few_statements(session, world):
    from sqlalchemy import event

    rows = []
    for i in range(3000):
        kw = {}
        if i % 97 == 5:
            kw["behaviour"] = "偷税漏税"
        if i % 113 == 7:
            kw["region"] = "330200"
        if i % 151 == 11:
            kw["name"], kw["phone"] = "王来电", "13900001111"
        if i % 7 == 3:
            kw["body_name"] = "某某街道办事处"  # unknown to the platform: routed to the region's office
        rows.append(dict(zip(complaint_import.COLUMNS, _row(f"GD{i:05d}" if i % 211 != 19 else f"GD{i - 10:05d}",
                                                            **kw), strict=True)))
    bad = {i for i in range(3000) if i % 97 == 5 or i % 113 == 7}
    repeats = {i for i in range(3000) if i % 211 == 19 and (i - 10) not in bad}
    statements = []
    engine = session.get_bind()
    listen = lambda *a, **k: statements.append(a[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listen)
    try:
        result = complaint_import.import_rows(session, OFFICE, rows, today=DAY)
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    session.commit()
    assert len(result.filed) == 3000 - len(bad) - len(repeats) and result.unchanged == len(repeats)
    assert [e.row for e in result.errors] == [i + 2 for i in sorted(bad)]
    assert {e.column for e in result.errors} == {"失信行为", "行政区划代码"}
    assert len(statements) < 20, [s[:50] for s in statements[:3]] + [s[:50] for s in statements[-40:]]
    assert session.scalar(select(func.count()).select_from(Complaint)) == len(result.filed)
    assert session.scalar(select(func.count()).select_from(ComplaintEvent)) == 2 * len(result.filed)
    row, cid, code = result.filed[0]
    c = complaints.by_code(session, code)
    assert (c.id, c.hotline_no, c.body_id, c.channel) == (cid, rows[row - 2]["hotline_no"], world.bureau.id, "hotline")
    unknown = session.scalar(select(Complaint).where(Complaint.hotline_no == "GD00003"))
    assert (unknown.body_id, unknown.region_code, unknown.department_code) == (None, "330100", None)
    assert session.scalar(select(func.count()).select_from(AuditEntry)
                          .where(AuditEntry.action == "complaint_import")) == 1
    again = complaint_import.import_rows(session, OFFICE, rows, today=DAY)
    assert again.filed == [] and again.unchanged == len(result.filed) + len(repeats)


def test_the_template_reads_back_and_lists_the_behaviours(session):
    from openpyxl import load_workbook

    data = complaint_import.template_bytes(complaints.policy(session))
    wb = load_workbook(io.BytesIO(data))
    assert [c.value for c in wb["12345工单"][1]][:3] == ["工单编号", "来电日期", "行政区划代码"]
    assert wb["失信行为清单"]["A1"].value == "以政府换届、相关责任人更替等理由毁约"
    assert complaint_import.read_xlsx(data) == []


def test_every_complaint_behaviour_is_on_the_behaviour_list(session):
    p = complaints.policy(session)
    assert set(p.complaints.behaviours) == set(complaints.behaviours(p)) and len(p.complaints.behaviours) >= 10


# --- substantiated → record ------------------------------------------------------------------

FACTS = {"debt_name": "某专项债", "debt_type": "政府负有偿还责任的债务", "violation_type": "逾期未偿还"}


def test_a_substantiated_complaint_becomes_a_record_once(session, world):
    from xinyong.records.models import Record

    c, _ = _file(session, world, behaviour="gov_debt_overdue", day=date(2026, 11, 2))
    DEPT = {"department_code": world.city_gov.code, "department_name": world.city_gov.name}
    day = date(2026, 11, 10)
    with refused(InvalidInput, "答复属实后"):
        complaints.make_record(session, OFFICE, c.id, decision_no="杭信认〔2026〕1号", facts=FACTS, today=day, **DEPT)
    complaints.take_step(session, OFFICE, c.id, "reply", finding="substantiated", reply="属实", today=day)
    session.commit()
    with pytest.raises(Forbidden):
        complaints.make_record(session, OFFICE_NB, c.id, decision_no="x", facts=FACTS, today=day, **DEPT)
    with refused(InvalidInput, "不能形成信用记录"):
        complaints.make_record(session, OFFICE, c.id, decision_no="杭信认〔2026〕1号", facts={}, today=day, **DEPT)
    session.rollback()
    try:
        complaints.make_record(session, OFFICE, c.id, decision_no="杭信认〔2026〕1号", facts=FACTS, today=day, **DEPT)
    except InvalidInput as exc:
        raise AssertionError(exc.zh) from None
    session.commit()
    record = session.get(Record, c.record_id)
    assert record.subject_id == world.bureau.id and record.category_code == "debt_default"
    assert record.source_id == f"complaint:{c.id}" and record.decision_no == "杭信认〔2026〕1号"
    assert record.status == "active"
    with refused(InvalidInput, "不能重复认定"):
        complaints.make_record(session, OFFICE, c.id, decision_no="杭信认〔2026〕2号", facts=FACTS, today=day, **DEPT)
    assert complaints.events(session, c.id)[-1].action == "recorded"


def test_an_unsubstantiated_or_unknown_body_complaint_makes_no_record(session, world):
    c, _ = _file(session, world, behaviour="gov_debt_overdue")
    complaints.take_step(session, OFFICE, c.id, "reply", finding="unsubstantiated", reply="不属实", today=DAY)
    with refused(InvalidInput, "属实或部分属实"):
        complaints.make_record(session, OFFICE, c.id, decision_no="x", facts=FACTS, today=DAY)
    u, _ = _file(session, body="某未登记单位", region="330106")
    complaints.take_step(session, OFFICE, u.id, "reply", finding="substantiated", reply="属实", today=DAY)
    with refused(InvalidInput, "尚未在平台登记"):
        complaints.make_record(session, OFFICE, u.id, decision_no="x", facts=FACTS, today=DAY)


# --- statistics ------------------------------------------------------------------------------


def test_public_statistics_by_region_and_body_one_statement_each(session, world, engine, count_queries):
    a, _ = _file(session, world)
    _file(session, world)
    _file(session, body="某某乡人民政府", region="330106")
    complaints.take_step(session, OFFICE, a.id, "reply", finding="substantiated", reply="属实", today=DAY)
    session.commit()
    with count_queries(engine) as q:
        by_region = complaints.stats_by_region(session)
        by_body = complaints.stats_by_body(session)
    assert q.count == 2
    assert [(r["key"], r["total"], r["substantiated"]) for r in by_region] == [("330100", 2, 1), ("330106", 1, 0)]
    assert by_body[0]["name"] == world.bureau.name and by_body[0]["total"] == 2 and by_body[0]["replied"] == 1


def test_overdue_complaints_appear_on_the_supervisors_board(session, world):
    from xinyong.supervision import service as supervision

    late, _ = _file(session, world)
    _file(session, world, day=date(2026, 2, 27))  # not yet due on 2 March
    _file(session, body="宁波某局", region="330200")
    day = date(2026, 3, 2)
    board = supervision.board(session, region="330100", year=2026, today=day)
    assert board.complaints_overdue == 1 and [(c.id, c.days) for c in board.complaints] == [(late.id, 2)]
    assert supervision.board(session, region=None, year=2026, today=day).complaints_overdue == 2
    complaints.daily(session, day)  # escalated to the province: still overdue-free until its new deadline
    session.commit()
    assert supervision.board(session, region="330000", year=2026, today=day).complaints_overdue == 0
