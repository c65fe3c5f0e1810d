"""Credit repair against the database: the conditions the data meets, a filing refused for an
unmet condition, a repeat, a record never repairable or another subject's; the whole path with
its deadlines and audit; an approval ending a blacklist entry, stopping the record hitting in a
check and reaching a department through the push; a revocation restoring all of it."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date

import pytest
from sqlalchemy import func, select

from tests.accounts.helpers import ensure_department
from tests.lists.helpers import body, record
from tests.redress.helpers import OFFICE, OFFICE_NB, PDF, PNG, subject_user
from xinyong.accounts.principal import cli_principal
from xinyong.audit.models import AuditEntry
from xinyong.checks import service as checks
from xinyong.core.clock import frozen_today
from xinyong.core.errors import Forbidden, InvalidInput
from xinyong.lists import service as lists
from xinyong.lists.models import ListEntry
from xinyong.push import service as push
from xinyong.push.models import PushMessage
from xinyong.records.models import Record, RecordVersion
from xinyong.redress import repair_rules as rules
from xinyong.redress import repairs
from xinyong.redress.models import Repair, RepairAttachment, RepairEvent
from xinyong.redress.service import Upload

DECIDED = date(2025, 11, 10)  # three months served on 2026-02-10
DAY = date(2026, 2, 12)  # a Thursday before the 2026 Spring Festival
PROOFS = [Upload("履行证明.pdf", PDF, "performance"), Upload("罚款缴纳凭证.png", PNG, "payment")]
SERIOUS_PROOFS = PROOFS + [Upload("培训证明.pdf", PDF, "training"), Upload("信用报告.pdf", PDF, "report")]


@contextmanager
def refused(error, words: str):
    with pytest.raises(error) as exc:
        yield exc
    assert words in exc.value.zh, exc.value.zh


@pytest.fixture
def world(session):
    with frozen_today(DAY):
        firm = body(session, "杭州修复食品有限公司")
        r = record(session, firm, "admin_penalty", "general", decided=DECIDED, days_shown=365)
        other = body(session, "杭州他人有限公司")
        r_other = record(session, other, "admin_penalty", "general", decided=DECIDED, days_shown=365)
        session.commit()
    return {"firm": firm, "record": r, "other_record": r_other, "me": subject_user(firm.id)}


def file(session, w, *, who=None, uploads=None, record_id=None, day=DAY, signed=True):
    case = repairs.file_repair(session, who or w["me"], record_id=record_id or w["record"].id,
                               reasons="已缴清罚款并完成整改", commitment_signed=signed,
                               uploads=PROOFS if uploads is None else uploads, today=day)
    session.commit()
    return case


def step(session, case, name, who=OFFICE, day=DAY, reasons=None):
    out = repairs.take_step(session, who, case.id, name, today=day, reasons=reasons)
    session.commit()
    return out


def snapshot(session):
    rows = [(r.id, r.status, r.version) for r in session.scalars(select(Record).order_by(Record.id))]
    entries = [(e.id, e.status) for e in session.scalars(select(ListEntry).order_by(ListEntry.id))]
    return (rows, entries, *(session.scalar(select(func.count()).select_from(t))
                             for t in (Repair, RepairEvent, RepairAttachment, AuditEntry, PushMessage)))


def test_the_page_shows_what_the_data_meets_before_anything_is_sent(session, world):
    before = snapshot(session)
    rec, ev = repairs.evaluate(session, world["me"], world["record"].id, today=DAY)
    assert rec.id == world["record"].id and ev.may_apply
    assert [c.code for c in ev.to_prove] == ["performance", "payment", "commitment"]
    assert snapshot(session) == before


def test_unmet_condition_refuses_the_filing_and_changes_nothing(session, world):
    before = snapshot(session)
    with refused(InvalidInput, "2026-02-10 起可以申请"):  # a day short of three months
        file(session, world, day=date(2026, 2, 9))
    session.rollback()
    with refused(InvalidInput, "缴纳罚款（履行处罚决定）的证明"):
        file(session, world, uploads=PROOFS[:1])
    session.rollback()
    with refused(InvalidInput, "签署信用承诺书"):
        file(session, world, signed=False)
    session.rollback()
    assert snapshot(session) == before


def test_repeat_blocks_a_new_repair(session, world):
    with frozen_today(DAY):
        record(session, world["firm"], "admin_penalty", "general", decided=date(2026, 1, 5))
        session.commit()
    with refused(InvalidInput, "12 个月内再次发生同类失信行为（2026-01-05）"):
        file(session, world)
    session.rollback()


def test_a_second_repair_of_the_category_within_a_year_is_a_repeat(session, world):
    case = file(session, world)
    step(session, case, "accept")
    step(session, case, "approve")
    with frozen_today(DAY):
        second = record(session, world["firm"], "admin_penalty", "general", decided=date(2025, 10, 1))
        session.commit()
    with refused(InvalidInput, "已修复过同类失信信息"):
        file(session, world, record_id=second.id, day=date(2026, 3, 2))


def test_never_repairable_and_not_mine_and_outside_the_region(session, world):
    with frozen_today(DAY):
        judged = record(session, world["firm"], "judicial_judgment", "general", decided=date(2024, 1, 1))
        session.commit()
    with refused(InvalidInput, "不适用信用修复"):
        file(session, world, record_id=judged.id, uploads=SERIOUS_PROOFS)
    session.rollback()
    with refused(Forbidden, "只能对本人（本单位）的信用记录申请信用修复"):
        file(session, world, record_id=world["other_record"].id)
    session.rollback()
    with refused(Forbidden, "不在您的地区权限范围内"):
        file(session, world, who=OFFICE_NB, uploads=PROOFS + [Upload("申请.pdf", PDF, "application")])
    session.rollback()
    with refused(InvalidInput, "书面修复申请的扫描件"):
        file(session, world, who=OFFICE)
    session.rollback()
    with refused(InvalidInput, "不是 PDF、PNG 或 JPEG"):
        file(session, world, uploads=[Upload("履行证明.pdf", b"PK\x03\x04" + b"\x00" * 40, "performance")])


def test_the_whole_path_with_deadlines_audit_and_every_refused_step(session, world):
    case = file(session, world)
    assert (case.status, case.accept_due) == ("filed", date(2026, 2, 24))  # across the Spring Festival
    assert case.commitment_text == rules.COMMITMENT_TEXT and case.commitment_signed_on == DAY
    # the commitments capability's hook turned the signed commitment into a commitment of the register
    assert case.commitment_id is not None and case not in repairs.pending_commitments(session)
    assert {a.kind for a in repairs.attachments(session, case.id)} == {"performance", "payment"}
    with refused(InvalidInput, "已有修复申请正在办理"):
        file(session, world)
    session.rollback()
    with refused(Forbidden, "只有信用办"):
        step(session, case, "accept", who=world["me"])
    session.rollback()
    with refused(Forbidden, "地区权限范围"):
        step(session, case, "accept", who=OFFICE_NB)
    session.rollback()
    step(session, case, "accept", day=date(2026, 2, 13))
    assert case.decide_due == date(2026, 3, 5)
    assert repairs.counts(session, OFFICE, today=date(2026, 3, 6))["overdue"] == 1
    with refused(InvalidInput, "不予修复须写明理由"):
        step(session, case, "reject")
    session.rollback()
    step(session, case, "approve", day=date(2026, 3, 2), reasons="符合条件")
    assert session.get(Record, world["record"].id).status == "repaired"
    for name in ("accept", "refuse", "approve", "reject"):
        before = snapshot(session)
        with pytest.raises(InvalidInput):
            repairs.take_step(session, OFFICE, case.id, name, today=date(2026, 3, 3), reasons="再次")
        session.rollback()
        assert snapshot(session) == before
    step(session, case, "revoke", day=date(2026, 3, 10), reasons="缴款凭证系伪造")
    assert [e.action for e in repairs.events(session, case.id)] == ["filed", "accepted", "approved", "revoked"]
    logged = list(session.scalars(select(AuditEntry.action).where(AuditEntry.entity == "repair").order_by(AuditEntry.seq)))
    assert logged == ["repair_file", "repair_accept", "repair_approve", "repair_revoke"]
    for name in rules.TRANSITIONS:
        with pytest.raises(InvalidInput):
            repairs.take_step(session, OFFICE, case.id, name, reasons="再次")
        session.rollback()


def test_refused_and_rejected_end_the_case(session, world):
    case = file(session, world)
    step(session, case, "refuse", reasons="材料不全")
    assert case.status == "refused" and session.get(Record, world["record"].id).status == "active"
    again = file(session, world)  # a refusal is no decision on the facts: a new application may follow
    step(session, again, "accept")
    step(session, again, "reject", reasons="罚款未缴清")
    assert again.status == "rejected" and session.get(Record, world["record"].id).status == "active"


def test_an_approved_repair_ends_a_blacklist_entry_reaches_a_department_and_a_revocation_restores_it(session):
    with frozen_today(DAY):
        hz = ensure_department(session, "330100")
        firm = body(session, "杭州黑名单食品有限公司")
        rec = record(session, firm, "admin_penalty", "serious", decided=date(2025, 1, 10), days_shown=1000)
        entry = lists.include(session, subject=firm, list_kind="blacklist", decision_no="杭市监列〔2025〕1号",
                              decided_by="杭州市市场监督管理局", decided_on=date(2025, 1, 20),
                              notified_on=date(2025, 1, 10), statement="已陈述申辩", reason="食品安全严重违法",
                              by="tester", record_id=rec.id)
        push.subscribe(session, hz, [firm.code], by="tester")
        session.commit()
        assert entry.status == "active"
        hits = checks.check_one(session, scenario="government_procurement", code=firm.code, purpose="测试核查",
                                who=cli_principal("tester")).hits
        assert any(h.source_id == rec.id for h in hits)
    me = subject_user(firm.id)
    case = repairs.file_repair(session, me, record_id=rec.id, reasons="已整改", commitment_signed=True,
                               uploads=SERIOUS_PROOFS, today=DAY)
    session.commit()
    step(session, case, "accept")
    seen = session.scalar(select(func.max(PushMessage.id))) or 0
    with frozen_today(DAY):
        step(session, case, "approve", reasons="符合修复条件")
        session.refresh(entry)
        assert (entry.status, entry.removal_reason, entry.removal_decision_no) == (
            "removed", "repair", f"信用修复决定（第 {case.id} 号）")
        assert case.ended_entries == [entry.id]
        r = session.get(Record, rec.id)
        assert r.status == "repaired"  # stays in the archive, shown as repaired
        assert session.scalar(select(RecordVersion.status).where(RecordVersion.record_id == rec.id)
                              .order_by(RecordVersion.version.desc()).limit(1)) == "active"
        after = checks.check_one(session, scenario="government_procurement", code=firm.code, purpose="测试核查",
                                 who=cli_principal("tester")).hits
        assert not any(h.source_id == rec.id for h in after)
        told = [(m.department_code, m.event) for m in session.scalars(
            select(PushMessage).where(PushMessage.id > seen).order_by(PushMessage.id))]
        assert (hz.code, "list_removed") in told and (hz.code, "record_status") in told
        removed = session.scalars(select(PushMessage).where(PushMessage.id > seen,
                                                            PushMessage.event == "list_removed")).first()
        assert removed.payload["removal_reason_name"] == "信用修复"
        assert lists.refresh(session).removed == {}  # already recorded: the refresh has nothing to do
        seen = session.scalar(select(func.max(PushMessage.id)))
        step(session, case, "revoke", reasons="培训证明系伪造")
        session.refresh(entry)
        assert (entry.status, entry.removal_reason, entry.removed_on) == ("active", None, None)
        assert session.get(Record, rec.id).status == "active"
        back = checks.check_one(session, scenario="government_procurement", code=firm.code, purpose="测试核查",
                                who=cli_principal("tester")).hits
        assert any(h.source_id == rec.id for h in back)
        told = [m.event for m in session.scalars(select(PushMessage).where(PushMessage.id > seen))]
        assert "list_included" in told and "record_status" in told


def test_queue_overdue_first_and_subject_sees_own(session, world):
    a = file(session, world)
    other = subject_user(world["other_record"].subject_id)
    b = file(session, world, who=other, record_id=world["other_record"].id, day=date(2026, 3, 2))
    assert [c.id for c in repairs.queue(session, OFFICE, today=date(2026, 3, 4))] == [a.id, b.id]
    assert [c.id for c in repairs.queue(session, OFFICE_NB, today=date(2026, 3, 4))] == []
    assert [c.id for c in repairs.queue(session, world["me"])] == [a.id]
    with refused(Forbidden, "只能查看本人"):
        repairs.ensure_reads(other, a)
    assert repairs.daily(session, date(2026, 3, 4)) == {"changed": 0, "overdue": 1, "due_today": 0,
                                                        "overdue_ids": [a.id]}


def test_the_daily_job_is_registered_and_changes_nothing(session, world):
    from xinyong.core import daily

    job = {j.name: j for j in daily.registered()}["redress.repairs"]
    file(session, world)
    before = snapshot(session)
    out = job.run(session, date(2026, 3, 4))
    assert out == {"note": "信用修复逾期未办结 1 件，今日到期 0 件"}
    assert snapshot(session) == before


def test_the_commitment_hook_sees_each_new_application(session, world, monkeypatch):
    seen = []
    monkeypatch.setattr(repairs, "commitment_hooks", [lambda s, case: seen.append((case.id, case.commitment_text))])
    case = file(session, world)
    assert seen == [(case.id, rules.COMMITMENT_TEXT)] and rules.COMMITMENT_KIND == "信用修复"


def test_the_signed_commitment_becomes_a_repair_commitment_in_the_register(session, world):
    from xinyong.commitments.models import Commitment
    from xinyong.commitments.rules import validate_code

    case = file(session, world)
    assert case.commitment_id is not None
    c = session.get(Commitment, case.commitment_id)
    assert (c.kind, c.subject_id, c.status, c.made_on, c.content, c.due_on) == (
        "credit_repair", world["firm"].id, "in_force", DAY, rules.COMMITMENT_TEXT, None)
    assert validate_code(c.code) == c.code and c.code.startswith(f"{case.region_code}{DAY:%Y%m%d}9")
    assert (c.accepting_code, c.disclosure) == (case.department_code, "limited")
    assert repairs.pending_commitments(session) == []
    # a second filing the same day in the same region takes the next serial
    rec2 = record(session, world["firm"], "admin_penalty", "general", decided=DECIDED, days_shown=365)
    with frozen_today(DAY):
        second = file(session, world, record_id=rec2.id)
    assert int(session.get(Commitment, second.commitment_id).code[14:]) == int(c.code[14:]) + 1
