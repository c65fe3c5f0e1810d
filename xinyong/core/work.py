"""A small durable job queue: work that must not run inside a web request (an uploaded file of
thousands of rows parsed and imported) is written to ``work_jobs`` and run by a worker process
(``xinyong worker``, or the ones ``xinyong serve`` starts), so a large or hostile upload costs a
worker's time and memory, never a web worker's.

A job is ``queued`` → ``running`` → ``done`` or ``failed``. A worker claims the oldest queued job
atomically (PostgreSQL: ``SELECT … FOR UPDATE SKIP LOCKED``, so workers never wait on each
other; SQLite: a conditional ``UPDATE … WHERE state = 'queued'`` that only one writer can win).

A worker that dies (kill -9, a power cut) leaves its job ``running``. Each worker holds an
exclusive ``flock`` on a file of its own under ``VAR_DIR/work/`` while it lives — the lock goes
with the process, whatever killed it — so any worker starting up (and each poll) finds the
running jobs whose worker's lock is free and puts them back in the queue, or fails them after
``XINYONG_JOBS_MAX_ATTEMPTS`` tries (a file that kills its worker must not kill every worker in
turn). Workers therefore share the data folder, as they must anyway: the uploaded files are
there.

While a job runs, its progress (rows done, and the total once known) is written to a small file
beside the lock rather than to the table: an import is one transaction, and on SQLite a second
writer would wait for it. The table gets the final counts when the job ends.

``core`` knows no job kind: a package registers its handlers with :func:`handler`, and the
worker imports the packages that do (:data:`HANDLER_MODULES`).
"""

from __future__ import annotations

import fcntl
import importlib
import json
import logging
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, DateTime, Integer, String, Text, select, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Mapped, Session, mapped_column

from xinyong.core.db import Base, get_engine, session_factory, utcnow
from xinyong.core.settings import get_settings

log = logging.getLogger("xinyong.work")
STATES = {"queued": "排队中", "running": "处理中", "done": "已完成", "failed": "失败"}
# Packages whose import registers job handlers (the worker imports them before it runs a job).
HANDLER_MODULES = ["xinyong.records.import_jobs", "xinyong.checks.jobs"]
_JSON = JSON().with_variant(postgresql.JSONB(), "postgresql")


