"""The registry of daily jobs, and when the day's run is due.

Every capability has work that falls due with the date rather than with a request: listings
whose notice period ended, deadlines that pass, the audit chain's daily anchor. Each registers
it here when its package is imported (``daily.register(...)`` in its ``__init__.py``, as it
registers its hooks), and one runner — :mod:`xinyong.jobs`, at the bottom of DESIGN.md's order,
which may import every package — runs them all once a day: ``xinyong jobs daily``, or the
server's scheduler. A later package adds its jobs without touching the runner.

The registry lives in ``core`` because every package may import ``core`` and none may import a
package below it. :func:`due` is the scheduler's rule as a plain function, so a test decides it
with a fake clock.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from sqlalchemy.orm import Session

from xinyong.core.clock import CST

# (session, the day the run is for) → what it changed: counts (int, or a dict of ints), and
# optionally "note", one line of text that is shown but not counted.
JobFunction = Callable[[Session, date], Mapping[str, Any]]


@dataclass(frozen=True)
class DailyJob:
    name: str  # "lists.refresh": the package, a dot, the job
    label: str  # Chinese, as the pages and the command show it
    run: JobFunction
    order: int = 100  # smaller first; the audit anchor goes last (1000)
    counts: Mapping[str, str] = field(default_factory=dict)  # a summary key → its Chinese name


_jobs: dict[str, DailyJob] = {}


def register(name: str, label: str, run: JobFunction, *, order: int = 100,
             counts: Mapping[str, str] | None = None) -> DailyJob:
    """Register (or replace, by name) a daily job. The function must be idempotent for a day:
    run twice for the same day, the second run changes nothing (the runner also skips a job
    already done that day, unless forced)."""
    if not name or len(name) > 64:
        raise ValueError("a daily job's name is 1 to 64 characters")
    job = DailyJob(name, label, run, order, dict(counts or {}))
    _jobs[name] = job
    return job


def unregister(name: str) -> None:
    _jobs.pop(name, None)


def registered() -> list[DailyJob]:
    """The jobs in the order they run (by ``order``, then name)."""
    return sorted(_jobs.values(), key=lambda j: (j.order, j.name))


def changed(summary: Mapping[str, Any] | None) -> int:
    """How many things a summary says were changed: the sum of its counts (nested dicts too);
    text (the ``note``) and flags do not count."""
    total = 0
    for value in (summary or {}).values():
        if isinstance(value, bool):
            continue
        if isinstance(value, int):
            total += value
        elif isinstance(value, Mapping):
            total += changed(value)
    return total


def local_day(now: datetime) -> date:
    """The date in Beijing of a moment (a naive moment is taken as Beijing time)."""
    return (now.astimezone(CST) if now.tzinfo else now).date()


def due(now: datetime, at: time, last_run_day: date | None) -> date | None:
    """The day whose run is due at ``now``, or ``None``: once a day, from ``at`` (Beijing time)
    on, unless this scheduler already ran that day. A server started after ``at`` runs at
    once (the runner skips what another process already did); a day the server was down for
    is not caught up — the next day's run brings the listings up to that day."""
    local = now.astimezone(CST) if now.tzinfo else now
    day = local.date()
    if last_run_day is not None and last_run_day >= day:
        return None
    if local.time().replace(tzinfo=None) < at:
        return None
    return day
