"""Evaluation runs: score every subject an indicator system covers, store the scores with what
explains them, and record grade changes against the previous run.

A run reads the active policy version's system, copies the tables the scoring statement reads
into DuckDB (or hands a Parquet export of them to Spark), runs the one statement of
:mod:`xinyong.evaluation.scoring`, writes the scores in chunks, and then, in the platform's
database and set-based, compares each subject's grade with the previous finished run of the
same system: every difference becomes a :class:`GradeChange`. Runs are never overwritten.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import Integer, String, and_, func, insert, literal, select
from sqlalchemy.orm import Session, aliased

from xinyong.audit.service import log_event
from xinyong.catalog.indicators import IndicatorSystem
from xinyong.catalog.service import active_version
from xinyong.core.db import utcnow
from xinyong.core.errors import InvalidInput, NotFound
from xinyong.evaluation import scoring
from xinyong.evaluation.models import ENGINES, EvaluationRun, EvaluationScore, GradeChange

Progress = Callable[[str, int, int | None], None]  # (stage, advance, total)


class UnknownSystem(NotFound):
    def __init__(self, code: str, known: list[str]):
        super().__init__(
            f"评价指标体系 {code} 不存在（现有：{'、'.join(known) or '无'}）",
            f"no indicator system {code!r} (known: {', '.join(known) or 'none'})",
        )


def system_of(session: Session, code: str) -> tuple[int, IndicatorSystem]:
    vid, policy = active_version(session)
    system = policy.evaluation.system(code)
    if system is None:
        raise UnknownSystem(code, [s.code for s in policy.evaluation.systems])
    return vid, system


@dataclass
class RunResult:
    run_id: int
    subjects: int
    grade_changes: int
    grades: dict[str, int]


def score_rows(session: Session, system: IndicatorSystem, as_of: date, engine: str,
               progress: Progress | None = None) -> list[tuple]:
    """The scoring statement's rows for the platform's data, on the chosen engine."""
    import duckdb

    con = duckdb.connect()
    try:
        scoring.load_platform(session, con, progress=(lambda t, n: progress("load", n, None)) if progress else None)
        if engine == "duckdb":
            return scoring.run_duckdb(con, system, as_of)
        why = scoring.spark_available()
        if why:
            raise InvalidInput(f"无法使用 Spark 引擎：{why}", f"the Spark engine cannot run here: {why}")
        with tempfile.TemporaryDirectory() as tmp:
            files = scoring.export_parquet(con, Path(tmp))
            return scoring.run_spark(scoring.local_spark(), files, system, as_of)
    finally:
        con.close()


def to_score_row(run_id: int, system: IndicatorSystem, row: tuple) -> dict:
    cols = scoring.result_columns(system)
    v = dict(zip(cols, row, strict=True))
    pts = scoring.points(system, v)
    return {
        "run_id": run_id,
        "subject_id": int(v["subject_id"]),
        "score": float(v["score"]),
        "grade": v["grade"],
        "dimensions": {d.code: float(v[f"d_{d.code}"]) for d in system.dimensions},
        "contributions": {
            i.code: {
                "raw": None if v[f"r_{i.code}"] is None else round(float(v[f"r_{i.code}"]), 4),
                "value": round(float(v[f"n_{i.code}"]), 4),
                "points": round(pts[i.code], 2),
            }
            for _d, i in system.indicators()
        },
    }


def run_evaluation(session: Session, system_code: str, *, as_of: date, engine: str = "duckdb",
                   user: str = "system", chunk: int = 10_000, progress: Progress | None = None) -> RunResult:
    if engine not in ENGINES:
        raise InvalidInput(f"未知的计算引擎 {engine}（可选：{'、'.join(ENGINES)}）", f"unknown engine {engine!r}")
    vid, system = system_of(session, system_code)
    run = EvaluationRun(system_code=system.code, system_name=system.name, system_version=system.version,
                        policy_version_id=vid, as_of=as_of, engine=engine, status="running",
                        subjects=0, grade_changes=0, created_by=user, started_at=utcnow())
    session.add(run)
    session.flush()
    rows = score_rows(session, system, as_of, engine, progress)
    if progress:
        progress("store", 0, len(rows))
    grades: dict[str, int] = {}
    for start in range(0, len(rows), chunk):
        batch = [to_score_row(run.id, system, r) for r in rows[start:start + chunk]]
        for b in batch:
            grades[b["grade"]] = grades.get(b["grade"], 0) + 1
        session.execute(insert(EvaluationScore), batch)
        if progress:
            progress("store", len(batch), len(rows))
    changes = record_grade_changes(session, run)
    from xinyong.evaluation.grades import feed_checks

    feed_checks(session, run, system, user)
    from xinyong.evaluation.results import forget_home_map

    forget_home_map()
    run.subjects, run.grade_changes = len(rows), changes
    run.status, run.finished_at = "done", utcnow()
    session.flush()
    log_event(session, who=user, action="create", entity="evaluation_run", entity_id=run.id,
              after={"system": system.code, "version": system.version, "as_of": as_of.isoformat(),
                     "engine": engine, "subjects": len(rows), "grade_changes": changes})
    return RunResult(run.id, len(rows), changes, grades)


def previous_run(session: Session, run: EvaluationRun) -> EvaluationRun | None:
    return session.scalar(
        select(EvaluationRun)
        .where(EvaluationRun.system_code == run.system_code, EvaluationRun.status == "done",
               EvaluationRun.id < run.id)
        .order_by(EvaluationRun.id.desc())
        .limit(1)
    )


def record_grade_changes(session: Session, run: EvaluationRun) -> int:
    """One INSERT … SELECT: a row for each subject whose grade differs from the previous run's."""
    prev = previous_run(session, run)
    if prev is None:
        return 0
    old, new = aliased(EvaluationScore), aliased(EvaluationScore)
    sel = (
        select(new.run_id, literal(prev.id, Integer), new.subject_id,
               literal(run.system_code, String), old.grade, new.grade,
               old.score, new.score)
        .join(old, and_(old.subject_id == new.subject_id, old.run_id == prev.id))
        .where(new.run_id == run.id, old.grade != new.grade)
    )
    session.execute(
        insert(GradeChange).from_select(
            ["run_id", "previous_run_id", "subject_id", "system_code", "from_grade", "to_grade",
             "from_score", "to_score"], sel)
    )
    # (counted, not read from rowcount: the PostgreSQL driver reports -1 for INSERT … SELECT here)
    return session.scalar(select(func.count()).select_from(GradeChange).where(GradeChange.run_id == run.id)) or 0


def list_runs(session: Session, limit: int = 50) -> list[EvaluationRun]:
    return list(session.scalars(select(EvaluationRun).order_by(EvaluationRun.id.desc()).limit(limit)))


def scores_of(session: Session, run_id: int) -> list[EvaluationScore]:
    return list(session.scalars(select(EvaluationScore).where(EvaluationScore.run_id == run_id)
                                .order_by(EvaluationScore.subject_id)))


def grade_changes(session: Session, run_id: int) -> list[GradeChange]:
    return list(session.scalars(select(GradeChange).where(GradeChange.run_id == run_id)
                                .order_by(GradeChange.subject_id)))
