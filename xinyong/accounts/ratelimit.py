"""Rate limits for login attempts and API calls: an in-process sliding window.

Why in-process: the default deployment is one process on one machine (DESIGN.md), where a
dictionary of recent timestamps is exact, needs nothing installed and costs microseconds. Where
several web processes run behind a load balancer each keeps its own window, so the effective
limit is multiplied by the number of processes; such a deployment should swap this class for a
Redis-backed limiter (a sorted set per key with ZADD / ZREMRANGEBYSCORE / ZCARD in one MULTI)
behind the same ``hit`` method. Failed-login lockout does not depend on this: it is counted in
the ``users`` table and holds across processes.
"""

from __future__ import annotations

import threading
import time
from collections import deque


class SlidingWindow:
    """At most ``limit`` hits per key within the last ``window`` seconds."""

    def __init__(self) -> None:
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str, limit: int, window: float, *, now: float | None = None) -> float:
        """Count one hit; returns 0 when allowed, else the seconds until the next is allowed
        (a refused hit is not counted)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            q = self._hits.setdefault(key, deque())
            while q and q[0] <= now - window:
                q.popleft()
            if len(q) >= limit:
                return max(0.001, q[0] + window - now)
            q.append(now)
            if len(self._hits) > 100_000:  # forget idle keys, so memory stays bounded
                for k in [k for k, v in self._hits.items() if not v or v[-1] <= now - window]:
                    del self._hits[k]
            return 0.0

    def clear(self) -> None:
        with self._lock:
            self._hits.clear()


login_limiter = SlidingWindow()
api_limiter = SlidingWindow()


def reset() -> None:
    """Forget every count (tests)."""
    login_limiter.clear()
    api_limiter.clear()
