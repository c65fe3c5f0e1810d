"""Storing one check: its row, the measures that hit, and the taking of the audit chain's head.

Why a module of its own: this is the write half of the platform's busiest route (single checks,
应查必查), where each round trip to the database costs more than the rules that decide the
outcome (benchmarks/README.md, checks). On PostgreSQL the check row, its hits and the chain head
are one statement — data-modifying CTEs, the hits travelling as arrays through ``unnest`` so that
the statement's text is the same whatever their number and the server prepares it once — and
the audit entry (:func:`xinyong.audit.service.log_event` with the head it got) a second: two
round trips where there were four or five. SQLite's statements are calls inside the process, so
there the plain ORM statements stay.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.orm import Session

from xinyong.audit.service import LOCK_HEAD_SQL
from xinyong.checks.models import Check, CheckHit

# What a stored hit holds, in the order of the statement's arrays.
HIT_COLUMNS = ("measure_code", "measure_type", "mandatory", "via", "source_id", "target_subject_id", "role",
               "leniency", "waived")
_HIT_TYPES = ("varchar", "varchar", "boolean", "varchar", "integer", "integer", "varchar", "varchar", "boolean")


@cache
def _pg_statement():
    columns = [c.name for c in Check.__table__.columns if c.name != "id"]
    arrays = ", ".join(f"CAST(:h_{name} AS {kind}[])" for name, kind in zip(HIT_COLUMNS, _HIT_TYPES, strict=True))
    sql = f"""
        WITH c AS (
            INSERT INTO checks ({", ".join(columns)})
            VALUES ({", ".join(f":{name}" for name in columns)})
            RETURNING *
        ), h AS (
            INSERT INTO check_hits (check_id, {", ".join(HIT_COLUMNS)})
            SELECT c.id, u.* FROM c, unnest({arrays}) AS u
        ), hd AS ({LOCK_HEAD_SQL})
        SELECT c.*, hd.seq AS audit_seq, hd.hash AS audit_prev FROM c LEFT JOIN hd ON true
    """  # noqa: S608 (names from the models; every value is bound)
    return text(sql), columns


def store(session: Session, values: dict[str, Any], hits: list[dict[str, Any]]) -> tuple[Check, tuple[int, str] | None]:
    """Insert the check (``values``: its columns but ``id``; the nullable ones may be left out)
    and its ``hits`` (dicts of :data:`HIT_COLUMNS`). Returns the stored check and, on PostgreSQL, the audit chain head taken
    for its entry (number, hash linked to) — None where the caller's ``log_event`` takes it."""
    if session.get_bind().dialect.name != "postgresql":
        check = session.scalars(insert(Check).returning(Check), [values]).one()
        if hits:
            session.execute(insert(CheckHit), [{"check_id": check.id, **h} for h in hits])
        return check, None
    stmt, columns = _pg_statement()
    params = {name: values.get(name) for name in columns}
    for name in HIT_COLUMNS:
        params[f"h_{name}"] = [h[name] for h in hits]
    row = session.execute(stmt, params).one()._mapping
    check = Check(**{name: row[name] for name in ("id", *columns)})
    head = None if row["audit_seq"] is None else (int(row["audit_seq"]), str(row["audit_prev"]))
    return check, head
