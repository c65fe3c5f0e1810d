from datetime import date

from xinyong.catalog.loader import DEFAULT_DIR, load_dir
from xinyong.records.periods import add_months, compute


def _policy():
    policy, problems = load_dir(DEFAULT_DIR)
    assert not problems, problems
    return policy


def test_add_months_clamps():
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2024, 11, 30), 3) == date(2025, 2, 28)
    assert add_months(date(2024, 5, 5), 36) == date(2027, 5, 5)


def test_penalty_periods_follow_the_catalog():
    cat = _policy().category("admin_penalty")
    decided = date(2025, 6, 1)
    for sev in cat.severities:
        rule = cat.display_period[sev]
        p = compute(cat, sev, decided, {})
        assert p.display_until == add_months(decided, rule.max_months)
        assert p.repair_from == add_months(decided, rule.min_months)
        assert p.retention_until >= p.display_until
        assert p.retention_until == max(add_months(decided, 12 * cat.retention.years), p.display_until)


def test_until_fact_period():
    policy = _policy()
    cats = [c for c in policy.catalog.categories for r in c.display_period.values() if r.until_fact]
    assert cats, "some category is shown while a date fact lasts (a licence while valid)"
    cat = cats[0]
    key = next(r.until_fact for r in cat.display_period.values() if r.until_fact)
    sev = cat.severities[0] if cat.severities else None
    p = compute(cat, sev, date(2025, 1, 1), {key: "2026-01-01"})
    assert p.display_until <= date(2026, 1, 1)
