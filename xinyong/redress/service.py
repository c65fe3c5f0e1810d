"""Objections (异议): filing, the credit office's steps, queues and the daily look at deadlines.

Plain functions over a session; the caller commits. Who may do what is decided here, against
the case's region (the record's), so the API, the pages and a later CLI refuse alike:

- filing: the subject itself, for its own record or list entry only; or the credit office
  (role ``admin``) of the record's region on its behalf, with the subject's written application
  scanned and attached;
- every later step: the credit office of the record's region;
- reading a case: the subject itself, and the credit office of the region.

Filing marks the record 异议处理中 at once (第三十条: 作出异议标注) through the records package's
own change path (:func:`xinyong.records.revise.revise`, a new version), so the credit file and
every check show it; the decision lifts the mark, corrects the record (another version), or
revokes it, after which it no longer shows or hits. Every step is a row in the case file and an
entry in the audit log. Refusals raise :class:`~xinyong.core.errors.XinyongError` before
anything is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from xinyong.accounts.principal import Principal
from xinyong.audit.service import log_event
from xinyong.core.clock import today as _today
from xinyong.core.db import utcnow
from xinyong.core.errors import Forbidden, InvalidInput, NotFound
from xinyong.core.masking import mask_ids_in_text
from xinyong.lists import service as lists_service
from xinyong.lists.models import ListEntry
from xinyong.records.models import Record
from xinyong.records.revise import CORRECTABLE, revise
from xinyong.redress import deadlines, files, queues, rules
from xinyong.redress.models import Objection, ObjectionAttachment, ObjectionEvent

OFFICE_ROLES = ("admin",)  # the credit office (信用办)
MAX_TEXT = 2000
QUEUE_LIMIT = 500


@dataclass(frozen=True)
class Upload:
    """A file as the caller received it: its name, its bytes, and what it is for."""

    file_name: str
    data: bytes
    kind: str = "evidence"  # evidence (证明材料) / application (书面异议申请扫描件)


ATTACHMENT_KINDS = {"application": "书面异议申请（扫描件）", "evidence": "证明材料"}


# --- who may ---------------------------------------------------------------------------------


def is_office(who: Principal) -> bool:
    return who.role in OFFICE_ROLES


def ensure_reads(who: Principal, case: Objection) -> None:
    """The subject itself, or the credit office whose region covers the case."""
    if who.owns(case.subject_id):
        return
    if is_office(who) and who.covers(case.region_code):
        return
    if is_office(who):
        raise Forbidden("该异议所涉记录不在您的地区权限范围内", f"objection {case.id} is outside {who.label}'s scope")
    raise Forbidden("只能查看本人（本单位）提出的异议", f"objection {case.id} is not {who.label}'s")


def ensure_decides(who: Principal, case: Objection) -> None:
    if not is_office(who):
        raise Forbidden("只有信用办可以处理异议", f"{who.label} may not handle objections")
    if not who.covers(case.region_code):
        raise Forbidden("该异议所涉记录不在您的地区权限范围内，应由记录所在地区的信用办处理",
                        f"objection {case.id} is outside {who.label}'s region")


# --- reading ---------------------------------------------------------------------------------


def get(session: Session, case_id: int) -> Objection:
    case = session.get(Objection, case_id)
    if case is None:
        raise NotFound(f"异议 {case_id} 不存在", f"objection {case_id} does not exist")
    return case


def events(session: Session, case_id: int) -> list[ObjectionEvent]:
    q = select(ObjectionEvent).where(ObjectionEvent.objection_id == case_id).order_by(ObjectionEvent.id)
    return list(session.scalars(q))


def attachments(session: Session, case_id: int) -> list[ObjectionAttachment]:
    q = select(ObjectionAttachment).where(ObjectionAttachment.objection_id == case_id).order_by(ObjectionAttachment.id)
    return list(session.scalars(q))


def attachment(session: Session, case: Objection, attachment_id: int) -> ObjectionAttachment:
    att = session.get(ObjectionAttachment, attachment_id)
    if att is None or att.objection_id != case.id:
        raise NotFound("附件不存在", f"objection {case.id} has no attachment {attachment_id}")
    return att


def due(case: Objection, today: date | None = None) -> rules.Due:
    return rules.current_due(case.status, case.accept_due, case.decide_due, today or _today())


def _region_filter(who: Principal):
    """SQL: the cases inside ``who``'s region scope (the command line: all)."""
    scope = who.region_code
    if scope is None:
        return None
    if scope.endswith("0000"):
        return Objection.region_code.like(scope[:2] + "%")
    if scope.endswith("00"):
        return Objection.region_code.like(scope[:4] + "%")
    return Objection.region_code == scope


