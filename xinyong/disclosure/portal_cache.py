"""The public portal's memory: what its pages read from the database, kept for a short while.

The portal is the public's front door and its pages read the same few things over and over —
the counts, the 双公示 departments and timeliness, the first pages of the listings, the policy
lists. None of it needs to be exact to the second, so each process keeps an answer for
``XINYONG_PORTAL_CACHE_SECONDS`` (default 30; 0 keeps nothing). A write the portal knows of
clears it at once: a records import (records' end-of-batch hook), a list entry made or removed
(the same hook runs for list changes made by imports), a typical case marked or withdrawn (this
package). Anything else — a list decision made by hand, a record corrected — shows within the
TTL. Entries are keyed by the day as well, so a record leaving its display period at midnight
is never shown from yesterday's answer.

Only public answers are kept: nothing here depends on who reads.

**Stale while counting again.** An answer past its TTL is not counted again in the request that
finds it: that request (and any other until the new answer is in) gets the old one at once, and
one background thread per key counts again in a session of its own (``again``), as the home page's
counts do (:mod:`xinyong.records.home_counts`). Only an answer older than two TTLs, a cleared
cache (a write the portal knows of) or a new day is counted in the request. Why: the 双公示
department list reads every shown licence or penalty of the province (about 250 ms at the demo's
default scale) and a city's listing and timeliness 100–150 ms each; counted in the request, every
TTL, they made the listing's p95 236 ms with four clients (benchmarks/README.md, ``portal.py``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Hashable
from typing import TypeVar

from sqlalchemy.orm import Session

from xinyong.core import clock
from xinyong.core.db import session_factory
from xinyong.core.settings import get_settings

log = logging.getLogger(__name__)

T = TypeVar("T")

_lock = threading.Lock()
_store: dict[Hashable, tuple[float, object]] = {}
_MAX_ENTRIES = 2000
_generation = 0
_counting: set[Hashable] = set()  # keys being counted again in the background


def get(key: Hashable, make: Callable[[], T], *, again: Callable[[], T] | None = None) -> T:
    """The answer kept for ``key`` (and today), or ``make()``'s, kept for the TTL. With ``again``
    (``make`` for another thread: it opens its own session, see :func:`in_own_session`), an answer
    less than one TTL past its time is returned as it is while ``again`` counts anew in the
    background (see the module's docstring)."""
    ttl = get_settings().portal_cache_seconds
    if ttl <= 0:
        return make()
    full = (key, clock.today())
    now = time.monotonic()
    with _lock:
        hit = _store.get(full)
        generation = _generation
    if hit is not None and hit[0] > now:
        return hit[1]  # type: ignore[return-value]
    if hit is not None and again is not None and hit[0] + ttl > now:
        _count_later(full, again, generation, ttl)
        return hit[1]  # type: ignore[return-value]
    value = make()
    _keep(full, value, generation, now + ttl)
    return value


def _keep(full: Hashable, value: object, generation: int, until: float) -> None:
    with _lock:
        if generation == _generation:  # not cleared meanwhile: a write may have changed it
            if len(_store) >= _MAX_ENTRIES:
                _store.clear()
            _store[full] = (until, value)


def _count_later(full: Hashable, again: Callable[[], object], generation: int, ttl: float) -> None:
    with _lock:
        if full in _counting:
            return
        _counting.add(full)

    def run() -> None:
        try:
            value = again()
            _keep(full, value, generation, time.monotonic() + ttl)
        except Exception:  # the old answer stays until two TTLs have passed; then a request counts
            log.exception("counting a portal answer again failed")
        finally:
            with _lock:
                _counting.discard(full)

    threading.Thread(target=run, name="xinyong-portal-cache", daemon=True).start()


def in_own_session(session: Session, fn: Callable[[Session], T]) -> Callable[[], T]:
    """``fn`` over a new session on ``session``'s database: for :func:`get`'s ``again``, which runs
    in another thread (a session is not shared between threads)."""
    engine = session.get_bind().engine

    def run() -> T:
        with session_factory(engine)() as own:
            return fn(own)

    return run


def clear(*_args) -> None:
    """Forget everything (a write the portal shows happened). Takes and ignores any arguments,
    so that it can be registered as a hook."""
    global _generation
    with _lock:
        _store.clear()
        _generation += 1


def size() -> int:
    with _lock:
        return len(_store)
