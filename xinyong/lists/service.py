"""The lists as use cases: refresh the rule-based listings, decide a listing, remove one, hear a
subject's statement, publish, export, load grades.

:func:`refresh` is set-based: one ``INSERT … SELECT`` per list rule (a handful, whatever the
number of subjects), then one ``INSERT`` of events and one ``UPDATE`` per state change. It is
idempotent (an entry is made once per record and list) and runs from ``xinyong lists refresh``,
after the demo builds its data, and after every import batch (a records hook). Which entries
count on a day is :func:`in_force` — the one condition checks and the published lists share;
it also drops an entry whose record is no longer shown even before the next refresh.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import and_, case, exists, func, insert, literal, or_, select, text, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import BindParameter, ColumnElement

from xinyong.catalog import service as catalog_service
from xinyong.catalog.schemas import PolicySet
from xinyong.core import regions
from xinyong.core.clock import today as _today
from xinyong.core.db import utcnow
from xinyong.core.errors import InvalidInput, NotFound, XinyongError
from xinyong.lists import hooks, rules
from xinyong.lists.models import ListEntry, ListEntryEvent, SubjectGrade, newest_grade
from xinyong.records.models import LIVE_STATUSES, Record
from xinyong.records.service import displayed
from xinyong.subjects.identity import lookup_key, lookup_keys
from xinyong.subjects.models import NATURAL_KINDS, Subject


class ListingRefused(XinyongError):
    status_code = 422


# --- which entries count --------------------------------------------------------------------


def in_force(on: date | BindParameter | None = None) -> ColumnElement[bool]:
    """SQL condition: the entry counts on ``on`` (a date or a bound parameter). Active, inside its
    period, and — when it rests on a record — that record neither revoked nor repaired, and (for
    a listing by rule or by the record) still shown."""
    day = _today() if on is None else on
    record_ok = exists().where(
        Record.id == ListEntry.record_id,
        Record.status.notin_(("revoked", "repaired")),
        or_(ListEntry.basis == "decision", and_(Record.status.in_(LIVE_STATUSES), Record.display_until >= day)),
    )
    return and_(
        ListEntry.status == "active",
        ListEntry.effective_from <= day,
        or_(ListEntry.listed_until.is_(None), ListEntry.listed_until >= day),
        or_(ListEntry.record_id.is_(None), record_ok),
    )


# --- refresh (set-based) --------------------------------------------------------------------


@dataclass
class RefreshResult:
    proposed: int = 0
    included: int = 0
    activated: int = 0
    removed: dict[str, int] | None = None

    def summary(self) -> dict:
        return {"proposed": self.proposed, "included": self.included, "activated": self.activated,
                "removed": self.removed or {}}


def _plus_months(session: Session, col, months: int):
    if session.get_bind().dialect.name == "postgresql":
        return func.cast(col + func.make_interval(0, months), Record.decision_date.type)
    return func.date(col, f"+{months} months")


def _least(session: Session, a, b):
    return func.least(a, b) if session.get_bind().dialect.name == "postgresql" else func.min(a, b)


def refresh(session: Session, today: date | None = None, *, batch_id: int | None = None, by: str = "system") -> RefreshResult:
    """Bring the rule-based listings up to date on ``today`` (set-based, idempotent). With
    ``batch_id`` (the import hook) only that batch's records are looked at for new listings."""
    day = today or _today()
    vid, policy = catalog_service.active_version(session)
    mark = hooks.mark(session)  # the events made below are those after it (lists.hooks)
    result = RefreshResult(removed={})
    now = utcnow()
    cols = [ListEntry.subject_id, ListEntry.list_kind, ListEntry.basis, ListEntry.record_id,
            ListEntry.behaviour_code, ListEntry.region_code, ListEntry.decision_no, ListEntry.decided_by,
            ListEntry.reason, ListEntry.status, ListEntry.notified_on, ListEntry.effective_from,
            ListEntry.listed_until, ListEntry.policy_version_id, ListEntry.created_by,
            ListEntry.created_at, ListEntry.updated_at]
    todo = rules.list_rules(policy)
    if batch_id is not None:
        # The import hook: only the rules of the categories and severities the batch's records
        # hold (one probe of ix_records_batch_id), so a small batch costs a statement or two, not
        # one per rule of the policy.
        held = {tuple(r) for r in session.execute(
            select(Record.category_code, Record.severity).where(Record.batch_id == batch_id).distinct())}
        todo = [r for r in todo if (r.category, r.severity) in held]
    for rule in todo:
        where = [
            Record.category_code == rule.category,
            Record.severity.is_(None) if rule.severity is None else Record.severity == rule.severity,
            displayed(day),
            ~exists().where(ListEntry.record_id == Record.id, ListEntry.list_kind == rule.list_kind,
                            ListEntry.basis == rule.basis),
            *(Record.facts[c.fact].as_string().in_(sorted(policy.catalog.condition_values(c)))
              for c in rule.conditions),
        ]
        if batch_id is not None:  # the records the batch added or changed (their current version's batch),
            # found through ix_records_batch_id: the work grows with the batch, not with the table. A
            # record re-sent unchanged was looked at when it was first stored; a rule added since
            # reaches it at the daily refresh.
            where.append(Record.batch_id == batch_id)
        until = Record.display_until if not rule.months else _least(
            session, Record.display_until, _plus_months(session, Record.decision_date, rule.months))
        proposed = rule.basis == "rule" and rule.notice_workdays > 0
        spec = policy.behaviours.list_kind(rule.list_kind)
        category = policy.category(rule.category)
        severity = policy.severity(rule.severity) if rule.severity else None
        reason = f"{spec.name if spec else rule.list_kind}：{category.name if category else rule.category}" + (
            f"（{severity.name}）" if severity else "")
        if proposed:
            status, notified, effective = "proposed", literal(day), literal(rules.notice_ends(day, rule.notice_workdays).due)
        else:
            status, notified = "active", literal(None, ListEntry.notified_on.type)
            effective = Record.decision_date if rule.basis == "record" else literal(day)
        sel = (
            select(
                Record.subject_id, literal(rule.list_kind), literal(rule.basis), Record.id,
                literal(rule.behaviours[0] if len(rule.behaviours) == 1 else None, ListEntry.behaviour_code.type),
                Subject.region_code,
                Record.decision_no if rule.basis == "record" else literal(None, ListEntry.decision_no.type),
                Record.department_name, literal(reason[:500]), literal(status), notified, effective,
                until, literal(vid), literal(by), literal(now), literal(now),
            )
            .select_from(Record)
            .join(Subject, Subject.id == Record.subject_id)
            .where(*where)
        )
        n = len(session.execute(insert(ListEntry).from_select(cols, sel).returning(ListEntry.id)).all())
        if proposed:
            result.proposed += n
        else:
            result.included += n
    # first event of each new entry
    first = select(
        ListEntry.id, case((ListEntry.status == "proposed", "proposed"), else_="included"), literal(day),
        literal(by), ListEntry.reason, ListEntry.decision_no, literal(now),
    ).where(ListEntry.created_at == now, ListEntry.created_by == by)  # made just now: no events yet
    if result.proposed or result.included:
        session.execute(insert(ListEntryEvent).from_select(
            [ListEntryEvent.entry_id, ListEntryEvent.action, ListEntryEvent.on, ListEntryEvent.by,
             ListEntryEvent.note, ListEntryEvent.decision_no, ListEntryEvent.at], first))
    # proposed → active once the notice period is over and no statement waits for a decision
    ready = and_(
        ListEntry.status == "proposed", ListEntry.effective_from <= day,
        or_(ListEntry.statement_on.is_(None), ListEntry.statement_result == "rejected"),
    )
    if batch_id is not None:
        # The import hook stops here: activations and removals are the daily refresh's work, and
        # until it runs no check or published list counts an entry whose record was revoked,
        # repaired or expired (in_force looks at the record).
        session.flush()
        hooks.run(session, mark)
        return result
    result.activated = _transition(session, ready, "activated", day, by, "告知期满，列入生效", status="active")
    # removals, in rules.removal_reason's order
    rec = select(Record.status).where(Record.id == ListEntry.record_id).scalar_subquery()
    rec_until = select(Record.display_until).where(Record.id == ListEntry.record_id).scalar_subquery()
    live = ListEntry.status.in_(("proposed", "active"))
    conditions = {
        "revoked": and_(live, ListEntry.record_id.is_not(None), rec == "revoked"),
        "repair": and_(live, ListEntry.record_id.is_not(None), rec == "repaired"),
        "period_end": and_(live, ListEntry.listed_until.is_not(None), ListEntry.listed_until < day),
        "expired": and_(live, ListEntry.basis != "decision", ListEntry.record_id.is_not(None),
                        or_(rec_until < day, rec.notin_(LIVE_STATUSES))),
    }
    for reason, cond in conditions.items():
        n = _transition(session, cond, "removed", day, by, None, status="removed", removal_reason=reason)
        if n:
            result.removed[reason] = n
    session.flush()
    hooks.run(session, mark)
    if session.get_bind().dialect.name == "postgresql" and (result.proposed or result.included):
        # after a bulk load the planner must see the new rows (checks join against them)
        session.execute(text("ANALYZE list_entries"))
    return result


