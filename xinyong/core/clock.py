"""Today's date in China Standard Time.

Display periods, deadlines and "not in the future" checks all depend on the date in Beijing,
whatever the server's time zone. Tests pin the date with :func:`frozen_today`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from zoneinfo import ZoneInfo

CST = ZoneInfo("Asia/Shanghai")
_frozen: date | None = None


def today() -> date:
    return _frozen or datetime.now(CST).date()


def now() -> datetime:
    return datetime.now(CST)


@contextmanager
def frozen_today(day: date) -> Iterator[None]:
    global _frozen
    old, _frozen = _frozen, day
    try:
        yield
    finally:
        _frozen = old
