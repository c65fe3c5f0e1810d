"""Who is told and the producers: the ``INSERT … SELECT`` that writes a message for every
department to tell about a list or record change, in the change's transaction (the outbox)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, timedelta
from typing import get_args

from sqlalchemy import (
    Integer,
    String,
    and_,
    case,
    cast,
    exists,
    false,
    func,
    insert,
    literal,
    literal_column,
    or_,
    select,
    union_all,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from xinyong.accounts.models import Department
from xinyong.catalog import service as catalog_service
from xinyong.catalog.schemas import POLARITY_NAMES, PolicySet, SubjectKind
from xinyong.checks import rules
from xinyong.checks.models import Check
from xinyong.core.clock import today as _today
from xinyong.core.db import utcnow
from xinyong.core.settings import get_settings
from xinyong.lists.models import BASES, REMOVAL_REASONS, ListEntry, ListEntryEvent, SubjectGrade
from xinyong.push.common import _pg
from xinyong.push.models import PUSH_EVENTS, PushMessage, PushSubscription
from xinyong.records.models import STATUSES, Record, RecordVersion
from xinyong.records.service import displayed
from xinyong.subjects.models import Subject

# --- who is told -----------------------------------------------------------------------------------


def _watched(on: date | None = None):
    """SELECT of every subject some department is to be told about (subscribed, or checked
    within ``push_watch_days``): what the records producer narrows a batch's records by, so
    that it reads only watched subjects' records (through their index) when few are watched."""
    day = on or _today()
    q = select(PushSubscription.subject_id).where(
        or_(PushSubscription.ends_on.is_(None), PushSubscription.ends_on >= day))
    days = get_settings().push_watch_days
    if days > 0:
        q = q.union(select(Check.subject_id).where(
            Check.subject_id.is_not(None), Check.department_code.is_not(None),
            Check.created_at >= utcnow() - timedelta(days=days)))
    return q


def _targets(subject_ids, on: date | None = None):
    """Subquery (department_code, subject_id, check_id): every active department to tell about
    the subjects ``subject_ids`` (a SELECT of ids) — those subscribed to them, and those whose
    officials checked them within ``push_watch_days`` (with the latest such check's id, so the
    department's system can tie the message to its own case)."""
    day = on or _today()
    explicit = select(
        PushSubscription.department_code.label("department_code"), PushSubscription.subject_id.label("subject_id"),
        literal(None, Integer).label("check_id"),
    ).where(
        PushSubscription.subject_id.in_(subject_ids),
        or_(PushSubscription.ends_on.is_(None), PushSubscription.ends_on >= day),
    )
    parts = [explicit]
    days = get_settings().push_watch_days
    if days > 0:
        since = utcnow() - timedelta(days=days)
        parts.append(
            select(Check.department_code, Check.subject_id, func.max(Check.id))
            .where(Check.subject_id.in_(subject_ids), Check.department_code.is_not(None), Check.created_at >= since)
            .group_by(Check.department_code, Check.subject_id)
        )
    both = union_all(*parts).subquery("told")
    active = select(Department.code).where(Department.active == True)  # noqa: E712
    return (
        select(both.c.department_code, both.c.subject_id, func.max(both.c.check_id).label("check_id"))
        .where(both.c.department_code.in_(active))
        .group_by(both.c.department_code, both.c.subject_id)
        .subquery("targets")
    )


# --- building payloads in SQL ----------------------------------------------------------------------



def _text(value: str | None):
    return cast(literal(value), String) if value is not None else literal(None, String)


def _labels(col, mapping: dict[str, str]):
    """``CASE col WHEN k THEN v … END`` (NULL for anything else)."""
    if not mapping:
        return literal(None, String)
    return cast(case({k: _text(v) for k, v in mapping.items()}, value=col, else_=literal(None, String)), String)


def _json_object(session: Session, fields: dict[str, ColumnElement]):
    """A JSON object built by the database from ``fields`` (key → SQL expression)."""
    args = []
    for key, value in fields.items():
        args.extend([literal_column(f"'{key}'"), value])  # keys are constants of this module
    return func.jsonb_build_object(*args) if _pg(session) else func.json_object(*args)


