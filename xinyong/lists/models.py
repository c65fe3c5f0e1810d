"""Tables for the three lists (红名单 / 黑名单 / 重点关注名单), their history, and the grades
that grade triggers read.

``list_entries`` holds one row per listing of a subject on a list: by rule (a record of a
category and severity the behaviour list names), by the record itself (a court's 失信被执行人
entry is the court's own listing decision) or by a decision with its document number. An entry
is never deleted: it moves ``proposed`` (拟列入, the subject told and free to state its case) →
``active`` → ``removed`` (or ``withdrawn`` when its statement is accepted), and every move is a
row in ``list_entry_events``, so the history of a listing can be replayed.

``subject_grades`` is the grade a subject was last given (信用评价等级): loaded from a file by the
credit office (``xinyong lists grades FILE``, ``origin`` "file") or written by an evaluation run
of a system that feeds the checks (``origin`` "evaluation": a row for each subject the first run
grades and for each grade that a later run changes). A subject's grade in force is its latest
evaluation grade where a run graded it, else its latest loaded grade (:func:`newest_grade`).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.core.db import Base, utcnow

# The steps of a listing's life (list_entry_events.action), as its history shows them.
ENTRY_EVENT_ACTIONS = {
    "proposed": "拟列入，进入告知期",
    "notified": "告知列入的理由和依据",
    "statement": "陈述申辩",
    "statement_decided": "陈述申辩处理",
    "included": "列入",
    "activated": "告知期满，列入生效",
    "removed": "移出",
    "withdrawn": "不予列入",
}

ENTRY_STATUSES = {
    "proposed": "拟列入（告知期）",
    "active": "在列",
    "removed": "已移出",
    "withdrawn": "不予列入",
}
BASES = {"rule": "按规则列入", "record": "按认定部门决定列入", "decision": "按决定列入"}
REMOVAL_REASONS = {
    "period_end": "列入期限届满",
    "expired": "信用记录公示期届满",
    "repair": "信用修复",
    "revoked": "信用记录撤销",
    "decision": "决定移出",
    "statement_accepted": "陈述申辩成立",
}


class ListEntry(Base):
    __tablename__ = "list_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))
    list_kind: Mapped[str] = mapped_column(String(12))
    basis: Mapped[str] = mapped_column(String(10))  # rule / record / decision
    record_id: Mapped[int | None] = mapped_column(ForeignKey("records.id"))
    behaviour_code: Mapped[str | None] = mapped_column(String(60))
    region_code: Mapped[str] = mapped_column(String(6))
    decision_no: Mapped[str | None] = mapped_column(String(200))
    decided_by: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(12))
    notified_on: Mapped[date | None] = mapped_column(Date)
    effective_from: Mapped[date] = mapped_column(Date)  # listed from (after the notice period)
    listed_until: Mapped[date | None] = mapped_column(Date)  # None: until removed
    statement: Mapped[str | None] = mapped_column(Text)  # 陈述申辩
    statement_on: Mapped[date | None] = mapped_column(Date)
    statement_result: Mapped[str | None] = mapped_column(String(10))  # accepted / rejected
    removed_on: Mapped[date | None] = mapped_column(Date)
    removal_reason: Mapped[str | None] = mapped_column(String(20))
    removal_decision_no: Mapped[str | None] = mapped_column(String(200))
    policy_version_id: Mapped[int] = mapped_column(ForeignKey("policy_versions.id"))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (
        Index("ix_list_entries_subject_status", "subject_id", "status"),
        Index("ix_list_entries_kind_status_region", "list_kind", "status", "region_code"),
        Index("ix_list_entries_record_id", "record_id"),
    )


class ListEntryEvent(Base):
    """One step in a listing's life: proposed, notified, statement, activated, included,
    removed, withdrawn."""

    __tablename__ = "list_entry_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("list_entries.id"))
    action: Mapped[str] = mapped_column(String(20))
    on: Mapped[date] = mapped_column(Date)
    by: Mapped[str] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(String(500))
    decision_no: Mapped[str | None] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (Index("ix_list_entry_events_entry_id", "entry_id"),)


class SubjectGrade(Base):
    """A grade a subject was given (信用评价等级); the latest by ``graded_on`` is the one in force."""

    __tablename__ = "subject_grades"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))
    grade: Mapped[str] = mapped_column(String(20))
    score: Mapped[float | None] = mapped_column(Numeric(8, 2))
    graded_on: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(200))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    origin: Mapped[str] = mapped_column(String(20), default="file", server_default="file")

    __table_args__ = (Index("ix_subject_grades_subject_graded", "subject_id", "graded_on"),)


GRADE_ORIGINS = {"file": "文件导入", "evaluation": "信用评价批次"}


def newest_grade(g, g2):
    """SQL condition: row ``g`` of ``subject_grades`` is its subject's grade in force, ``g2`` an
    alias of the table: no other row of the subject beats it — an evaluation grade beats a
    loaded one whatever their dates; among rows of one origin the later ``graded_on``, then the
    higher id, wins. ``g`` and ``g2`` are tables or aliases (their ``.c``)."""
    from sqlalchemy import and_, exists, or_

    return ~exists().where(
        g2.c.subject_id == g.c.subject_id,
        or_(
            and_(g2.c.origin == "evaluation", g.c.origin != "evaluation"),
            and_(g2.c.origin == g.c.origin,
                 or_(g2.c.graded_on > g.c.graded_on, and_(g2.c.graded_on == g.c.graded_on, g2.c.id > g.c.id))),
        ),
    )


__all__ = ["ListEntry", "ListEntryEvent", "SubjectGrade", "GRADE_ORIGINS", "newest_grade", "ENTRY_STATUSES", "BASES", "REMOVAL_REASONS"]
