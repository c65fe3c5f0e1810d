"""Reading credit records: what is shown, what is archived, and each record's effective status.

A record past its display period is expired everywhere, whether or not a job has rewritten its
stored status yet: every query that shows or uses records goes through :func:`displayed` and
every page through :func:`effective_status`, both computed against today's date in Beijing.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import BindParameter, ColumnElement

from xinyong.core.clock import today as _today
from xinyong.records.models import LIVE_STATUSES, STATUSES, Record, RecordVersion


def displayed(on: date | BindParameter | None = None) -> ColumnElement[bool]:
    """SQL condition: the record is shown and used in checks and scores on ``on`` (a date, or a
    bound parameter where a hot path builds its statement once)."""
    day = _today() if on is None else on
    return and_(Record.status.in_(LIVE_STATUSES), Record.display_until >= day)


def archived(on: date | None = None) -> ColumnElement[bool]:
    """SQL condition: the record is still kept (inside its retention period)."""
    return Record.retention_until >= (on or _today())


def effective_status(record: Record, on: date | None = None) -> str:
    day = on or _today()
    if record.status in LIVE_STATUSES and record.display_until < day:
        return "expired"
    return record.status


def status_name(code: str) -> str:
    return STATUSES.get(code, code)


def records_of(session: Session, subject_id: int, *, archive: bool = False, on: date | None = None) -> list[Record]:
    """A subject's records, newest decision first: shown ones, or the whole archive."""
    q = select(Record).where(Record.subject_id == subject_id)
    q = q.where(archived(on)) if archive else q.where(displayed(on))
    return list(session.scalars(q.order_by(Record.decision_date.desc(), Record.id.desc())))


def history(session: Session, record_id: int) -> list[RecordVersion]:
    """Earlier states of a record, oldest first (the current state is the record itself)."""
    q = select(RecordVersion).where(RecordVersion.record_id == record_id).order_by(RecordVersion.version)
    return list(session.scalars(q))
