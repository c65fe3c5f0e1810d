"""The real-time push (实时推送) as use cases: who is told, the outbox, delivery, statistics.

浙政办发〔2017〕75号 二(二)5: "实现个人信用信息和信用评价结果实时推送，以及应用情况的实时监控、统计、汇总".
A department's business system is told at once when the credit of a subject it deals with
changes, so that a measure is applied — or lifted — without waiting for the next check.

**Who is told.** A department is told about a subject when it subscribed to it (explicitly, by
code: :func:`subscribe`) or when one of its officials checked the subject within the last
``push_watch_days`` days. The second is derived from ``checks`` when an event happens
(:func:`_targets`), never written at check time, so the checks stay as they are.

**Producing messages (transactional outbox).** Every producer is one ``INSERT … SELECT`` from
the change (``list_entry_events``, ``records``) joined to the departments to tell, in the same
transaction as the change: a listing that rolls back leaves no message, and a committed one
always has its messages. The payload is built by the database (``json_object`` on SQLite,
``jsonb_build_object`` on PostgreSQL) with the policy's Chinese labels and the measures the
change triggers folded in as ``CASE`` expressions, so the work does not grow with the number of
subjects. Personal identifiers stay out of the payload: a message names its subject by id, and
the name and code are added, masked, when a message is read (:func:`subjects_of`).

- lists: :func:`on_list_events` is a :mod:`xinyong.lists.hooks` hook, run after
  ``lists.service.refresh`` (new listings, activations, removals and expiry), ``include`` and
  ``remove``; an inclusion or activation is ``list_included``, a removal of an entry that had
  been in force ``list_removed``. Proposed listings (拟列入, still in the notice period) and
  withdrawn ones are not pushed: no measure applies to them.
- records: :func:`on_import` is a :mod:`xinyong.records.hooks` hook, registered after the
  lists' own (``xinyong/checks/__init__.py``): a new shown dishonest or honest record of the
  batch is ``record_added``, a record the batch changed (a new version) ``record_status``.
  :func:`on_records_changed` does the same for records changed elsewhere (objection, repair).

Each message carries ``origin`` — the change it comes from — and is only written when the
department has none from that origin yet, so a change seen by two transactions (see
:mod:`xinyong.lists.hooks`) is still told once.

**Delivering.** The pull API reads a department's messages after an id and marks them
delivered; the event stream does the same as they arrive; the webhook deliverer
(:func:`deliver_once`) POSTs them, signed with HMAC-SM3 over the body, and backs off
exponentially on failure. A department acknowledges what it has applied (:func:`ack`).
"""

from __future__ import annotations

import json
import secrets
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import get_args

