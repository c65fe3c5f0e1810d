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

from xinyong.core.db import Base, JSONType, utcnow


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


# --- credit repair (信用修复) -----------------------------------------------------------------


class Repair(Base):
    """One credit-repair application (信用修复) for one dishonest record.

    ``conditions`` is the evaluation as filed (which conditions the data met, which documents
    proved the rest), kept so a later review reads what the decision rested on. The signed credit
    commitment is kept here (``commitment_text``, ``commitment_signed_on``) until the commitments
    capability turns it into a commitment record of kind 信用修复 and fills ``commitment_id``
    (:func:`xinyong.redress.repairs.pending_commitments` lists those still waiting).
    ``ended_entries`` names the list entries the approval ended, so a revocation restores
    exactly them; ``record_status_before`` what the record is given back."""

    __tablename__ = "repairs"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"))
    region_code: Mapped[str] = mapped_column(String(6))
    department_code: Mapped[str | None] = mapped_column(String(18))
    department_name: Mapped[str | None] = mapped_column(String(200))
    category_code: Mapped[str] = mapped_column(String(50))
    severity: Mapped[str | None] = mapped_column(String(20))
    reasons: Mapped[str] = mapped_column(Text)  # how the subject corrected its conduct
    filed_by: Mapped[str] = mapped_column(String(100))
    on_behalf: Mapped[bool] = mapped_column(Boolean, default=False)
    filed_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12))
    conditions: Mapped[list] = mapped_column(JSONType)
    commitment_text: Mapped[str] = mapped_column(Text)
    commitment_signed_on: Mapped[date] = mapped_column(Date)
    commitment_id: Mapped[int | None] = mapped_column(Integer)  # filled by the commitments capability
    accept_due: Mapped[date] = mapped_column(Date)
    accepted_on: Mapped[date | None] = mapped_column(Date)
    decide_due: Mapped[date | None] = mapped_column(Date)
    due_provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    # sent to the record's source department for verification (its own working-day deadline)
    sent_on: Mapped[date | None] = mapped_column(Date)
    sent_due: Mapped[date | None] = mapped_column(Date)
    dept_answer: Mapped[str | None] = mapped_column(String(10))  # confirm / dispute
    dept_reasons: Mapped[str | None] = mapped_column(Text)
    dept_answered_on: Mapped[date | None] = mapped_column(Date)
    dept_answered_by: Mapped[str | None] = mapped_column(String(100))
    decided_on: Mapped[date | None] = mapped_column(Date)
    decided_by: Mapped[str | None] = mapped_column(String(100))
    outcome_reasons: Mapped[str | None] = mapped_column(Text)
    record_status_before: Mapped[str | None] = mapped_column(String(20))
    ended_entries: Mapped[list] = mapped_column(JSONType, default=list)
    revoked_on: Mapped[date | None] = mapped_column(Date)
    revoked_by: Mapped[str | None] = mapped_column(String(100))
    revoke_reasons: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (
        Index("ix_repairs_subject_id", "subject_id"),
        Index("ix_repairs_record_id", "record_id"),
        Index("ix_repairs_status_region", "status", "region_code"),
    )


class RepairEvent(Base):
    """One step of a repair case: filed, accepted, refused, approved, rejected, revoked."""

    __tablename__ = "repair_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    repair_id: Mapped[int] = mapped_column(ForeignKey("repairs.id"))
    action: Mapped[str] = mapped_column(String(12))
    on: Mapped[date] = mapped_column(Date)
    by: Mapped[str] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (Index("ix_repair_events_repair_id", "repair_id"),)


class RepairAttachment(Base):
    """A document proving a condition (kind: performance, payment, training, report) or the
    scanned written application; the file lies under the data folder like an objection's."""

    __tablename__ = "repair_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    repair_id: Mapped[int] = mapped_column(ForeignKey("repairs.id"))
    kind: Mapped[str] = mapped_column(String(12))
    file_name: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (Index("ix_repair_attachments_repair_id", "repair_id"),)


# --- complaints (投诉举报) ----------------------------------------------------------------------


