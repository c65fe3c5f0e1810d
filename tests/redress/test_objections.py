"""Objections against the database: filing marks the record and flags it in checks, each step
of the credit office with its deadline, the three outcomes, a revoked record leaving the
check, the repeat rule, the audit trail, and every bad input refused with nothing changed."""

from __future__ import annotations

import hashlib
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.lists.helpers import person, record
from tests.redress.helpers import CHECKER, DOCX, JPEG, OFFICE, OFFICE_NB, PDF, PNG, subject_user
from xinyong.accounts.principal import cli_principal
from xinyong.audit.models import AuditEntry
from xinyong.checks import service as checks
from xinyong.core.clock import frozen_today
from xinyong.core.errors import Forbidden, InvalidInput, NotFound
from xinyong.records.models import Record, RecordVersion
from xinyong.redress import files, rules
from xinyong.redress import service as objections
from xinyong.redress.models import Objection, ObjectionAttachment, ObjectionEvent
from xinyong.redress.service import Upload

DAY = date(2026, 2, 12)


@contextmanager
def refused(error, words: str):
    """Raises ``error`` whose Chinese message holds ``words``."""
    with pytest.raises(error) as exc:
        yield exc
    assert words in exc.value.zh, exc.value.zh  # a Thursday before the 2026 Spring Festival


@pytest.fixture
def case_world(session):
    with frozen_today(DAY):
        p, ric = person(session, "吕异议")
        r = record(session, p, "judicial_judgment", "general", days_shown=200)
        other, _ = person(session, "钱他人", born=date(1991, 4, 5))
        r_other = record(session, other, "judicial_judgment", "general", days_shown=200)
        session.commit()
    return {"subject": p, "ric": ric, "record": r, "other_record": r_other, "me": subject_user(p.id)}


def file(session, w, **kw):
    args = {"record_id": w["record"].id, "grounds": "fact_error", "reasons": "该判决已被再审撤销",
            "uploads": [Upload("再审判决书.pdf", PDF)], "today": DAY}
    args.update(kw)
    case = objections.file_objection(session, kw.pop("who", None) or w["me"], **{k: v for k, v in args.items() if k != "who"})
    session.commit()
    return case


def step(session, case, name, who=OFFICE, day=DAY, **kw):
    out = objections.take_step(session, who, case.id, name, today=day, **kw)
    session.commit()
    return out


def check(session, ric, day=DAY):
    with frozen_today(day):
        return checks.check_one(session, scenario="civil_servant_recruitment", code=ric, purpose="测试核查",
                                who=cli_principal("tester"))


def snapshot(session, case_id=None):
    """What a refused request must leave as it was."""
    rows = [(r.id, r.status, r.version, r.decision_no) for r in session.scalars(select(Record).order_by(Record.id))]
    case = session.get(Objection, case_id) if case_id else None
    return (rows, session.scalar(select(func.count()).select_from(Objection)),
            session.scalar(select(func.count()).select_from(ObjectionEvent)),
            session.scalar(select(func.count()).select_from(ObjectionAttachment)),
            session.scalar(select(func.count()).select_from(AuditEntry)),
            (case.status, case.outcome, case.decide_due) if case else None)


def test_filing_marks_the_record_and_a_check_still_reports_it_flagged(session, case_world):
    w = case_world
    before = check(session, w["ric"])
    assert before.hits and not any(h.under_objection for h in before.hits)
    case = file(session, w)
    assert case.status == "filed" and case.accept_due == date(2026, 2, 14)  # the make-up Saturday
    rec = session.get(Record, w["record"].id)
    assert rec.status == "under_objection" and rec.version == 2
    assert session.scalar(select(RecordVersion.status).where(RecordVersion.record_id == rec.id)) == "active"
    result = check(session, w["ric"])
    assert result.check.outcome_kind == "mandatory"  # still reported …
    assert all(h.under_objection for h in result.hits if h.source_id == rec.id)  # … and flagged
    again = checks.stored_result(session, result.check)
    assert all(h.under_objection for h in again.hits if h.source_id == rec.id)
    from xinyong.checks.schemas import CheckOut

    out = CheckOut.build(result, result.policy)
    assert any(h.under_objection for h in out.hits)
    from xinyong.records.service import status_name

    assert status_name(rec.status) == "异议处理中"