def _json_value(session: Session, text_expr):
    """A JSON text (from a CASE of constants) as JSON inside :func:`_json_object`."""
    return cast(text_expr, JSONB) if _pg(session) else func.json(text_expr)


def _measure_json(measures) -> str:
    return json.dumps([{"code": m.code, "name": m.name, "type": m.type, "mandatory": m.mandatory,
                        "department": m.department} for m in measures], ensure_ascii=False)


SUBJECT_KINDS = get_args(SubjectKind)


def list_measures(policy: PolicySet) -> dict[str, str]:
    """"list kind|subject kind" → JSON of the measures an entry on that list triggers for a
    subject of that kind (what a department applies on ``list_included`` and lifts on
    ``list_removed``): a measure applies only to the subject kinds it names, so an enterprise's
    listing never offers a measure for persons."""
    out = {}
    for spec in policy.behaviours.list_kinds:
        for kind in SUBJECT_KINDS:
            found = [m for m in policy.measures.measures if kind in m.subject_kinds
                     and any(t.kind == "list" and t.list == spec.code for t in m.triggers)]
            out[f"{spec.code}|{kind}"] = _measure_json(found)
    return out


def record_measures(policy: PolicySet) -> dict[str, str]:
    """"category|severity|subject kind" → JSON of the measures a shown record of that category
    and severity triggers for a subject of that kind (only the keys that trigger any)."""
    out = {}
    for cat in policy.catalog.categories:
        for sev in [None, *cat.severities]:
            for kind in cat.subject_kinds:
                found = []
                for m in policy.measures.measures:
                    if kind not in m.subject_kinds:
                        continue
                    for t in m.triggers:
                        if t.kind != "record" or t.category != cat.code:
                            continue
                        allowed = rules.severities_at_least(policy, t.min_severity)
                        if allowed is None or sev in allowed:
                            found.append(m)
                            break
                if found:
                    out[f"{cat.code}|{sev or ''}|{kind}"] = _measure_json(found)
    return out


def _insert_messages(session: Session, events, event_expr, ref_expr, origin_expr, payload: dict) -> int:
    """``INSERT INTO push_messages … SELECT`` one message per (event, department to tell), skipping
    a department that already has a message of that origin. ``events`` is a CTE with a
    ``subject_id`` column."""
    t = _targets(select(events.c.subject_id))
    body = _json_object(session, {**payload, "check_id": t.c.check_id})
    pm2 = PushMessage.__table__.alias("pm2")
    sel = (
        select(t.c.department_code, events.c.subject_id, event_expr, ref_expr, origin_expr, body,
               literal(utcnow()), literal(0))
        .select_from(events.join(t, t.c.subject_id == events.c.subject_id))
        .where(~exists().where(pm2.c.department_code == t.c.department_code, pm2.c.origin == origin_expr))
    )
    cols = [PushMessage.department_code, PushMessage.subject_id, PushMessage.event, PushMessage.ref_id,
            PushMessage.origin, PushMessage.payload, PushMessage.created_at, PushMessage.attempts]
    # RETURNING for the count: a driver's rowcount of an INSERT that starts with WITH is -1 (sqlite3)
    return len(session.execute(insert(PushMessage).from_select(cols, sel).returning(PushMessage.id)).all())


# --- producers -------------------------------------------------------------------------------------