from sqlalchemy import (
    Integer,
    String,
    and_,
    case,
    cast,
    delete,
    exists,
    false,
    func,
    insert,
    literal,
    literal_column,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from xinyong.accounts.models import Department
from xinyong.accounts.principal import Principal
from xinyong.audit.service import log_event
from xinyong.catalog import service as catalog_service
from xinyong.catalog.schemas import POLARITY_NAMES, PolicySet, SubjectKind, kind_label
from xinyong.checks import rules
from xinyong.checks.models import Check
from xinyong.checks.push_models import PUSH_EVENTS, PushEndpoint, PushMessage, PushSubscription
from xinyong.core import masking, regions, xlsx
from xinyong.core.clock import today as _today
from xinyong.core.crypto import get_keyring
from xinyong.core.db import utcnow
from xinyong.core.errors import Forbidden, InvalidInput, NotFound
from xinyong.core.settings import get_settings
from xinyong.lists.models import BASES, REMOVAL_REASONS, ListEntry, ListEntryEvent
from xinyong.records.models import STATUSES, Record, RecordVersion
from xinyong.records.service import displayed
from xinyong.subjects import service as subjects_service
from xinyong.subjects.identity import display_code, lookup_keys
from xinyong.subjects.models import NATURAL_KINDS, Subject

SECRET_CONTEXT = "push_endpoint.secret"
SIGNATURE_HEADER = "X-Xinyong-Signature"
PURPOSE = "实时推送：联合奖惩措施的实施与解除"
MAX_CODES = 100_000
CHUNK = 5_000
MAX_PAGE = 500
PUSH_ROLES = ("checker", "reporter", "admin")


# --- which department ---------------------------------------------------------------------------


def department_of(session: Session, who: Principal, department: str | None = None) -> Department:
    """The department whose messages and subscriptions ``who`` works with: a checker's or a
    reporter's own (asking for another is 403; having none is 403 too), or — for an
    administrator and the command line — the one named, inside the administrator's region."""
    code = (department or "").strip().upper() or None
    if who.role == "admin":
        code = code or who.department_code
        if not code:
            raise InvalidInput("请指定部门（department，部门的统一社会信用代码）", "name the department",
                               field="department")
        dept = session.scalar(select(Department).where(Department.code == code))
        if dept is None:
            raise NotFound(f"部门 {code} 不存在", f"department {code} does not exist", field="department")
        if not who.covers(dept.region_code):
            raise Forbidden("该部门超出您的地区权限范围", f"department {code} is outside {who.label}'s scope")
        return dept
    if who.role not in PUSH_ROLES:
        raise Forbidden("无权使用实时推送", f"role {who.role} does not use the push")
    if not who.department_code:
        raise Forbidden("您的账号未归属部门，没有推送消息；请信用办管理员为账号指定所属部门",
                        "this account belongs to no department")
    if code and code != who.department_code:
        raise Forbidden("只能查看本部门的推送消息和订阅", "a department reads its own messages only")
    dept = session.scalar(select(Department).where(Department.code == who.department_code))
    if dept is None:
        raise NotFound(f"部门 {who.department_code} 不存在", "the account's department does not exist")
    return dept


def departments_in(session: Session, who: Principal) -> list[Department]:
    """The active departments inside ``who``'s region (for an administrator to choose from)."""
    q = select(Department).where(Department.active == True).order_by(Department.region_code, Department.name)  # noqa: E712
    if who.region_code:
        q = q.where(Department.region_code.like(regions.scope_prefix(who.region_code) + "%"))
    return list(session.scalars(q))


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


def _pg(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


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


# --- subscriptions ---------------------------------------------------------------------------------


@dataclass
class SubscribeResult:
    added: list[tuple[str, int]] = field(default_factory=list)  # (code as given, subject id)
    existing: list[tuple[str, int]] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # well-formed, but no such subject
    invalid: list[str] = field(default_factory=list)  # fails its check digit

    @property
    def subject_ids(self) -> dict[str, int]:
        return dict(self.added + self.existing)


def _resolve(session: Session, codes: list[str], out: SubscribeResult) -> list[tuple[str, int]]:
    """(code as given, subject id) for every code that names a subject, exactly: the code is
    cleaned and validated (check digit) and looked up by its identity key, as a check does."""
    cleaned: list[tuple[str, str]] = []
    for raw in codes:
        given = str(raw or "").strip()
        if not given:
            continue
        try:
            cleaned.append((given, subjects_service.check_code(given)))
        except NotFound:
            out.invalid.append(given)
    found: list[tuple[str, int]] = []
    for i in range(0, len(cleaned), CHUNK):
        part = cleaned[i:i + CHUNK]
        keys = lookup_keys([c for _, c in part])
        ids = dict(session.execute(select(Subject.code, Subject.id).where(Subject.code.in_(set(keys)))).all())
        for (given, _), key in zip(part, keys, strict=True):
            sid = ids.get(key)
            if sid is None:
                out.unknown.append(given)
            else:
                found.append((given, sid))
    return found


def read_codes(text: str = "", file_name: str | None = None, content: bytes | None = None) -> list[str]:
    """Codes from a textarea (one a line, or separated by commas, spaces or semicolons) and/or an
    XLSX or CSV file (every cell of the column headed like a code column, or the first column)."""
    import re

    codes = [c for c in re.split(r"[\s,，;；、]+", text or "") if c.strip()]
    if content:
        codes.extend(_codes_from_file(file_name or "", content))
    if len(codes) > MAX_CODES:
        raise InvalidInput(f"一次最多订阅 {MAX_CODES:,} 个代码", f"at most {MAX_CODES} codes at once")
    return codes


CODE_HEADERS = ("统一社会信用代码或公民身份号码", "统一社会信用代码", "公民身份号码", "身份证号码", "身份证号", "证件号码", "代码", "code")


def _codes_from_file(name: str, content: bytes) -> list[str]:
    import csv
    import io

    suffix = Path(name).suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        wb, ws, last_row, last_column = xlsx.open_workbook(io.BytesIO(content))  # looked at before it is parsed
        try:
            rows = [list(r) for r in ws.iter_rows(values_only=True, max_row=last_row, max_col=max(last_column, 1))
                    ] if last_row else []
        except Exception as exc:  # a part that passed the look but does not parse
            raise InvalidInput("无法读取该 XLSX 文件", f"unreadable XLSX: {type(exc).__name__}") from None
        finally:
            wb.close()
    elif suffix in (".csv", ".txt"):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = content.decode("gb18030", errors="replace")
        rows = list(csv.reader(io.StringIO(text)))
    else:
        raise InvalidInput("请上传 XLSX 或 CSV 文件", "upload an XLSX or CSV file", field="file")
    if not rows:
        return []
    header = [str(h or "").strip() for h in rows[0]]
    col = next((i for i, h in enumerate(header) if h in CODE_HEADERS), None)
    body = rows[1:] if col is not None else rows
    col = col or 0
    return [str(r[col]).strip() for r in body if col < len(r) and r[col] not in (None, "") and str(r[col]).strip()]


def subscribe(session: Session, department: Department, codes: list[str], *, by: str,
              ends_on: date | None = None) -> SubscribeResult:
    """Subscribe ``department`` to the subjects named by ``codes`` (exact code match; unknown
    and malformed codes are reported, never guessed). Set-based a chunk at a time."""
    if len(codes) > MAX_CODES:
        raise InvalidInput(f"一次最多订阅 {MAX_CODES:,} 个代码", f"at most {MAX_CODES} codes at once")
    if ends_on is not None and ends_on < _today():
        raise InvalidInput("订阅截止日期不能早于今天", "ends_on is in the past", field="ends_on")
    out = SubscribeResult()
    found = _resolve(session, codes, out)
    seen: set[int] = set()
    now = utcnow()
    for i in range(0, len(found), CHUNK):
        part = [(g, sid) for g, sid in found[i:i + CHUNK] if not (sid in seen or seen.add(sid))]
        have = set(session.scalars(select(PushSubscription.subject_id).where(
            PushSubscription.department_code == department.code,
            PushSubscription.subject_id.in_([sid for _, sid in part]))))
        rows = []
        for given, sid in part:
            if sid in have:
                out.existing.append((given, sid))
            else:
                out.added.append((given, sid))
                rows.append({"department_code": department.code, "subject_id": sid, "source": "explicit",
                             "created_by": by, "created_at": now, "ends_on": ends_on})
        if rows:
            session.execute(insert(PushSubscription), rows)
    session.flush()
    return out


@dataclass
class UnsubscribeResult:
    removed: int = 0
    unknown: list[str] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)


def unsubscribe(session: Session, department: Department, *, codes: list[str] | None = None,
                subject_ids: list[int] | None = None) -> UnsubscribeResult:
    """End the department's subscriptions to these subjects (by code or by subject id)."""
    out = UnsubscribeResult()
    ids = list(subject_ids or [])
    if codes:
        res = SubscribeResult()
        ids += [sid for _, sid in _resolve(session, codes, res)]
        out.unknown, out.invalid = res.unknown, res.invalid
    for i in range(0, len(ids), CHUNK):
        r = session.execute(delete(PushSubscription).where(
            PushSubscription.department_code == department.code, PushSubscription.subject_id.in_(ids[i:i + CHUNK])))
        out.removed += max(r.rowcount or 0, 0)
    session.flush()
    return out


def subscriptions(session: Session, department: Department, *, limit: int = 50, offset: int = 0
                  ) -> tuple[list[tuple[PushSubscription, Subject]], int]:
    q = (select(PushSubscription, Subject).join(Subject, Subject.id == PushSubscription.subject_id)
         .where(PushSubscription.department_code == department.code))
    total = session.scalar(select(func.count()).where(PushSubscription.department_code == department.code)) or 0
    rows = session.execute(q.order_by(PushSubscription.id.desc()).limit(limit).offset(offset)).all()
    return [(s, subj) for s, subj in rows], int(total)


# --- reading and acknowledging -----------------------------------------------------------------------


def messages(session: Session, department: Department, *, after: int = 0, limit: int = 100,
             unacked_only: bool = False) -> list[PushMessage]:
    q = select(PushMessage).where(PushMessage.department_code == department.code, PushMessage.id > after)
    if unacked_only:
        q = q.where(PushMessage.acked_at.is_(None))
    return list(session.scalars(q.order_by(PushMessage.id).limit(min(max(limit, 1), MAX_PAGE))))


def latest(session: Session, department: Department, limit: int = 20) -> list[PushMessage]:
    q = (select(PushMessage).where(PushMessage.department_code == department.code)
         .order_by(PushMessage.id.desc()).limit(limit))
    return list(session.scalars(q))


def unacked_count(session: Session, department: Department) -> int:
    return int(session.scalar(select(func.count()).where(
        PushMessage.department_code == department.code, PushMessage.acked_at.is_(None))) or 0)


def deliver(session: Session, rows: list[PushMessage], who: Principal | str, *, request_id: str | None = None,
            ip: str | None = None, channel: str = "pull") -> None:
    """Mark ``rows`` delivered (those not yet) and log the read of each natural person's data
    they carry: one audit entry per subject (who, why, through which channel). The caller
    commits."""
    if not rows:
        return
    now = utcnow()
    fresh = [m.id for m in rows if m.delivered_at is None]
    if fresh:
        session.execute(update(PushMessage).where(PushMessage.id.in_(fresh), PushMessage.delivered_at.is_(None))
                        .values(delivered_at=now).execution_options(synchronize_session=False))
        for m in rows:
            m.delivered_at = m.delivered_at or now
    log_reads(session, rows, who, what="push_message", request_id=request_id, ip=ip, channel=channel)


# How a department read its messages, as the audit log's purpose says it (a person reads it).
CHANNEL_NAMES = {"page": "网页", "api": "接口", "pull": "接口拉取", "stream": "消息流", "webhook": "回调"}


def log_reads(session: Session, rows: list[PushMessage], who: Principal | str, *, what: str,
              request_id: str | None = None, ip: str | None = None, channel: str = "page") -> None:
    """One audit entry per natural person among the messages' subjects."""
    by_subject: dict[int, list[int]] = {}
    for m in rows:
        by_subject.setdefault(m.subject_id, []).append(m.id)
    if not by_subject:
        return
    natural = set(session.scalars(select(Subject.id).where(Subject.id.in_(by_subject), Subject.kind.in_(NATURAL_KINDS))))
    for sid in sorted(natural):
        ids = by_subject[sid]
        log_event(session, who=who, action="read", entity=what, entity_id=",".join(map(str, ids))[:100],
                  subject_id=sid, purpose=f"{PURPOSE}（{CHANNEL_NAMES.get(channel, channel)}）", request_id=request_id,
                  ip=ip)


def ack(session: Session, department: Department, ids: list[int]) -> int:
    """Acknowledge the department's own messages (others' ids are ignored); returns how many were
    newly acknowledged. An acknowledged message was delivered, whatever the channel."""
    ids = [i for i in ids if isinstance(i, int)][:MAX_PAGE * 10]
    if not ids:
        return 0
    now = utcnow()
    res = session.execute(update(PushMessage).where(
        PushMessage.department_code == department.code, PushMessage.id.in_(ids), PushMessage.acked_at.is_(None),
    ).values(acked_at=now, delivered_at=func.coalesce(PushMessage.delivered_at, now))
        .execution_options(synchronize_session=False))
    session.flush()
    return max(res.rowcount or 0, 0)


@dataclass
class SubjectShown:
    id: int
    kind: str
    kind_name: str
    name: str  # masked for a natural person
    code: str  # a USCC whole, an identity number masked


def subjects_of(session: Session, rows: Iterable) -> dict[int, SubjectShown]:
    """How the subjects of these messages (or subscriptions) are shown: one query."""
    ids = {r.subject_id for r in rows}
    if not ids:
        return {}
    out = {}
    for s in session.scalars(select(Subject).where(Subject.id.in_(ids))):
        natural = s.kind in NATURAL_KINDS
        out[s.id] = SubjectShown(s.id, s.kind, kind_label(s.kind, s.code),
                                 masking.mask_name(s.name) if natural else s.name, display_code(s))
    return out


def message_dict(m: PushMessage, subject: SubjectShown | None) -> dict:
    """A message as the API, the stream and the webhook send it."""
    return {
        "id": m.id, "event": m.event, "event_name": PUSH_EVENTS.get(m.event, m.event), "ref_id": m.ref_id,
        "subject": vars(subject) if subject else {"id": m.subject_id},
        "payload": m.payload, "created_at": m.created_at.isoformat(timespec="seconds") + "Z",
        "delivered_at": m.delivered_at.isoformat(timespec="seconds") + "Z" if m.delivered_at else None,
        "acked_at": m.acked_at.isoformat(timespec="seconds") + "Z" if m.acked_at else None,
    }


# --- webhooks --------------------------------------------------------------------------------------


def sign(secret: str, body: bytes) -> str:
    """HMAC-SM3 of ``body`` under the endpoint's secret, as hex: the receiver recomputes it over
    the raw body and compares in constant time."""
    from cryptography.hazmat.primitives import hashes, hmac

    h = hmac.HMAC(secret.encode(), hashes.SM3())
    h.update(body)
    return h.finalize().hex()


def verify_signature(secret: str, body: bytes, header: str | None) -> bool:
    import hmac as std_hmac

    scheme, _, value = (header or "").partition("=")
    return scheme == "hmac-sm3" and std_hmac.compare_digest(value, sign(secret, body))


def set_endpoint(session: Session, department: Department, url: str, *, by: str, secret: str | None = None,
                 active: bool = True) -> tuple[PushEndpoint, str]:
    """Set the department's webhook; returns it and the secret (a new random one unless given),
    which is shown once and stored encrypted."""
    url = (url or "").strip()
    if not url.startswith(("http://", "https://")) or len(url) > 500:
        raise InvalidInput("推送地址须为 http:// 或 https:// 开头的网址（至多500字符）", "the URL must be http(s)",
                           field="url")
    secret = secret or secrets.token_urlsafe(32)
    if len(secret) < 16:
        raise InvalidInput("签名密钥至少16个字符", "the secret needs at least 16 characters", field="secret")
    cipher = get_keyring().encrypt(secret, SECRET_CONTEXT)
    ep = session.scalar(select(PushEndpoint).where(PushEndpoint.department_code == department.code))
    if ep is None:
        ep = PushEndpoint(department_code=department.code, url=url, secret_cipher=cipher, active=active,
                          updated_by=by, updated_at=utcnow())
        session.add(ep)
    else:
        ep.url, ep.secret_cipher, ep.active, ep.updated_by, ep.updated_at = url, cipher, active, by, utcnow()
    session.flush()
    return ep, secret


def endpoint_of(session: Session, department: Department) -> PushEndpoint | None:
    return session.scalar(select(PushEndpoint).where(PushEndpoint.department_code == department.code))


@dataclass
class Delivery:
    sent: int = 0  # messages delivered
    failed: int = 0  # messages whose POST failed (retried later, or given up)
    given_up: int = 0
    posts: int = 0
    errors: list[str] = field(default_factory=list)


Poster = Callable[[str, bytes, dict[str, str], float], int]


def http_post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
    """POST with the standard library; the HTTP status (an error status is returned, not raised)."""
    req = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 (http(s) only: set_endpoint)
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _backoff(attempts: int) -> timedelta:
    base = get_settings().push_retry_seconds
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 86_400))


