"""Batch checks run in the background: the upload is saved under ``var/checks/``, a thread
runs :func:`xinyong.checks.service.run_batch` with a session of its own, and the page polls the
batch row for its progress. The upload is validated when it arrives, held while the batch runs
and deleted when it ends (:mod:`xinyong.core.spool`: one left by a stopped process is removed
at the next start-up); the result file, masked, stays until it is deleted."""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import threading
from pathlib import Path
from typing import BinaryIO

from xinyong.accounts.principal import Principal
from xinyong.core import spool
from xinyong.core.db import get_engine, session_factory
from xinyong.core.errors import InvalidInput
from xinyong.core.settings import get_settings

log = logging.getLogger("xinyong.checks")
SUFFIXES = (".xlsx", ".csv")
_threads: dict[int, threading.Thread] = {}


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


def _run(batch_id: int, path: Path, who: Principal) -> None:
    from xinyong.checks import service

    session = session_factory(get_engine())()
    try:
        service.run_batch(session, batch_id, path, result_path(batch_id), who)
    except Exception:  # the batch row says it failed, and why
        log.exception("check batch %s failed", batch_id)
    finally:
        session.close()
        spool.discard(path)  # the candidates (raw identity numbers) are no longer needed
        _threads.pop(batch_id, None)


def start(batch_id: int, path: Path, who: Principal) -> None:
    """Run the batch in a background thread (the request returns at once)."""
    t = threading.Thread(target=_run, args=(batch_id, path, who), name=f"check-batch-{batch_id}", daemon=True)
    _threads[batch_id] = t
    t.start()


def wait(batch_id: int, timeout: float | None = None) -> None:
    """Wait for a batch started here (tests, the command line)."""
    t = _threads.get(batch_id)
    if t is not None:
        t.join(timeout)