def on_list_events(session: Session, after_event_id: int) -> int:
    """The :mod:`xinyong.lists.hooks` hook: a message for every inclusion, activation and
    removal among the ``list_entry_events`` after ``after_event_id`` (those this transaction
    made), to every department told about the subject. Returns the messages written.

    Two small questions first, because the statement that writes the messages is large (the
    policy's labels and measures as constants, whose cache key SQLAlchemy works out anew each
    time) and most changes have nobody to tell: did the change make any event, and is anybody
    watched at all (subscribed to, or checked within ``push_watch_days``)?"""
    if not session.scalar(select(exists().where(ListEntryEvent.id > after_event_id))):
        return 0
    if not session.scalar(select(exists(_watched()))):
        return 0
    _, policy = catalog_service.active_version(session)
    ev, e = ListEntryEvent, ListEntry
    prior = ListEntryEvent.__table__.alias("prior")
    was_in_force = exists().where(prior.c.entry_id == ev.entry_id, prior.c.id < ev.id,
                                  prior.c.action.in_(("included", "activated")))
    events = (
        select(ev.id.label("event_id"), ev.action, ev.on, ev.decision_no.label("event_decision_no"),
               e.id.label("entry_id"), e.subject_id, e.list_kind, e.basis, e.record_id, e.effective_from,
               e.listed_until, e.removal_reason, e.decision_no, e.decided_by, Record.category_code, Record.severity,
               Subject.kind.label("subject_kind"))
        .select_from(ev)
        .join(e, e.id == ev.entry_id)
        .join(Subject, Subject.id == e.subject_id)
        .outerjoin(Record, Record.id == e.record_id)
        .where(ev.id > after_event_id,
               or_(ev.action.in_(("included", "activated")), and_(ev.action == "removed", was_in_force)))
        .cte("ev")
    )
    c = events.c
    kinds = policy.behaviours.list_kinds
    event = cast(case((c.action == "removed", literal("list_removed")), else_=literal("list_included")), String)
    origin = literal("lee:", String) + cast(c.event_id, String)
    measures = list_measures(policy)
    payload = {
        "event": event,
        "event_name": _labels(event, PUSH_EVENTS),
        "entry_id": c.entry_id,
        "list_kind": c.list_kind,
        "list_name": _labels(c.list_kind, {k.code: k.name for k in kinds}),
        "list_type": _labels(c.list_kind, {k.code: k.type for k in kinds}),
        "basis": c.basis,
        "basis_name": _labels(c.basis, BASES),
        "record_id": c.record_id,
        "category": c.category_code,
        "category_name": _labels(c.category_code, {x.code: x.name for x in policy.catalog.categories}),
        "severity": c.severity,
        "severity_name": _labels(c.severity, policy.severity_names()),
        "decision_no": c.decision_no,
        "decided_by": c.decided_by,
        "on": c.on,
        "effective_from": c.effective_from,
        "listed_until": c.listed_until,
        "removal_reason": case((c.action == "removed", c.removal_reason), else_=literal(None, String)),
        "removal_reason_name": case((c.action == "removed", _labels(c.removal_reason, REMOVAL_REASONS)),
                                    else_=literal(None, String)),
        "removal_decision_no": case((c.action == "removed", c.event_decision_no), else_=literal(None, String)),
        "measures": _json_value(session, cast(case({k: _text(v) for k, v in measures.items()},
                                                   value=c.list_kind + literal("|", String) + c.subject_kind,
                                                   else_=_text("[]")), String) if measures else _text("[]")),
    }
    return _insert_messages(session, events, event, c.entry_id, origin, payload)