def _visible(who: Principal):
    if who.role == "subject":
        return Objection.subject_id == (who.subject_id or -1)
    if not is_office(who):
        raise Forbidden("只有信用办和信用主体本人可以查看异议", f"{who.label} may not read objections")
    return _region_filter(who)


def queue(session: Session, who: Principal, *, status: str | None = None, today: date | None = None,
          limit: int = QUEUE_LIMIT) -> list[Objection]:
    """The cases ``who`` sees (``status``, ``"open"`` or all): overdue first, then by the date
    the next step is due, the finished ones last (newest first)."""
    return queues.queue(session, Objection, rules, _visible(who), status=status, day=today or _today(), limit=limit,
                        what="异议")


def counts(session: Session, who: Principal, today: date | None = None) -> dict[str, int]:
    """Cases by status in ``who``'s view, plus ``open`` and ``overdue`` (open and past their deadline)."""
    return queues.counts(session, Objection, rules, _visible(who), today or _today())


# --- filing ----------------------------------------------------------------------------------


def _text(value: str | None, field: str, label: str, *, required: bool) -> str | None:
    value = (value or "").strip()
    if not value:
        if required:
            raise InvalidInput(f"请填写{label}", f"{field} is required", field=field)
        return None
    if len(value) > MAX_TEXT:
        raise InvalidInput(f"{label}不能超过 {MAX_TEXT} 字", f"{field} is longer than {MAX_TEXT}", field=field)
    return value


def _event(session: Session, case: Objection, action: str, day: date, by: str, note: str | None = None) -> None:
    session.add(ObjectionEvent(objection_id=case.id, action=action, on=day, by=by[:100], note=note, at=utcnow()))


def _audit(session: Session, who: Principal, case: Objection, action: str, before: dict | None, after: dict,
           request_id: str | None, ip: str | None) -> None:
    log_event(session, who=who, action=f"objection_{action}", entity="objection", entity_id=case.id,
              subject_id=case.subject_id, before=before, after=after, request_id=request_id, ip=ip)


def _state(case: Objection) -> dict:
    return {"status": case.status, "outcome": case.outcome, "accept_due": case.accept_due,
            "decide_due": case.decide_due}


def _earlier_decision(session: Session, *, record_id: int | None, entry_id: int | None, grounds: str
                      ) -> Objection | None:
    q = select(Objection).where(Objection.grounds == grounds, Objection.outcome == "kept")
    q = q.where(Objection.record_id == record_id) if record_id is not None else q.where(Objection.entry_id == entry_id)
    return session.scalars(q.order_by(Objection.id.desc()).limit(1)).first()


def _open_case(session: Session, *, record_id: int | None, entry_id: int | None) -> Objection | None:
    conds = []
    if record_id is not None:
        conds.append(Objection.record_id == record_id)
    if entry_id is not None:
        conds.append(Objection.entry_id == entry_id)
    q = select(Objection).where(or_(*conds), Objection.status.in_(rules.OPEN_STATUSES))
    return session.scalars(q.limit(1)).first()


@dataclass
class Target:
    """What an objection contests, found and checked against who files it."""

    record: Record | None
    entry: ListEntry | None
    subject_id: int
    region_code: str
    department: tuple[str | None, str | None]


