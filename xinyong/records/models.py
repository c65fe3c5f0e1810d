"""Tables for credit records, their earlier versions and import batches.

``records`` holds each record's current state, unique by (reporting department, source id) so
that re-sending a row is idempotent. A change never overwrites: before a record is updated its
current state is copied into ``record_versions``, so the versions table together with the
current row replay the record's whole life. Provenance (batch, row, first and last seen) is
kept on both.

The provenance columns of ``records`` (``batch_id``, ``last_batch_id``, ``policy_version_id``) are
not foreign keys. They point into two tables that only ever grow — the database refuses to delete
a row of ``import_batches`` or ``policy_versions``, or to change its id (migration 0006) — and the
writer sets them from the batch it opened and the policy version it read in the same transaction.
On PostgreSQL the three per-row key checks cost 11.7 µs of the 26 µs a record costs to insert
(300,000 rows, benchmarks/README.md): more than the table and its four indexes together, for a
guarantee the append-only guard already gives. ``subject_id`` stays a foreign key: subjects are
merged and corrected, and a record must never point at one that is gone.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from xinyong.core.db import Base, JSONType, utcnow
from xinyong.subjects.models import Subject

STATUSES = {
    "active": "有效",
    "under_objection": "异议处理中",
    "repaired": "已修复",
    "revoked": "已撤销",
    "expired": "已过公示期",
}
# Statuses whose records are shown and used while inside their display period.
LIVE_STATUSES = ("active", "under_objection")


class ImportBatch(Base):
    __tablename__ = "import_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_name: Mapped[str] = mapped_column(String(500))
    file_format: Mapped[str] = mapped_column(String(10))
    file_sha256: Mapped[str | None] = mapped_column(String(64))
    category_code: Mapped[str | None] = mapped_column(String(50))
    department_code: Mapped[str | None] = mapped_column(String(18))
    department_name: Mapped[str | None] = mapped_column(String(200))
    policy_version_id: Mapped[int] = mapped_column(ForeignKey("policy_versions.id"))
    created_by: Mapped[str] = mapped_column(String(100))
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    rows_total: Mapped[int] = mapped_column(Integer, default=0)
    rows_new: Mapped[int] = mapped_column(Integer, default=0)
    rows_updated: Mapped[int] = mapped_column(Integer, default=0)
    rows_unchanged: Mapped[int] = mapped_column(Integer, default=0)
    rows_rejected: Mapped[int] = mapped_column(Integer, default=0)


class Record(Base):
    __tablename__ = "records"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))
    category_code: Mapped[str] = mapped_column(String(50))
    polarity: Mapped[str] = mapped_column(String(10))
    severity: Mapped[str | None] = mapped_column(String(20))
    department_code: Mapped[str] = mapped_column(String(18))
    department_name: Mapped[str] = mapped_column(String(200))
    source_id: Mapped[str] = mapped_column(String(200))
    decision_no: Mapped[str] = mapped_column(String(200))
    decision_date: Mapped[date] = mapped_column(Date)
    subject_name: Mapped[str] = mapped_column(String(200))  # as the department reported it
    region_code: Mapped[str] = mapped_column(String(6))
    disclosure: Mapped[str] = mapped_column(String(12))
    display_from: Mapped[date] = mapped_column(Date)
    display_until: Mapped[date] = mapped_column(Date)
    repair_from: Mapped[date | None] = mapped_column(Date)  # earliest end a repair may bring
    retention_until: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="active")
    facts: Mapped[dict] = mapped_column(JSONType)
    content_hash: Mapped[str] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Provenance: ids in the append-only import_batches and policy_versions (see the docstring).
    policy_version_id: Mapped[int] = mapped_column(Integer)
    batch_id: Mapped[int | None] = mapped_column(Integer)
    row_no: Mapped[int | None] = mapped_column(Integer)
    first_seen: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_batch_id: Mapped[int | None] = mapped_column(Integer)
    changed_by: Mapped[str] = mapped_column(String(100))
    changed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    subject: Mapped[Subject] = relationship()

    __table_args__ = (
        # source_id leads: a chunk looks its records up by source_id IN (…), and a region has
        # few departments, so a department-first index would read all of theirs.
        UniqueConstraint("source_id", "department_code"),
        Index("ix_records_subject_id", "subject_id"),
        Index("ix_records_category_display", "category_code", "display_until"),
        # The portal's 双公示 by region: a city's shown licences or penalties, not the province's
        # (region filtered as a range, which the index serves; migration 0039).
        Index("ix_records_category_region", "category_code", "region_code", "display_until"),
        # The portal's 双公示 department list: each department of a category by a skip through
        # this index, and one shown row of it (migration 0040).
        Index("ix_records_category_department", "category_code", "department_code", "display_until"),
        # The import hooks (list refresh, push) read the records their batch added or changed;
        # without it they read every shown record of the batch's categories (migration 0007).
        Index("ix_records_batch_id", "batch_id"),
    )


# Where a record's facts keep the look-up keys of the persons its person-naming facts (type
# ric_list) name: {fact: [keyed hash, …]}, in the order of the fact's masked numbers. Never shown
# (outputs leave out fact keys that start with "_"); indexed in ``record_persons``.
PERSON_KEYS = "_person_keys"


class RecordPerson(Base):
    """A person a record's decision names (直接责任人员, in a ``ric_list`` fact), by the keyed hash
    of the identity number (the same as ``Subject.code``) and its masked form, so that a check of
    that person finds the record in one indexed look-up. Rewritten whenever the record changes
    (:mod:`xinyong.records.persons`)."""

    __tablename__ = "record_persons"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"))
    fact: Mapped[str] = mapped_column(String(50))
    person_key: Mapped[str] = mapped_column(String(64))
    person_masked: Mapped[str] = mapped_column(String(18))

    __table_args__ = (
        Index("ix_record_persons_person_key", "person_key"),
        Index("ix_record_persons_record_id", "record_id"),
    )


class RecordVersion(Base):
    """A record's state before a change: a copy of the ``records`` row as it was."""

    __tablename__ = "record_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"))
    version: Mapped[int] = mapped_column(Integer)
    severity: Mapped[str | None] = mapped_column(String(20))
    decision_no: Mapped[str] = mapped_column(String(200))
    decision_date: Mapped[date] = mapped_column(Date)
    subject_name: Mapped[str] = mapped_column(String(200))
    disclosure: Mapped[str] = mapped_column(String(12))
    display_until: Mapped[date] = mapped_column(Date)
    retention_until: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))
    facts: Mapped[dict] = mapped_column(JSONType)
    content_hash: Mapped[str] = mapped_column(String(32))
    policy_version_id: Mapped[int] = mapped_column(ForeignKey("policy_versions.id"))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("import_batches.id"))
    row_no: Mapped[int | None] = mapped_column(Integer)
    changed_by: Mapped[str] = mapped_column(String(100))
    valid_from: Mapped[datetime] = mapped_column(DateTime)  # when this state was first stored
    superseded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("record_id", "version"),)

# Columns copied from ``records`` into ``record_versions`` when a record changes.
VERSIONED_COLUMNS = (
    "severity", "decision_no", "decision_date", "subject_name", "disclosure", "display_until",
    "retention_until", "status", "facts", "content_hash", "policy_version_id", "batch_id",
    "row_no", "changed_by",
)
