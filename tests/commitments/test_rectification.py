"""限期整改: a dishonesty record on a government body opens a task (the import hook, else the daily
run), every allowed and refused step, overdue → reported to the superior body and a record for
the person the body had registered as principal on the day of the act (not the successor), and
the daily run changing nothing the second time."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from tests.commitments.helpers import TODAY, row
from tests.lists.helpers import body, designate, person
from xinyong.accounts.principal import Principal, cli_principal
from xinyong.audit.models import AuditEntry
from xinyong.commitments import rectification as rect
from xinyong.commitments import rectification_rules as rules
from xinyong.commitments import service
from xinyong.commitments.rectification_models import (
    RECT_STATUSES,
    Rectification,
    RectificationEvent,
)
from xinyong.core.clock import frozen_today
from xinyong.core.errors import Forbidden, InvalidInput
from xinyong.records.models import Record

WHO = cli_principal("credit_office")


def officer(region: str = "330100") -> Principal:
    return Principal(user_id=None, username=f"admin_{region}", role="admin", region_code=region, via="session")


def of_body(subject) -> Principal:
    return Principal(user_id=None, username="body_user", role="subject", region_code=None, subject_id=subject.id,
                     via="session")


def _breach(session, subject, **kw):
    """A commitment of ``subject`` past its due date, turned into a 违背信用承诺 record today."""
    c = service.create(session, row(subject, **kw), who=WHO, today=TODAY)
    with frozen_today(TODAY):
        service.daily_breaches(session, TODAY)
    session.refresh(c)
    return c


def _tasks(session) -> list[Rectification]:
    return list(session.scalars(select(Rectification).order_by(Rectification.id)))


# --- the rules, without a database -----------------------------------------------------------

ALLOWED = {
    ("open", "explain"): "explained", ("open", "progress"): "open", ("open", "evidence"): "open",
    ("explained", "progress"): "explained", ("explained", "evidence"): "explained",
    ("explained", "submit"): "submitted",
    ("submitted", "progress"): "submitted", ("submitted", "evidence"): "submitted",
    ("submitted", "return"): "explained", ("submitted", "close"): "closed",
}


@pytest.mark.parametrize("status", list(RECT_STATUSES))
@pytest.mark.parametrize("step", list(rules.STEPS))
def test_every_step_from_every_status_is_allowed_or_refused(status, step):
    assert rules.next_status(status, step) == ALLOWED.get((status, step))


def test_only_the_office_returns_and_closes():
    assert {s for s in rules.STEPS if rules.office_only(s)} == {"return", "close"}
    assert rules.next_status("open", "jump") is None


def test_deadline_in_working_days_and_the_escalation_cutoff():
    assert rules.due_date(date(2026, 6, 5), 1) == date(2026, 6, 8)  # Friday → Monday
    assert rules.is_overdue("explained", date(2026, 6, 8), date(2026, 6, 9))
    assert not rules.is_overdue("explained", date(2026, 6, 8), date(2026, 6, 8))
    assert not rules.is_overdue("closed", date(2026, 6, 8), date(2026, 7, 1))
    assert rules.escalation_cutoff(date(2026, 6, 9), 0) == date(2026, 6, 9)
    assert rules.escalation_cutoff(date(2026, 6, 9), 2) == date(2026, 6, 5)  # Tue → Mon, Fri


# --- opening -----------------------------------------------------------------------------------


def test_a_breach_record_on_a_government_body_opens_one_task_and_an_enterprise_none(session):
    bureau = body(session, "某区人力社保局", kind="gov_body", region="330106")
    firm = body(session, "某某科技有限公司", region="330106")
    c = _breach(session, bureau)
    _breach(session, firm, kind="告知承诺", list_kind=None, list_item=None)
    tasks = _tasks(session)
    assert len(tasks) == 1
    task = tasks[0]
    assert (task.record_id, task.body_id, task.region_code, task.status, task.opened_on, task.act_date) == (
        c.breach_record_id, bureau.id, "330106", "open", TODAY, TODAY)
    assert task.due_on == rules.due_date(TODAY, rect.policy_of(session).deadline_workdays)
    assert [e.action for e in rect.events(session, [task.id])[task.id]] == ["opened"]
    # the daily run finds nothing left to open, however often it runs
    assert rect.daily(session, TODAY) == {"opened": 0, "escalated": 0, "persons": 0, "rejected": 0}
    assert len(_tasks(session)) == 1


def test_the_daily_run_opens_a_task_the_hook_did_not(session):
    bureau = body(session, "某街道办事处", kind="gov_body", region="330106")
    c = _breach(session, bureau)
    session.query(RectificationEvent).delete()
    session.query(Rectification).delete()
    session.flush()
    assert rect.daily(session, TODAY)["opened"] == 1
    assert _tasks(session)[0].record_id == c.breach_record_id
    assert rect.daily(session, TODAY)["opened"] == 0


# --- steps -------------------------------------------------------------------------------------


def test_the_steps_of_a_task_from_explanation_to_closing_audited(session):
    bureau = body(session, "某区住建局", kind="gov_body", region="330106")
    _breach(session, bureau)
    task = _tasks(session)[0]
    day = date(2026, 6, 3)
    me, office = of_body(bureau), officer("330106")
    with pytest.raises(InvalidInput) as bad:
        rect.take_step(session, me, task.id, "submit", today=day)
    assert "待书面说明" in bad.value.zh and "申请验收" in bad.value.zh
    with pytest.raises(InvalidInput) as bad:
        rect.take_step(session, me, task.id, "explain", today=day, note="  ")
    assert bad.value.field == "note"
    rect.take_step(session, me, task.id, "explain", today=day, note="因人员调整未按期办结，已制定整改方案")
    rect.take_step(session, me, task.id, "progress", today=day, note="已完成积压件清理")
    with pytest.raises(InvalidInput):
        rect.take_step(session, me, task.id, "evidence", today=day)
    rect.take_step(session, me, task.id, "evidence", today=day, evidence="整改报告.pdf")
    rect.take_step(session, me, task.id, "submit", today=day)
    with pytest.raises(Forbidden):
        rect.take_step(session, me, task.id, "close", today=day, note="同意")
    with pytest.raises(InvalidInput):
        rect.take_step(session, office, task.id, "return", today=day)
    rect.take_step(session, office, task.id, "return", today=day, note="佐证不足")
    assert task.status == "explained"
    rect.take_step(session, me, task.id, "submit", today=day)
    rect.take_step(session, office, task.id, "close", today=day, note="验收合格")
    assert (task.status, task.closed_on, task.explained_on) == ("closed", day, day)
    for step in rules.STEPS:
        with pytest.raises(InvalidInput):
            rect.take_step(session, office, task.id, step, today=day, note="x", evidence="y")
    actions = [e.action for e in rect.events(session, [task.id])[task.id]]
    assert actions == ["opened", "explained", "progress", "evidence", "submitted", "returned", "submitted", "closed"]
    audited = session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.entity == "rectification"))
    assert audited == 7


def test_who_may_act_on_a_task(session):
    bureau = body(session, "某区教育局", kind="gov_body", region="330106")
    other = body(session, "某区卫健局", kind="gov_body", region="330106")
    _breach(session, bureau)
    task = _tasks(session)[0]
    with pytest.raises(Forbidden):
        rect.take_step(session, of_body(other), task.id, "explain", today=TODAY, note="x")
    with pytest.raises(Forbidden):
        rect.take_step(session, officer("330200"), task.id, "explain", today=TODAY, note="x")
    reporter = Principal(user_id=None, username="r", role="reporter", region_code="330106", via="session")
    with pytest.raises(Forbidden):
        rect.take_step(session, reporter, task.id, "explain", today=TODAY, note="x")
    with pytest.raises(InvalidInput):
        rect.take_step(session, officer("330106"), task.id, "fly", today=TODAY)
    # the office of the region may write the explanation on the body's behalf
    rect.take_step(session, officer("330100"), task.id, "explain", today=TODAY, note="信用办代为登记")
    assert task.status == "explained"


# --- overdue → superior body, responsible persons ---------------------------------------------


def test_overdue_is_reported_to_the_superior_body_and_the_principal_of_the_day_gets_a_record(session):
    gov = body(session, "某区人民政府", kind="gov_body", region="330106")
    bureau = body(session, "某区市场监管局", kind="gov_body", region="330106")
    bureau.parent_id = gov.id
    lone = body(session, "某县某乡人民政府", kind="gov_body", region="330110")
    old, _ric = person(session, "赵前任", kind="public_servant")
    new, _ric2 = person(session, "孙继任", kind="public_servant")
    rep, _ric3 = person(session, "李法人", kind="public_servant")
    designate(session, old, bureau, "principal", start=date(2020, 1, 1), end=date(2026, 6, 15))
    designate(session, new, bureau, "principal", start=date(2026, 6, 16))
    designate(session, rep, bureau, "financial_head", start=date(2020, 1, 1))  # a role the policy leaves out
    _breach(session, bureau)
    _breach(session, lone)
    late, alone = _tasks(session)
    closed_in_time = late.due_on
    # on the deadline itself nothing is overdue
    assert rect.daily(session, closed_in_time)["escalated"] == 0
    after = date.fromordinal(closed_in_time.toordinal() + 1)
    counts = rect.daily(session, after)
    assert counts == {"opened": 0, "escalated": 2, "persons": 1, "rejected": 0}
    session.refresh(late)
    session.refresh(alone)
    assert (late.escalated_on, late.escalated_to_id, late.escalated_region) == (after, gov.id, "330106")
    assert (alone.escalated_to_id, alone.escalated_region) == (None, "330100")  # no parent: the city above
    written = rect.person_records(session, late.id)
    assert [(r.subject_id, r.category_code, r.department_code) for r in written] == [
        (old.id, "accountability_decision", gov.code)]
    assert written[0].facts["accountability_type"].startswith("通报批评") and "主要负责人" in written[0].facts[
        "accountability_facts"]
    assert rect.person_records(session, alone.id) == []  # nobody registered: nobody guessed
    # the second run, that day or the next, changes nothing
    assert rect.daily(session, after) == {"opened": 0, "escalated": 0, "persons": 0, "rejected": 0}
    assert rect.daily(session, date.fromordinal(after.toordinal() + 1))["escalated"] == 0
    n = session.scalar(select(func.count()).select_from(Record).where(Record.category_code == "accountability_decision"))
    assert n == 1
    assert [e.action for e in rect.events(session, [late.id])[late.id]] == ["opened", "escalated", "persons"]


def test_a_closed_task_is_not_reported(session):
    bureau = body(session, "某区交通局", kind="gov_body", region="330106")
    _breach(session, bureau)
    task = _tasks(session)[0]
    for step, note in (("explain", "说明"), ("submit", None), ("close", "合格")):
        rect.take_step(session, WHO, task.id, step, today=TODAY, note=note)
    assert rect.daily(session, date(2027, 1, 1))["escalated"] == 0


def test_the_board_counts_by_region_and_status(session):
    a = body(session, "某区甲局", kind="gov_body", region="330106")
    b = body(session, "某区乙局", kind="gov_body", region="330108")
    _breach(session, a)
    _breach(session, b)
    _breach(session, b)
    task = _tasks(session)[1]
    rect.take_step(session, WHO, task.id, "explain", today=TODAY, note="说明")
    late = date(2027, 1, 1)
    rows = {r.region_code: r for r in rect.board(session, officer("330100"), today=late)}
    assert rows["330106"].counts == {"open": 1, "explained": 0, "submitted": 0, "closed": 0}
    assert rows["330108"].counts["explained"] == 1 and rows["330108"].total == 2 and rows["330108"].overdue == 2
    assert [r.region_code for r in rect.board(session, officer("330108"), today=late)] == ["330108"]
    assert len(rect.search(session, officer("330100"), today=late, status="overdue")) == 3
    assert len(rect.search(session, of_body(a), today=late)) == 1


def test_the_rectification_run_is_a_registered_daily_job():
    from xinyong.core import daily

    names = [j.name for j in daily.registered()]
    assert names.index("commitments.breaches") < names.index("commitments.rectifications")
