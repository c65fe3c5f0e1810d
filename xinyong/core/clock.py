"""Today's date in China Standard Time.

Display periods, deadlines and "not in the future" checks all depend on the date in Beijing,
whatever the server's time zone. Tests pin the date with :func:`frozen_today`.

:func:`now` and :func:`utcnow` follow a frozen day too: that day at the real time of day (in
Beijing), so that a frozen test still sees time pass within the day (an expiry, the order of two
events) while every date it stores or compares is the frozen one. Use :func:`utcnow` for a time
stored in the database where the day matters (an authorization code's creation and expiry);
:func:`xinyong.core.db.utcnow` stays the real time (sessions, lock-outs, tokens).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

CST = ZoneInfo("Asia/Shanghai")
_frozen: date | None = None


def today() -> date:
    return _frozen or datetime.now(CST).date()


def now() -> datetime:
    """The time in China Standard Time (aware); on a frozen day, that day at the real time of day."""
    real = datetime.now(CST)
    if _frozen is None:
        return real
    return datetime.combine(_frozen, real.timetz())


def utcnow() -> datetime:
    """:func:`now` in UTC, naive, as the database stores times."""
    return now().astimezone(UTC).replace(tzinfo=None)


@contextmanager
def frozen_today(day: date) -> Iterator[None]:
    global _frozen
    old, _frozen = _frozen, day
    try:
        yield
    finally:
        _frozen = old