def target(session: Session, who: Principal, *, record_id: int | None, entry_id: int | None) -> Target:
    """The record or list entry ``who`` may object to: the subject's own, or for the credit
    office one in its region; else a clear refusal."""
    if (record_id is None) == (entry_id is None):
        raise InvalidInput("请指明对哪一条信用记录或名单记录提出异议（二者选一）", "name one record or one list entry",
                           field="record_id")
    record: Record | None = None
    entry: ListEntry | None = None
    if record_id is not None:
        record = session.get(Record, record_id)
        if record is None:
            raise NotFound(f"信用记录 {record_id} 不存在", f"record {record_id} does not exist")
        t = Target(record, None, record.subject_id, record.region_code, (record.department_code, record.department_name))
    else:
        entry = session.get(ListEntry, entry_id)
        if entry is None:
            raise NotFound(f"名单记录 {entry_id} 不存在", f"list entry {entry_id} does not exist")
        if entry.record_id is not None:
            record = session.get(Record, entry.record_id)
        t = Target(record, entry, entry.subject_id, entry.region_code, (None, entry.decided_by))
    if who.role == "subject":
        if not who.owns(t.subject_id):
            raise Forbidden("只能对本人（本单位）的信用记录或名单记录提出异议", "a subject objects to its own records only")
    elif is_office(who):
        if not who.covers(t.region_code):
            raise Forbidden("该记录不在您的地区权限范围内，不能代为提出异议", f"region {t.region_code} is outside {who.label}'s")
    else:
        raise Forbidden("只有信用主体本人或信用办可以提出异议", f"{who.label} may not file objections")
    return t


def file_objection(
    session: Session,
    who: Principal,
    *,
    record_id: int | None = None,
    entry_id: int | None = None,
    grounds: str,
    reasons: str,
    new_facts: str | None = None,
    uploads: list[Upload] | None = None,
    today: date | None = None,
    request_id: str | None = None,
    ip: str | None = None,
) -> Objection:
    """File an objection against one record or one list entry, and mark the record
    异议处理中. Everything is checked before anything is stored."""
    day = today or _today()
    uploads = list(uploads or [])
    if grounds not in rules.GROUNDS:
        raise InvalidInput("请选择异议理由：" + "、".join(rules.GROUNDS.values()), f"unknown grounds {grounds!r}",
                           field="grounds")
    reasons_text = _text(reasons, "reasons", "异议的具体理由", required=True)
    facts_text = _text(new_facts, "new_facts", "新的事实和理由", required=False)
    if len(uploads) > files.MAX_FILES:
        raise InvalidInput(f"附件最多 {files.MAX_FILES} 个", f"at most {files.MAX_FILES} attachments", field="files")
    for u in uploads:
        if u.kind not in ATTACHMENT_KINDS:
            raise InvalidInput("附件类别应为书面申请或证明材料", f"unknown attachment kind {u.kind!r}", field="files")
        files.check(u.file_name, u.data)

    t = target(session, who, record_id=record_id, entry_id=entry_id)
    record, entry, subject_id, region, dept = t.record, t.entry, t.subject_id, t.region_code, t.department
    on_behalf = is_office(who)
    if on_behalf and not any(u.kind == "application" for u in uploads):
        raise InvalidInput("代信用主体提出异议，须上传其书面异议申请的扫描件", "a filing on behalf needs the written "
                           "application scanned", field="files")
    if entry is not None and entry.status not in ("proposed", "active"):
        raise InvalidInput("该名单记录已不在列，无需提出异议", "the list entry is no longer listed")
    if entry is None and record is not None and record.status != "active":
        if record.status == "under_objection":
            raise InvalidInput("该记录已有异议正在处理，请等待处理结果", "the record is under objection already")
        raise InvalidInput(f"该记录状态为“{_record_status_name(record.status)}”，不再公示和使用，无需提出异议",
                           f"the record is {record.status}")
    open_case = _open_case(session, record_id=record_id, entry_id=entry_id)
    if open_case is not None:
        raise InvalidInput(f"该记录已有异议正在处理（第 {open_case.id} 号），请等待处理结果",
                           f"objection {open_case.id} on it is still open")
    earlier = _earlier_decision(session, record_id=record_id, entry_id=entry_id, grounds=grounds)
    if earlier is not None and rules.same_grounds_repeat(earlier.outcome, facts_text):
        raise InvalidInput(
            f"该记录已就“{rules.GROUNDS[grounds]}”提出过异议（第 {earlier.id} 号），"
            f"{earlier.decided_on:%Y-%m-%d} 处理决定为维持原记录，理由：{earlier.outcome_reasons}。"
            "没有新的事实和证据的，不予重复受理；如有新的事实，请在“新的事实和理由”中写明。",
            f"objection {earlier.id} on the same grounds was decided (kept); no new facts given", field="new_facts")

    accept_by = rules.accept_due(day, deadlines.active(session))
    case = Objection(
        subject_id=subject_id, record_id=record_id, entry_id=entry_id, region_code=region,
        department_code=dept[0], department_name=dept[1], grounds=grounds,
        reasons=mask_ids_in_text(reasons_text or ""), new_facts=mask_ids_in_text(facts_text) if facts_text else None,
        filed_by=who.label[:100], on_behalf=on_behalf, filed_on=day, status="filed",
        accept_due=accept_by.due, due_provisional=accept_by.provisional, earlier_id=earlier.id if earlier else None,
        created_at=utcnow(), updated_at=utcnow(),
    )
    session.add(case)
    session.flush()
    if record is not None and record.status == "active":
        case.record_status_before = record.status
        revise(session, record, user=who.label, status="under_objection")
    for u in uploads:
        stored = files.store(u.file_name, u.data)
        session.add(ObjectionAttachment(objection_id=case.id, kind=u.kind, file_name=stored.file_name,
                                        media_type=stored.media_type, size=stored.size, sha256=stored.sha256,
                                        uploaded_by=who.label[:100], at=utcnow()))
    note = rules.GROUNDS[grounds] + ("（信用办代为提出，附书面申请）" if on_behalf else "")
    _event(session, case, "filed", day, who.label, note)
    _audit(session, who, case, "file", None, {
        **_state(case), "record_id": record_id, "entry_id": entry_id, "grounds": grounds,
        "on_behalf": on_behalf, "attachments": [files.sha256_of(u.data) for u in uploads],
    }, request_id, ip)
    session.flush()
    return case


