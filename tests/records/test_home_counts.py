"""The home page's counts: what they count, and how long a process keeps them."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest

from tests.records.factories import World, build_world, load, penalty
from xinyong.core import settings
from xinyong.core.clock import frozen_today, today
from xinyong.core.codes import make_uscc
from xinyong.records import home_counts as counting
from xinyong.records.home_counts import CountsCache, home_counts


@pytest.fixture
def world(session) -> World:
    return build_world(session)


@pytest.fixture
def period(monkeypatch):
    """Set XINYONG_HOME_COUNTS_SECONDS for the test."""
    def set_seconds(seconds: float) -> None:
        monkeypatch.setenv("XINYONG_HOME_COUNTS_SECONDS", str(seconds))
        settings.reset_settings()

    yield set_seconds
    monkeypatch.delenv("XINYONG_HOME_COUNTS_SECONDS", raising=False)
    settings.reset_settings()


def _add_penalty(session) -> None:
    """One more penalty shown today, of an enterprise in 温州 (a city the world has no record in)."""
    load(session, [penalty("温州丙有限公司", make_uscc("91", "330302", "34567890"), today() - timedelta(days=3),
                           "温市监罚〔2026〕9号")], "admin_penalty")


def _wait_for_recount(cache: CountsCache) -> None:
    for thread in threading.enumerate():
        if thread.name == "xinyong-home-counts":
            thread.join(10)
    deadline = time.monotonic() + 10
    while cache._recounting and time.monotonic() < deadline:  # noqa: SLF001 (the test waits for it)
        time.sleep(0.01)


def test_home_counts(session, engine, world, count_queries):
    with count_queries(engine) as counter:
        counts = home_counts(session)
    assert counter.count == 2  # subjects by kind; records by city and category in one statement
    assert counts.subjects_by_kind == {"gov_body": 2, "public_servant": 1, "person": 1, "enterprise": 2}
    assert counts.total_subjects == 6
    assert counts.records_by_category == [("admin_penalty", 3), ("dishonest_judgment_debtor", 2)]
    assert counts.total_records == 5
    assert counts.records_by_city == [("330100", 4), ("330200", 1)]
    assert counts.day == today() and counts.counted_at.tzinfo is not None


def test_home_counts_empty(session):
    counts = home_counts(session)
    assert counts.total_records == 0 and counts.records_by_city == [] and counts.records_by_category == []
    assert set(counts.subjects_by_kind.values()) == {0}


def test_expired_records_are_not_counted(session, world):
    with frozen_today(today() + timedelta(days=5000)):
        counts = home_counts(session)
    assert counts.total_records == 0 and counts.total_subjects == 6


def test_counts_are_remembered_within_the_period(session, engine, world, count_queries, period):
    period(60)
    cache = CountsCache()
    first = cache.get(session, now=1000.0)
    _add_penalty(session)
    with count_queries(engine) as counter:
        again = cache.get(session, now=1059.0)
    assert counter.count == 0
    assert again is first and again.total_records == 5


@pytest.mark.parametrize("uptime", [5.0, 10_000_000.0], ids=["just-booted", "up-for-months"])
def test_stale_counts_are_shown_while_a_recount_runs(session, engine, world, count_queries, period, monkeypatch,
                                                     uptime):
    """The cache's times all come from the clock its caller gives, whatever the machine's uptime
    (a recount once dated itself by the real monotonic clock, and failed on a machine booted minutes
    before)."""
    monkeypatch.setattr(counting.time, "monotonic", lambda: uptime)
    period(60)
    cache = CountsCache()
    first = cache.get(session, now=1000.0)
    _add_penalty(session)
    stale = cache.get(session, now=1061.0)  # answered at once with the old counts…
    assert stale is first
    _wait_for_recount(cache)  # …while a thread counts again
    with count_queries(engine) as counter:
        fresh = cache.get(session, now=1062.0)
    assert counter.count == 0
    assert fresh.total_records == 6
    assert ("330300", 1) in fresh.records_by_city


def test_one_recount_at_a_time(session, world, period, monkeypatch):
    period(60)
    cache = CountsCache()
    cache.get(session, now=1000.0)
    started = threading.Event()
    release = threading.Event()
    calls = []

    def slow(s, **kw):
        calls.append(1)
        started.set()
        release.wait(10)
        return home_counts(s, **kw)

    monkeypatch.setattr(counting, "home_counts", slow)
    cache.get(session, now=1061.0)
    assert started.wait(10)
    for _ in range(5):  # more views while the recount runs start no other
        cache.get(session, now=1062.0)
    release.set()
    _wait_for_recount(cache)
    assert calls == [1]


def test_a_failed_recount_keeps_the_counts_and_waits_a_period(session, world, period, monkeypatch, caplog):
    period(60)
    cache = CountsCache()
    first = cache.get(session, now=1000.0)

    def broken(_s, **_kw):
        raise RuntimeError("database gone")

    monkeypatch.setattr(counting, "home_counts", broken)
    assert cache.get(session, now=1061.0) is first
    _wait_for_recount(cache)
    assert "recounting the home page's counts failed" in caplog.text
    assert cache.get(session, now=1062.0) is first  # still shown; no recount before a period
    assert not cache._recounting  # noqa: SLF001


def test_a_new_day_is_counted_before_it_is_shown(session, engine, world, count_queries, period):
    period(3600)
    cache = CountsCache()
    cache.get(session, now=1000.0)
    with frozen_today(today() + timedelta(days=5000)), count_queries(engine) as counter:
        counts = cache.get(session, now=1001.0)
    assert counter.count == 2
    assert counts.total_records == 0


def test_zero_counts_on_every_view(session, engine, world, count_queries, period):
    period(0)
    cache = CountsCache()
    cache.get(session)
    _add_penalty(session)
    with count_queries(engine) as counter:
        counts = cache.get(session)
    assert counter.count == 2
    assert counts.total_records == 6


def test_the_home_page_says_when_it_counted(app_env, session, world):
    from fastapi.testclient import TestClient

    from xinyong.web.app import create_app

    with TestClient(create_app()) as client:
        r = client.get("/")
    assert r.status_code == 200
    assert "统计于" in r.text and "北京时间" in r.text
    assert today().isoformat() in r.text
