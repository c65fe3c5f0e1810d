from datetime import date

from xinyong.core import workdays


def test_national_day_is_skipped():
    # 2026 National Day holiday: 1–7 October off; 9 October (Fri) and 10 October (Sat) worked.
    d = workdays.add_workdays(date(2026, 9, 30), 1)
    assert d.due > date(2026, 10, 7)
    assert not d.provisional


def test_weekend_make_up_day_counts():
    ok, prov = workdays.is_workday(date(2026, 10, 10))
    assert not prov
    assert ok == __import__("chinese_calendar").is_workday(date(2026, 10, 10))


def test_unknown_year_is_provisional_weekdays():
    workdays.clear_registered()
    d = workdays.add_workdays(date(2026, 12, 30), 5)
    assert d.provisional
    assert d.due == date(2027, 1, 6)
    assert "暂按" in d.label


def test_registered_year_is_official():
    try:
        workdays.register_year(2027, {date(2027, 1, 1)}, {date(2027, 1, 2)})
        assert workdays.is_workday(date(2027, 1, 2)) == (True, False)
        assert workdays.is_workday(date(2027, 1, 1)) == (False, False)
        d = workdays.add_workdays(date(2026, 12, 31), 1)
        assert d.due == date(2027, 1, 2)
        assert not d.provisional
    finally:
        workdays.clear_registered()


def test_between():
    n, prov = workdays.workdays_between(date(2026, 3, 2), date(2026, 3, 9))
    assert (n, prov) == (5, False)
