"""Tables of evaluation runs, the scores each run gave, and grade changes between runs.

A run names its indicator system (code, name, version), the policy version the system came
from, the data cut-off date and the engine; it is never overwritten, so the scores of every run
stay (history). ``evaluation_scores`` holds one row per subject per run: the score, the grade,
each dimension's score and each indicator's contribution (raw value, value on [0, 1], points),
the last two as JSON on the row — one row per subject rather than one per indicator, so that a
province-wide run writes millions of rows, not tens of millions; the review reads them back
set-based. A subject whose grade differs from the one the previous run of the same system gave
gets a row in ``evaluation_grade_changes`` (an event: checks and push can react to it).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.core.db import Base, JSONType, utcnow

RUN_STATUSES = {"running": "运行中", "done": "已完成", "failed": "失败"}
ENGINES = {"duckdb": "DuckDB（嵌入式）", "spark": "Apache Spark"}


class EvaluationRun(Base):
    __tablename__ = "evaluation_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    system_code: Mapped[str] = mapped_column(String(50))
    system_name: Mapped[str] = mapped_column(String(200))
    system_version: Mapped[str] = mapped_column(String(50))
    policy_version_id: Mapped[int] = mapped_column(ForeignKey("policy_versions.id"))
    as_of: Mapped[date] = mapped_column(Date)  # data cut-off
    engine: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), default="running")
    subjects: Mapped[int] = mapped_column(Integer, default=0)
    grade_changes: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[str] = mapped_column(String(100))
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    error: Mapped[str | None] = mapped_column(String(1000))

    __table_args__ = (Index("ix_evaluation_runs_system", "system_code", "id"),)


class EvaluationScore(Base):
    __tablename__ = "evaluation_scores"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("evaluation_runs.id"))
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))
    score: Mapped[float] = mapped_column(Float)
    grade: Mapped[str] = mapped_column(String(20))
    dimensions: Mapped[dict] = mapped_column(JSONType)  # {dimension: score on the scale}
    contributions: Mapped[dict] = mapped_column(JSONType)  # {indicator: {raw, value, points}}

    __table_args__ = (
        Index("ix_evaluation_scores_run_subject", "run_id", "subject_id", unique=True),
        Index("ix_evaluation_scores_subject", "subject_id", "run_id"),
    )


class GradeChange(Base):
    __tablename__ = "evaluation_grade_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("evaluation_runs.id"))
    previous_run_id: Mapped[int] = mapped_column(ForeignKey("evaluation_runs.id"))
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))
    system_code: Mapped[str] = mapped_column(String(50))
    from_grade: Mapped[str] = mapped_column(String(20))
    to_grade: Mapped[str] = mapped_column(String(20))
    from_score: Mapped[float] = mapped_column(Float)
    to_score: Mapped[float] = mapped_column(Float)

    __table_args__ = (
        Index("ix_evaluation_grade_changes_run", "run_id"),
        Index("ix_evaluation_grade_changes_subject", "subject_id"),
    )
