"""Files that a request or a background job holds while it works on them (uploads that carry
raw identity numbers), and the sweep that removes those whose holder died.

An uploaded file is deleted by whoever received it once the work is done; a process killed in
the middle (kill -9, a power cut) leaves it on disk. So every such file is created here and held
under an exclusive ``flock`` for as long as its holder works on it: the lock belongs to the open
file, so it goes when the process goes, whatever killed it. :func:`sweep`, run when a process
starts, deletes the files in a folder that nobody holds (older than ``min_age`` seconds, so that
a file between its creation and its lock is never taken for an orphan). A file another live
process is importing stays. POSIX only, as the platform is.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

log = logging.getLogger("xinyong.spool")
_held: dict[str, int] = {}
_lock = threading.Lock()


def create(path: Path) -> int:
    """Create ``path`` (owner-only; it must not exist) and hold it. Returns a descriptor open
    for writing; the file stays held until :func:`release` or :func:`discard`."""
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    with _lock:
        _held[str(path)] = fd
    return fd


def moved(old: Path, new: Path) -> None:
    """Rename a held file; it stays held (the lock follows the open file, not the name)."""
    os.replace(old, new)
    with _lock:
        fd = _held.pop(str(old), None)
        if fd is not None:
            _held[str(new)] = fd


def release(path: Path) -> None:
    """Stop holding ``path`` (it stays on disk)."""
    with _lock:
        fd = _held.pop(str(path), None)
    if fd is not None:
        os.close(fd)


def discard(path: Path) -> None:
    """Delete ``path`` and stop holding it."""
    Path(path).unlink(missing_ok=True)
    release(path)


def is_held(path: Path) -> bool:
    """Whether a live process (this one or another) holds ``path``."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # closing drops a lock this look took
    return False


def sweep(folder: Path, patterns: Iterable[str], *, min_age: float = 60.0,
          keep: Callable[[Path], bool] | None = None) -> list[Path]:
    """Delete the files of ``folder`` matching ``patterns`` (and not ``keep``) that nobody holds
    and that are at least ``min_age`` seconds old. Returns what was deleted."""
    if not folder.is_dir():
        return []
    now = time.time()
    removed: list[Path] = []
    for pattern in patterns:
        for path in sorted(folder.glob(pattern)):
            try:
                if (keep and keep(path)) or not path.is_file() or now - path.stat().st_mtime < min_age or is_held(path):
                    continue
                path.unlink()
            except OSError:  # gone meanwhile, or not ours to delete: leave it
                continue
            removed.append(path)
    if removed:
        log.warning("removed %d upload(s) left by a stopped process in %s", len(removed), folder)
    return removed