def _transition(session: Session, cond, action: str, day: date, by: str, note: str | None, **values) -> int:
    """Log an event for every entry matching ``cond``, then move them all: two statements."""
    from xinyong.lists.models import REMOVAL_REASONS

    text = note or REMOVAL_REASONS.get(values.get("removal_reason", ""), action)
    session.execute(insert(ListEntryEvent).from_select(
        [ListEntryEvent.entry_id, ListEntryEvent.action, ListEntryEvent.on, ListEntryEvent.by,
         ListEntryEvent.note, ListEntryEvent.at],
        select(ListEntry.id, literal(action), literal(day), literal(by), literal(text), literal(utcnow())).where(cond),
    ))
    extra = {"removed_on": day} if values.get("status") == "removed" else {}
    res = session.execute(update(ListEntry).where(cond).values(**values, **extra, updated_at=utcnow())
                          .execution_options(synchronize_session=False))
    return res.rowcount or 0


def refresh_hook(session: Session, batch_id: int) -> None:
    """Run at the end of every records import, inside its transaction."""
    refresh(session, batch_id=batch_id, by="import")


# --- decisions ----------------------------------------------------------------------------------


def _event(session: Session, entry: ListEntry, action: str, on: date, by: str, note: str | None = None,
           decision_no: str | None = None) -> None:
    session.add(ListEntryEvent(entry_id=entry.id, action=action, on=on, by=by, note=(note or "")[:500] or None,
                               decision_no=decision_no))


