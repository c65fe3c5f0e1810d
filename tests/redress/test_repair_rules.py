"""The credit-repair rules without a database: the condition evaluator (served or not, an unmet
condition, a repeat, never repairable, not published), every allowed and refused step, and the
deadlines in working days across the Spring Festival."""

from __future__ import annotations

from datetime import date

import pytest

from xinyong.catalog import loader
from xinyong.core.errors import InvalidInput
from xinyong.redress import repair_rules as rules

POLICY, _ = loader.load_dir(loader.DEFAULT_DIR)
PENALTY = POLICY.category("admin_penalty")
DECIDED = date(2026, 1, 10)


def facts(category=PENALTY, severity="general", **kw) -> rules.RecordFacts:
    args = {"category": category, "severity": severity, "status": "active", "decision_date": DECIDED,
            "repair_from": None}
    args.update(kw)
    return rules.RecordFacts(**args)


def codes(conds) -> list[str]:
    return [c.code for c in conds]


def test_general_penalty_served_three_months_needs_only_its_proofs():
    ev = rules.evaluate(facts(), date(2026, 4, 10))
    assert ev.repairable and ev.may_apply and not ev.complete
    assert {c.code: c.met for c in ev.conditions if c.by == "data"} == {
        "repairable": True, "in_force": True, "min_period": True, "no_repeat": True}
    assert codes(ev.to_prove) == ["performance", "payment", "commitment"]
    done = rules.evaluate(facts(), date(2026, 4, 10), proofs_given={"performance", "payment"}, commitment_signed=True)
    assert done.complete and not done.to_prove


def test_general_penalty_one_day_short_is_not_served():
    ev = rules.evaluate(facts(), date(2026, 4, 9))
    [served] = [c for c in ev.conditions if c.code == "min_period"]
    assert not served.met and served.detail == "2026-04-10 起可以申请"
    assert not ev.may_apply and codes(ev.blockers) == ["min_period"]
    assert "已满最短公示期（3 个月）" in ev.refusal() and "2026-04-10" in ev.refusal()


def test_serious_needs_a_year_training_and_a_credit_report():
    short = rules.evaluate(facts(severity="serious"), date(2027, 1, 9))
    assert codes(short.blockers) == ["min_period"]
    ev = rules.evaluate(facts(severity="serious"), date(2027, 1, 10), proofs_given={"performance", "payment"},
                        commitment_signed=True)
    assert ev.may_apply and codes(ev.to_prove) == ["training", "report"]


def test_the_records_own_repair_from_is_kept_when_later():
    ev = rules.evaluate(facts(repair_from=date(2026, 6, 1)), date(2026, 5, 1))
    assert codes(ev.blockers) == ["min_period"]


def test_minor_is_not_published_and_needs_no_repair():
    ev = rules.evaluate(facts(severity="minor"), date(2027, 1, 1))
    assert not ev.repairable and ev.blockers[0].detail == "轻微失信信息不予公示，无需信用修复"


@pytest.mark.parametrize("code", ["judicial_judgment", "disciplinary_sanction", "admin_licence", "honour"])
def test_never_repairable(code):
    cat = POLICY.category(code)
    ev = rules.evaluate(facts(category=cat, severity=(cat.severities or [None])[-1]), date(2030, 1, 1),
                        proofs_given={"performance", "payment", "training", "report"}, commitment_signed=True)
    assert not ev.repairable and not ev.may_apply
    assert ev.blockers[0].code == "repairable" and ev.blockers[0].blocks
    assert "不适用信用修复" in ev.refusal()


def test_a_repeat_within_the_period_blocks():
    later = rules.evaluate(facts(later_records=(date(2026, 3, 1),)), date(2026, 5, 1))
    assert codes(later.blockers) == ["no_repeat"] and "再次发生同类失信行为（2026-03-01）" in later.refusal()
    again = rules.evaluate(facts(earlier_repairs=(date(2025, 12, 1),)), date(2026, 5, 1))
    assert codes(again.blockers) == ["no_repeat"] and "已修复过同类失信信息" in again.refusal()
    # outside the twelve months: no repeat
    old = rules.evaluate(facts(earlier_repairs=(date(2025, 4, 30),)), date(2026, 5, 1))
    assert old.may_apply


def test_a_record_not_in_force_or_with_an_open_case_is_refused():
    assert codes(rules.evaluate(facts(status="under_objection"), date(2026, 5, 1)).blockers) == ["in_force"]
    assert codes(rules.evaluate(facts(status="repaired"), date(2026, 5, 1)).blockers) == ["in_force"]
    assert codes(rules.evaluate(facts(open_repair=7), date(2026, 5, 1)).blockers) == ["no_open"]


def test_listed_blocks_only_where_the_category_says_so():
    debt = POLICY.category("refusal_to_perform_judgment")
    assert debt.repair.listed_blocks and not PENALTY.repair.listed_blocks
    ev = rules.evaluate(facts(category=debt, listed=True), date(2026, 5, 1))
    assert codes(ev.blockers) == ["not_listed"] and "第三十二条第二款" in ev.refusal()
    assert rules.evaluate(facts(listed=True), date(2026, 5, 1)).may_apply  # the entry ends with the repair
    assert codes(rules.evaluate(facts(category=debt), date(2026, 5, 1)).to_prove) == ["performance", "commitment"]


ALL = list(rules.STATUSES)


@pytest.mark.parametrize("status", ALL)
@pytest.mark.parametrize("step", list(rules.TRANSITIONS))
def test_every_step_from_every_status(status, step):
    froms, to = rules.TRANSITIONS[step]
    if status in froms:
        assert rules.next_status(status, step) == to
        assert step in rules.allowed_steps(status)
    else:
        with pytest.raises(InvalidInput) as exc:
            rules.next_status(status, step)
        assert exc.value.zh and "不能" in exc.value.zh
        assert step not in rules.allowed_steps(status)


def test_the_allowed_paths():
    assert rules.allowed_steps("filed") == ["accept", "refuse"]
    assert rules.allowed_steps("accepted") == ["send", "approve", "reject"]
    assert rules.allowed_steps("sent") == ["answer"]
    assert rules.allowed_steps("answered") == ["approve", "reject"]
    assert rules.allowed_steps("approved") == ["revoke"]
    assert [rules.allowed_steps(s) for s in ("refused", "rejected", "revoked")] == [[], [], []]
    with pytest.raises(InvalidInput):
        rules.next_status("filed", "jump")


def test_deadlines_across_the_spring_festival():
    # filed Thursday 2026-02-12: 3 working days → Fri 13, Sat 14 (make-up day), Sun 15 is a holiday.
    assert rules.accept_due(date(2026, 2, 12)).due == date(2026, 2, 24)  # 13, 14, then the holiday to 23, then 24
    # accepted 2026-02-13: ten working days → 14 (make-up), 24..27, 28 (make-up), 3/2..3/5
    d = rules.decide_due(date(2026, 2, 13))
    assert d.due == date(2026, 3, 5) and not d.provisional
    assert rules.current_due("accepted", date(2026, 2, 24), d.due, date(2026, 3, 6)).overdue
    assert not rules.current_due("accepted", date(2026, 2, 24), d.due, date(2026, 3, 5)).overdue
    assert rules.current_due("approved", date(2026, 2, 24), d.due, date(2027, 1, 1)).due is None
