"""Appending to the audit log, verifying its chain, and reading it.

Every write and every read of personal data is one entry: who (user, role, how they came in),
when, what (action, entity, entity id), which subject, the stated purpose (reads), the request
id and the caller's address, and for writes the state before and after. Entries are appended in
the caller's transaction (the caller commits), so a write and its entry are stored together or
not at all.

The chain: entry *n* stores ``prev_hash`` (entry *n-1*'s hash; 64 zeros for entry 1) and
``hash`` = SM3 (GB/T 32905, from the ``cryptography`` package) over a canonical JSON form of all
its fields, ``prev_hash`` included. Editing an entry changes its hash; removing one breaks the
numbering and the next entry's link; cutting entries off the end leaves the chain head (one row
holding the last number and hash) pointing past the end. :func:`verify` walks the log in order,
streaming, and names the first entry that was altered or removed.

An entry that concerns several subjects (an inbox view, a batch check) names them in
``audit_entry_subjects`` (``subject_ids``), written in the same transaction. Their sorted ids
enter the hash as one more field, ``subject_ids`` — only when there are any, so every entry
written before the table existed hashes exactly as it did and old chains still verify.

Appends are serialised by locking the chain-head row (``UPDATE … RETURNING``): on PostgreSQL a
row lock held to the end of the transaction, on SQLite the database write lock. So keep the
append close to the commit in long transactions (the file import appends at its end).

Query logs are kept 10 years (浙江省公共信用信息管理条例); nothing in this package deletes an entry.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives import hashes
from sqlalchemy import bindparam, func, insert, literal_column, or_, select, union_all, update
from sqlalchemy.orm import Session

from xinyong.accounts import events
from xinyong.accounts.events import AccountEvent
from xinyong.audit.models import GENESIS_HASH, AuditChainHead, AuditEntry, AuditEntrySubject
from xinyong.core.db import utcnow
from xinyong.core.errors import InvalidInput
from xinyong.core.masking import mask_ids_in_text

if TYPE_CHECKING:
    from xinyong.accounts.principal import Principal
    from xinyong.audit.anchors import Anchor

HEAD_ID = 1
HASHED_FIELDS = (
    "seq", "at", "user_id", "username", "role", "via", "action", "entity", "entity_id", "subject_id",
    "purpose", "request_id", "ip", "before", "after", "prev_hash",
)
# Column widths: values are cut to these before hashing, so what is stored is what was hashed.
_WIDTHS = {"username": 100, "role": 20, "via": 10, "action": 20, "entity": 50, "entity_id": 200,
           "purpose": 500, "request_id": 128, "ip": 45}


# --- hashing -------------------------------------------------------------------------------------


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    return str(value)


def _masked(value: Any) -> Any:
    if isinstance(value, str):
        return mask_ids_in_text(value)
    if isinstance(value, dict):
        return {k: _masked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(v) for v in value]
    return value


def _plain(data: dict | None) -> dict | None:
    """``data`` as JSON gives it back (dates as text, tuples as lists): stored == hashed. An
    identity number in it is masked: the log names subjects by ``subject_id``, never by number."""
    if data is None:
        return None
    return _masked(json.loads(json.dumps(data, default=_json_default, ensure_ascii=False)))


def _at_text(at: datetime) -> str:
    return at.replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def canonical(fields: dict[str, Any]) -> bytes:
    """The bytes an entry's hash is taken over: its fields as sorted, compact JSON, plus the
    sorted ``subject_ids`` it is linked to where there are any (absent otherwise, so entries
    from before the links existed keep their hash)."""
    out = {k: fields.get(k) for k in HASHED_FIELDS}
    out["at"] = _at_text(out["at"])
    if fields.get("subject_ids"):
        out["subject_ids"] = sorted(int(i) for i in fields["subject_ids"])
    return json.dumps(out, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def sm3_hex(data: bytes) -> str:
    h = hashes.Hash(hashes.SM3())
    h.update(data)
    return h.finalize().hex()


def entry_hash(fields: dict[str, Any]) -> str:
    return sm3_hex(canonical(fields))


def _fields_of(entry: AuditEntry | Any) -> dict[str, Any]:
    return {k: getattr(entry, k) for k in HASHED_FIELDS}


# --- appending -----------------------------------------------------------------------------------


def _who_fields(who: Principal | str) -> dict[str, Any]:
    if isinstance(who, str):  # a plain user name (older callers): the command line
        return {"user_id": None, "username": who, "role": None, "via": "cli"}
    return {"user_id": who.user_id, "username": who.username, "role": who.role, "via": who.via}


# The head taken in plain SQL, for a caller that folds it into a statement of its own (a data-
# modifying CTE): the same as the "lock" statement below. No row: the head was never made; call
# log_event without ``head`` and it is made.
LOCK_HEAD_SQL = "UPDATE audit_chain_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash"  # id: HEAD_ID


def _lock_head(session: Session) -> tuple[int, str]:
    """Take the chain head (locking it to the end of the transaction): the next entry's number
    and the hash it links to."""
    stmt = _statements()["lock"]
    row = session.execute(stmt).first()
    if row is None:
        _create_head(session)
        row = session.execute(stmt).one()
    return int(row[0]), str(row[1])


def _create_head(session: Session) -> None:
    """The head row, from the last entry (none yet: number 0, the genesis hash). Made once;
    two sessions racing to make it both end up locking the same row."""
    conn = session.connection()
    last = conn.execute(
        select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)
    ).first()
    seq, digest = (int(last[0]), str(last[1])) if last else (0, GENESIS_HASH)
    values = {"id": HEAD_ID, "seq": seq, "hash": digest}
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        conn.execute(pg_insert(AuditChainHead.__table__).values(values).on_conflict_do_nothing())
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        conn.execute(sqlite_insert(AuditChainHead.__table__).values(values).on_conflict_do_nothing())


def log_event(
    session: Session,
    *,
    who: Principal | str,
    action: str,
    entity: str,
    entity_id: str | int | None = None,
    subject_id: int | None = None,
    purpose: str | None = None,
    before: dict | None = None,
    after: dict | None = None,
    request_id: str | None = None,
    ip: str | None = None,
    head: tuple[int, str] | None = None,
    subject_ids: Iterable[int] | None = None,
) -> AuditEntry:
    """Append one hash-chained entry in the caller's transaction (the caller commits).
    ``head``: the entry's number and the hash it links to, when the caller has already taken
    the chain head in a statement of its own (:data:`LOCK_HEAD_SQL` as a CTE); else it is taken
    here. ``subject_ids``: the further subjects the entry concerns (an inbox view listing
    several persons, a batch check), linked in ``audit_entry_subjects`` in this transaction so
    each of them sees the entry in 谁查询了我; ``subject_id`` itself is not repeated there."""
    links = sorted({int(i) for i in subject_ids or ()} - {subject_id})
    fields: dict[str, Any] = {
        **_who_fields(who),
        "action": action, "entity": entity, "entity_id": None if entity_id is None else str(entity_id),
        "subject_id": subject_id, "purpose": mask_ids_in_text(purpose) if purpose else None, "request_id": request_id, "ip": ip,
        "before": _plain(before), "after": _plain(after),
    }
    for name, width in _WIDTHS.items():
        if fields.get(name) is not None:
            fields[name] = str(fields[name])[:width]
    seq, prev = head if head is not None else _lock_head(session)
    fields.update(seq=seq, at=utcnow(), prev_hash=prev, subject_ids=links)
    fields["hash"] = entry_hash(fields)
    _append(session, fields)
    del fields["subject_ids"]
    entry = AuditEntry(**fields)  # what was stored (not attached to the session)
    entry.subject_ids = links
    return entry


def _append(session: Session, fields: dict[str, Any]) -> None:
    """Store the entry and move the chain head to it: one round trip on PostgreSQL (a
    data-modifying CTE runs whether or not the outer statement reads it), two on SQLite, whose
    statements are calls within the process. Core statements built once, not the unit of work:
    a single check appends one entry and this is on its hot path."""
    stmts = _statements()
    params = {f"e_{name}": fields.get(name) for name in stmts["columns"]}
    params["head_hash"] = fields["hash"]
    if session.get_bind().dialect.name == "postgresql":
        session.execute(stmts["append_pg"], params)
    else:
        session.execute(stmts["insert"], params)
        session.execute(stmts["move_head"], params)
    if fields.get("subject_ids"):  # one more statement, only for an entry naming several subjects
        session.execute(insert(AuditEntrySubject.__table__),
                        [{"seq": fields["seq"], "subject_id": sid} for sid in fields["subject_ids"]])


@cache
def _statements() -> dict[str, Any]:
    head, entries = AuditChainHead.__table__, AuditEntry.__table__
    stmt_in = insert(entries).values({c.name: bindparam(f"e_{c.name}", type_=c.type) for c in entries.columns})
    move_head = update(head).where(head.c.id == HEAD_ID).values(hash=bindparam("head_hash"))
    return {
        "columns": [c.name for c in entries.columns],
        "lock": update(head).where(head.c.id == HEAD_ID).values(seq=head.c.seq + 1).returning(head.c.seq, head.c.hash),
        "insert": stmt_in,
        "move_head": move_head,
        "append_pg": move_head.add_cte(stmt_in.cte("entry")),
    }


def log_read(
    session: Session,
    *,
    who: Principal | str,
    subject_id: int | None,
    purpose: str,
    what: str,
    request_id: str | None = None,
    ip: str | None = None,
    entity_id: str | int | None = None,
) -> AuditEntry:
    """Log one read of a subject's personal data (``what``: e.g. "credit_file", "record")
    with the purpose the reader stated; a read without a purpose is refused."""
    if not (purpose or "").strip():
        raise InvalidInput("查询个人信息须说明查询目的", "a read of personal data must state its purpose",
                           field="purpose")
    return log_event(
        session, who=who, action="read", entity=what, entity_id=entity_id, subject_id=subject_id,
        purpose=purpose.strip(), request_id=request_id, ip=ip,
    )


def log_download(
    session: Session,
    *,
    who: Principal | str,
    what: str,
    persons: int,
    entity_id: str | int | None = None,
    request_id: str | None = None,
    ip: str | None = None,
) -> AuditEntry:
    """Log one download of a file that carries personal data (``what``: the kind of file, one of
    :data:`xinyong.audit.downloads.PERSONAL`): who took it, which file, and how many persons' data
    (names, identity numbers, masked or not) it held. A file is a copy that leaves the platform's
    control, so it is logged even where the same data read on a page is not (security finding 6);
    the route list in :mod:`xinyong.audit.downloads` is what a test walks."""
    return log_event(session, who=who, action="download", entity=what, entity_id=entity_id,
                     after={"persons": persons}, request_id=request_id, ip=ip)


# --- verifying -----------------------------------------------------------------------------------


@dataclass
class Verdict:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    problem: str | None = None  # "altered", "removed", "broken_link", "head", "anchor"
    zh: str = ""
    en: str = ""


def verify(session: Session, *, chunk: int = 5000, anchors: Iterable[Anchor] = ()) -> Verdict:
    """Walk the chain in order (streaming, ``chunk`` entries per query) and name the first
    entry that was altered or removed. One query per chunk; memory does not grow with the log.
    ``anchors``: heads written outside the database (:mod:`xinyong.audit.anchors`); the chain
    must still hold each anchored entry with its anchored hash, so a log cut back behind an
    anchor, with its chain head set back too, is found."""
    anchored = {a.seq: a for a in anchors}
    expected_seq, prev_hash, checked = 1, GENESIS_HASH, 0
    cols = [getattr(AuditEntry, k) for k in HASHED_FIELDS] + [AuditEntry.hash]
    last_seq = 0
    while True:
        rows = session.execute(
            select(*cols).where(AuditEntry.seq > last_seq).order_by(AuditEntry.seq).limit(chunk)
        ).all()
        if not rows:
            break
        links = linked_subjects(session, first=int(rows[0][0]), last=int(rows[-1][0]))
        for row in rows:
            fields = dict(zip(HASHED_FIELDS, row[:-1], strict=True))
            fields["subject_ids"] = links.get(int(fields["seq"]))
            stored = row[-1]
            seq = int(fields["seq"])
            if seq != expected_seq:
                gap = f"{expected_seq}" if seq == expected_seq + 1 else f"{expected_seq}–{seq - 1}"
                return Verdict(False, checked, expected_seq, "removed",
                               f"审计日志第 {gap} 条已被删除（序号不连续）",
                               f"audit entry {gap} was removed (the numbering jumps to {seq})")
            if entry_hash(fields) != stored:
                return Verdict(False, checked, seq, "altered", f"审计日志第 {seq} 条已被篡改（哈希不符）",
                               f"audit entry {seq} was altered (its hash does not match its content)")
            if fields["prev_hash"] != prev_hash:
                return Verdict(False, checked, seq, "broken_link",
                               f"审计日志第 {seq} 条与前一条的链接断开（前一条被篡改或删除）",
                               f"audit entry {seq} does not link to the entry before it "
                               "(that entry was altered or removed)")
            if seq in anchored and anchored[seq].hash != stored:
                a = anchored[seq]
                return Verdict(False, checked, seq, "anchor",
                               f"审计日志第 {seq} 条与 {a.at} 的外部锚点不符（日志自该条起被改写）",
                               f"audit entry {seq} does not match the anchor of {a.at} (the log was rewritten)")
            prev_hash, expected_seq, checked, last_seq = stored, seq + 1, checked + 1, seq
    head = session.execute(select(AuditChainHead.seq, AuditChainHead.hash).where(AuditChainHead.id == HEAD_ID)).first()
    if head is not None and int(head[0]) > last_seq:
        first = last_seq + 1
        return Verdict(False, checked, first, "removed", f"审计日志第 {first} 条起已被删除（链头记录到第 {head[0]} 条）",
                       f"audit entries from {first} on were removed (the chain head is at {head[0]})")
    if head is not None and int(head[0]) == last_seq and last_seq and head[1] != prev_hash:
        return Verdict(False, checked, last_seq, "altered", f"审计日志第 {last_seq} 条已被篡改（与链头不符）",
                       f"audit entry {last_seq} was altered (it does not match the chain head)")
    if head is None and last_seq:
        return Verdict(False, checked, None, "head", "审计日志链头缺失", "the audit chain head is missing")
    beyond = max((a for a in anchored.values() if a.seq > last_seq), key=lambda a: a.seq, default=None)
    if beyond is not None:
        first = last_seq + 1
        return Verdict(False, checked, first, "removed",
                       f"审计日志第 {first} 条起已被删除（{beyond.at} 的外部锚点记录到第 {beyond.seq} 条）",
                       f"audit entries from {first} on were removed (the anchor of {beyond.at} is at {beyond.seq})")
    if anchored:
        latest = max(anchored.values(), key=lambda a: a.seq)
        return Verdict(True, checked, zh=f"审计日志完整，共 {checked} 条；与外部锚点（{latest.at}，第 {latest.seq} 条）一致",
                       en=f"audit log intact: {checked} entries, consistent with the anchor of {latest.at} "
                          f"(entry {latest.seq})")
    return Verdict(True, checked, zh=f"审计日志完整，共 {checked} 条", en=f"audit log intact: {checked} entries")


# --- reading -------------------------------------------------------------------------------------


def linked_subjects(session: Session, seqs: Iterable[int] = (), *, first: int | None = None,
                    last: int | None = None) -> dict[int, list[int]]:
    """The subjects linked to entries (``audit_entry_subjects``), sorted: for the entries
    ``seqs``, or for every entry numbered ``first``..``last`` (a chunk of the chain)."""
    stmt = select(AuditEntrySubject.seq, AuditEntrySubject.subject_id)
    if first is not None and last is not None:
        stmt = stmt.where(AuditEntrySubject.seq.between(first, last))
    else:
        wanted = list(seqs)
        if not wanted:
            return {}
        stmt = stmt.where(AuditEntrySubject.seq.in_(wanted))
    out: dict[int, list[int]] = {}
    for seq, sid in session.execute(stmt.order_by(AuditEntrySubject.seq, AuditEntrySubject.subject_id)):
        out.setdefault(int(seq), []).append(int(sid))
    return out


@dataclass
class EntryFilter:
    """``subject_id`` / ``subject_ids``: entries that concern the subject(s), whether by their own
    subject column or linked in ``audit_entry_subjects``."""

    username: str | None = None
    subject_id: int | None = None
    subject_ids: tuple[int, ...] | None = None
    action: str | None = None
    entity: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    # an auditor's region scope: only entries whose acting user's region lies inside it (None: all)
    within: str | None = None


def scope_of(who: Principal) -> str | None:
    """The region an auditor's view of the log is limited to, for :attr:`EntryFilter.within`.

    An entry's region is its acting user's region (the user's account as it is now): a city
    auditor sees what its city's and counties' users did — their reads of personal data, their
    imports, their administrators' changes — and nothing of another city's or the province's
    users. A province-wide auditor (and the command line) sees the whole log, including entries
    that have no region: the public's, the command line's, failed logins, subject users'.
    Set-based: one ``IN (SELECT id FROM users WHERE region_code LIKE …)`` on the query (docs/audit.md)."""
    if who.via == "cli" or (who.region_code or "").endswith("0000"):
        return None
    return who.region_code or "-"  # an official without a region sees nothing


def _filtered(f: EntryFilter):
    stmt = select(AuditEntry)
    if f.within:
        from xinyong.accounts.models import User
        from xinyong.core.regions import scope_prefix

        prefix = scope_prefix(f.within) if len(f.within) == 6 else f.within
        stmt = stmt.where(AuditEntry.user_id.in_(select(User.id).where(User.region_code.like(prefix + "%"))))
    if f.username:
        stmt = stmt.where(AuditEntry.username == f.username)
    wanted = ([f.subject_id] if f.subject_id is not None else []) + list(f.subject_ids or ())
    if wanted or f.subject_ids is not None:  # an empty tuple: a filter that named no subject matches nothing
        stmt = stmt.where(or_(
            AuditEntry.subject_id.in_(wanted),
            AuditEntry.seq.in_(select(AuditEntrySubject.seq).where(AuditEntrySubject.subject_id.in_(wanted))),
        ))
    if f.action:
        stmt = stmt.where(AuditEntry.action == f.action)
    if f.entity:
        stmt = stmt.where(AuditEntry.entity == f.entity)
    if f.date_from:
        stmt = stmt.where(AuditEntry.at >= datetime.combine(f.date_from, datetime.min.time()))
    if f.date_to:
        stmt = stmt.where(AuditEntry.at < datetime.combine(f.date_to, datetime.max.time()))
    return stmt


def entries(session: Session, f: EntryFilter | None = None, *, limit: int = 50, offset: int = 0) -> list[AuditEntry]:
    """Entries matching ``f``, newest first: one query."""
    stmt = _filtered(f or EntryFilter()).order_by(AuditEntry.seq.desc()).limit(limit).offset(offset)
    return list(session.scalars(stmt))


def iter_entries(session: Session, f: EntryFilter | None = None, *, chunk: int = 5000) -> Iterator[AuditEntry]:
    """Every entry matching ``f``, oldest first, a chunk at a time (exports, the CLI)."""
    last = 0
    base = _filtered(f or EntryFilter())
    while True:
        rows = list(session.scalars(base.where(AuditEntry.seq > last).order_by(AuditEntry.seq).limit(chunk)))
        if not rows:
            return
        yield from rows
        last = rows[-1].seq


def count(session: Session, f: EntryFilter | None = None) -> int:
    return session.scalar(select(func.count()).select_from(_filtered(f or EntryFilter()).subquery())) or 0


def entry_dict(e: AuditEntry) -> dict[str, Any]:
    """An entry as plain data (the CLI's JSON lines, exports)."""
    return {k: getattr(e, k) for k in (*HASHED_FIELDS, "hash")}


# What 谁查询了我 lists: every entry that read a subject's data, checked it, or revealed its number.
READER_ACTIONS = ("read", "check", "reveal")


def _readers_seqs(subject_id: int):
    """The numbers of the entries that read, checked or revealed the subject: set-based, the
    entries whose own column names it UNION ALL those linked to it (a link never repeats the
    entry's own subject, so each entry comes once). Each branch is an index probe
    (``ix_audit_entries_subject_at``; ``ix_audit_entry_subjects_subject_seq``)."""
    direct = select(AuditEntry.seq.label("seq")).where(
        AuditEntry.subject_id == subject_id, AuditEntry.action.in_(READER_ACTIONS))
    linked = (select(AuditEntrySubject.seq.label("seq"))
              .join(AuditEntry, AuditEntry.seq == AuditEntrySubject.seq)
              .where(AuditEntrySubject.subject_id == subject_id, AuditEntry.action.in_(READER_ACTIONS)))
    return union_all(direct, linked).subquery("reads")


def readers_of(session: Session, subject_id: int, *, limit: int = 200, offset: int = 0) -> list[AuditEntry]:
    """Who read, checked or revealed this subject's personal data, when and for what purpose:
    newest first, one query."""
    u = _readers_seqs(subject_id)
    stmt = (select(AuditEntry).join(u, AuditEntry.seq == u.c.seq)
            .order_by(AuditEntry.seq.desc()).limit(limit).offset(offset))
    return list(session.scalars(stmt))


def count_readers(session: Session, subject_id: int) -> int:
    return session.scalar(select(func.count(literal_column("*"))).select_from(_readers_seqs(subject_id))) or 0


# --- account events --------------------------------------------------------------------------------


def _on_account_event(session: Session, event: AccountEvent) -> None:
    """Every account event (login, failed login, logout, a user or token created, changed,
    locked, revoked) is one entry, in the transaction of the change. A failed login names the
    user name that was tried as its actor, with no role."""
    log_event(
        session, who=event.who, action=event.action, entity=event.entity, entity_id=event.entity_id,
        before=event.before, after=event.after, ip=event.ip, request_id=event.request_id,
    )


events.subscribe(_on_account_event)
