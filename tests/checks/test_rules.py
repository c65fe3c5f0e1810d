"""The check rules without a database: every trigger kind, responsible-person titles, and the
outcome choice — also stated set-based (the SQL CASE agrees with the function everywhere)."""

from __future__ import annotations

import itertools
from datetime import date

import pytest
from sqlalchemy import create_engine, literal, select

from xinyong.catalog.schemas import Trigger
from xinyong.checks import matching, rules
from xinyong.checks.rules import Facts, Flags, ListFact, RecordFact

ON = date(2026, 11, 23)


def rec(id_, category, severity=None, *, shown=True, days_ago=30, polarity="dishonest", revoked=False):
    return RecordFact(id_, category, severity, polarity, date.fromordinal(ON.toordinal() - days_ago), shown, revoked)


def test_record_trigger_with_a_minimum_severity(policy):
    t = Trigger(kind="record", category="admin_penalty", min_severity="general")
    facts = Facts(1, "enterprise", records=[rec(1, "admin_penalty", "minor"), rec(2, "admin_penalty", "serious"),
                                            rec(3, "admin_penalty", "general", shown=False)])
    assert rules.trigger_sources(t, facts, policy, ON) == [rules.Source("record", 2)]
    assert [s.source_id for s in rules.trigger_sources(Trigger(kind="record", category="admin_penalty"), facts, policy, ON)] == [1, 2]


def test_list_trigger(policy):
    t = Trigger(kind="list", list="blacklist")
    facts = Facts(1, "person", lists=[ListFact(7, "watchlist"), ListFact(8, "blacklist")])
    assert rules.trigger_sources(t, facts, policy, ON) == [rules.Source("list", 8)]


def test_grade_trigger(policy):
    t = Trigger(kind="grade", grade="优秀")
    assert rules.trigger_sources(t, Facts(1, "enterprise", grade="优秀"), policy, ON) == [rules.Source("grade", None)]
    assert rules.trigger_sources(t, Facts(1, "enterprise", grade="良好"), policy, ON) == []
    assert rules.trigger_sources(t, Facts(1, "enterprise"), policy, ON) == []


def test_clean_years_trigger(policy):
    t = Trigger(kind="clean_years", years=3, min_severity="general")
    ok = rules.Source("clean_years", None)
    assert rules.trigger_sources(t, Facts(1, "person"), policy, ON) == [ok]
    # a bad record decided within the three years breaks the streak, shown or not
    recent = Facts(1, "person", records=[rec(1, "admin_penalty", "general", shown=False, days_ago=800)])
    assert rules.trigger_sources(t, recent, policy, ON) == []
    # older than three years, minor, revoked, or honest: the streak holds
    holds = Facts(1, "person", records=[rec(1, "admin_penalty", "general", days_ago=3 * 366 + 2),
                                        rec(2, "admin_penalty", "minor"), rec(3, "admin_penalty", "serious", revoked=True),
                                        rec(4, "honour", None, polarity="honest")])
    assert rules.trigger_sources(t, holds, policy, ON) == [ok]


def test_measure_applies_only_to_its_subject_kinds(policy):
    m = policy.measures.measure("rec_blacklisted")
    listed = [ListFact(1, "blacklist")]
    assert rules.measure_sources(m, Facts(1, "person", lists=listed), policy, ON)
    assert rules.measure_sources(m, Facts(1, "enterprise", lists=listed), policy, ON) == []


def test_responsibility_follows_the_day_of_the_act(policy):
    ppp = policy.category("ppp_breach")
    assert rules.act_span(ppp, date(2026, 5, 1), {"breach_date": "2023-09-15"}) == (date(2023, 9, 15), date(2023, 9, 15))
    assert rules.act_span(ppp, date(2026, 5, 1), {}) == (date(2026, 5, 1), date(2026, 5, 1))
    periods = [(date(2018, 1, 1), date(2022, 12, 31)), (date(2024, 1, 1), None)]
    assert rules.held_during(periods, date(2020, 1, 1), date(2020, 1, 1))
    assert not rules.held_during(periods, date(2023, 6, 1), date(2023, 6, 1))
    assert rules.held_during(periods, date(2023, 6, 1), date(2024, 2, 1))  # an act that lasted into the second
    assert rules.held_during(periods, date(2030, 1, 1), date(2030, 1, 1))


def test_no_responsible_role_is_decided_by_a_job_title(policy):
    for rule in policy.measures.responsible:
        assert not rule.titles and not rule.exclude, rule.role
        assert rule.decided_by or rule.record_fact or rule.manual, rule.role


def test_outcome_choice(policy):
    sc = next(s for s in policy.scenarios.scenarios if s.code == "civil_servant_recruitment")
    assert rules.choose_outcome(sc.outcomes, Flags(mandatory=True, punish=True)) == ("mandatory", "取消报考资格/不予录用")
    assert rules.choose_outcome(sc.outcomes, Flags(punish=True)) == ("reference", "审慎审查")
    assert rules.choose_outcome(sc.outcomes, Flags()) == ("clean", "通过")
    # a possible match is never punished automatically
    assert rules.choose_outcome(sc.outcomes, Flags(possible=True, mandatory=True, punish=True))[0] == "possible"
    lic = next(s for s in policy.scenarios.scenarios if s.code == "administrative_licensing")
    assert rules.choose_outcome(lic.outcomes, Flags(reward=True)) == ("reward", "绿色通道 / 容缺受理")
    assert rules.choose_outcome(lic.outcomes, Flags(reward=True, punish=True))[0] == "reference"


@pytest.mark.parametrize("code", ["civil_servant_recruitment", "administrative_licensing"])
def test_the_sql_outcome_agrees_with_the_function(policy, code):
    sc = next(s for s in policy.scenarios.scenarios if s.code == code)
    engine = create_engine("sqlite://")
    with engine.connect() as conn:
        for flags in itertools.product([False, True], repeat=5):
            f = Flags(*flags)
            kind, words = matching.outcome_case(
                sc.outcomes, invalid=literal(f.invalid), possible=literal(f.possible),
                mandatory=literal(f.mandatory), punish=literal(f.punish), reward=literal(f.reward))
            assert tuple(conn.execute(select(kind, words)).one()) == rules.choose_outcome(sc.outcomes, f), f
