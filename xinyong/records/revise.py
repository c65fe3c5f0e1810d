"""One record changed outside an import: its status (an objection marks it 异议处理中, a
decision revokes it or lifts the mark) or its content (an objection decided as corrected).

The same rule as the import writer (:mod:`xinyong.records.writer`): a change never overwrites.
The current state is copied into ``record_versions`` first, then the row is updated and its
version number raised, so the record's history shows who changed what and when, and where the
fact first came from stays on the row (batch, row, first seen).

The content hash is left as the department's row made it: a department re-sending the same row
finds it unchanged and does not undo a correction; a different row from it is a new version as
always.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from xinyong.core.db import utcnow
from xinyong.core.errors import InvalidInput
from xinyong.records.models import STATUSES, VERSIONED_COLUMNS, Record, RecordVersion

# What a correction may change: the words of the decision, never what its periods rest on
# (category, severity, decision date), which only the department's own new row may change.
CORRECTABLE = ("decision_no", "subject_name", "facts")


def revise(session: Session, record: Record, *, user: str, status: str | None = None,
           changes: dict | None = None, at: datetime | None = None) -> Record:
    """Store the record's current state as a version, then apply ``status`` and ``changes``
    (only :data:`CORRECTABLE` fields; ``facts`` is merged into the record's facts). Flushes; the
    caller commits."""
    if status is not None and status not in STATUSES:
        raise ValueError(f"unknown record status {status!r}")
    changes = dict(changes or {})
    unknown = set(changes) - set(CORRECTABLE)
    if unknown:
        raise InvalidInput("只能更正决定文书号、主体名称和事实项", f"cannot correct {sorted(unknown)}")
    now = at or utcnow()
    session.flush()
    session.add(RecordVersion(
        record_id=record.id, version=record.version, valid_from=record.changed_at, superseded_at=now,
        **{c: getattr(record, c) for c in VERSIONED_COLUMNS},
    ))
    if status is not None:
        record.status = status
    for name, value in changes.items():
        if name == "facts":
            record.facts = {**(record.facts or {}), **value}
        else:
            setattr(record, name, value)
    record.version += 1
    record.changed_by = user[:100]
    record.changed_at = now
    session.flush()
    return record
