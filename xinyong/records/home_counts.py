"""The home page's counts — subjects by kind, records shown today by category and by city — and
the minute's memory that keeps the home page from counting them on every view.

Why remembered: the record counts read every record shown on the day, a scan of the whole
``records`` table (0.3 s at the demo's 300,000 records on SQLite, seconds at ten million on
PostgreSQL), and the home page is the public's first page: counted on every view, a few visitors
a second would keep the database scanning. Counts of this kind need not be exact to the second,
so each process keeps the last counts for ``XINYONG_HOME_COUNTS_SECONDS`` (default 60). A view
after that is answered at once with them and starts one recount in a background thread; only the
first view of a process, or of a new day, waits for a count. The page says when the counts were
made. ``XINYONG_HOME_COUNTS_SECONDS=0`` counts on every view.

One grouped statement counts the records by city and category together, in that order: grouping
by category first lets SQLite walk ``ix_records_category_display`` and fetch each row through it,
twice the time of reading the table straight through (300,000 records: 0.56 + 0.26 s for the two
separate counts this replaced, 0.33 s for the one).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Engine, func, literal_column, select
from sqlalchemy.orm import Session

from xinyong.core import clock
from xinyong.core.db import session_factory
from xinyong.core.settings import get_settings
from xinyong.records.models import Record
from xinyong.records.service import displayed
from xinyong.subjects import service as subjects

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class HomeCounts:
    subjects_by_kind: dict[str, int]
    records_by_category: list[tuple[str, int]]  # largest first
    records_by_city: list[tuple[str, int]]  # (city code, count), largest first
    total_records: int
    day: date  # the day whose shown records were counted
    counted_at: datetime  # when, in China Standard Time

    @property
    def total_subjects(self) -> int:
        return sum(self.subjects_by_kind.values())


def _largest_first(counter: Counter) -> list[tuple[str, int]]:
    return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))


def home_counts(session: Session, *, on: date | None = None) -> HomeCounts:
    """Count now: subjects by kind (one grouped statement) and the records shown on ``on``
    (today) by city and category (one more)."""
    day = on or clock.today()
    by_kind = subjects.count_by_kind(session)
    # Literal positions (not bound parameters), so that PostgreSQL sees the same expression
    # in SELECT and GROUP BY.
    city4 = func.substr(Record.region_code, literal_column("1"), literal_column("4"))
    by_category: Counter = Counter()
    by_city: Counter = Counter()
    for prefix, category, n in session.execute(
        select(city4, Record.category_code, func.count()).where(displayed(day)).group_by(city4, Record.category_code)
    ):
        by_category[category] += n
        by_city[prefix + "00"] += n
    return HomeCounts(
        subjects_by_kind=by_kind,
        records_by_category=_largest_first(by_category),
        records_by_city=_largest_first(by_city),
        total_records=sum(by_category.values()),
        day=day,
        counted_at=clock.now(),
    )


class CountsCache:
    """The last counts of each database, per process (see the module's docstring)."""

    def __init__(self) -> None:
        self._entries: dict[str, tuple[float, HomeCounts]] = {}  # database → (monotonic time, counts)
        self._recounting: set[str] = set()
        self._lock = threading.Lock()

    def get(self, session: Session, *, now: float | None = None) -> HomeCounts:
        """The counts for today: remembered ones while they are fresh; stale ones (of today)
        while a background thread counts again; counted here when there are none of today."""
        seconds = get_settings().home_counts_seconds
        if seconds <= 0:
            return home_counts(session)
        engine = session.get_bind().engine
        database = engine.url.render_as_string(hide_password=True)
        moment = time.monotonic() if now is None else now
        entry = self._entries.get(database)
        if entry is not None and entry[1].day == clock.today():
            made, counts = entry
            if moment - made >= seconds:
                self._recount_later(engine, database, moment)
            return counts
        counts = home_counts(session)
        with self._lock:
            self._entries[database] = (moment, counts)
        return counts

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def _recount_later(self, engine: Engine, database: str, moment: float) -> None:
        with self._lock:
            if database in self._recounting:
                return
            self._recounting.add(database)
        threading.Thread(target=self._recount, args=(engine, database, moment), name="xinyong-home-counts",
                         daemon=True).start()

    def _recount(self, engine: Engine, database: str, moment: float) -> None:
        """Count again in this thread; the new counts (or, on failure, the old ones) are dated
        ``moment``, the view that asked for the recount, so that every time the cache compares
        comes from the one clock ``get`` was given (a recount dated by the real clock made a test's
        fake clock meaningless on a machine up for less than a fake moment)."""
        try:
            with session_factory(engine)() as session:
                counts = home_counts(session)
            with self._lock:
                self._entries[database] = (moment, counts)
        except Exception:  # the stale counts stay; the next view after the period tries again
            log.exception("recounting the home page's counts failed")
            with self._lock:
                entry = self._entries.get(database)
                if entry is not None:
                    self._entries[database] = (moment, entry[1])
        finally:
            with self._lock:
                self._recounting.discard(database)


cache = CountsCache()