def deliver_once(session: Session, *, limit: int = 100, post: Poster = http_post,
                 now: datetime | None = None) -> Delivery:
    """POST every due undelivered message to its department's active webhook, a department at
    a time, up to ``limit`` messages a POST, signed (``X-Xinyong-Signature: hmac-sm3=<hex>``
    over the body). A 2xx marks them delivered; anything else — an error status, a refused
    connection, a timeout — counts an attempt, keeps the error and waits ``push_retry_seconds``
    doubled per attempt; after ``push_max_attempts`` the deliverer gives up on the message (it
    stays for the pull API). Commits per POST. On PostgreSQL the rows are locked with SKIP
    LOCKED, so several deliverers never send the same message twice at once."""
    s = get_settings()
    now = now or utcnow()
    out = Delivery()
    due = and_(PushMessage.delivered_at.is_(None), PushMessage.attempts < s.push_max_attempts,
               or_(PushMessage.next_attempt_at.is_(None), PushMessage.next_attempt_at <= now))
    depts = list(session.scalars(
        select(PushEndpoint.department_code).where(PushEndpoint.active == True,  # noqa: E712
                                                    exists().where(PushMessage.department_code == PushEndpoint.department_code, due))))
    ring = get_keyring()
    for code in depts:
        ep = session.scalar(select(PushEndpoint).where(PushEndpoint.department_code == code))
        rows = list(session.scalars(
            select(PushMessage).where(PushMessage.department_code == code, due).order_by(PushMessage.id).limit(limit)
            .with_for_update(skip_locked=True)))
        if ep is None or not rows:
            session.rollback()
            continue
        shown = subjects_of(session, rows)
        body = json.dumps({"department": code, "messages": [message_dict(m, shown.get(m.subject_id)) for m in rows]},
                          ensure_ascii=False, separators=(",", ":")).encode()
        secret = ring.decrypt(ep.secret_cipher, SECRET_CONTEXT)
        headers = {"Content-Type": "application/json; charset=utf-8", SIGNATURE_HEADER: f"hmac-sm3={sign(secret, body)}",
                   "X-Xinyong-Delivery": secrets.token_hex(8), "User-Agent": "xinyong-push"}
        out.posts += 1
        try:
            status, error = post(ep.url, body, headers, s.push_webhook_timeout_seconds), None
            if not 200 <= status < 300:
                error = f"HTTP {status}"
        except Exception as exc:  # refused, timed out, DNS: all count as a failed attempt
            error = f"{type(exc).__name__}: {exc}"[:500]
        if error is None:
            deliver(session, rows, "push-webhook", channel="webhook")
            out.sent += len(rows)
        else:
            for m in rows:
                m.attempts += 1
                m.last_error = error
                if m.attempts >= s.push_max_attempts:
                    m.next_attempt_at = None
                    out.given_up += 1
                else:
                    m.next_attempt_at = now + _backoff(m.attempts)
            out.failed += len(rows)
            out.errors.append(f"{code}: {error}")
        session.commit()
    return out