class WorkJob(Base):
    __tablename__ = "work_jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(50))
    payload: Mapped[dict] = mapped_column(_JSON, default=dict)
    state: Mapped[str] = mapped_column(String(10), default="queued", index=True)
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int | None] = mapped_column(Integer, nullable=True)
    result: Mapped[dict | None] = mapped_column(_JSON, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[str] = mapped_column(String(100))
    region_code: Mapped[str | None] = mapped_column(String(12), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    worker: Mapped[str | None] = mapped_column(String(100), nullable=True)

    @property
    def state_name(self) -> str:
        return STATES.get(self.state, self.state)


class JobFailed(Exception):
    """Raised by a handler for a failure the job's owner should read (``zh`` is shown as is)."""

    def __init__(self, zh: str):
        super().__init__(zh)
        self.zh = zh


@dataclass
class Context:
    """What a handler gets besides its payload: the job, and a way to report progress."""

    job_id: int
    payload: dict
    progress: Callable[[int, int | None], None]


Handler = Callable[[Context], dict]
_handlers: dict[str, Handler] = {}


def handler(kind: str) -> Callable[[Handler], Handler]:
    """Register the function that runs jobs of ``kind``; it returns the job's result (JSON)."""
    def register(fn: Handler) -> Handler:
        _handlers[kind] = fn
        return fn
    return register


def load_handlers() -> None:
    for name in HANDLER_MODULES:
        importlib.import_module(name)


def folder() -> Path:
    path = get_settings().var_dir / "work"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def files_folder() -> Path:
    """Where files waiting for their job are kept (not swept as orphans: a queued job owns them)."""
    path = folder() / "files"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


# --- enqueue and read -------------------------------------------------------------------------

def enqueue(session: Session, kind: str, payload: dict, *, created_by: str, region_code: str | None) -> WorkJob:
    """Add a job (the caller commits, then calls :func:`after_commit`)."""
    job = WorkJob(kind=kind, payload=payload, state="queued", created_by=created_by, region_code=region_code,
                  created_at=utcnow())
    session.add(job)
    session.flush()
    return job


def after_commit(job_id: int) -> None:
    """With ``XINYONG_JOBS_INLINE`` (tests, a single-user demo), run the job now, in this process;
    otherwise a worker picks it up."""
    if get_settings().jobs_inline:
        run_job(job_id, worker_id=f"inline-{os.getpid()}")


def progress_of(job: WorkJob) -> tuple[int, int | None]:
    """Rows done and the total (``None`` while unknown): the live file while it runs."""
    if job.state == "running":
        try:
            data = json.loads((folder() / f"job-{job.id}.progress").read_text())
            return int(data["done"]), data.get("total")
        except (OSError, ValueError, KeyError):
            return job.done, job.total
    return job.done, job.total


# --- the worker ------------------------------------------------------------------------------

class Worker:
    """A worker's identity and the lock that tells others it is alive."""

    def __init__(self) -> None:
        self.id = f"{socket.gethostname()[:60]}-{os.getpid()}-{os.urandom(3).hex()}"
        self.lock_path = folder() / f"worker-{self.id}.lock"
        self._fd = os.open(self.lock_path, os.O_CREAT | os.O_WRONLY, 0o600)
        fcntl.flock(self._fd, fcntl.LOCK_EX)

    def close(self) -> None:
        os.close(self._fd)
        self.lock_path.unlink(missing_ok=True)


def worker_alive(worker_id: str | None) -> bool:
    """Whether the worker's lock file is held by a live process."""
    if not worker_id:
        return False
    path = folder() / f"worker-{worker_id}.lock"
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    path.unlink(missing_ok=True)  # a dead worker's lock file
    return False


def requeue_dead(session: Session, *, alive: Callable[[str | None], bool] = worker_alive) -> list[int]:
    """Put the running jobs whose worker died back in the queue (or fail them after the last
    attempt). Returns their ids. Inline jobs run in a web process: they count as dead only when
    that process is gone, which the same lock tells."""
    max_attempts = get_settings().jobs_max_attempts
    found = []
    for job in session.scalars(select(WorkJob).where(WorkJob.state == "running")):
        if job.worker and job.worker.startswith("inline-"):
            continue  # an inline job holds no lock: its process commits or rolls back in the request
        if alive(job.worker):
            continue
        found.append(job.id)
        if job.attempts >= max_attempts:
            job.state, job.finished_at = "failed", utcnow()
            job.error = f"处理该任务的进程已停止 {job.attempts} 次，不再重试；请检查文件后重新上传"
            _discard_files(job)
        else:
            job.state, job.worker, job.started_at = "queued", None, None
        log.warning("job %s of a stopped worker: %s", job.id, job.state)
    session.commit()
    return found


def claim(session: Session, worker_id: str) -> WorkJob | None:
    """Take the oldest queued job for this worker, atomically; ``None`` when the queue is empty."""
    for _ in range(5):
        q = select(WorkJob.id).where(WorkJob.state == "queued").order_by(WorkJob.id).limit(1)
        if session.get_bind().dialect.name == "postgresql":
            q = q.with_for_update(skip_locked=True)
        job_id = session.scalar(q)
        if job_id is None:
            session.commit()
            return None
        try:
            won = session.execute(
                update(WorkJob).where(WorkJob.id == job_id, WorkJob.state == "queued")
                .values(state="running", worker=worker_id, started_at=utcnow(), attempts=WorkJob.attempts + 1)
            ).rowcount
            session.commit()
        except OperationalError:  # SQLite: another writer got there between the read and the write
            session.rollback()
            time.sleep(0.05)
            continue
        if won:
            return session.get(WorkJob, job_id)
    return None


def _write_progress(job_id: int, done: int, total: int | None) -> None:
    path = folder() / f"job-{job_id}.progress"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"done": done, "total": total}))
    os.replace(tmp, path)