def _subject_by_code(session: Session, code: str) -> Subject:
    subject = session.scalar(select(Subject).where(Subject.code == lookup_key(code)))
    if subject is None:
        raise NotFound("未找到该信用主体", "no credit subject has this code")
    return subject


def include(
    session: Session,
    *,
    code: str | None = None,
    subject: Subject | None = None,
    list_kind: str,
    decision_no: str,
    decided_by: str,
    decided_on: date,
    reason: str,
    by: str,
    months: int | None = None,
    until: date | None = None,
    notified_on: date | None = None,
    statement: str | None = None,
    record_id: int | None = None,
    behaviour_code: str | None = None,
) -> ListEntry:
    """List a subject by a decision with its document number. On a list that punishes, the
    subject must have been told first (``notified_on``) and either stated its case
    (``statement``) or let the notice period pass (条例第二十八条)."""
    for name, day in (("decided_on", decided_on), ("notified_on", notified_on), ("until", until)):
        if day is not None and not (date(1990, 1, 1) <= day <= date(2100, 12, 31)):
            raise InvalidInput("日期超出合理范围（1990—2100年）", f"{name} is out of range", field=name)
    vid, policy = catalog_service.active_version(session)
    spec = policy.behaviours.list_kind(list_kind)
    if spec is None:
        raise InvalidInput(f"未知的名单“{list_kind}”", f"unknown list {list_kind!r}", field="list_kind")
    if not decision_no.strip():
        raise InvalidInput("按决定列入须写明决定文书号", "a listing by decision needs its document number",
                           field="decision_no")
    if spec.notice:
        if notified_on is None:
            raise ListingRefused(
                f"列入{spec.name}前应当告知主体列入的理由和依据（条例第二十八条）：请填写告知日期",
                "the subject must be told before the listing: give the notice date", )
        if notified_on > decided_on:
            raise ListingRefused("告知日期晚于决定日期", "the notice date is after the decision date")
        ends = rules.notice_ends(notified_on, spec.notice_workdays)
        if not (statement and statement.strip()) and decided_on < ends.due:
            raise ListingRefused(
                f"陈述申辩期（{spec.notice_workdays}个工作日，至 {ends.label}）未满，且未记录主体的陈述申辩",
                f"the period to state its case ends on {ends.due}: wait, or record the subject's statement",
            )
    if behaviour_code and not any(b.code == behaviour_code for b in policy.behaviours.behaviours):
        raise InvalidInput(f"未知的行为“{behaviour_code}”", f"unknown behaviour {behaviour_code!r}")
    if subject is None:
        if not code:
            raise InvalidInput("请给出主体代码", "give the subject's code", field="code")
        subject = _subject_by_code(session, code)
    if record_id is not None:
        rec = session.get(Record, record_id)
        if rec is None or rec.subject_id != subject.id:
            raise InvalidInput("所引信用记录不属于该主体", "the record named is not this subject's", field="record_id")
    mark = hooks.mark(session)
    entry = ListEntry(
        subject_id=subject.id, list_kind=list_kind, basis="decision", record_id=record_id,
        behaviour_code=behaviour_code, region_code=subject.region_code, decision_no=decision_no.strip(),
        decided_by=decided_by, reason=reason[:500], status="active", notified_on=notified_on,
        effective_from=decided_on, listed_until=rules.decision_until(decided_on, months, until),
        statement=statement or None, statement_on=notified_on if statement else None,
        statement_result="rejected" if statement else None, policy_version_id=vid, created_by=by,
    )
    session.add(entry)
    session.flush()
    if notified_on:
        _event(session, entry, "notified", notified_on, by, "告知列入的理由和依据")
    if statement:
        _event(session, entry, "statement", notified_on or decided_on, by, statement)
    _event(session, entry, "included", decided_on, by, reason, decision_no)
    session.flush()
    hooks.run(session, mark)
    return entry