# --- statistics ------------------------------------------------------------------------------------


@dataclass
class PushStats:
    total: int
    delivered: int
    acked: int
    given_up: int
    median_ack_seconds: float | None
    by_day: list[tuple[str, dict[str, int]]]  # day → event → messages
    by_department: list[dict]  # code, name, total, delivered, acked, median_ack_seconds
    subscriptions: int

    @property
    def delivered_rate(self) -> float:
        return self.delivered / self.total if self.total else 0.0

    @property
    def acked_rate(self) -> float:
        return self.acked / self.total if self.total else 0.0


def _delay_seconds(session: Session):
    pm = PushMessage
    if _pg(session):
        return func.extract("epoch", pm.acked_at - pm.created_at)
    return (func.julianday(pm.acked_at) - func.julianday(pm.created_at)) * 86400.0


def _local_day(session: Session):
    """The day a message was made, in China Standard Time (times are stored in UTC)."""
    if _pg(session):
        return func.to_char(PushMessage.created_at + literal_column("interval '8 hours'"), "YYYY-MM-DD")
    return func.strftime("%Y-%m-%d", PushMessage.created_at, "+8 hours")


def _medians(session: Session, conds: list, by_department: bool):
    delay = _delay_seconds(session)
    part = [PushMessage.department_code] if by_department else []
    d = select(
        (PushMessage.department_code if by_department else literal("", String)).label("k"), delay.label("d"),
        func.row_number().over(partition_by=part or None, order_by=delay).label("rn"),
        func.count().over(partition_by=part or None).label("n"),
    ).where(*conds, PushMessage.acked_at.is_not(None)).subquery()
    q = (select(d.c.k, func.avg(d.c.d)).where(or_(d.c.rn == (d.c.n + 1) // 2, d.c.rn == (d.c.n + 2) // 2))
         .group_by(d.c.k))
    return {k: float(v) for k, v in session.execute(q).all() if v is not None}


def statistics(session: Session, *, region: str | None = None, since: date | None = None,
               until: date | None = None) -> PushStats:
    """Messages per day by event, per department; delivered and acknowledged rates; the median
    delay from a message's creation to its acknowledgement — a handful of grouped queries."""
    pm = PushMessage
    conds: list = []
    dept_scope = select(Department.code)
    if region:
        dept_scope = dept_scope.where(Department.region_code.like(regions.scope_prefix(region) + "%"))
        conds.append(pm.department_code.in_(dept_scope))
    if since:
        conds.append(pm.created_at >= datetime.combine(since, datetime.min.time()))
    if until:
        conds.append(pm.created_at < datetime.combine(until + timedelta(days=1), datetime.min.time()))
    s = get_settings()
    delivered = func.sum(case((pm.delivered_at.is_not(None), 1), else_=0))
    acked = func.sum(case((pm.acked_at.is_not(None), 1), else_=0))
    given_up = func.sum(case((and_(pm.delivered_at.is_(None), pm.attempts >= s.push_max_attempts), 1), else_=0))
    total_row = session.execute(select(func.count(), delivered, acked, given_up).where(*conds)).one()
    day = _local_day(session)
    by_day: dict[str, dict[str, int]] = {}
    for d, ev, n in session.execute(select(day, pm.event, func.count()).where(*conds).group_by(day, pm.event).order_by(day)):
        by_day.setdefault(d, {})[ev] = n
    medians = _medians(session, conds, True)
    names = dict(session.execute(select(Department.code, Department.name)).all())
    by_dept = [
        {"code": code, "name": names.get(code, code), "total": n, "delivered": int(dl or 0), "acked": int(ak or 0),
         "median_ack_seconds": medians.get(code)}
        for code, n, dl, ak in session.execute(
            select(pm.department_code, func.count(), delivered, acked).where(*conds)
            .group_by(pm.department_code).order_by(func.count().desc()))
    ]
    sub_q = select(func.count()).select_from(PushSubscription)
    if region:
        sub_q = sub_q.where(PushSubscription.department_code.in_(dept_scope))
    overall = _medians(session, conds, False)
    return PushStats(
        total=int(total_row[0] or 0), delivered=int(total_row[1] or 0), acked=int(total_row[2] or 0),
        given_up=int(total_row[3] or 0), median_ack_seconds=overall.get(""),
        by_day=sorted(by_day.items()), by_department=by_dept, subscriptions=int(session.scalar(sub_q) or 0),
    )


def statistics_xlsx(stats: PushStats, path: Path) -> Path:
    wb = xlsx.streamed_workbook()
    ws = wb.create_sheet("总体")
    xlsx.append(ws, ["推送消息", "已送达", "送达率", "已确认", "确认率", "放弃重试", "确认用时中位数（秒）", "订阅数"])
    xlsx.append(ws, [stats.total, stats.delivered, round(stats.delivered_rate, 4), stats.acked,
                     round(stats.acked_rate, 4), stats.given_up, round(stats.median_ack_seconds, 1) if stats.median_ack_seconds is not None else None,
                     stats.subscriptions])
    ws = wb.create_sheet("按日")
    xlsx.append(ws, ["日期", *PUSH_EVENTS.values(), "合计"])
    for d, counts in stats.by_day:
        xlsx.append(ws, [d, *(counts.get(k, 0) for k in PUSH_EVENTS), sum(counts.values())])
    ws = wb.create_sheet("按部门")
    xlsx.append(ws, ["部门代码", "部门名称", "推送消息", "已送达", "已确认", "确认用时中位数（秒）"])
    for r in stats.by_department:
        xlsx.append(ws, [r["code"], r["name"], r["total"], r["delivered"], r["acked"],
                         round(r["median_ack_seconds"], 1) if r["median_ack_seconds"] is not None else None])
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path