def _discard_files(job: WorkJob) -> None:
    for name in job.payload.get("files", []):
        (files_folder() / Path(name).name).unlink(missing_ok=True)


def run_job(job_id: int, *, worker_id: str) -> str:
    """Run one job (claimed by ``worker_id``, or claimed here for an inline run) and record how it
    ended; returns the final state. A handler's exception fails the job with its message."""
    load_handlers()
    factory = session_factory(get_engine())
    with factory() as session:
        job = session.get(WorkJob, job_id)
        if job is None:
            return "missing"
        if job.state == "queued":  # inline: claim it here
            session.execute(update(WorkJob).where(WorkJob.id == job_id, WorkJob.state == "queued")
                            .values(state="running", worker=worker_id, started_at=utcnow(),
                                    attempts=WorkJob.attempts + 1))
            session.commit()
            session.refresh(job)
        if job.state != "running" or job.worker != worker_id:
            return job.state
        kind, payload = job.kind, dict(job.payload)
    last = [0.0]

    def progress(done: int, total: int | None = None) -> None:
        now = time.monotonic()
        if now - last[0] >= 0.5 or (total is not None and done >= total):
            last[0] = now
            _write_progress(job_id, done, total)

    state, result, error = "done", None, None
    fn = _handlers.get(kind)
    try:
        if fn is None:
            raise JobFailed(f"未知的任务类型“{kind}”")
        result = fn(Context(job_id=job_id, payload=payload, progress=progress))
    except JobFailed as exc:
        state, error = "failed", exc.zh
    except Exception as exc:  # a bug: the owner reads a plain message, the log has the rest
        log.exception("job %s (%s) failed", job_id, kind)
        zh = getattr(exc, "zh", None)
        state, error = "failed", zh or "处理时发生内部错误，未存入任何数据；请联系平台管理员"
    with factory() as session:
        job = session.get(WorkJob, job_id)
        job.state, job.result, job.error, job.finished_at = state, result, error, utcnow()
        if result:
            job.done = int(result.get("total", job.done) or 0)
            job.total = job.done
        _discard_files(job)
        session.commit()
    (folder() / f"job-{job_id}.progress").unlink(missing_ok=True)
    return state


def work(*, once: bool = False, poll: float | None = None, stop: Callable[[], bool] | None = None) -> int:
    """The worker loop: requeue dead workers' jobs, then run queued jobs one at a time, waiting
    ``poll`` seconds when the queue is empty. ``once``: run what is queued now, then return.
    Returns the number of jobs run."""
    load_handlers()
    poll = poll if poll is not None else get_settings().jobs_poll_seconds
    me = Worker()
    ran = 0
    factory = session_factory(get_engine())
    try:
        with factory() as session:
            requeue_dead(session)
            sweep_files(session)
        while not (stop and stop()):
            with factory() as session:
                job = claim(session, me.id)
                job_id = job.id if job else None
            if job_id is None:
                if once:
                    break
                time.sleep(poll)
                with factory() as session:
                    requeue_dead(session)
                continue
            run_job(job_id, worker_id=me.id)
            ran += 1
    finally:
        me.close()
    return ran


def sweep_files(session: Session) -> list[Path]:
    """Delete waiting files no queued or running job names (left when a job ended in a process
    that stopped before it could delete them); run at start-up."""
    keep: set[str] = set()
    for payload in session.scalars(select(WorkJob.payload).where(WorkJob.state.in_(("queued", "running")))):
        keep.update(Path(n).name for n in (payload or {}).get("files", []))
    removed = []
    cutoff = time.time() - 60
    for path in files_folder().iterdir():
        try:
            if path.name not in keep and path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed.append(path)
        except OSError:
            continue
    return removed


def payload_file(payload: dict[str, Any], index: int = 0) -> Path:
    return files_folder() / Path(payload["files"][index]).name
