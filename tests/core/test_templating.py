"""Filters every page uses."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from xinyong.core.templating import _num, _ymd


def test_moments_are_shown_in_beijing_time():
    # stored in UTC without a zone (core.db.utcnow): 23:48 UTC is 07:48 the next morning in Beijing
    assert _ymd(datetime(2026, 11, 26, 23, 48, 30)) == "2026-11-27 07:48"
    assert _ymd(datetime(2026, 11, 26, 23, 48, tzinfo=UTC)) == "2026-11-27 07:48"
    assert _ymd(datetime(2026, 11, 27, 7, 48, tzinfo=timezone(timedelta(hours=8)))) == "2026-11-27 07:48"


def test_dates_and_the_rest():
    assert _ymd(date(2026, 3, 15)) == "2026-03-15"
    assert _ymd(None) == ""
    assert _ymd("2026-03-15") == "2026-03-15"
    assert _num(1234567) == "1,234,567" and _num("x") == "x"