def remove(session: Session, entry_id: int, *, reason: str, by: str, decision_no: str | None = None,
           on: date | None = None, note: str | None = None) -> ListEntry:
    """Take an entry off its list by a decision or on repair (with the document number)."""
    if reason not in ("decision", "repair"):
        raise InvalidInput("移出原因应为 decision（决定移出）或 repair（信用修复）", "reason is decision or repair")
    entry = get_entry(session, entry_id)
    if entry.status not in ("proposed", "active"):
        raise InvalidInput("该名单记录已不在列", "the entry is no longer on its list")
    if not (decision_no or "").strip():
        raise InvalidInput("移出须写明决定文书号", "a removal needs its document number", field="decision_no")
    day = on or _today()
    mark = hooks.mark(session)
    entry.status, entry.removed_on, entry.removal_reason = "removed", day, reason
    entry.removal_decision_no, entry.updated_at = decision_no, utcnow()
    _event(session, entry, "removed", day, by, note or ("信用修复" if reason == "repair" else "决定移出"), decision_no)
    session.flush()
    hooks.run(session, mark)
    return entry


def restore(session: Session, entry_id: int, *, by: str, note: str, on: date | None = None) -> ListEntry:
    """Put back an entry a removal ended when the removal itself is undone (a credit repair
    revoked because its documents proved false): the entry is in force again as before, and the
    event says why (an ``activated`` event, so the push tells the departments as for any
    listing coming into force)."""
    entry = get_entry(session, entry_id)
    if entry.status != "removed":
        raise InvalidInput("该名单记录未被移出，无需恢复", "the entry is not removed")
    day = on or _today()
    mark = hooks.mark(session)
    entry.status, entry.removed_on, entry.removal_reason, entry.removal_decision_no = "active", None, None, None
    entry.updated_at = utcnow()
    _event(session, entry, "activated", day, by, note)
    session.flush()
    hooks.run(session, mark)
    return entry