def _record_messages(session: Session, where: list, *, added: ColumnElement[bool]) -> int:
    """Messages for the records matching ``where``: ``record_added`` where ``added`` holds,
    ``record_status`` otherwise."""
    _, policy = catalog_service.active_version(session)
    previous = (select(RecordVersion.status)
                .where(RecordVersion.record_id == Record.id, RecordVersion.version == Record.version - 1)
                .scalar_subquery())
    events = (
        select(Record.id.label("record_id"), Record.subject_id, Record.version, Record.category_code,
               Record.severity, Record.polarity, Record.status, Record.decision_no, Record.decision_date,
               Record.department_name, Record.display_until, previous.label("previous_status"),
               case((added, literal("record_added")), else_=literal("record_status")).label("event"),
               Subject.kind.label("subject_kind"))
        .join(Subject, Subject.id == Record.subject_id)
        .where(*where)
        .cte("ev")
    )
    c = events.c
    event = cast(c.event, String)
    origin = literal("rec:", String) + cast(c.record_id, String) + literal(":", String) + cast(c.version, String)
    measures = record_measures(policy)
    key = (c.category_code + literal("|", String) + func.coalesce(c.severity, literal("", String))
           + literal("|", String) + c.subject_kind)
    payload = {
        "event": event,
        "event_name": _labels(event, PUSH_EVENTS),
        "record_id": c.record_id,
        "version": c.version,
        "category": c.category_code,
        "category_name": _labels(c.category_code, {x.code: x.name for x in policy.catalog.categories}),
        "polarity": c.polarity,
        "polarity_name": _labels(c.polarity, POLARITY_NAMES),
        "severity": c.severity,
        "severity_name": _labels(c.severity, policy.severity_names()),
        "status": c.status,
        "status_name": _labels(c.status, STATUSES),
        "previous_status": c.previous_status,
        "previous_status_name": _labels(c.previous_status, STATUSES),
        "decision_no": c.decision_no,
        "decision_date": c.decision_date,
        "department_name": c.department_name,
        "display_until": c.display_until,
        "measures": _json_value(session, cast(case({k: _text(v) for k, v in measures.items()}, value=key,
                                                   else_=_text("[]")), String) if measures else _text("[]")),
    }
    return _insert_messages(session, events, event, c.record_id, origin, payload)


def on_import(session: Session, batch_id: int) -> int:
    """The :mod:`xinyong.records.hooks` hook: ``record_added`` for each shown dishonest or honest
    record the batch added, ``record_status`` for each the batch changed (a new version)."""
    watched = _watched()
    if not session.scalar(select(exists(watched))):
        return 0  # nobody is to be told about anyone: no need to read the batch's records
    told = Record.polarity.in_(("dishonest", "honest"))
    new = and_(Record.version == 1, displayed())
    return _record_messages(session, [Record.batch_id == batch_id, told, or_(new, Record.version > 1),
                                      Record.subject_id.in_(watched)], added=Record.version == 1)


def on_records_changed(session: Session, record_ids: Iterable[int]) -> int:
    """``record_status`` for records changed outside an import — an objection, a repair, a
    revocation (the redress capability calls this after it writes the new version)."""
    ids = list(record_ids)
    if not ids:
        return 0
    return _record_messages(session, [Record.id.in_(ids), Record.polarity.in_(("dishonest", "honest"))],
                            added=false())


def on_grades(session: Session, after_grade_id: int) -> int:
    """``grade_changed`` for each grade an evaluation run changed: the ``subject_grades`` rows
    of origin "evaluation" after ``after_grade_id`` whose subject had an evaluation grade before
    (a subject's first grade is no change), to every department told about the subject. The
    evaluation capability calls this after it writes the run's grades."""
    if not session.scalar(select(exists(_watched()))):
        return 0
    g = SubjectGrade
    before = SubjectGrade.__table__.alias("before")
    previous = (select(before.c.grade).where(before.c.subject_id == g.subject_id, before.c.origin == "evaluation",
                                             before.c.id < g.id)
                .order_by(before.c.id.desc()).limit(1).scalar_subquery())
    events = (
        select(g.id.label("grade_id"), g.subject_id, g.grade, g.score, g.graded_on, g.source,
               previous.label("previous_grade"))
        .where(g.id > after_grade_id, g.origin == "evaluation", g.subject_id.in_(_watched()))
        .cte("ev")
    )
    c = events.c
    changed = select(events).where(c.previous_grade.is_not(None)).cte("ev_changed")
    c = changed.c
    event = literal("grade_changed", String)
    origin = literal("sg:", String) + cast(c.grade_id, String)
    payload = {
        "event": event,
        "event_name": literal(PUSH_EVENTS["grade_changed"], String),
        "grade": c.grade,
        "previous_grade": c.previous_grade,
        "score": c.score,
        "graded_on": c.graded_on,
        "source": c.source,
    }
    return _insert_messages(session, changed, event, c.grade_id, origin, payload)
