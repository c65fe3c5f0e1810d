"""限期整改 (rectification): the task a dishonesty record on a government body opens.

One row per record (``record_id`` unique): the body, the day of the act the record describes
(``act_date``: the decision date, the day whose principal answers for it), when it was opened and
its deadline in working days (``rectification.yaml``), the body's written explanation, and its
status (:mod:`xinyong.commitments.rectification_rules`). An overdue task is reported to the
superior body once (``escalated_on``, ``escalated_to_id`` — the body's ``parent``, or none —
``escalated_region``); the records of the responsible persons it brings are written once
(``persons_done``). Every step — opening, explanation, progress note, evidence, submission,
return, closing, escalation — is a row of :class:`RectificationEvent`.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from xinyong.core.db import Base, utcnow
from xinyong.subjects.models import Subject

RECT_STATUSES: dict[str, str] = {
    "open": "待书面说明",
    "explained": "整改中",
    "submitted": "待验收",
    "closed": "已办结",
}
EVENT_ACTIONS: dict[str, str] = {
    "opened": "开启整改",
    "explained": "提交书面说明",
    "progress": "整改进展",
    "evidence": "整改佐证",
    "submitted": "申请验收",
    "returned": "退回继续整改",
    "closed": "验收办结",
    "escalated": "逾期报告上级机关",
    "persons": "责任人信用记录",
}


class Rectification(Base):
    __tablename__ = "rectifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), unique=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))
    region_code: Mapped[str] = mapped_column(String(6))
    category_code: Mapped[str] = mapped_column(String(50))
    act_date: Mapped[date] = mapped_column(Date)
    opened_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default="open")
    explanation: Mapped[str | None] = mapped_column(Text)  # 书面说明
    explained_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    closed_by: Mapped[str | None] = mapped_column(String(100))
    escalated_on: Mapped[date | None] = mapped_column(Date)
    escalated_to_id: Mapped[int | None] = mapped_column(ForeignKey("subjects.id"))
    escalated_region: Mapped[str | None] = mapped_column(String(6))
    persons_done: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    body: Mapped[Subject] = relationship(foreign_keys=[body_id])
    superior: Mapped[Subject | None] = relationship(foreign_keys=[escalated_to_id])

    __table_args__ = (
        Index("ix_rectifications_region_status", "region_code", "status"),
        Index("ix_rectifications_body_id", "body_id"),
        Index("ix_rectifications_status_due", "status", "due_on"),
    )


class RectificationEvent(Base):
    __tablename__ = "rectification_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    rectification_id: Mapped[int] = mapped_column(ForeignKey("rectifications.id"))
    action: Mapped[str] = mapped_column(String(20))
    on: Mapped[date] = mapped_column(Date)
    by: Mapped[str] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text)
    evidence: Mapped[str | None] = mapped_column(Text)  # 佐证材料说明
    count: Mapped[int | None] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (Index("ix_rectification_events_rect", "rectification_id"),)
