"""Evaluation runs: score every subject an indicator system covers, store the scores with what
explains them, and record grade changes against the previous run.

A run reads the active policy version's system, copies the tables the scoring statement reads
into a DuckDB database file in a folder of its own (under the memory limit the settings give,
spilling to that folder beyond it), or hands a Parquet export of them to Spark, runs the one
statement of :mod:`xinyong.evaluation.scoring` part by part, fetching its rows in chunks and
writing each chunk before the next (so memory holds one chunk, at any scale), and then, in the platform's
database and set-based, compares each subject's grade with the previous finished run of the
same system: every difference becomes a :class:`GradeChange`. Runs are never overwritten.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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


def parts_for(subjects: int, parts: int = 0, part_subjects: int = 2_500_000) -> int:
    """The parts a run scores in: ``parts`` where given (> 0), else one per ``part_subjects``
    subjects, at least one."""
    if parts > 0:
        return parts
    return max(1, -(-subjects // max(part_subjects, 1)))


@contextmanager
def platform_copy(session: Session, progress: Progress | None = None) -> Iterator[tuple[object, Path]]:
    """A DuckDB database file, in a folder of its own under the settings' evaluation folder,
    holding the columns the statement reads (:func:`scoring.load_platform`), opened under the
    settings' memory limit with that folder for spilling: ``(connection, folder)``. The folder
    goes when the block ends, however it ends."""
    import duckdb

    from xinyong.core.settings import get_settings

    st = get_settings()
    base = st.evaluation_dir
    base.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="run-", dir=base) as tmp:
        folder = Path(tmp)
        config = {"memory_limit": st.evaluation_memory_limit, "temp_directory": str(folder / "spill"),
                  "preserve_insertion_order": False}
        if st.evaluation_threads:
            config["threads"] = st.evaluation_threads
        con = duckdb.connect(str(folder / "platform.duckdb"), config=config)
        try:
            scoring.load_platform(session, con,
                                  progress=(lambda t, n: progress("load", n, None)) if progress else None)
            yield con, folder
        finally:
            con.close()


def score_batches(session: Session, system: IndicatorSystem, as_of: date, engine: str,
                  progress: Progress | None = None, *, parts: int | None = None,
                  chunk: int | None = None) -> Iterator[list[tuple]]:
    """The scoring statement's rows for the platform's data, on the chosen engine, in chunks of
    at most ``chunk`` rows (setting ``evaluation_fetch_rows``): DuckDB part by part (``parts``,
    else the settings' ``evaluation_parts`` or one part per ``evaluation_part_subjects``), Spark
    a partition at a time. Before the first chunk, ``progress("store", 0, total)`` tells how
    many rows will come."""
    from xinyong.core.settings import get_settings

    st = get_settings()
    chunk = chunk or st.evaluation_fetch_rows
    if engine == "spark":
        why = scoring.spark_available()
        if why:
            raise InvalidInput(f"无法使用 Spark 引擎：{why}", f"the Spark engine cannot run here: {why}")
    with platform_copy(session, progress) as (con, folder):
        total = scoring.subjects_scored(con, system)
        if progress:
            progress("store", 0, total)
        if engine == "duckdb":
            n = parts_for(total, st.evaluation_parts if parts is None else parts, st.evaluation_part_subjects)
            yield from scoring.iter_duckdb(con, system, as_of, n, chunk)
            return
        files = scoring.export_parquet(con, folder / "parquet")
        yield from scoring.iter_spark(scoring.local_spark(), files, system, as_of, chunk)


def score_rows(session: Session, system: IndicatorSystem, as_of: date, engine: str,
               progress: Progress | None = None, *, parts: int | None = None) -> list[tuple]:
    """All of :func:`score_batches`' rows in one list (small data: tests, a look at a system)."""
    return [r for batch in score_batches(session, system, as_of, engine, progress, parts=parts) for r in batch]


def score_row_maker(run_id: int, system: IndicatorSystem) -> Callable[[tuple], dict]:
    """A function from one row of the statement to the stored :class:`EvaluationScore` row.
    The columns' positions and each indicator's point weight are found once here, not once per
    subject (a province's run builds millions of rows); the numbers are those of
    :func:`scoring.points` and the same rounding."""
    pos = {c: k for k, c in enumerate(scoring.result_columns(system))}
    weights = scoring.point_weights(system)
    i_sid, i_score, i_grade = pos["subject_id"], pos["score"], pos["grade"]
    dims = [(d.code, pos[f"d_{d.code}"]) for d in system.dimensions]
    inds = [(i.code, pos[f"r_{i.code}"], pos[f"n_{i.code}"], weights[i.code]) for _d, i in system.indicators()]

    def make(row: tuple) -> dict:
        return {
            "run_id": run_id,
            "subject_id": int(row[i_sid]),
            "score": float(row[i_score]),
            "grade": row[i_grade],
            "dimensions": {code: float(row[k]) for code, k in dims},
            "contributions": {
                code: {
                    "raw": None if row[r] is None else round(float(row[r]), 4),
                    "value": round(float(row[n]), 4),
                    "points": round(w * float(row[n]), 2),
                }
                for code, r, n, w in inds
            },
        }

    return make


def to_score_row(run_id: int, system: IndicatorSystem, row: tuple) -> dict:
    return score_row_maker(run_id, system)(row)


def run_evaluation(session: Session, system_code: str, *, as_of: date, engine: str = "duckdb",
                   user: str = "system", chunk: int | None = None, parts: int | None = None,
                   progress: Progress | None = None) -> RunResult:
    """Score ``system_code`` over the platform's data as of ``as_of`` and store a run: the rows
    come in chunks (:func:`score_batches`; ``chunk`` and ``parts`` default to the settings) and
    each chunk is written before the next is fetched, so memory holds one chunk of scores however
    many subjects there are."""
    if engine not in ENGINES:
        raise InvalidInput(f"未知的计算引擎 {engine}（可选：{'、'.join(ENGINES)}）", f"unknown engine {engine!r}")
    vid, system = system_of(session, system_code)
    run = EvaluationRun(system_code=system.code, system_name=system.name, system_version=system.version,
                        policy_version_id=vid, as_of=as_of, engine=engine, status="running",
                        subjects=0, grade_changes=0, created_by=user, started_at=utcnow())
    session.add(run)
    session.flush()
    grades: dict[str, int] = {}
    subjects = 0
    make = score_row_maker(run.id, system)
    table = EvaluationScore.__table__
    for rows in score_batches(session, system, as_of, engine, progress, parts=parts, chunk=chunk):
        batch = [make(r) for r in rows]
        for b in batch:
            grades[b["grade"]] = grades.get(b["grade"], 0) + 1
        # (the table's INSERT, executemany: no ORM bookkeeping for rows the session never holds)
        session.execute(insert(table), batch)
        subjects += len(batch)
        if progress:
            progress("store", len(batch), None)
        del batch, rows
    changes = record_grade_changes(session, run)
    from xinyong.evaluation.grades import feed_checks

    feed_checks(session, run, system, user)
    from xinyong.evaluation.results import forget_home_map

    forget_home_map()
    run.subjects, run.grade_changes = subjects, changes
    run.status, run.finished_at = "done", utcnow()
    session.flush()
    log_event(session, who=user, action="create", entity="evaluation_run", entity_id=run.id,
              after={"system": system.code, "version": system.version, "as_of": as_of.isoformat(),
                     "engine": engine, "subjects": subjects, "grade_changes": changes})
    return RunResult(run.id, subjects, changes, grades)


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
