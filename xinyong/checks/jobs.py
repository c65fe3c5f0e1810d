"""Batch checks run in the background: the upload is saved under ``var/checks/``, a thread
runs :func:`xinyong.checks.service.run_batch` with a session of its own, and the page polls the
batch row for its progress. The result file lies beside the upload until it is deleted."""

from __future__ import annotations

import logging
import shutil
import threading
from pathlib import Path
from typing import BinaryIO

from xinyong.accounts.principal import Principal
from xinyong.core.db import get_engine, session_factory
from xinyong.core.errors import InvalidInput
from xinyong.core.settings import get_settings

log = logging.getLogger("xinyong.checks")
SUFFIXES = (".xlsx", ".csv")
_threads: dict[int, threading.Thread] = {}


def folder() -> Path:
    path = get_settings().var_dir / "checks"
    path.mkdir(parents=True, exist_ok=True)
    return path


def upload_path(batch_id: int, file_name: str) -> Path:
    suffix = Path(file_name).suffix.lower()
    if suffix not in SUFFIXES:
        raise InvalidInput("名单文件应为 XLSX 或 CSV", "the candidates file is XLSX or CSV", field="file")
    return folder() / f"batch-{batch_id}{suffix}"


def result_path(batch_id: int) -> Path:
    return folder() / f"batch-{batch_id}.result.xlsx"


def save_upload(batch_id: int, file_name: str, stream: BinaryIO) -> Path:
    path = upload_path(batch_id, file_name)
    with open(path, "wb") as out:
        shutil.copyfileobj(stream, out, 1 << 20)
    return path


def _run(batch_id: int, path: Path, who: Principal) -> None:
    from xinyong.checks import service

    session = session_factory(get_engine())()
    try:
        service.run_batch(session, batch_id, path, result_path(batch_id), who)
    except Exception:  # the batch row says it failed, and why
        log.exception("check batch %s failed", batch_id)
    finally:
        session.close()
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
