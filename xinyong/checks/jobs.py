"""Batch checks run in the background: the upload is saved under ``var/checks/``, then queued as
a ``checks.batch`` job (:mod:`xinyong.core.work`) that a job worker runs —
:func:`xinyong.checks.service.run_batch` with a session of its own, outside every web request —
and the page polls the batch row for its progress. The upload is validated when it arrives, held while the batch runs
and deleted when it ends (:mod:`xinyong.core.spool`: one left by a stopped process is removed
at the next start-up); the result file, masked, stays until it is deleted."""

from __future__ import annotations

import logging
import os
import secrets
import shutil
from pathlib import Path
from typing import BinaryIO

from xinyong.accounts.principal import Principal
from xinyong.core import spool
from xinyong.core.db import get_engine, session_factory
from xinyong.core.errors import InvalidInput
from xinyong.core.settings import get_settings

log = logging.getLogger("xinyong.checks")
SUFFIXES = (".xlsx", ".csv")


def folder() -> Path:
    path = get_settings().var_dir / "checks"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def upload_path(batch_id: int, file_name: str) -> Path:
    suffix = Path(file_name).suffix.lower()
    if suffix not in SUFFIXES:
        raise InvalidInput("名单文件应为 XLSX 或 CSV", "the candidates file is XLSX or CSV", field="file")
    return folder() / f"batch-{batch_id}{suffix}"


def result_path(batch_id: int) -> Path:
    return folder() / f"batch-{batch_id}.result.xlsx"


def receive(file_name: str, stream: BinaryIO) -> Path:
    """Save an uploaded candidates file under a random name (owner-only) and validate it
    (:func:`xinyong.checks.service.check_candidates_file`) before any batch is made of it: an
    empty, binary, oversized or malformed file is refused at upload (422) and deleted, instead
    of being accepted and failing later in the background."""
    from xinyong.checks import service

    suffix = upload_path(0, file_name).suffix
    path = folder() / f"upload-{secrets.token_hex(16)}{suffix}"
    fd = spool.create(path)  # held until the batch is done; a crash leaves it to the start-up sweep
    try:
        with os.fdopen(os.dup(fd), "wb") as out:
            shutil.copyfileobj(stream, out, 1 << 20)
        service.check_candidates_file(path)
    except BaseException:
        spool.discard(path)
        raise
    return path


def place(received: Path, batch_id: int) -> Path:
    """The validated upload, renamed for its batch (still held)."""
    path = folder() / f"batch-{batch_id}{received.suffix}"
    spool.moved(received, path)
    return path


def discard(path: Path) -> None:
    """Delete an upload no batch was made of."""
    spool.discard(path)


def sweep_orphans() -> list[Path]:
    """At start-up: delete the candidates files nobody holds — left by a process that stopped
    (they carry raw identity numbers) — and mark their batches, still shown as queued or
    running, failed with a message to upload again. A batch another live process is running
    keeps its file and its state."""
    from sqlalchemy import update

    from xinyong.checks.models import CheckBatch
    from xinyong.core.db import utcnow

    removed = spool.sweep(folder(), ["upload-*", "batch-*.csv", "batch-*.xlsx"],
                          keep=lambda p: p.name.endswith(".result.xlsx"))
    ids = []
    for path in removed:
        stem = path.name.split(".", 1)[0]
        if stem.startswith("batch-") and stem[6:].isdigit():
            ids.append(int(stem[6:]))
    if ids:
        with session_factory(get_engine())() as session:
            session.execute(update(CheckBatch).where(CheckBatch.id.in_(ids), CheckBatch.status.in_(("queued", "running")))
                            .values(status="failed", finished_at=utcnow(),
                                    error="处理该批次的服务进程已停止，名单文件已删除，请重新上传名单"))
            session.commit()
    return removed


KIND = "checks.batch"


def start(batch_id: int, path: Path, who: Principal) -> None:
    """Queue the batch for a job worker (the request returns at once). The candidates file
    waits in the queue's folder, which the start-up sweep leaves alone while its job waits."""
    from xinyong.core import work

    target = work.files_folder() / f"checks-{path.name}"
    spool.moved(path, target)
    spool.release(target)
    with session_factory(get_engine())() as session:
        job = work.enqueue(session, KIND, {
            "files": [target.name], "batch_id": batch_id, "user_id": who.user_id, "username": who.username,
            "role": who.role, "region_code": who.region_code, "department_code": who.department_code,
            "categories": sorted(who.categories), "via": who.via,
        }, created_by=who.username, region_code=who.region_code)
        session.commit()
        job_id = job.id
    work.after_commit(job_id)


def _run_job(ctx) -> dict:
    """The worker's side: run the batch as whoever uploaded it. A batch no longer queued was
    begun by a worker that died: its half-loaded candidates are not run again, it fails with a
    message to upload again."""
    from sqlalchemy import delete

    from xinyong.checks import service
    from xinyong.checks.models import CheckBatch, CheckCandidate
    from xinyong.core import work
    from xinyong.core.db import utcnow

    p = ctx.payload
    who = Principal(user_id=p.get("user_id"), username=p["username"], role=p.get("role"),
                    region_code=p.get("region_code"), department_code=p.get("department_code"),
                    categories=frozenset(p.get("categories") or ()), via=p.get("via") or "session")
    batch_id = p["batch_id"]
    with session_factory(get_engine())() as session:
        batch = session.get(CheckBatch, batch_id)
        if batch is None:
            raise work.JobFailed(f"核查批次 {batch_id} 不存在")
        if batch.status != "queued":
            session.execute(delete(CheckCandidate).where(CheckCandidate.batch_id == batch_id))
            batch.status, batch.finished_at = "failed", utcnow()
            batch.error = "处理该批次的服务进程已停止，请重新上传名单"
            session.commit()
            raise work.JobFailed(batch.error)
        try:
            service.run_batch(session, batch_id, work.payload_file(p), result_path(batch_id), who,
                              progress=lambda stage, done, total: ctx.progress(done, total or None))
        except Exception as exc:  # the batch row says it failed, and why
            log.warning("check batch %s failed", batch_id, exc_info=True)
            raise work.JobFailed(getattr(exc, "zh", None) or "核查失败") from None
        return {"batch_id": batch_id, "total": batch.total}


def _register() -> None:
    from xinyong.core import work

    work.handler(KIND)(_run_job)


_register()