def state_case(session: Session, entry_id: int, *, statement: str, by: str, on: date | None = None) -> ListEntry:
    """The subject states its case (陈述申辩) during the notice period of a proposed listing;
    the listing waits until the statement is decided."""
    entry = get_entry(session, entry_id)
    if entry.status != "proposed":
        raise InvalidInput("只有拟列入（告知期内）的名单记录可以陈述申辩", "only a proposed listing takes a statement")
    day = on or _today()
    entry.statement, entry.statement_on, entry.statement_result = statement, day, None
    entry.updated_at = utcnow()
    _event(session, entry, "statement", day, by, statement)
    session.flush()
    return entry


def decide_statement(session: Session, entry_id: int, *, accepted: bool, by: str, note: str = "",
                     on: date | None = None) -> ListEntry:
    entry = get_entry(session, entry_id)
    if entry.status != "proposed" or entry.statement_on is None or entry.statement_result is not None:
        raise InvalidInput("该名单记录没有待处理的陈述申辩", "no statement waits for a decision")
    day = on or _today()
    entry.statement_result = "accepted" if accepted else "rejected"
    if accepted:
        entry.status, entry.removed_on, entry.removal_reason = "withdrawn", day, "statement_accepted"
    entry.updated_at = utcnow()
    _event(session, entry, "statement_decided", day, by, ("陈述申辩成立，不予列入" if accepted else "陈述申辩不成立") + (f"：{note}" if note else ""))
    session.flush()
    return entry


# --- reading --------------------------------------------------------------------------------


def get_entry(session: Session, entry_id: int) -> ListEntry:
    entry = session.get(ListEntry, entry_id)
    if entry is None:
        raise NotFound(f"名单记录 {entry_id} 不存在", f"list entry {entry_id} does not exist")
    return entry


def history(session: Session, entry_id: int) -> list[ListEntryEvent]:
    q = select(ListEntryEvent).where(ListEntryEvent.entry_id == entry_id).order_by(ListEntryEvent.on, ListEntryEvent.id)
    return list(session.scalars(q))


def entries_of(session: Session, subject_id: int) -> list[ListEntry]:
    """Every listing of a subject, whatever its state, newest first (the full history)."""
    q = select(ListEntry).where(ListEntry.subject_id == subject_id).order_by(ListEntry.effective_from.desc(), ListEntry.id.desc())
    return list(session.scalars(q))


def histories(session: Session, entry_ids: list[int]) -> dict[int, list[ListEntryEvent]]:
    """The history of several entries in one query (a subject's own listings page)."""
    out: dict[int, list[ListEntryEvent]] = {i: [] for i in entry_ids}
    if entry_ids:
        q = select(ListEntryEvent).where(ListEntryEvent.entry_id.in_(entry_ids)).order_by(ListEntryEvent.id)
        for ev in session.scalars(q):
            out[ev.entry_id].append(ev)
    return out


@dataclass
class PublishedRow:
    entry: ListEntry
    subject: Subject


def _published_query(list_kind: str | None, region: str | None, on: date, kinds: list[str] | None = None,
                     persons: bool = True):
    q = select(ListEntry, Subject).join(Subject, Subject.id == ListEntry.subject_id).where(in_force(on))
    if not persons:  # the public never lists natural persons (found only by number and name)
        q = q.where(Subject.kind.not_in(NATURAL_KINDS))
    if kinds is not None:
        q = q.where(ListEntry.list_kind.in_(kinds))
    if list_kind:
        q = q.where(ListEntry.list_kind == list_kind)
    if region:
        q = q.where(ListEntry.region_code.like(regions.scope_prefix(region) + "%"))
    return q


