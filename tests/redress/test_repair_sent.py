"""A repair sent to the record's source department for verification: the office sends it, the
department answers (confirm, or dispute with reasons) within its working-day deadline, then the
office decides. Every allowed and every refused transition of the path, who may take each, the
deadlines across the Spring Festival, and refusals changing nothing."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from tests.redress.helpers import OFFICE, OFFICE_NB, PDF, PNG, subject_user
from tests.redress.test_repairs import DAY, refused, snapshot, step, world  # noqa: F401
from xinyong.accounts.principal import Principal
from xinyong.audit.models import AuditEntry
from xinyong.core.errors import Forbidden, InvalidInput
from xinyong.redress import repair_rules as rules
from xinyong.redress import repairs
from xinyong.redress.service import Upload


def dept(code: str, region: str = "330100") -> Principal:
    return Principal(user_id=910, username="dept_hz", role="reporter", region_code=region, department_code=code,
                     via="session")


def filed(session, w):
    case = repairs.file_repair(session, w["me"], record_id=w["record"].id, reasons="已缴清罚款并完成整改",
                               commitment_signed=True, uploads=[Upload("履行证明.pdf", PDF, "performance"),
                                                                Upload("罚款缴纳凭证.png", PNG, "payment")],
                               today=DAY)
    session.commit()
    return case


def answer(session, case, who, value, reasons=None, day=date(2026, 2, 27)):
    out = repairs.answer(session, who, case.id, value, reasons=reasons, today=day)
    session.commit()
    return out


def test_sent_answered_then_decided(session, world):  # noqa: F811
    case = filed(session, world)
    source = dept(case.department_code)
    step(session, case, "accept", day=date(2026, 2, 13))
    assert case.decide_due == date(2026, 3, 5)
    with refused(Forbidden, "只有记录的认定部门"):  # not sent yet: nobody answers
        answer(session, case, dept("11330100MB0000000X"), "confirm")
    session.rollback()
    with refused(InvalidInput, "不能认定部门答复"):
        answer(session, case, source, "confirm")
    session.rollback()
    with refused(Forbidden, "不在您的地区权限范围"):
        step(session, case, "send", who=OFFICE_NB)
    session.rollback()
    step(session, case, "send", day=date(2026, 2, 13))
    # five working days for the department across the Spring Festival: 14 (make-up), 24..27
    assert (case.status, case.sent_on, case.sent_due) == ("sent", date(2026, 2, 13), date(2026, 2, 27))
    assert case.decide_due == date(2026, 3, 12)  # the decision moved on by the same five
    due = rules.current_due(case.status, case.accept_due, case.decide_due, date(2026, 3, 13))
    assert due.overdue and "认定部门" in due.what
    # the office may not decide, nor answer for the department
    for name, words in (("approve", "认定部门答复前不能作出决定"), ("reject", "认定部门答复前不能作出决定")):
        before = snapshot(session)
        with refused(InvalidInput, words):
            step(session, case, name, reasons="x")
        session.rollback()
        assert snapshot(session) == before
    with refused(Forbidden, "由记录的认定部门作出"):
        step(session, case, "answer")
    session.rollback()
    # the department reads the case once it is sent; another department or the subject cannot answer
    repairs.ensure_reads(source, case)
    with pytest.raises(Forbidden):
        repairs.ensure_reads(dept("11330100MB0000000X"), case)
    for who in (dept("11330100MB0000000X"), dept(case.department_code, "330200"), world["me"], OFFICE):
        with refused(Forbidden, "只有记录的认定部门"):
            answer(session, case, who, "confirm")
        session.rollback()
    with refused(InvalidInput, "confirm（确认）或 dispute"):
        answer(session, case, source, "maybe")
    session.rollback()
    with refused(InvalidInput, "须写明核实情况和理由"):
        answer(session, case, source, "dispute")
    session.rollback()
    assert [c.id for c in repairs.sent_to(session, source)] == [case.id]
    answer(session, case, source, "dispute", reasons="罚款尚有一笔未缴清")
    assert (case.status, case.dept_answer, case.dept_answered_on) == ("answered", "dispute", date(2026, 2, 27))
    for name in ("send", "answer"):
        with pytest.raises(InvalidInput):
            repairs.take_step(session, OFFICE, case.id, name)
        session.rollback()
    with refused(InvalidInput, "不能再次答复"):
        answer(session, case, source, "confirm")
    session.rollback()
    step(session, case, "reject", day=date(2026, 3, 2), reasons="认定部门核实：罚款未缴清")
    assert [e.action for e in repairs.events(session, case.id)] == ["filed", "accepted", "sent", "answered",
                                                                     "rejected"]
    logged = list(session.scalars(select(AuditEntry.action).where(AuditEntry.entity == "repair")
                                  .order_by(AuditEntry.seq)))
    assert logged == ["repair_file", "repair_accept", "repair_send", "repair_answer", "repair_reject"]
    with refused(InvalidInput, "不能再认定部门答复"):
        answer(session, case, source, "confirm")


def test_confirmed_then_approved(session, world):  # noqa: F811
    case = filed(session, world)
    step(session, case, "accept", day=date(2026, 2, 13))
    step(session, case, "send", day=date(2026, 2, 13))
    answer(session, case, dept(case.department_code), "confirm")
    step(session, case, "approve", day=date(2026, 3, 2), reasons="认定部门确认")
    assert case.status == "approved"
    mine = repairs.queue(session, subject_user(case.subject_id))
    assert [c.id for c in mine] == [case.id]


def test_the_department_queue_is_for_departments_only(session, world):  # noqa: F811
    with refused(Forbidden, "只有认定部门"):
        repairs.sent_to(session, OFFICE)