def test_the_whole_path_kept_and_closed_with_its_deadlines_and_audit(session, case_world):
    w = case_world
    case = file(session, w)
    step(session, case, "accept", day=date(2026, 2, 13))
    assert (case.status, case.decide_due) == ("accepted", date(2026, 2, 27))
    step(session, case, "send", day=date(2026, 2, 24), reasons="请市中级法院核实再审情况")
    assert (case.status, case.decide_due) == ("sent", date(2026, 3, 19))  # twenty working days from acceptance
    step(session, case, "decide", day=date(2026, 3, 10), outcome="kept", reasons="再审维持原判")
    assert (case.status, case.outcome) == ("decided", "kept")
    rec = session.get(Record, w["record"].id)
    assert rec.status == "active" and rec.version == 3
    step(session, case, "close", day=date(2026, 3, 11))
    assert case.status == "closed" and case.closed_on == date(2026, 3, 11)
    actions = [e.action for e in objections.events(session, case.id)]
    assert actions == ["filed", "accepted", "sent", "decided", "closed"]
    logged = list(session.scalars(select(AuditEntry.action).where(AuditEntry.entity == "objection")
                                  .order_by(AuditEntry.seq)))
    assert logged == ["objection_file", "objection_accept", "objection_send", "objection_decide", "objection_close"]
    # a closed case takes no further step, and a refused step changes nothing
    for name in rules.TRANSITIONS:
        before = snapshot(session, case.id)
        with pytest.raises(InvalidInput):
            objections.take_step(session, OFFICE, case.id, name, today=date(2026, 3, 12), outcome="revoked",
                                 reasons="再次决定")
        session.rollback()
        assert snapshot(session, case.id) == before


def _case_at(session, w, status: str) -> Objection:
    case = file(session, w)
    path = {"filed": [], "accepted": ["accept"], "sent": ["accept", "send"], "decided": ["accept", "decide"],
            "closed": ["accept", "decide", "close"], "refused": ["refuse"]}[status]
    for name in path:
        step(session, case, name, outcome="kept", reasons="理由")
    assert case.status == status
    return case


@pytest.mark.parametrize("status", list(rules.STATUSES))
def test_every_refused_step_of_every_status_changes_nothing(session, case_world, status):
    case = _case_at(session, case_world, status)
    for name in rules.TRANSITIONS:
        if name in rules.allowed_steps(status):
            continue
        before = snapshot(session, case.id)
        with pytest.raises(InvalidInput) as exc:
            objections.take_step(session, OFFICE, case.id, name, today=DAY, outcome="revoked", reasons="理由")
        assert any("\u4e00" <= ch <= "\u9fff" for ch in exc.value.zh)
        session.rollback()
        assert snapshot(session, case.id) == before


def test_refusal_lifts_the_mark(session, case_world):
    case = file(session, case_world)
    with refused(InvalidInput, "请填写理由"):
        objections.take_step(session, OFFICE, case.id, "refuse", today=DAY)
    session.rollback()
    step(session, case, "refuse", reasons="未说明具体理由和依据")
    assert (case.status, case.outcome) == ("refused", "refused")
    assert session.get(Record, case_world["record"].id).status == "active"


def test_a_revoked_objection_removes_the_record_from_a_check(session, case_world):
    w = case_world
    case = file(session, w)
    step(session, case, "accept")
    step(session, case, "decide", outcome="revoked", reasons="原判决已被再审撤销")
    rec = session.get(Record, w["record"].id)
    assert rec.status == "revoked"
    result = check(session, w["ric"])
    assert not any(h.source_id == rec.id for h in result.hits)
    assert result.check.outcome_kind != "mandatory"
    with refused(InvalidInput, "已撤销"):
        file(session, w)  # nothing left to object to


def test_a_correction_is_a_new_version_and_lifts_the_mark(session, case_world):
    w = case_world
    case = file(session, w, grounds="text_error", reasons="文书号有误")
    step(session, case, "accept")
    with refused(InvalidInput, "更正须写明"):
        objections.take_step(session, OFFICE, case.id, "decide", today=DAY, outcome="corrected", reasons="笔误")
    session.rollback()
    with refused(InvalidInput, "只能更正"):
        objections.take_step(session, OFFICE, case.id, "decide", today=DAY, outcome="corrected", reasons="笔误",
                             corrections={"severity": "serious"})
    session.rollback()
    old_no = w["record"].decision_no
    step(session, case, "decide", outcome="corrected", reasons="文书号笔误，予以更正",
         corrections={"decision_no": "测〔2026〕更正号", "facts": {"note": "身份证 330106199003040012 误写"}})
    rec = session.get(Record, w["record"].id)
    assert rec.decision_no == "测〔2026〕更正号" and rec.status == "active"
    assert "330106199003040012" not in rec.facts["note"]  # identity numbers masked as everywhere
    versions = list(session.scalars(select(RecordVersion).where(RecordVersion.record_id == rec.id)
                                    .order_by(RecordVersion.version)))
    assert [v.status for v in versions] == ["active", "under_objection"]
    assert versions[-1].decision_no == old_no and rec.version == 3


