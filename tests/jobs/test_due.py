"""When the day's run is due, and the scheduler's decisions, with a fake clock (no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from types import SimpleNamespace

import pytest

from xinyong.core import daily
from xinyong.core.clock import CST
from xinyong.jobs import scheduler as sched

AT = time(1, 30)


def cst(y, m, d, hh, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=CST)


def test_not_due_before_the_time_due_after_it():
    assert daily.due(cst(2026, 12, 4, 1, 29), AT, None) is None
    assert daily.due(cst(2026, 12, 4, 1, 30), AT, None) == date(2026, 12, 4)
    assert daily.due(cst(2026, 12, 4, 23, 59), AT, date(2026, 12, 3)) == date(2026, 12, 4)


def test_once_a_day():
    assert daily.due(cst(2026, 12, 4, 9, 0), AT, date(2026, 12, 4)) is None
    assert daily.due(cst(2026, 12, 5, 1, 0), AT, date(2026, 12, 4)) is None  # the next day, before the time
    assert daily.due(cst(2026, 12, 5, 1, 31), AT, date(2026, 12, 4)) == date(2026, 12, 5)


def test_the_day_is_beijings_whatever_the_servers_zone():
    # 17:45 UTC on the 3rd is 01:45 on the 4th in Beijing: the 4th's run is due
    assert daily.due(datetime(2026, 12, 3, 17, 45, tzinfo=UTC), AT, date(2026, 12, 3)) == date(2026, 12, 4)
    # 17:00 UTC is 01:00 in Beijing: not yet
    assert daily.due(datetime(2026, 12, 3, 17, 0, tzinfo=UTC), AT, date(2026, 12, 3)) is None


def test_changed_adds_the_counts_not_the_note():
    assert daily.changed({"proposed": 2, "removed": {"expired": 3, "repair": 1}, "note": "x", "flag": True}) == 6
    assert daily.changed({}) == 0 and daily.changed(None) == 0


def test_register_replaces_by_name_and_orders(own_jobs):
    own_jobs.register("b.second", "二", lambda s, d: {}, order=20)
    own_jobs.register("a.first", "一", lambda s, d: {}, order=10)
    own_jobs.register("b.second", "二（新）", lambda s, d: {}, order=5)
    assert [(j.name, j.label) for j in own_jobs.registered()] == [("b.second", "二（新）"), ("a.first", "一")]
    with pytest.raises(ValueError):
        own_jobs.register("", "空", lambda s, d: {})


class FakeClock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def test_the_scheduler_runs_once_when_due(monkeypatch):
    monkeypatch.setenv("XINYONG_DAILY_AT", "02:00")
    from xinyong.core import settings

    settings.reset_settings()
    clock = FakeClock(cst(2026, 12, 4, 1, 59))
    ran = []
    s = sched.Scheduler(lambda day: ran.append(day) or SimpleNamespace(failed=[], busy=False), now=clock)
    assert s.tick() is None and ran == []
    clock.now = cst(2026, 12, 4, 2, 0)
    assert s.tick() == date(2026, 12, 4)
    clock.now += timedelta(minutes=1)
    assert s.tick() is None
    clock.now = cst(2026, 12, 5, 2, 5)
    assert s.tick() == date(2026, 12, 5)
    assert ran == [date(2026, 12, 4), date(2026, 12, 5)]
    settings.reset_settings()


def test_the_scheduler_retries_a_failed_run_an_hour_later_a_few_times():
    clock = FakeClock(cst(2026, 12, 4, 3, 0))
    ran = []
    s = sched.Scheduler(lambda day: ran.append(clock.now) or SimpleNamespace(failed=["x"], busy=False), now=clock)
    assert s.tick() == date(2026, 12, 4)
    clock.now += timedelta(minutes=30)
    assert s.tick() is None  # not before the hour
    for _ in range(sched.RETRIES - 1):
        clock.now += sched.RETRY_AFTER
        assert s.tick() == date(2026, 12, 4)
    clock.now += sched.RETRY_AFTER
    assert s.tick() is None  # given up for the day: the page shows the failure
    assert len(ran) == sched.RETRIES
    clock.now = cst(2026, 12, 5, 1, 45)
    assert s.tick() == date(2026, 12, 5)


def test_the_scheduler_is_off_when_disabled(monkeypatch):
    from xinyong.core import settings

    monkeypatch.setenv("XINYONG_DAILY_ENABLED", "false")
    settings.reset_settings()
    assert sched.start_if_enabled() is None
    settings.reset_settings()


def test_a_started_scheduler_stops():
    calls = []
    s = sched.Scheduler(lambda day: calls.append(day), now=lambda: cst(2026, 12, 4, 0, 0)).start()
    s.stop()
    assert s._thread is not None and not s._thread.is_alive()
