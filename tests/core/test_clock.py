"""xinyong.core.clock: a frozen day holds for today(), now() and utcnow()."""

from __future__ import annotations

from datetime import UTC, date, datetime

from xinyong.core import clock


def test_now_and_utcnow_follow_a_frozen_day():
    day = date(2026, 12, 2)
    with clock.frozen_today(day):
        assert clock.today() == day
        now = clock.now()
        assert now.date() == day and now.tzinfo is not None
        utc = clock.utcnow()
        assert utc.tzinfo is None  # as the database stores times
        assert utc.replace(tzinfo=UTC).astimezone(clock.CST).date() == day
        assert abs((now - utc.replace(tzinfo=UTC)).total_seconds()) < 5
    assert clock.now().date() == datetime.now(clock.CST).date()
