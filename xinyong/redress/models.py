"""Tables for objections (异议): the case, each step of its life, and its attachments.

``objections`` holds one case: whose record or list entry it contests, on which ground (the
cases of 浙江省公共信用信息管理条例 第三十条), the reasons and the new facts, who filed it (the
subject itself, or the credit office on its behalf with the written application scanned), where
it stands, its deadlines in working days and, once decided, the outcome with its reasons. The
record's status before filing is kept so that a refusal or a "kept" decision gives it back.

``objection_events`` is the case file the regulation asks for (第三十一条 第二款: 异议处理档案):
one row per step, never changed, so the applicant and an auditor can replay the case.

``objection_attachments`` names each file (the scanned application, evidence) by its SHA-256;
the file itself lies under the data folder (:mod:`xinyong.redress.files`), not in the database.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.core.db import Base, utcnow


class Objection(Base):
    __tablename__ = "objections"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))
    record_id: Mapped[int | None] = mapped_column(ForeignKey("records.id"))
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("list_entries.id"))
    region_code: Mapped[str] = mapped_column(String(6))  # the record's (or entry's): whose office decides
    department_code: Mapped[str | None] = mapped_column(String(18))  # the source department
    department_name: Mapped[str | None] = mapped_column(String(200))
    grounds: Mapped[str] = mapped_column(String(20))
    reasons: Mapped[str] = mapped_column(Text)
    new_facts: Mapped[str | None] = mapped_column(Text)
    filed_by: Mapped[str] = mapped_column(String(100))
    on_behalf: Mapped[bool] = mapped_column(Boolean, default=False)
    filed_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12))
    record_status_before: Mapped[str | None] = mapped_column(String(20))
    accept_due: Mapped[date] = mapped_column(Date)
    accepted_on: Mapped[date | None] = mapped_column(Date)
    decide_due: Mapped[date | None] = mapped_column(Date)
    due_provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    sent_on: Mapped[date | None] = mapped_column(Date)
    decided_on: Mapped[date | None] = mapped_column(Date)
    decided_by: Mapped[str | None] = mapped_column(String(100))
    outcome: Mapped[str | None] = mapped_column(String(12))  # corrected / revoked / kept / refused
    outcome_reasons: Mapped[str | None] = mapped_column(Text)
    closed_on: Mapped[date | None] = mapped_column(Date)
    earlier_id: Mapped[int | None] = mapped_column(Integer)  # the earlier case on the same grounds
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (
        Index("ix_objections_subject_id", "subject_id"),
        Index("ix_objections_record_id", "record_id"),
        Index("ix_objections_entry_id", "entry_id"),
        Index("ix_objections_status_region", "status", "region_code"),
    )


class ObjectionEvent(Base):
    """One step of a case: filed, accepted, refused, sent, decided, closed."""

    __tablename__ = "objection_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    objection_id: Mapped[int] = mapped_column(ForeignKey("objections.id"))
    action: Mapped[str] = mapped_column(String(12))
    on: Mapped[date] = mapped_column(Date)
    by: Mapped[str] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (Index("ix_objection_events_objection_id", "objection_id"),)


class ObjectionAttachment(Base):
    __tablename__ = "objection_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    objection_id: Mapped[int] = mapped_column(ForeignKey("objections.id"))
    kind: Mapped[str] = mapped_column(String(12))  # application (书面申请扫描件) / evidence (证明材料)
    file_name: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (Index("ix_objection_attachments_objection_id", "objection_id"),)
