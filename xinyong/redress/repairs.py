"""Credit repair (信用修复): the conditions a record meets, the application, the credit office's
steps, what an approval ends and what a revocation gives back, queues and the daily look.

Plain functions over a session; the caller commits. The same access as objections
(:mod:`xinyong.redress.service`): the subject for its own records, the credit office (role
``admin``) of the record's region on its behalf (with the written application scanned) and for
every later step; reading a case: the subject itself and that office.

An approval (准予修复):

- marks the record 已修复 (status ``repaired``, a new version through
  :func:`xinyong.records.revise.revise`): its display ends, it stays in the archive, and from
  that moment it no longer hits in any check (checks count only live records);
- ends the list entries that rest on the record (移出, reason 信用修复, through
  :func:`xinyong.lists.service.remove`, so the removal is an event of the entry and the lists'
  hooks tell the push);
- tells the departments that watch the subject (:func:`xinyong.push.service.on_records_changed`:
  a ``record_status`` message beside the lists' ``list_removed``).

A revocation (撤销修复, the documents proved false) gives the record its status back (another
version), puts back the entries the approval ended, and tells the departments again. Every step
is a row of the case file and an entry of the audit log; refusals raise before anything is
written.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xinyong.accounts.principal import Principal
from xinyong.audit.service import log_event
from xinyong.catalog import service as catalog_service
from xinyong.core.clock import today as _today
from xinyong.core.db import utcnow
from xinyong.core.errors import Forbidden, InvalidInput, NotFound
from xinyong.core.masking import mask_ids_in_text
from xinyong.lists import service as lists_service
from xinyong.lists.models import ListEntry
from xinyong.push import service as push
from xinyong.records.models import Record
from xinyong.records.revise import revise
from xinyong.redress import deadlines, files, queues
from xinyong.redress import repair_rules as rules
from xinyong.redress.models import Repair, RepairAttachment, RepairEvent
from xinyong.redress.service import MAX_TEXT, QUEUE_LIMIT, Upload, is_office

__all__ = ["Upload", "evaluate", "file_repair", "take_step", "queue", "counts", "daily", "pending_commitments"]

# Called with (session, repair) when an application with a signed commitment is filed: the
# commitments capability registers here to turn the commitment into a record of kind 信用修复.
commitment_hooks: list[Callable[[Session, Repair], None]] = []


# --- who may ---------------------------------------------------------------------------------


def is_source_department(who: Principal, case: Repair) -> bool:
    """``who`` is a user of the department that reported the record, in its region."""
    return (who.role == "reporter" and who.department_code is not None
            and who.department_code == case.department_code and who.covers(case.region_code))


def ensure_reads(who: Principal, case: Repair) -> None:
    if who.owns(case.subject_id):
        return
    if is_office(who) and who.covers(case.region_code):
        return
    if is_source_department(who, case) and case.sent_on is not None:
        return  # a case sent to it for verification
    if is_office(who):
        raise Forbidden("该修复申请所涉记录不在您的地区权限范围内", f"repair {case.id} is outside {who.label}'s scope")
    raise Forbidden("只能查看本人（本单位）提出的信用修复申请", f"repair {case.id} is not {who.label}'s")


def ensure_decides(who: Principal, case: Repair) -> None:
    if not is_office(who):
        raise Forbidden("只有信用办可以处理信用修复申请", f"{who.label} may not handle repairs")
    if not who.covers(case.region_code):
        raise Forbidden("该修复申请所涉记录不在您的地区权限范围内，应由记录所在地区的信用办处理",
                        f"repair {case.id} is outside {who.label}'s region")


def record_for(session: Session, who: Principal, record_id: int) -> Record:
    """The record ``who`` may ask to repair: the subject's own, or for the office one in its region."""
    record = session.get(Record, record_id)
    if record is None:
        raise NotFound(f"信用记录 {record_id} 不存在", f"record {record_id} does not exist")
    if who.role == "subject":
        if not who.owns(record.subject_id):
            raise Forbidden("只能对本人（本单位）的信用记录申请信用修复", "a subject repairs its own records only")
    elif is_office(who):
        if not who.covers(record.region_code):
            raise Forbidden("该记录不在您的地区权限范围内，不能代为申请信用修复",
                            f"region {record.region_code} is outside {who.label}'s")
    else:
        raise Forbidden("只有信用主体本人或信用办可以申请信用修复", f"{who.label} may not apply for repairs")
    return record