def published(session: Session, *, list_kind: str | None = None, region: str | None = None, limit: int = 50,
              offset: int = 0, on: date | None = None, kinds: list[str] | None = None,
              persons: bool = True) -> tuple[list[PublishedRow], int]:
    """The entries in force, for the public lists (the caller masks), and how many there are;
    ``kinds``: only these lists (those the policy publishes); ``persons=False``: natural persons
    left out (a reader who is not an official)."""
    day = on or _today()
    q = _published_query(list_kind, region, day, kinds, persons)
    total = session.scalar(select(func.count()).select_from(q.subquery()))
    rows = session.execute(q.order_by(ListEntry.effective_from.desc(), ListEntry.id.desc()).limit(limit).offset(offset)).all()
    return [PublishedRow(e, s) for e, s in rows], int(total or 0)


def iter_published(session: Session, *, list_kind: str | None = None, region: str | None = None,
                   on: date | None = None, chunk: int = 5000, kinds: list[str] | None = None,
                   persons: bool = True) -> Iterator[PublishedRow]:
    day = on or _today()
    q = _published_query(list_kind, region, day, kinds, persons).order_by(ListEntry.id)
    for e, s in session.execute(q.execution_options(yield_per=chunk)):
        yield PublishedRow(e, s)


def counts(session: Session, on: date | None = None) -> dict[str, int]:
    day = on or _today()
    rows = session.execute(select(ListEntry.list_kind, func.count()).where(in_force(day)).group_by(ListEntry.list_kind))
    return dict(rows.all())


# --- grades (what the evaluation capability will write) -----------------------------------------


GRADE_HEADERS = {
    "code": ("统一社会信用代码或公民身份号码", "统一社会信用代码", "公民身份号码", "身份证号码", "code"),
    "grade": ("评价等级", "等级", "grade"),
    "score": ("评价分数", "分数", "score"),
    "graded_on": ("评价日期", "日期", "graded_on"),
}


def latest_grades():
    """Subquery (subject_id, grade): the grade each subject was last given."""
    g2 = SubjectGrade.__table__.alias("g2")
    return select(SubjectGrade.subject_id, SubjectGrade.grade).where(newest_grade(SubjectGrade.__table__, g2))


def record_evaluation_grades(session: Session, rows) -> int:
    """Write the grades an evaluation run gave (``rows``: a SELECT of subject_id, grade, score,
    graded_on, source, created_by) as grades in force, set-based; returns the id the rows
    written come after (for the push of grade changes), so the caller can tell them apart."""
    before = session.scalar(select(func.max(SubjectGrade.id))) or 0
    session.execute(insert(SubjectGrade).from_select(
        ["subject_id", "grade", "score", "graded_on", "source", "created_by", "created_at", "origin"],
        select(rows.c.subject_id, rows.c.grade, rows.c.score, rows.c.graded_on, rows.c.source, rows.c.created_by,
               literal(utcnow()), literal("evaluation"))))
    return before


def grade_of(session: Session, subject_ids: list[int]) -> dict[int, str]:
    if not subject_ids:
        return {}
    q = latest_grades().where(SubjectGrade.subject_id.in_(subject_ids))
    return dict(session.execute(q).all())


def standing_lines(session: Session, subject: Subject, full: bool, policy: PolicySet) -> list[tuple[str, str]]:
    """What the head of a credit file says of the subject's lists and grade: each list it is on
    now, since when and until when (the public sees only the lists the policy publishes, like
    the published lists); a listing in its notice period and the latest grade only to a reader
    of the full file (the subject itself, an official of its region) — grades are kept for
    分级管理, not published, except where an indicator system of the subject's kind sets
    ``publish`` (evaluation.yaml: the government's)."""
    entries = session.scalars(
        select(ListEntry).where(ListEntry.subject_id == subject.id,
                                or_(in_force(), ListEntry.status == "proposed"))
        .order_by(ListEntry.effective_from, ListEntry.id)
    )
    published = {k.code for k in policy.behaviours.list_kinds if k.publish}
    lines = []
    for e in entries:
        spec = policy.behaviours.list_kind(e.list_kind)
        name = spec.name if spec else "信用名单"
        if e.status == "proposed":
            if full:
                lines.append(("名单", f"拟列入{name}（告知期内，{e.effective_from.isoformat()} 起生效）"))
            continue
        if not full and e.list_kind not in published:
            continue
        until = f"，至 {e.listed_until.isoformat()}" if e.listed_until else ""
        lines.append(("名单", f"列入{name}（自 {e.effective_from.isoformat()} 起{until}）"))
    published_grade = any(s.publish and subject.kind in s.subject_kinds for s in policy.evaluation.systems)
    if full or published_grade:
        grade = grade_of(session, [subject.id]).get(subject.id)
        if grade:
            lines.append(("信用评价等级", grade))
    return lines


