"""工作日: deadlines counted in Chinese working days.

The official holiday and make-up-day schedule comes from the ``chinese-calendar`` package. The
State Council announces a year's schedule late in the year before, so a deadline may fall in a
year the package does not know yet. The credit office can load that year's schedule as policy
data (``holidays.yaml`` in a policy version, registered here through :func:`register_year`);
until it does, such a year is counted on weekdays only and every answer says it is
provisional.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import chinese_calendar

_extra: dict[int, tuple[frozenset[date], frozenset[date]]] = {}
# is_workday's answers, by day: the package's look-up costs tens of microseconds and a listing's
# timeliness asks for thousands of days; emptied whenever a year's schedule is registered
_answers: dict[date, tuple[bool, bool]] = {}


@dataclass(frozen=True)
class Deadline:
    due: date
    provisional: bool  # True when a year on the way had no official schedule

    @property
    def label(self) -> str:
        return f"{self.due.isoformat()}（暂按周末推算，待节假日安排公布后核定）" if self.provisional else self.due.isoformat()


def register_year(year: int, holidays: set[date] | frozenset[date], workdays: set[date] | frozenset[date]) -> None:
    """Take a year's schedule from policy data: ``holidays`` are days off on weekdays,
    ``workdays`` are make-up working days on weekends."""
    _extra[year] = (frozenset(holidays), frozenset(workdays))
    _answers.clear()


def clear_registered() -> None:
    _extra.clear()
    _answers.clear()


def is_workday(day: date) -> tuple[bool, bool]:
    """(is a working day, is this answer provisional)."""
    known = _answers.get(day)
    if known is None:
        if len(_answers) > 20_000:
            _answers.clear()
        known = _answers[day] = _is_workday(day)
    return known


def _is_workday(day: date) -> tuple[bool, bool]:
    if day.year in _extra:
        holidays, workdays = _extra[day.year]
        if day in workdays:
            return True, False
        if day in holidays:
            return False, False
        return day.weekday() < 5, False
    try:
        return chinese_calendar.is_workday(day), False
    except NotImplementedError:
        return day.weekday() < 5, True


def add_workdays(start: date, n: int) -> Deadline:
    """The date ``n`` working days after ``start`` (the start day itself is not counted)."""
    if n < 0:
        raise ValueError("n must be >= 0")
    day, counted, provisional = start, 0, False
    while counted < n:
        day += timedelta(days=1)
        ok, prov = is_workday(day)
        provisional |= prov
        if ok:
            counted += 1
    return Deadline(day, provisional)


def workdays_between(start: date, end: date) -> tuple[int, bool]:
    """Working days after ``start`` up to and including ``end``, and whether provisional."""
    count, provisional, day = 0, False, start
    while day < end:
        day += timedelta(days=1)
        ok, prov = is_workday(day)
        provisional |= prov
        count += ok
    return count, provisional