# --- the conditions --------------------------------------------------------------------------


def facts_of(session: Session, record: Record) -> rules.RecordFacts:
    """What the data says about ``record`` for the conditions: its category, periods, whether the
    subject stands on the serious-dishonesty list, other dishonest records and approved repairs of the category."""
    _, policy = catalog_service.active_version(session)
    category = policy.category(record.category_code)
    listed = session.scalar(select(func.count()).select_from(ListEntry).where(
        ListEntry.subject_id == record.subject_id, ListEntry.list_kind == "blacklist",
        ListEntry.status.in_(("proposed", "active")))) or 0
    others = session.scalars(select(Record.decision_date).where(
        Record.subject_id == record.subject_id, Record.category_code == record.category_code,
        Record.polarity == "dishonest", Record.id != record.id, Record.status != "revoked",
        Record.decision_date > record.decision_date))
    repaired = session.scalars(select(Repair.decided_on).where(
        Repair.subject_id == record.subject_id, Repair.category_code == record.category_code,
        Repair.status == "approved", Repair.record_id != record.id))
    open_case = session.scalar(select(Repair.id).where(Repair.record_id == record.id,
                                                       Repair.status.in_(rules.OPEN_STATUSES)).limit(1))
    return rules.RecordFacts(
        category=category, severity=record.severity, status=record.status, decision_date=record.decision_date,
        repair_from=record.repair_from, listed=bool(listed), later_records=tuple(others),
        earlier_repairs=tuple(d for d in repaired if d is not None), open_repair=open_case,
    )


def evaluate(session: Session, who: Principal, record_id: int, *, proofs_given=frozenset(),
             commitment_signed: bool = False, today: date | None = None) -> tuple[Record, rules.Evaluation]:
    """The record and its conditions on ``today``, as the application page shows them before
    anything is sent."""
    record = record_for(session, who, record_id)
    return record, rules.evaluate(facts_of(session, record), today or _today(), proofs_given=set(proofs_given),
                                  commitment_signed=commitment_signed)


def conditions_out(ev: rules.Evaluation) -> list[dict]:
    return [{"code": c.code, "name": c.name, "by": c.by, "met": c.met, "detail": c.detail, "blocks": c.blocks}
            for c in ev.conditions]


# --- reading ---------------------------------------------------------------------------------


def get(session: Session, case_id: int) -> Repair:
    case = session.get(Repair, case_id)
    if case is None:
        raise NotFound(f"信用修复申请 {case_id} 不存在", f"repair {case_id} does not exist")
    return case


def events(session: Session, case_id: int) -> list[RepairEvent]:
    return list(session.scalars(select(RepairEvent).where(RepairEvent.repair_id == case_id).order_by(RepairEvent.id)))


def attachments(session: Session, case_id: int) -> list[RepairAttachment]:
    q = select(RepairAttachment).where(RepairAttachment.repair_id == case_id).order_by(RepairAttachment.id)
    return list(session.scalars(q))


def attachment(session: Session, case: Repair, attachment_id: int) -> RepairAttachment:
    att = session.get(RepairAttachment, attachment_id)
    if att is None or att.repair_id != case.id:
        raise NotFound("附件不存在", f"repair {case.id} has no attachment {attachment_id}")
    return att


def due(case: Repair, today: date | None = None) -> rules.Due:
    return rules.current_due(case.status, case.accept_due, case.decide_due, today or _today())


def sent_to(session: Session, who: Principal, limit: int = QUEUE_LIMIT) -> list[Repair]:
    """The cases sent to ``who``'s department for verification (a reporter's queue): those
    waiting for its answer first, by the answer's deadline, then the answered ones."""
    if who.role != "reporter" or not who.department_code:
        raise Forbidden("只有认定部门可以查看转来核实的信用修复申请", f"{who.label} is no department")
    q = select(Repair).where(Repair.department_code == who.department_code, Repair.sent_on.is_not(None))
    cases = [c for c in session.scalars(q.order_by(Repair.id.desc()).limit(limit)) if who.covers(c.region_code)]
    return sorted(cases, key=lambda c: (c.status != "sent", (c.sent_due or c.filed_on).toordinal(), c.id))


