"""Running the daily jobs: each in its own transaction, each logged once, none stopping another.

:func:`run_daily` runs every registered job (:mod:`xinyong.core.daily`) for one day. A job is
claimed, done, recorded and audited in one transaction — its row in ``daily_runs`` (the claim;
see :mod:`xinyong.jobs.models`), its work, what it changed and one audit entry commit together
or not at all, so a crash leaves no half-done job and no job marked done that was not. A job
that raises is rolled back and recorded as failed, with its error and an audit entry of its
own, in a second transaction; the next job still runs.

Idempotent per day: a job done for a day is skipped by a later run for that day (nothing is
written, not even an audit entry), unless the run is forced; a failed one is tried again. On
PostgreSQL, the whole run also holds an advisory lock, so a second process (another server, or
the command while the scheduler runs) finds it taken and leaves at once instead of waiting on
each job's claim.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import case, func, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from xinyong.audit.service import log_event
from xinyong.core import daily
from xinyong.core.db import get_engine, session_factory, utcnow
from xinyong.core.errors import InvalidInput
from xinyong.jobs.models import DailyRun

log = logging.getLogger("xinyong.jobs")

# Every capability, in DESIGN.md's order: importing a package registers its daily jobs. One
# that does not exist (yet) is skipped, so a new package only has to register its own.
CAPABILITIES = (
    "accounts", "audit", "subjects", "catalog", "records", "commitments", "lists", "checks", "push",
    "redress", "supervision", "evaluation", "monitoring", "disclosure", "exchange",
)
# The run's PostgreSQL advisory lock. Advisory locks are one space per database, so the key is
# taken from the schema the platform lives in: two platforms (or two test runs) in schemas of one
# database do not wait on each other's daily run, while the servers of one platform do.
_LOCK_KEY = "hashtextextended('xinyong.jobs:' || current_schema(), 0)"


PACKAGE_DIR = Path(__file__).resolve().parent.parent


def load_jobs() -> list[daily.DailyJob]:
    """Import every capability (each registers its jobs) and return the jobs in running order.
    Only packages of this installation count: an editable install elsewhere on the path (a
    second checkout) must not lend its packages to this one."""
    for capability in CAPABILITIES:
        name = f"xinyong.{capability}"
        try:
            found = importlib.util.find_spec(name)
        except ModuleNotFoundError:
            found = None
        if found is not None and found.origin and Path(found.origin).resolve().is_relative_to(PACKAGE_DIR):
            importlib.import_module(name)
    return daily.registered()


def left_out() -> set[str]:
    """The jobs this installation leaves out (``XINYONG_DAILY_SKIP``)."""
    from xinyong.core.settings import get_settings

    return {n.strip() for n in get_settings().daily_skip.split(",") if n.strip()}


def check_names(names: list[str] | None) -> None:
    """Refuse job names nobody registered, with the names that are."""
    known = {j.name for j in load_jobs()}
    unknown = sorted(set(names or []) - known)
    if unknown:
        raise InvalidInput(f"没有这些每日任务：{'、'.join(unknown)}（可用：{'、'.join(sorted(known))}）",
                           f"unknown daily jobs: {unknown}", field="jobs")


@dataclass
class JobOutcome:
    name: str
    label: str
    state: str  # done / failed / skipped (done before) / busy (another process has it)
    summary: dict | None = None
    changed: int = 0
    error: str | None = None
    seconds: float = 0.0
    attempt: int | None = None
    counts: dict[str, str] = field(default_factory=dict)


@dataclass
class RunResult:
    day: date
    outcomes: list[JobOutcome]
    busy: bool = False  # the whole run was left: another process holds it

    @property
    def failed(self) -> list[JobOutcome]:
        return [o for o in self.outcomes if o.state == "failed"]

    @property
    def changed(self) -> int:
        return sum(o.changed for o in self.outcomes if o.state == "done")


STATE_NAMES = {"done": "已完成", "failed": "失败", "skipped": "当天已完成，跳过", "busy": "另一进程正在运行"}


def _error_text(exc: BaseException) -> str:
    zh = getattr(exc, "zh", None)
    text_ = f"{type(exc).__name__}: {zh or exc}"
    return text_[:2000]


@contextmanager
def _run_lock(engine: Engine) -> Iterator[bool]:
    """PostgreSQL: the run's advisory lock, held on a connection of its own for the whole
    run; ``False`` when another session holds it. SQLite: always ``True`` (one process writes
    at a time, and the claims keep a second one from doing a job twice)."""
    if engine.dialect.name != "postgresql":
        yield True
        return
    with engine.connect() as conn:
        got = bool(conn.execute(text(f"SELECT pg_try_advisory_lock({_LOCK_KEY})")).scalar())
        conn.commit()
        try:
            yield got
        finally:
            if got:
                conn.execute(text(f"SELECT pg_advisory_unlock({_LOCK_KEY})"))
                conn.commit()


def _last_attempt(session: Session, day: date, job: str) -> DailyRun | None:
    return session.scalars(select(DailyRun).where(DailyRun.day == day, DailyRun.job == job)
                           .order_by(DailyRun.attempt.desc()).limit(1)).first()


def run_job(factory: Callable[[], Session], job: daily.DailyJob, day: date, *, by: str, force: bool = False) -> JobOutcome:
    """One job for one day, in its own transaction (see the module's docstring)."""
    out = JobOutcome(job.name, job.label, "done", counts=dict(job.counts))
    started = time.perf_counter()
    session = factory()
    try:
        last = _last_attempt(session, day, job.name)
        if last is not None and last.state == "done" and not force:
            session.rollback()
            out.state, out.summary, out.changed, out.attempt = "skipped", last.summary, 0, last.attempt
            return out
        out.attempt = (last.attempt + 1) if last is not None else 1
        run = DailyRun(day=day, job=job.name, attempt=out.attempt, state="done", started_at=utcnow(), by=by, changed=0)
        session.add(run)
        session.flush()  # the claim: a second process's insert of this row waits, then fails
        summary = dict(job.run(session, day) or {})
        run.summary, run.changed, run.finished_at = summary, daily.changed(summary), utcnow()
        session.flush()
        log_event(session, who=by, action="daily_job", entity="daily_run", entity_id=run.id,
                  after={"job": job.name, "day": day.isoformat(), "attempt": out.attempt, "summary": summary})
        session.commit()
        out.summary, out.changed = summary, run.changed
    except IntegrityError:
        session.rollback()
        out.state = "busy"  # another process claimed this attempt
    except Exception as exc:  # a job that fails is reported and does not stop the others
        session.rollback()
        log.exception("daily job %s failed for %s", job.name, day)
        out.state, out.error = "failed", _error_text(exc)
        _record_failure(factory, job, day, by, out)
    finally:
        session.close()
        out.seconds = time.perf_counter() - started
    return out


def _record_failure(factory: Callable[[], Session], job: daily.DailyJob, day: date, by: str, out: JobOutcome) -> None:
    session = factory()
    try:
        run = DailyRun(day=day, job=job.name, attempt=out.attempt or 1, state="failed", by=by, changed=0,
                       finished_at=utcnow(), error=out.error)
        session.add(run)
        session.flush()
        log_event(session, who=by, action="daily_job_failed", entity="daily_run", entity_id=run.id,
                  after={"job": job.name, "day": day.isoformat(), "attempt": run.attempt, "error": out.error})
        session.commit()
    except Exception:  # the failure itself could not be recorded: the outcome still reports it
        session.rollback()
        log.exception("could not record the failure of daily job %s", job.name)
    finally:
        session.close()


def run_daily(day: date, *, by: str, force: bool = False, engine: Engine | None = None,
              only: list[str] | None = None, on_job: Callable[[JobOutcome], None] | None = None) -> RunResult:
    """Every registered job (or those named in ``only``) for ``day``, in order."""
    engine = engine or get_engine()
    jobs = load_jobs()
    if only:  # named: run even when left out by XINYONG_DAILY_SKIP
        check_names(only)
        jobs = [j for j in jobs if j.name in only]
    else:
        skip = left_out()
        jobs = [j for j in jobs if j.name not in skip]
    factory = session_factory(engine)
    with _run_lock(engine) as got:
        if not got:
            return RunResult(day, [JobOutcome(j.name, j.label, "busy", counts=dict(j.counts)) for j in jobs], busy=True)
        outcomes = []
        for job in jobs:
            outcome = run_job(factory, job, day, by=by, force=force)
            outcomes.append(outcome)
            if on_job:
                on_job(outcome)
    return RunResult(day, outcomes)


# --- what the pages, the API and the command read ----------------------------------------------


def history(session: Session, *, day: date | None = None, state: str | None = None, job: str | None = None,
            limit: int = 50, offset: int = 0) -> list[DailyRun]:
    """Runs, newest day first; within a day failed ones first, then by the jobs' order."""
    q = select(DailyRun)
    if day is not None:
        q = q.where(DailyRun.day == day)
    if state:
        q = q.where(DailyRun.state == state)
    if job:
        q = q.where(DailyRun.job == job)
    q = q.order_by(DailyRun.day.desc(), case((DailyRun.state == "failed", 0), else_=1), DailyRun.started_at.desc(),
                   DailyRun.id.desc())
    return list(session.scalars(q.limit(limit).offset(offset)))


def count(session: Session, *, day: date | None = None, state: str | None = None, job: str | None = None) -> int:
    q = select(func.count()).select_from(DailyRun)
    if day is not None:
        q = q.where(DailyRun.day == day)
    if state:
        q = q.where(DailyRun.state == state)
    if job:
        q = q.where(DailyRun.job == job)
    return int(session.scalar(q) or 0)


def latest_day(session: Session) -> date | None:
    return session.scalar(select(func.max(DailyRun.day)))


def labels() -> dict[str, daily.DailyJob]:
    return {j.name: j for j in load_jobs()}


def describe(summary: dict | None, counts: dict[str, str]) -> str:
    """A summary as a line of Chinese: "拟列入 3，移出 2（列入期限届满 2）"; "无变化" when nothing
    changed. ``counts`` names the keys (a nested key as ``"removed.period_end"``)."""
    if not summary:
        return "无变化"
    parts = []
    order = {k: i for i, k in enumerate(counts)}  # the job's own order (PostgreSQL's JSONB sorts keys)
    for key, value in sorted(summary.items(), key=lambda kv: order.get(kv[0], len(order))):
        if key == "note" or isinstance(value, bool):
            continue
        name = counts.get(key, key)
        if isinstance(value, dict):
            if not daily.changed(value):
                continue
            inner = "，".join(f"{counts.get(f'{key}.{k}', k)} {v}" for k, v in value.items() if v)
            parts.append(f"{name} {daily.changed(value)}" + (f"（{inner}）" if inner else ""))
        elif value:
            parts.append(f"{name} {value}")
    line = "，".join(parts) or "无变化"
    if summary.get("note"):
        line += f"；{summary['note']}"
    return line
