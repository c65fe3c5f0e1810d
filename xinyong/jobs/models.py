"""``daily_runs``: one row per job per day per attempt.

The unique ``(day, job, attempt)`` is what makes the run safe with several processes: a
process claims a job by inserting its row in the job's own transaction, so two processes that
try the same job on the same day cannot both do it — the second one's insert waits for the
first transaction and then fails, and that process skips the job. A failed attempt is kept,
and the next run (or a forced one) adds the next attempt, so the history shows both.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.core.db import Base, JSONType, utcnow

STATES = {"done": "已完成", "failed": "失败"}


class DailyRun(Base):
    __tablename__ = "daily_runs"
    __table_args__ = (
        UniqueConstraint("day", "job", "attempt"),
        Index("ix_daily_runs_started_at", "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)  # the day the run is for (Beijing)
    job: Mapped[str] = mapped_column(String(64))
    attempt: Mapped[int] = mapped_column(Integer)  # 1, then 2 after a failure or a forced run …
    state: Mapped[str] = mapped_column(String(10))  # done / failed
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    summary: Mapped[dict | None] = mapped_column(JSONType)  # what it changed (counts)
    changed: Mapped[int] = mapped_column(Integer, default=0)  # the counts added up
    error: Mapped[str | None] = mapped_column(Text)
    by: Mapped[str] = mapped_column(String(100))  # scheduler / cli / the admin's user name