def _visible(who: Principal):
    if who.role == "subject":
        return Repair.subject_id == (who.subject_id or -1)
    if not is_office(who):
        raise Forbidden("只有信用办和信用主体本人可以查看信用修复申请", f"{who.label} may not read repairs")
    scope = who.region_code
    if scope is None:
        return None
    if scope.endswith("0000"):
        return Repair.region_code.like(scope[:2] + "%")
    if scope.endswith("00"):
        return Repair.region_code.like(scope[:4] + "%")
    return Repair.region_code == scope


def queue(session: Session, who: Principal, *, status: str | None = None, today: date | None = None,
          limit: int = QUEUE_LIMIT) -> list[Repair]:
    """The cases ``who`` sees (``status``, ``"open"`` or all): overdue first, then by the date
    the next step is due, the finished ones last (newest first)."""
    return queues.queue(session, Repair, rules, _visible(who), status=status, day=today or _today(), limit=limit,
                        what="修复申请")


def counts(session: Session, who: Principal, today: date | None = None) -> dict[str, int]:
    """Cases by status in ``who``'s view, plus ``open`` and ``overdue`` (open and past their deadline)."""
    return queues.counts(session, Repair, rules, _visible(who), today or _today())


def pending_commitments(session: Session) -> list[Repair]:
    """The hook for the commitments capability: filed repairs whose signed commitment has not
    yet become a commitment record (kind :data:`repair_rules.COMMITMENT_KIND`)."""
    return list(session.scalars(select(Repair).where(Repair.commitment_id.is_(None)).order_by(Repair.id)))


# --- filing ----------------------------------------------------------------------------------


def _event(session: Session, case: Repair, action: str, day: date, by: str, note: str | None = None) -> None:
    session.add(RepairEvent(repair_id=case.id, action=action, on=day, by=by[:100], note=note, at=utcnow()))


def _audit(session: Session, who: Principal, case: Repair, action: str, before: dict | None, after: dict,
           request_id: str | None, ip: str | None) -> None:
    log_event(session, who=who, action=f"repair_{action}", entity="repair", entity_id=case.id,
              subject_id=case.subject_id, before=before, after=after, request_id=request_id, ip=ip)


def _state(case: Repair) -> dict:
    return {"status": case.status, "accept_due": case.accept_due, "decide_due": case.decide_due,
            "sent_due": case.sent_due, "dept_answer": case.dept_answer,
            "ended_entries": list(case.ended_entries or [])}