def _record_status_name(code: str) -> str:
    from xinyong.records.models import STATUSES

    return STATUSES.get(code, code)


# --- the credit office's steps ---------------------------------------------------------------


def _restore(session: Session, case: Objection, who: Principal) -> None:
    """Lift the 异议处理中 mark the filing set (a refusal, a kept or a list-entry decision)."""
    record = _marked_record(session, case)
    if record is not None:
        revise(session, record, user=who.label, status=case.record_status_before or "active")


def _marked_record(session: Session, case: Objection) -> Record | None:
    if case.record_status_before is None:
        return None
    record_id = case.record_id
    if record_id is None and case.entry_id is not None:
        entry = session.get(ListEntry, case.entry_id)
        record_id = entry.record_id if entry is not None else None
    record = session.get(Record, record_id) if record_id is not None else None
    return record if record is not None and record.status == "under_objection" else None


def _corrections(record: Record, corrections: dict | None) -> dict:
    """The fields a correction changes, checked: only :data:`CORRECTABLE`, facts the record
    has or the catalog may name (never the hidden ``_`` keys), identity numbers masked."""
    corrections = {k: v for k, v in (corrections or {}).items() if v not in (None, "", {})}
    if not corrections:
        raise InvalidInput("更正须写明更正后的内容（决定文书号、主体名称或事实项）", "a correction names what changes",
                           field="corrections")
    unknown = set(corrections) - set(CORRECTABLE)
    if unknown:
        raise InvalidInput("只能更正决定文书号、主体名称和事实项；类别、严重程度和决定日期由认定部门重新报送",
                           f"cannot correct {sorted(unknown)}", field="corrections")
    out: dict = {}
    for name, value in corrections.items():
        if name == "facts":
            if not isinstance(value, dict) or any(not isinstance(k, str) or k.startswith("_") for k in value):
                raise InvalidInput("事实项应为“项目: 内容”", "facts is a mapping of fact names", field="corrections")
            out["facts"] = {k: mask_ids_in_text(str(v))[:MAX_TEXT] for k, v in value.items()}
        else:
            text = str(value).strip()
            if not text or len(text) > 200:
                raise InvalidInput("更正后的内容不能为空或超过 200 字", f"{name} is empty or too long", field="corrections")
            out[name] = text
    return out


