"""Tables for the real-time push (实时推送) of the joint reward-and-punishment subsystem.

浙政办发〔2017〕75号 二(二)5 asks that credit information and evaluation results be pushed to the
departments' business systems in real time, so a measure is applied or lifted as soon as a
subject's credit changes, not at the next check.

- ``push_subscriptions``: the subjects a department asked to be told about (``explicit``), by
  code, from the API, the page, the CLI or an uploaded file. A department that *checked* a
  subject recently is told too, but that is derived from ``checks`` when an event happens, and
  never stored here (no write at check time).
- ``push_endpoints``: a department's webhook, if it has one: the URL and the signing secret,
  encrypted with the data key ring (signing needs the secret itself, so a hash would not do).
- ``push_messages``: the outbox. One row per (department, event), written in the same
  transaction as the change that caused it, and read by the pull API, the event stream and the
  webhook deliverer. ``origin`` names the change (``lee:<list entry event id>``,
  ``rec:<record id>:<version>``) so that the same change never makes two messages for one
  department, whichever transaction sees it first.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.core.db import Base, JSONType, utcnow

PUSH_EVENTS = {
    "list_included": "列入名单",
    "list_removed": "移出名单",
    "record_added": "新增信用记录",
    "record_status": "信用记录变更",
    "grade_changed": "信用评价等级变化",
}
SUBSCRIPTION_SOURCES = {"explicit": "主动订阅", "checked": "曾核查（自动关注）"}


class PushSubscription(Base):
    __tablename__ = "push_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    department_code: Mapped[str] = mapped_column(ForeignKey("departments.code"))
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))
    source: Mapped[str] = mapped_column(String(10), default="explicit")
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    ends_on: Mapped[date | None] = mapped_column(Date)  # None: until removed

    __table_args__ = (
        UniqueConstraint("department_code", "subject_id"),
        # the producer looks subscriptions up by the subjects an event touches
        Index("ix_push_subscriptions_subject_id", "subject_id"),
    )


class PushEndpoint(Base):
    __tablename__ = "push_endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    department_code: Mapped[str] = mapped_column(ForeignKey("departments.code"), unique=True)
    url: Mapped[str] = mapped_column(String(500))
    secret_cipher: Mapped[str] = mapped_column(Text)  # core.crypto Keyring.encrypt, context PUSH_SECRET
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class PushMessage(Base):
    __tablename__ = "push_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    department_code: Mapped[str] = mapped_column(String(18))
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))
    event: Mapped[str] = mapped_column(String(20))  # PUSH_EVENTS
    ref_id: Mapped[int] = mapped_column(Integer)  # list entry id / record id
    origin: Mapped[str] = mapped_column(String(40))  # the change: lee:<event id> / rec:<id>:<version>
    payload: Mapped[dict] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # webhook tries
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime)  # None: due now (until given up)
    last_error: Mapped[str | None] = mapped_column(Text)
    acked_at: Mapped[datetime | None] = mapped_column(DateTime)

    __table_args__ = (
        Index("ix_push_messages_department_id", "department_code", "id"),
        Index("ix_push_messages_delivery", "delivered_at", "next_attempt_at"),
        UniqueConstraint("department_code", "origin"),
        Index("ix_push_messages_created_at", "created_at"),
    )


__all__ = ["PushSubscription", "PushEndpoint", "PushMessage", "PUSH_EVENTS", "SUBSCRIPTION_SOURCES"]