def file_repair(
    session: Session,
    who: Principal,
    *,
    record_id: int,
    reasons: str,
    commitment_signed: bool,
    uploads: list[Upload] | None = None,
    today: date | None = None,
    request_id: str | None = None,
    ip: str | None = None,
) -> Repair:
    """Apply to repair one record: every condition the data decides must be met, every one the
    applicant proves must carry its document, the commitment must be signed. Checked in full
    before anything is stored; the refusal names every unmet condition."""
    day = today or _today()
    uploads = list(uploads or [])
    text = (reasons or "").strip()
    if not text:
        raise InvalidInput("请说明纠正失信行为、履行义务的情况", "reasons are required", field="reasons")
    if len(text) > MAX_TEXT:
        raise InvalidInput(f"说明不能超过 {MAX_TEXT} 字", f"reasons longer than {MAX_TEXT}", field="reasons")
    if len(uploads) > files.MAX_FILES:
        raise InvalidInput(f"附件最多 {files.MAX_FILES} 个", f"at most {files.MAX_FILES} attachments", field="files")
    for u in uploads:
        if u.kind not in rules.ATTACHMENT_KINDS:
            raise InvalidInput("附件类别应为：" + "、".join(rules.ATTACHMENT_KINDS.values()),
                               f"unknown attachment kind {u.kind!r}", field="files")
        files.check(u.file_name, u.data)
    record = record_for(session, who, record_id)
    on_behalf = is_office(who)
    if on_behalf and not any(u.kind == "application" for u in uploads):
        raise InvalidInput("代信用主体申请信用修复，须上传其书面修复申请的扫描件", "a filing on behalf needs the written "
                           "application scanned", field="files")
    ev = rules.evaluate(facts_of(session, record), day, proofs_given={u.kind for u in uploads},
                        commitment_signed=commitment_signed)
    if not ev.repairable:
        raise InvalidInput(ev.refusal(), "the record cannot be repaired", field="record_id")
    if not ev.complete:
        raise InvalidInput(ev.refusal(), "repair conditions not met: " + ",".join(
            c.code for c in ev.blockers + ev.to_prove), field="record_id")
    accept_by = rules.accept_due(day, deadlines.active(session))
    case = Repair(
        subject_id=record.subject_id, record_id=record.id, region_code=record.region_code,
        department_code=record.department_code, department_name=record.department_name,
        category_code=record.category_code, severity=record.severity, reasons=mask_ids_in_text(text),
        filed_by=who.label[:100], on_behalf=on_behalf, filed_on=day, status="filed", conditions=conditions_out(ev),
        commitment_text=rules.COMMITMENT_TEXT, commitment_signed_on=day, accept_due=accept_by.due,
        due_provisional=accept_by.provisional, ended_entries=[], created_at=utcnow(), updated_at=utcnow(),
    )
    session.add(case)
    session.flush()
    for u in uploads:
        stored = files.store(u.file_name, u.data)
        session.add(RepairAttachment(repair_id=case.id, kind=u.kind, file_name=stored.file_name,
                                     media_type=stored.media_type, size=stored.size, sha256=stored.sha256,
                                     uploaded_by=who.label[:100], at=utcnow()))
    _event(session, case, "filed", day, who.label, "已签署信用承诺" + ("（信用办代为提出，附书面申请）" if on_behalf else ""))
    _audit(session, who, case, "file", None, {
        **_state(case), "record_id": record.id, "on_behalf": on_behalf,
        "attachments": [files.sha256_of(u.data) for u in uploads],
    }, request_id, ip)
    session.flush()
    for hook in commitment_hooks:
        hook(session, case)
    return case


# --- the credit office's steps ---------------------------------------------------------------


def take_step(
    session: Session,
    who: Principal,
    case_id: int,
    step: str,
    *,
    reasons: str | None = None,
    today: date | None = None,
    request_id: str | None = None,
    ip: str | None = None,
) -> Repair:
    """``accept``, ``refuse`` (reasons), ``approve`` (the record repaired, its list entries
    ended, departments told), ``reject`` (reasons), ``revoke`` (reasons: the documents proved
    false; everything the approval ended is given back)."""
    day = today or _today()
    case = get(session, case_id)
    ensure_decides(who, case)
    to = rules.next_status(case.status, step)
    if step in rules.DEPARTMENT_STEPS:
        raise Forbidden("认定部门的答复由记录的认定部门作出", f"{step} is the source department's step")
    note = (reasons or "").strip() or None
    if step in rules.REASONS_REQUIRED and not note:
        raise InvalidInput(f"{rules.STEP_NAMES[step]}须写明理由", f"{step} needs reasons", field="reasons")
    if note and len(note) > MAX_TEXT:
        raise InvalidInput(f"理由不能超过 {MAX_TEXT} 字", f"reasons longer than {MAX_TEXT}", field="reasons")
    before = _state(case)
    if step == "accept":
        case.accepted_on = day
        d = rules.decide_due(day, deadlines.active(session))
        case.decide_due, case.due_provisional = d.due, d.provisional
    elif step == "send":
        if not case.department_code:
            raise InvalidInput("该记录没有认定部门，不能转送核实", "the record names no source department")
        d = deadlines.active(session)
        sent = rules.sent_due(day, d)
        later = rules.extended_decide_due(case.decide_due or day, d)
        case.sent_on, case.sent_due = day, sent.due
        case.decide_due, case.due_provisional = later.due, later.provisional or sent.provisional
    elif step in ("refuse", "reject"):
        case.decided_on, case.decided_by, case.outcome_reasons = day, who.label[:100], note
    elif step == "approve":
        _approve(session, who, case, day)
        case.decided_on, case.decided_by, case.outcome_reasons = day, who.label[:100], note
    elif step == "revoke":
        _revoke(session, who, case, day, note or "")
        case.revoked_on, case.revoked_by, case.revoke_reasons = day, who.label[:100], note
    case.status = to
    case.updated_at = utcnow()
    _event(session, case, to, day, who.label, note)
    _audit(session, who, case, step, before, {**_state(case), "reasons": note}, request_id, ip)
    session.flush()
    return case


