"""The model review of an evaluation run (浙 个人 二(三)1: indicators and algorithm improved with
use): one row per run, rebuilt on demand, holding the headline figures as columns (so that runs
can be listed and compared) and the full report — distributions, grade shares per region,
stability against the previous run, discrimination and the fitted alternative — as JSON."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.core.db import Base, JSONType, utcnow


class EvaluationReview(Base):
    __tablename__ = "evaluation_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("evaluation_runs.id"))
    previous_run_id: Mapped[int | None] = mapped_column(ForeignKey("evaluation_runs.id"))
    outcome_until: Mapped[date] = mapped_column(Date)  # outcomes known up to this day
    subjects: Mapped[int] = mapped_column(Integer)
    outcomes: Mapped[int] = mapped_column(Integer)  # subjects with a later serious dishonesty
    psi: Mapped[float | None] = mapped_column(Float)  # of the score, against the previous run
    auc: Mapped[float | None] = mapped_column(Float)  # of the expert score
    ks: Mapped[float | None] = mapped_column(Float)
    fitted_auc: Mapped[float | None] = mapped_column(Float)  # of WOE + logistic regression, held out
    fitted_ks: Mapped[float | None] = mapped_column(Float)
    report: Mapped[dict] = mapped_column(JSONType)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (Index("ix_evaluation_reviews_run", "run_id", unique=True),)
