"""Reading and acknowledging a department's messages, and the audit of those reads."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import (
    func,
    select,
    update,
)
from sqlalchemy.orm import Session

from xinyong.accounts.models import Department
from xinyong.accounts.principal import Principal
from xinyong.audit.service import log_event
from xinyong.catalog.schemas import kind_label
from xinyong.core import masking
from xinyong.core.db import utcnow
from xinyong.push.common import MAX_PAGE, PURPOSE
from xinyong.push.models import PUSH_EVENTS, PushMessage
from xinyong.subjects.identity import display_code
from xinyong.subjects.models import NATURAL_KINDS, Subject

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
            ip: str | None = None, channel: str = "pull", shown: dict[int, SubjectShown] | None = None) -> None:
    """Mark ``rows`` delivered (those not yet) and log the read of the natural persons' data
    they carry: one audit entry for the delivery (who, why, through which channel, and whom it
    showed — :func:`log_reads`). The caller commits."""
    if not rows:
        return
    now = utcnow()
    fresh = [m.id for m in rows if m.delivered_at is None]
    if fresh:
        session.execute(update(PushMessage).where(PushMessage.id.in_(fresh), PushMessage.delivered_at.is_(None))
                        .values(delivered_at=now).execution_options(synchronize_session=False))
        for m in rows:
            m.delivered_at = m.delivered_at or now
    log_reads(session, rows, who, what="push_message", request_id=request_id, ip=ip, channel=channel, shown=shown)


# How a department read its messages, as the audit log's purpose says it (a person reads it).
CHANNEL_NAMES = {"page": "网页", "api": "接口", "pull": "接口拉取", "stream": "消息流", "webhook": "回调"}


def log_reads(session: Session, rows: Sequence, who: Principal | str, *, what: str,
              request_id: str | None = None, ip: str | None = None, channel: str = "page",
              subscriptions: Sequence = (), shown: dict[int, SubjectShown] | None = None) -> None:
    """One audit entry for one view — a page, an API list call, a poll of the stream, a webhook
    delivery — not one per message or per person: a department reading twenty messages has
    read once. The entry names the natural persons whose (masked) data the view showed in its
    details (``subject_ids``, ``count``; the messages' and subscriptions' ids) and links the entry
    to each of them (the first in ``subject_id``, the others in ``audit_entry_subjects``), so
    every one finds the view in 谁查询了我 and the auditor's filter finds it by any of them. A view that showed no natural person
    logs nothing (an enterprise's credit is public).

    ``rows`` are push messages, ``subscriptions`` push subscriptions (a page that shows both is
    one view); ``shown`` is what :func:`subjects_of` already read about their subjects, which
    spares the look-up of who is a natural person."""
    rows, subscriptions = list(rows), list(subscriptions)
    ids = {r.subject_id for r in rows} | {r.subject_id for r in subscriptions}
    if not ids:
        return
    if shown is not None and ids <= shown.keys():
        natural = {sid for sid in ids if shown[sid].kind in NATURAL_KINDS}
    else:
        natural = set(session.scalars(select(Subject.id).where(Subject.id.in_(ids), Subject.kind.in_(NATURAL_KINDS))))
    if not natural:
        return
    persons = sorted(natural)
    details: dict = {"subject_ids": persons, "count": len(persons)}
    if rows:
        details["message_ids"] = [m.id for m in rows if m.subject_id in natural]
    if subscriptions:
        details["subscription_ids"] = [x.id for x in subscriptions if x.subject_id in natural]
    department = (rows or subscriptions)[0].department_code
    log_event(session, who=who, action="read", entity=what, entity_id=department,
              subject_id=persons[0], subject_ids=persons[1:],
              purpose=f"{PURPOSE}（{CHANNEL_NAMES.get(channel, channel)}）", request_id=request_id, ip=ip,
              after=details)


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
