"""Tables of the audit log: the entries, and the head of their chain.

``audit_entries`` is append-only: the migration puts triggers on it that refuse every UPDATE
and DELETE (PostgreSQL and SQLite alike), and each entry carries the SM3 hash of its own
canonical form together with the hash of the entry before it, so an entry altered or removed
by someone who could bypass the triggers (a database superuser) is found by
``xinyong audit verify``. ``audit_chain_head`` is one row: the last entry's number and hash. ``audit_entry_subjects``
names the further subjects an entry concerns (an inbox view or a batch check listing several);
it is append-only like the entries, and the linked ids are part of the entry's hash.
Appending locks that row (``UPDATE … RETURNING``), so concurrent appends are serialised on
both databases and the chain never forks; the head also reveals entries cut from the end of
the log, which no link inside the chain could.

Query logs are kept for 10 years (浙江省公共信用信息管理条例); nothing here deletes them.
No foreign keys: an entry outlives whatever it names, and ``audit`` sits above ``subjects``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.core.db import Base, JSONType

SeqType = BigInteger().with_variant(Integer(), "sqlite")

GENESIS_HASH = "0" * 64  # the prev_hash of entry 1


class AuditEntry(Base):
    __tablename__ = "audit_entries"

    seq: Mapped[int] = mapped_column(SeqType, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(DateTime)
    user_id: Mapped[int | None] = mapped_column(Integer)
    username: Mapped[str] = mapped_column(String(100))
    role: Mapped[str | None] = mapped_column(String(20))
    via: Mapped[str | None] = mapped_column(String(10))
    action: Mapped[str] = mapped_column(String(20))
    entity: Mapped[str] = mapped_column(String(50))
    entity_id: Mapped[str | None] = mapped_column(String(200))
    subject_id: Mapped[int | None] = mapped_column(Integer)
    purpose: Mapped[str | None] = mapped_column(String(500))
    request_id: Mapped[str | None] = mapped_column(String(128))
    ip: Mapped[str | None] = mapped_column(String(45))
    before: Mapped[dict | None] = mapped_column(JSONType)
    after: Mapped[dict | None] = mapped_column(JSONType)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (
        Index("ix_audit_entries_subject_at", "subject_id", "at"),
        Index("ix_audit_entries_username_at", "username", "at"),
        Index("ix_audit_entries_action_at", "action", "at"),
        Index("ix_audit_entries_at", "at"),
    )


class AuditChainHead(Base):
    """One row (id 1): the number and hash of the last entry."""

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(SeqType)
    hash: Mapped[str] = mapped_column(String(64))


class AuditEntrySubject(Base):
    """A subject an entry concerns beyond its own ``subject_id`` column: an inbox view listing
    several persons, a batch check over a candidate list. One row per (entry, subject); the
    entry's own ``subject_id`` is never repeated here, so "the entries that concern subject X"
    is the entries whose column names X plus those linked here, each once (the 谁查询了我 view
    reads both with UNION ALL). Append-only (triggers in the migration); the sorted ids enter
    the entry's hash (:func:`xinyong.audit.service.canonical`), so a link added or removed by
    someone bypassing the triggers breaks the chain's verification."""

    __tablename__ = "audit_entry_subjects"

    seq: Mapped[int] = mapped_column(SeqType, ForeignKey("audit_entries.seq"), primary_key=True,
                                     autoincrement=False)
    subject_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)

    __table_args__ = (Index("ix_audit_entry_subjects_subject_seq", "subject_id", "seq"),)