def test_a_repeat_without_new_facts_is_refused_citing_the_earlier_decision(session, case_world):
    w = case_world
    first = file(session, w)
    step(session, first, "accept")
    step(session, first, "decide", outcome="kept", reasons="判决合法有效")
    step(session, first, "close")
    before = snapshot(session)
    with pytest.raises(InvalidInput) as exc:
        file(session, w, today=DAY + timedelta(days=20))
    assert f"第 {first.id} 号" in exc.value.zh and "判决合法有效" in exc.value.zh and "维持" in exc.value.zh
    session.rollback()
    assert snapshot(session) == before
    other_grounds = file(session, w, grounds="overdue", reasons="已超过披露期限")  # other grounds: a new case
    step(session, other_grounds, "refuse", reasons="未超期")
    with_new_facts = file(session, w, new_facts="再审判决已于 3 月撤销原判，附判决书")
    assert with_new_facts.earlier_id == first.id and with_new_facts.status == "filed"


def test_an_open_case_blocks_a_second_filing(session, case_world):
    case = file(session, case_world)
    before = snapshot(session)
    with refused(InvalidInput, "异议正在处理"):
        file(session, case_world, grounds="omission")
    session.rollback()
    assert snapshot(session) == before and case.status == "filed"


def test_bad_inputs_are_refused_in_chinese_and_change_nothing(session, case_world, data_dir, monkeypatch):
    w = case_world
    before = snapshot(session)
    cases = [
        (Forbidden, "只能对本人", dict(record_id=w["other_record"].id)),
        (Forbidden, "只有信用主体本人或信用办", dict(who=CHECKER)),
        (Forbidden, "不在您的地区权限范围", dict(who=OFFICE_NB, uploads=[Upload("申请.pdf", PDF, "application")])),
        (InvalidInput, "书面异议申请的扫描件", dict(who=OFFICE)),
        (InvalidInput, "不是 PDF、PNG 或 JPEG", dict(uploads=[Upload("证明.pdf", DOCX)])),
        (InvalidInput, "不是 PDF、PNG 或 JPEG", dict(uploads=[Upload("证明.gif", b"GIF89a" + b"\0" * 10)])),
        (InvalidInput, "空文件", dict(uploads=[Upload("空.pdf", b"")])),
        (InvalidInput, "请选择异议理由", dict(grounds="dislike")),
        (InvalidInput, "请填写异议的具体理由", dict(reasons="  ")),
        (InvalidInput, "二者选一", dict(record_id=None)),
        (NotFound, "不存在", dict(record_id=999999)),
    ]
    for error, words, kw in cases:
        with pytest.raises(error) as exc:
            file(session, w, **kw)
        assert words in exc.value.zh, (kw, exc.value.zh)
        session.rollback()
        assert snapshot(session) == before, kw
    monkeypatch.setenv("XINYONG_REDRESS_ATTACHMENT_MAX_MB", "1")
    from xinyong.core import settings

    settings.reset_settings()
    with refused(InvalidInput, "超过大小上限 1 MB"):
        file(session, w, uploads=[Upload("大.pdf", PDF + b"0" * (1024 * 1024))])
    session.rollback()
    assert snapshot(session) == before
    assert not (data_dir / "redress").exists()  # no file kept for a refused filing


def test_a_decision_outside_the_region_and_by_a_non_office_changes_nothing(session, case_world):
    case = file(session, case_world)
    for who, words in ((OFFICE_NB, "不在您的地区权限范围"), (CHECKER, "只有信用办"),
                       (case_world["me"], "只有信用办")):
        before = snapshot(session, case.id)
        with pytest.raises(Forbidden) as exc:
            objections.take_step(session, who, case.id, "accept", today=DAY)
        assert words in exc.value.zh
        session.rollback()
        assert snapshot(session, case.id) == before
    with pytest.raises(Forbidden):
        objections.ensure_reads(OFFICE_NB, case)
    with pytest.raises(Forbidden):
        objections.ensure_reads(subject_user(case_world["other_record"].subject_id), case)
    objections.ensure_reads(case_world["me"], case)
    objections.ensure_reads(OFFICE, case)


