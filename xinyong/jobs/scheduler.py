"""The server's scheduler: a thread of ``xinyong serve`` that runs the daily jobs once a day.

It wakes every minute and asks :func:`xinyong.core.daily.due` whether the day's run is due
(``XINYONG_DAILY_AT``, Beijing time); when it is, it runs :func:`xinyong.jobs.service.run_daily`
for that day. Several servers may each run one: the run's advisory lock (PostgreSQL) and the
claims in ``daily_runs`` keep a job from being done twice, and whoever comes second finds the
jobs done and changes nothing. A run with a failed job is tried again, at most
``RETRIES`` times an hour apart, for the failed jobs only (the others are skipped as done).
An operator who prefers cron sets ``XINYONG_DAILY_ENABLED=false`` and runs ``xinyong jobs
daily`` instead (docs/deployment.md).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import date, datetime, timedelta

from xinyong.core import daily
from xinyong.core.clock import CST
from xinyong.core.settings import get_settings

log = logging.getLogger("xinyong.jobs")
POLL_SECONDS = 60.0
RETRIES = 3
RETRY_AFTER = timedelta(hours=1)


class Scheduler:
    """The decision (:meth:`tick`) apart from the thread, so a test drives it with a fake now."""

    def __init__(self, run: Callable[[date], object] | None = None, *, now: Callable[[], datetime] | None = None) -> None:
        self._run = run or _run_today
        self._now = now or (lambda: datetime.now(CST))
        self.last_day: date | None = None  # the day of the last complete run (no failure left)
        self._retry: tuple[date, int, datetime] | None = None  # (day, tries, not before)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def tick(self) -> date | None:
        """Run the day's jobs if due at the scheduler's now; the day run, or ``None``."""
        now = self._now()
        at = get_settings().daily_at
        day = daily.due(now, at, self.last_day)
        if day is None:
            return None
        if self._retry and self._retry[0] == day and now < self._retry[2]:
            return None
        result = self._run(day)
        failed = bool(getattr(result, "failed", None)) or bool(getattr(result, "busy", False))
        tries = (self._retry[1] + 1) if self._retry and self._retry[0] == day else 1
        if failed and tries < RETRIES:
            self._retry = (day, tries, now + RETRY_AFTER)
        else:
            self._retry, self.last_day = None, day
        return day

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.tick()
            except Exception:  # the database is away, say: try again at the next wake-up
                log.exception("the daily jobs' scheduler failed; it tries again in a minute")
            self._stop.wait(POLL_SECONDS)

    def start(self) -> Scheduler:
        self._thread = threading.Thread(target=self._loop, name="xinyong-daily-jobs", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)


def _run_today(day: date):
    from xinyong.jobs.service import run_daily

    result = run_daily(day, by="scheduler")
    for o in result.outcomes:
        if o.state == "failed":
            log.error("daily job %s failed for %s: %s", o.name, day, o.error)
    return result


def start_if_enabled() -> Scheduler | None:
    """Start the scheduler's thread unless ``XINYONG_DAILY_ENABLED`` is false."""
    if not get_settings().daily_enabled:
        return None
    return Scheduler().start()