@dataclass
class GradeLoad:
    rows: int = 0
    loaded: int = 0
    unknown: int = 0
    errors: list[str] | None = None


def _read_table(path: Path) -> Iterator[list]:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from xinyong.core.xlsx import open_workbook

        wb, ws, last_row, last_column = open_workbook(path)  # looked at before it is parsed
        try:
            if last_row:
                for row in ws.iter_rows(values_only=True, max_row=last_row, max_col=max(last_column, 1)):
                    yield list(row)
        finally:
            wb.close()
        return
    with open(path, encoding="utf-8-sig", newline="") as fh:
        yield from csv.reader(fh)


def load_grades(session: Session, path: Path, *, by: str, source: str | None = None, chunk: int = 5000) -> GradeLoad:
    """Load evaluation results (code, grade, date[, score]) from an XLSX or CSV file: codes are
    matched exactly (through the identity keys), set-based a chunk at a time; a row whose code
    names no subject is counted, never guessed."""
    path = Path(path)
    rows = _read_table(path)
    header = [str(h or "").strip() for h in next(rows, [])]
    pos = {}
    for key, names in GRADE_HEADERS.items():
        pos[key] = next((i for i, h in enumerate(header) if h in names), None)
    if pos["code"] is None or pos["grade"] is None:
        raise InvalidInput("评价结果文件须有“统一社会信用代码或公民身份号码”和“评价等级”两列",
                           "the file needs a code column and a grade column")
    out = GradeLoad(errors=[])
    buf: list[tuple[str, str, float | None, date]] = []

    def flush() -> None:
        keys = lookup_keys([b[0] for b in buf])
        ids = dict(session.execute(select(Subject.code, Subject.id).where(Subject.code.in_(set(keys)))).all())
        values = []
        for key, (_, grade, score, on) in zip(keys, buf, strict=True):
            sid = ids.get(key)
            if sid is None:
                out.unknown += 1
                continue
            values.append({"subject_id": sid, "grade": grade, "score": score, "graded_on": on,
                           "source": (source or path.name)[:200], "created_by": by, "created_at": utcnow()})
        if values:
            session.execute(insert(SubjectGrade), values)
            out.loaded += len(values)
        buf.clear()

    for n, row in enumerate(rows, start=2):
        if not any(v not in (None, "") for v in row):
            continue
        out.rows += 1
        code = str(row[pos["code"]] or "").strip()
        grade = str(row[pos["grade"]] or "").strip()
        raw_day = row[pos["graded_on"]] if pos["graded_on"] is not None else None
        try:
            on = raw_day if isinstance(raw_day, date) and not isinstance(raw_day, datetime) else (
                raw_day.date() if isinstance(raw_day, datetime) else (date.fromisoformat(str(raw_day).strip()) if raw_day else _today()))
            score = float(row[pos["score"]]) if pos["score"] is not None and row[pos["score"]] not in (None, "") else None
        except ValueError:
            out.errors.append(f"第{n}行：日期或分数格式不正确")
            continue
        if not code or not grade:
            out.errors.append(f"第{n}行：缺少代码或等级")
            continue
        buf.append((code, grade, score, on))
        if len(buf) >= chunk:
            flush()
    if buf:
        flush()
    session.flush()
    return out


def policy_list_names(policy: PolicySet) -> dict[str, str]:
    return {k.code: k.name for k in policy.behaviours.list_kinds}