class Complaint(Base):
    """One complaint about government dishonesty (投诉举报), filed on the public form or imported
    from a 12345-hotline work order.

    It names a body (``body_id`` where the platform knows it, always ``body_name``) or an official
    (``official_name``, with the body that employs him), a behaviour of the policy's list, and what
    happened. ``region_code`` and ``department_code`` are where it is routed now: the body's
    department where the platform has one, else the credit office of the region; an escalation
    moves ``region_code`` to the superior region. The complainant is named or anonymous; either
    way it follows the case by its tracking code, of which only a keyed hash is kept
    (``tracking_hash``). The complainant's name and telephone are never shown in full."""

    __tablename__ = "complaints"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(10))  # web (网上投诉) / hotline (12345 热线)
    hotline_no: Mapped[str | None] = mapped_column(String(40), unique=True)  # 12345 工单编号
    tracking_hash: Mapped[str] = mapped_column(String(64), unique=True)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=True)
    complainant_name: Mapped[str | None] = mapped_column(String(100))
    complainant_phone: Mapped[str | None] = mapped_column(String(20))
    target_kind: Mapped[str] = mapped_column(String(14))  # gov_body / public_servant
    body_id: Mapped[int | None] = mapped_column(ForeignKey("subjects.id"))
    body_name: Mapped[str] = mapped_column(String(200))
    official_id: Mapped[int | None] = mapped_column(ForeignKey("subjects.id"))
    official_name: Mapped[str | None] = mapped_column(String(100))
    behaviour_code: Mapped[str] = mapped_column(String(60))
    account: Mapped[str] = mapped_column(Text)  # what happened
    occurred_on: Mapped[date | None] = mapped_column(Date)
    origin_region: Mapped[str] = mapped_column(String(6))  # the region it was first routed to
    region_code: Mapped[str] = mapped_column(String(6))  # the region handling it now
    department_code: Mapped[str | None] = mapped_column(String(18))
    department_name: Mapped[str | None] = mapped_column(String(200))
    filed_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12))
    reply_due: Mapped[date | None] = mapped_column(Date)
    due_provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    escalations: Mapped[int] = mapped_column(Integer, default=0)
    escalated_on: Mapped[date | None] = mapped_column(Date)
    replied_on: Mapped[date | None] = mapped_column(Date)
    replied_by: Mapped[str | None] = mapped_column(String(100))
    finding: Mapped[str | None] = mapped_column(String(16))  # substantiated / partly / unsubstantiated
    reply: Mapped[str | None] = mapped_column(Text)
    rate_due: Mapped[date | None] = mapped_column(Date)
    rating: Mapped[str | None] = mapped_column(String(14))  # satisfied / basically / unsatisfied
    rating_note: Mapped[str | None] = mapped_column(Text)
    rated_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    record_id: Mapped[int | None] = mapped_column(ForeignKey("records.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (
        Index("ix_complaints_status_region", "status", "region_code"),
        Index("ix_complaints_body_id", "body_id"),
        Index("ix_complaints_reply_due", "reply_due"),
    )


class ComplaintEvent(Base):
    """One step of a complaint: filed, routed, escalated, replied, rejected, rated, closed, recorded."""

    __tablename__ = "complaint_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id"))
    action: Mapped[str] = mapped_column(String(12))
    on: Mapped[date] = mapped_column(Date)
    by: Mapped[str] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (Index("ix_complaint_events_complaint_id", "complaint_id"),)
# --- leniency for self-correction (从轻、减轻、免于惩戒) --------------------------------------


class SelfCorrection(Base):
    """A self-correction (自我纠错) recorded against one record by the credit office of the
    record's region or by its source department: its kind (``redress.yaml``), when it happened,
    a note and optionally one evidence file (kept as the objections' files are, by SHA-256).
    The checks soften measures by it as ``measures.yaml`` says (:mod:`xinyong.checks.leniency`).
    Revoking keeps the row (who, when, why): a revoked one earns nothing."""

    __tablename__ = "self_corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"))
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))
    region_code: Mapped[str] = mapped_column(String(6))  # the record's
    department_code: Mapped[str | None] = mapped_column(String(18))  # the record's source department
    kind: Mapped[str] = mapped_column(String(30))
    corrected_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_as: Mapped[str] = mapped_column(String(12))  # office / department
    recorded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    evidence_name: Mapped[str | None] = mapped_column(String(255))
    evidence_type: Mapped[str | None] = mapped_column(String(40))
    evidence_size: Mapped[int | None] = mapped_column(Integer)
    evidence_sha256: Mapped[str | None] = mapped_column(String(64))
    revoked_on: Mapped[date | None] = mapped_column(Date)
    revoked_by: Mapped[str | None] = mapped_column(String(100))
    revoke_reasons: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        Index("ix_self_corrections_record_id", "record_id"),
        Index("ix_self_corrections_subject_id", "subject_id"),
    )
