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
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import TypeVar

from xinyong.core import clock
from xinyong.core.settings import get_settings

T = TypeVar("T")

_lock = threading.Lock()
_store: dict[Hashable, tuple[float, object]] = {}
_MAX_ENTRIES = 2000
_generation = 0


def get(key: Hashable, make: Callable[[], T]) -> T:
    """The answer kept for ``key`` (and today), or ``make()``'s, kept for the TTL."""
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
    value = make()
    with _lock:
        if generation == _generation:  # not cleared meanwhile: a write may have changed it
            if len(_store) >= _MAX_ENTRIES:
                _store.clear()
            _store[full] = (now + ttl, value)
    return value


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