def answer(
    session: Session,
    who: Principal,
    case_id: int,
    answer_: str,
    *,
    reasons: str | None = None,
    today: date | None = None,
    request_id: str | None = None,
    ip: str | None = None,
) -> Repair:
    """The source department's answer to a case sent to it: ``confirm``, or ``dispute`` with
    reasons. The office decides after it."""
    day = today or _today()
    case = get(session, case_id)
    if not is_source_department(who, case):
        raise Forbidden("只有记录的认定部门可以答复转来核实的信用修复申请",
                        f"{who.label} is not repair {case.id}'s source department")
    to = rules.next_status(case.status, "answer")
    if answer_ not in rules.ANSWERS:
        raise InvalidInput("答复应为：confirm（确认）或 dispute（有异议）", f"unknown answer {answer_!r}", field="answer")
    note = (reasons or "").strip() or None
    if answer_ in rules.ANSWER_REASONS_REQUIRED and not note:
        raise InvalidInput("有异议的，须写明核实情况和理由", "a dispute needs reasons", field="reasons")
    if note and len(note) > MAX_TEXT:
        raise InvalidInput(f"理由不能超过 {MAX_TEXT} 字", f"reasons longer than {MAX_TEXT}", field="reasons")
    before = _state(case)
    case.dept_answer, case.dept_reasons = answer_, note
    case.dept_answered_on, case.dept_answered_by = day, who.label[:100]
    case.status = to
    case.updated_at = utcnow()
    _event(session, case, to, day, who.label, rules.ANSWERS[answer_] + (f"：{note}" if note else ""))
    _audit(session, who, case, "answer", before, {**_state(case), "answer": answer_, "reasons": note},
           request_id, ip)
    session.flush()
    return case


def _approve(session: Session, who: Principal, case: Repair, day: date) -> None:
    record = session.get(Record, case.record_id)
    if record is None:
        raise NotFound("修复申请所涉信用记录不存在", "the record is gone")
    if record.status != "active":
        from xinyong.records.models import STATUSES

        raise InvalidInput(f"该记录状态为“{STATUSES.get(record.status, record.status)}”，不能准予修复"
                           "（异议处理中的请先办结异议）", f"the record is {record.status}")
    case.record_status_before = record.status
    revise(session, record, user=who.label, status="repaired")
    entries = session.scalars(select(ListEntry).where(ListEntry.record_id == record.id,
                                                      ListEntry.status.in_(("proposed", "active")))
                              .order_by(ListEntry.id))
    ended = []
    for entry in entries:
        lists_service.remove(session, entry.id, reason="repair", by=who.label, on=day,
                             decision_no=f"信用修复决定（第 {case.id} 号）", note="信用修复：所依据的信用记录已修复")
        ended.append(entry.id)
    case.ended_entries = ended
    push.on_records_changed(session, [record.id])


def _revoke(session: Session, who: Principal, case: Repair, day: date, reasons: str) -> None:
    record = session.get(Record, case.record_id)
    if record is not None and record.status == "repaired":
        revise(session, record, user=who.label, status=case.record_status_before or "active")
    for entry_id in case.ended_entries or []:
        entry = session.get(ListEntry, entry_id)
        if entry is not None and entry.status == "removed" and entry.removal_reason == "repair":
            lists_service.restore(session, entry_id, by=who.label, on=day,
                                  note=f"信用修复（第 {case.id} 号）撤销，恢复列入：{reasons}"[:500])
    if record is not None:
        push.on_records_changed(session, [record.id])


# --- daily -----------------------------------------------------------------------------------


def daily(session: Session, today: date) -> dict:
    """Open repairs past their deadline and due today (:func:`xinyong.redress.queues.daily`)."""
    return queues.daily(session, Repair, rules, today)
