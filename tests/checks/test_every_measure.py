"""Every shipped measure applies as docs/policy.md §6 says, and never beyond: for each trigger, a
fact that meets it makes the measure apply to a subject of its kinds; the same fact outside the
trigger's scope (another 罪名, exam or ground), outside its period, not shown, or of a kind the
measure is not for does not. Plain rules over facts; the SQL paths are held to the same answers
by tests/checks/test_law_scope.py and test_service.py."""

from __future__ import annotations

from datetime import date

import pytest

from xinyong.catalog.loader import DEFAULT_DIR, load_dir
from xinyong.catalog.schemas import Measure, PolicySet, Trigger
from xinyong.checks import rules
from xinyong.records.periods import add_months

DAY = date(2026, 12, 2)
SHIPPED, _ = load_dir(DEFAULT_DIR)
assert SHIPPED is not None


def _meeting(policy: PolicySet, trigger: Trigger) -> dict:
    """Facts that meet the trigger's conditions: the first value each accepts."""
    return {c.fact: sorted(policy.catalog.condition_values(c))[0] for c in trigger.where}


def _severity(policy: PolicySet, trigger: Trigger) -> str | None:
    cat = policy.category(trigger.category)
    if not cat.severities:
        return None
    allowed = rules.severities_at_least(policy, trigger.min_severity)
    return next(s for s in reversed(cat.severities) if allowed is None or s in allowed)


def _facts(kind: str, *, records=(), lists=(), grade=None) -> rules.Facts:
    return rules.Facts(subject_id=1, kind=kind, records=list(records), lists=list(lists), grade=grade)


def _record(trigger: Trigger, severity, facts, decided=date(2026, 6, 1), shown=True, polarity="dishonest"):
    return rules.RecordFact(id=7, category=trigger.category, severity=severity, polarity=polarity,
                            decision_date=decided, shown=shown, facts=facts)


def _applies(policy, measure, facts) -> bool:
    return bool(rules.measure_sources(measure, facts, policy, DAY))


@pytest.mark.parametrize("code", [m.code for m in SHIPPED.measures.measures])
def test_every_measure_keeps_to_its_triggers(code: str) -> None:
    policy = SHIPPED
    measure: Measure = policy.measures.measure(code)
    kind = measure.subject_kinds[0]
    # a reward for N clean years applies on the absence of bad records: only its positive cases
    negatives = not any(t.kind == "clean_years" for t in measure.triggers)
    others = [k for k in ("gov_body", "public_servant", "person", "enterprise") if k not in measure.subject_kinds]
    for trigger in measure.triggers:
        if trigger.kind == "record":
            sev, facts = _severity(policy, trigger), _meeting(policy, trigger)
            cat = policy.category(trigger.category)
            period = trigger.fact_period()
            decided = date(2026, 6, 1)
            if period and period.months_by_fact:  # a value with a running period
                value, months = max(period.months_by.items(), key=lambda kv: kv[1] or 10**6)
                facts[period.months_by_fact] = value
            if period and period.needs_from_fact:  # the date the basis counts from, carried
                facts[period.from_fact] = decided.isoformat()
            rec = _record(trigger, sev, facts, decided, polarity=cat.polarity)
            assert _applies(policy, measure, _facts(kind, records=[rec])), (code, trigger)
            if not negatives:
                continue
            assert not _applies(policy, measure, _facts(kind, records=[_record(
                trigger, sev, facts, decided, shown=False, polarity=cat.polarity)])), (code, "not shown")
            for cond in trigger.where:  # outside the basis's offences, exams, grounds
                off = {**facts, cond.fact: "不在范围内的取值"}
                assert not _applies(policy, measure, _facts(kind, records=[_record(
                    trigger, sev, off, decided, polarity=cat.polarity)])), (code, cond.fact)
            if period is not None and period.needs_from_fact:  # a record without that date is not covered
                bare = {k: v for k, v in facts.items() if k != period.from_fact}
                assert not _applies(policy, measure, _facts(kind, records=[_record(
                    trigger, sev, bare, decided, polarity=cat.polarity)])), (code, "no", period.from_fact)
            for alt in period.instead if period is not None else []:  # its own span, over, replaces the count
                alt_over = {**facts, alt.fact: add_months(DAY, -alt.months - 1).isoformat()}
                assert not _applies(policy, measure, _facts(kind, records=[_record(
                    trigger, sev, alt_over, decided, polarity=cat.polarity)])), (code, alt.fact)
            if period is not None and (period.months or period.months_by_fact):
                months = period.months or min(m for m in period.months_by.values() if m is not None)
                short = {**facts}
                if period.months_by_fact:
                    short[period.months_by_fact] = next(v for v, m in period.months_by.items() if m == months)
                ended = add_months(DAY, -months - 1)
                if period.from_fact:
                    short[period.from_fact] = ended.isoformat()
                assert not _applies(policy, measure, _facts(kind, records=[_record(
                    trigger, sev, short, ended, polarity=cat.polarity)])), (code, "period over")
        elif trigger.kind == "list":
            assert _applies(policy, measure, _facts(kind, lists=[rules.ListFact(3, trigger.list)])), code
            assert not negatives or not _applies(policy, measure, _facts(kind)), code
        elif trigger.kind == "grade":
            assert _applies(policy, measure, _facts(kind, grade=trigger.grade)), code
            assert not negatives or not _applies(policy, measure, _facts(kind, grade="不存在的等级")), code
    for other in others:  # never a subject of a kind the measure is not for
        rec_triggers = [t for t in measure.triggers if t.kind == "record"]
        recs = [_record(t, _severity(policy, t), _meeting(policy, t)) for t in rec_triggers]
        lists_ = [rules.ListFact(3, t.list) for t in measure.triggers if t.kind == "list"]
        assert not _applies(policy, measure, _facts(other, records=recs, lists=lists_)), (code, other)
