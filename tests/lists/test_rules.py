"""The list rules without a database: which (category, severity) pairs list a subject, for how
long, from when, and why an entry leaves its list."""

from __future__ import annotations

from datetime import date

from xinyong.lists import rules


def by_pair(policy):
    return {(r.category, r.severity, r.list_kind): r for r in rules.list_rules(policy)}


def test_court_listings_are_taken_from_the_record(policy):
    r = by_pair(policy)[("dishonest_judgment_debtor", "serious", "blacklist")]
    assert r.basis == "record"
    assert r.notice_workdays == 0  # the court told the debtor; the platform only publishes
    assert r.months is None  # some debtor behaviours have no period: as long as the record is shown


def test_a_rule_listing_waits_for_the_notice_period(policy):
    r = by_pair(policy)[("tax_violation", "serious", "watchlist")]
    assert r.basis == "rule"
    assert r.months == 36
    assert r.notice_workdays == policy.behaviours.list_kind("watchlist").notice_workdays >= 1


def test_no_listing_on_a_guess_when_behaviours_of_a_pair_disagree(policy):
    pairs = by_pair(policy)
    # judicial_judgment/serious covers fund-raising (watchlist) but also custodial sentences (none):
    # only a record whose 罪名 says which it is gets listed, never the pair as such
    watch = [r for r in rules.list_rules(policy) if (r.category, r.list_kind) == ("judicial_judgment", "watchlist")]
    assert watch and all(any(c.fact == "crime" for c in r.conditions) for r in watch)
    # honours: some put subjects on the red list by decision, others on no list
    assert not any(k[0] == "honour" for k in pairs)
    # decisions are never automatic
    assert all(r.basis in ("rule", "record") for r in pairs.values())


def test_listed_until_is_bounded_by_the_record():
    assert rules.listed_until(date(2026, 1, 31), 1, date(2027, 1, 1)) == date(2026, 2, 28)
    assert rules.listed_until(date(2026, 1, 1), 36, date(2027, 1, 1)) == date(2027, 1, 1)
    assert rules.listed_until(date(2026, 1, 1), None, date(2027, 1, 1)) == date(2027, 1, 1)
    assert rules.decision_until(date(2026, 1, 1), 24, None) == date(2028, 1, 1)
    assert rules.decision_until(date(2026, 1, 1), 24, date(2026, 6, 1)) == date(2026, 6, 1)


def test_notice_counts_working_days():
    # 2026-09-30 (Wed) + 5 working days crosses the National Day holiday (Oct 1–8 2026 off)
    ends = rules.notice_ends(date(2026, 9, 30), 5)
    assert ends.due > date(2026, 10, 8)
    assert rules.notice_ends(date(2026, 3, 2), 0).due == date(2026, 3, 2)


def test_in_force():
    on = date(2026, 6, 1)
    assert rules.in_force("active", date(2026, 1, 1), None, on)
    assert rules.in_force("active", date(2026, 1, 1), on, on)
    assert not rules.in_force("active", date(2026, 1, 1), date(2026, 5, 31), on)
    assert not rules.in_force("proposed", date(2026, 1, 1), None, on)
    assert not rules.in_force("active", date(2026, 6, 2), None, on)


def test_removal_reasons_in_order():
    on = date(2026, 6, 1)
    later = date(2027, 1, 1)
    assert rules.removal_reason("revoked", later, "rule", None, on) == "revoked"
    assert rules.removal_reason("repaired", later, "decision", None, on) == "repair"
    assert rules.removal_reason("active", later, "decision", date(2026, 5, 1), on) == "period_end"
    assert rules.removal_reason("active", date(2026, 5, 1), "rule", None, on) == "expired"
    assert rules.removal_reason("active", date(2026, 5, 1), "decision", None, on) is None  # a decision outlives the record's display
    assert rules.removal_reason("active", later, "rule", later, on) is None
