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


def test_a_period_without_an_end_reads_long_term():
    """A 失信被执行人 listed on ground (一) is shown until the court removes it: its period's end is
    the largest date, which a page shows as 长期, not as 9999-12-31."""
    assert _ymd(date.max) == "长期"
    assert _ymd(date(9999, 12, 30)) == "9999-12-30"