def take_step(
    session: Session,
    who: Principal,
    case_id: int,
    step: str,
    *,
    reasons: str | None = None,
    outcome: str | None = None,
    corrections: dict | None = None,
    today: date | None = None,
    request_id: str | None = None,
    ip: str | None = None,
) -> Objection:
    """One step of the credit office on a case: ``accept``, ``refuse`` (reasons required),
    ``send`` (to the source department to verify: the decision may then take up to twenty
    working days from acceptance), ``decide`` (``outcome`` corrected / revoked / kept, with
    reasons; a correction names its ``corrections``), ``close``."""
    day = today or _today()
    case = get(session, case_id)
    ensure_decides(who, case)
    to = rules.next_status(case.status, step)
    before = _state(case)
    note = _text(reasons, "reasons", "理由", required=step in ("refuse", "decide"))
    if step == "accept":
        case.accepted_on = day
        d = rules.decide_due(day, deadlines=deadlines.active(session))
        case.decide_due, case.due_provisional = d.due, d.provisional
    elif step == "refuse":
        case.outcome, case.outcome_reasons, case.decided_on, case.decided_by = "refused", note, day, who.label[:100]
        _restore(session, case, who)
    elif step == "send":
        case.sent_on = day
        d = rules.decide_due(case.accepted_on or day, verified=True, deadlines=deadlines.active(session))
        case.decide_due, case.due_provisional = d.due, d.provisional
    elif step == "decide":
        if outcome not in rules.OUTCOMES:
            raise InvalidInput("请选择处理结果：更正、撤销或维持", f"unknown outcome {outcome!r}", field="outcome")
        _apply(session, who, case, outcome, note or "", corrections, day)
        case.outcome, case.outcome_reasons, case.decided_on, case.decided_by = outcome, note, day, who.label[:100]
    elif step == "close":
        case.closed_on = day
    case.status = to
    case.updated_at = utcnow()
    words = rules.OUTCOMES.get(outcome or "", "") if step == "decide" else ""
    _event(session, case, to, day, who.label, "：".join(x for x in (words, note or "") if x) or None)
    _audit(session, who, case, step, before, {**_state(case), "reasons": note}, request_id, ip)
    session.flush()
    return case


def _apply(session: Session, who: Principal, case: Objection, outcome: str, reasons: str, corrections: dict | None,
           day: date) -> None:
    """What a decision does to the record or entry."""
    if case.entry_id is not None:
        if outcome == "corrected":
            raise InvalidInput("对名单记录的异议只能撤销（移出名单）或维持", "a list entry is revoked or kept",
                               field="outcome")
        entry = session.get(ListEntry, case.entry_id)
        if outcome == "revoked" and entry is not None and entry.status in ("proposed", "active"):
            lists_service.remove(session, entry.id, reason="decision", by=who.label,
                                 decision_no=f"异议处理决定（第 {case.id} 号）", on=day, note=f"异议成立：{reasons}"[:500])
        _restore(session, case, who)
        return
    record = session.get(Record, case.record_id)
    if record is None:
        raise NotFound("异议所涉信用记录不存在", "the record is gone")
    back = case.record_status_before or record.status
    if outcome == "corrected":
        revise(session, record, user=who.label, status=back if record.status == "under_objection" else None,
               changes=_corrections(record, corrections))
    elif outcome == "revoked":
        revise(session, record, user=who.label, status="revoked")
    elif record.status == "under_objection":
        revise(session, record, user=who.label, status=back)


# --- daily -----------------------------------------------------------------------------------


def daily(session: Session, today: date) -> dict:
    """Open objections past their deadline and due today (:func:`xinyong.redress.queues.daily`)."""
    return queues.daily(session, Objection, rules, today)


def files_limit_bytes() -> int:
    """The attachment size limit (``XINYONG_REDRESS_ATTACHMENT_MAX_MB``) in bytes."""
    from xinyong.core.settings import get_settings

    return get_settings().redress_attachment_max_mb * 1024 * 1024
