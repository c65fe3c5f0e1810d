"""Fewer garbage collections while bulk work allocates millions of short-lived objects.

CPython's cyclic garbage collector runs its youngest generation every 700 net allocations of
container objects, and each of those runs, and the older ones they trigger, walks the objects
that survive. An import allocates a tuple per row and per cell and keeps large memos (hundreds of
thousands of cleaned texts and codes) alive for its whole length, so with the default thresholds
the collector walks those memos again and again: measured on a 1,000,000-row file, a fifth of
the validating process's time (47.7 µs per row with the defaults, 36.3 with a youngest
generation of 50,000). Nothing an import allocates needs the collector to be freed quickly —
rows are freed by reference counting when their chunk is written — so for its length the
thresholds are raised; cycles are still collected, only less often.

The thresholds belong to the process. Imports may run in threads of the web server at the same
time: the first to start raises them, the last to end puts back what was there before.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

# The youngest generation's threshold during bulk work (CPython's default is 700); the older
# generations' are left as they were.
BULK_THRESHOLD = 50_000

_lock = threading.Lock()
_active = 0
_saved: tuple[int, ...] | None = None


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Raise the collector's youngest threshold for the length of the block."""
    global _active, _saved
    with _lock:
        if _active == 0:
            _saved = gc.get_threshold()
            if _saved[0] and _saved[0] < BULK_THRESHOLD:  # 0: the collector is off; leave it so
                gc.set_threshold(BULK_THRESHOLD, *_saved[1:])
        _active += 1
    try:
        yield
    finally:
        with _lock:
            _active -= 1
            if _active == 0 and _saved is not None:
                gc.set_threshold(*_saved)
                _saved = None


_frozen = False


def freeze_once() -> None:
    """Move what the process holds after start-up (modules, classes, the policy, the app) out of
    the collector's reach, once per process (:func:`gc.freeze`).

    Why: a web worker holds about 340,000 container objects after start-up, and each full
    collection walks all of them: about 250 ms at a time, every 70 or so 双公示 listings (whose
    1,100-department filter allocates many objects per page), with every request in flight
    waiting. That, not the database, made the listing's p95 236 ms with four clients
    (benchmarks/README.md, ``portal.py``). Frozen, a full collection walks what was made since:
    6 ms. Objects frozen are still freed when nothing refers to them; only a reference cycle among
    them would stay, and they are what a process keeps for its life anyway. Once per process, so
    that the test suite, which starts many apps, freezes only the first's."""
    global _frozen
    with _lock:
        if _frozen:
            return
        _frozen = True
    gc.collect()
    gc.freeze()