def test_the_office_files_on_behalf_with_the_written_application(session, case_world, data_dir):
    case = file(session, case_world, who=OFFICE, uploads=[Upload("书面申请.jpg", JPEG, "application"),
                                                          Upload("证明.png", PNG)])
    assert case.on_behalf and case.filed_by == OFFICE.label
    atts = objections.attachments(session, case.id)
    assert [(a.kind, a.media_type) for a in atts] == [("application", "image/jpeg"), ("evidence", "image/png")]
    assert atts[0].sha256 == hashlib.sha256(JPEG).hexdigest()
    stored = files.path_of(atts[0].sha256)
    assert stored.is_file() and str(stored).startswith(str(data_dir)) and files.read(atts[0].sha256) == JPEG
    stored.write_bytes(JPEG + b"changed")
    with refused(InvalidInput, "校验和不符"):
        files.read(atts[0].sha256)


def test_the_queue_puts_overdue_first_and_counts(session, case_world):
    w = case_world
    late = file(session, w)  # accept due 14 February
    fresh = file(session, w, record_id=w["other_record"].id, who=OFFICE,
                 uploads=[Upload("申请.pdf", PDF, "application")], today=date(2026, 2, 26))  # due 2 March
    day = date(2026, 2, 27)
    queue = objections.queue(session, OFFICE, status="open", today=day)
    assert [c.id for c in queue] == [late.id, fresh.id]
    assert objections.due(late, day).overdue and not objections.due(fresh, day).overdue
    counts = objections.counts(session, OFFICE, today=day)
    assert counts["filed"] == 2 and counts["overdue"] == 1 and counts["open"] == 2
    assert objections.queue(session, OFFICE_NB, today=day) == []
    assert [c.id for c in objections.queue(session, w["me"], today=day)] == [late.id]
    with pytest.raises(Forbidden):
        objections.queue(session, CHECKER)
    report = objections.daily(session, day)
    assert report["overdue"] == 1 and report["changed"] == 0
    assert objections.daily(session, day) == report  # a second run the same day: the same, nothing changed


def _entry(session, subject, record_id=None):
    from xinyong.catalog import service as catalog_service
    from xinyong.lists.models import ListEntry

    vid, _ = catalog_service.active_version(session)
    e = ListEntry(subject_id=subject.id, list_kind="watchlist", basis="decision", region_code=subject.region_code,
                  record_id=record_id, decision_no="测〔2026〕名单1号", decided_by="杭州市某局", reason="测试列入",
                  status="active", notified_on=DAY, effective_from=DAY, policy_version_id=vid, created_by="test")
    session.add(e)
    session.commit()
    return e


def test_an_objection_to_a_list_entry_revoked_takes_it_off_the_list(session, case_world):
    w = case_world
    entry = _entry(session, w["subject"], record_id=w["record"].id)
    case = file(session, w, record_id=None, entry_id=entry.id, grounds="wrong_listing", reasons="不符合列入条件")
    assert case.entry_id == entry.id and session.get(Record, w["record"].id).status == "under_objection"
    step(session, case, "accept")
    with refused(InvalidInput, "只能撤销（移出名单）或维持"):
        objections.take_step(session, OFFICE, case.id, "decide", today=DAY, outcome="corrected", reasons="更正",
                             corrections={"decision_no": "x"})
    session.rollback()
    step(session, case, "decide", outcome="revoked", reasons="不符合严重失信名单条件")
    session.refresh(entry)
    assert entry.status == "removed" and entry.removal_reason == "decision"
    assert entry.removal_decision_no == f"异议处理决定（第 {case.id} 号）"
    assert session.get(Record, w["record"].id).status == "active"  # the record itself was not contested
    other = _entry(session, w["subject"])
    with refused(Forbidden, "只能对本人"):
        objections.file_objection(session, subject_user(w["other_record"].subject_id), entry_id=other.id,
                                  grounds="wrong_listing", reasons="不是我的", today=DAY)
