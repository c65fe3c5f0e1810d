"""The objection workflow as plain rules: every allowed and every refused transition, and the
deadlines in working days across the 2026 Spring Festival (off 15–23 February, make-up working
Saturdays 14 and 28 February)."""

from __future__ import annotations

from datetime import date

import pytest

from xinyong.core.errors import InvalidInput
from xinyong.redress import rules

ALLOWED = {
    ("filed", "accept"): "accepted",
    ("filed", "refuse"): "refused",
    ("accepted", "send"): "sent",
    ("accepted", "decide"): "decided",
    ("sent", "decide"): "decided",
    ("decided", "close"): "closed",
}
PAIRS = [(s, step) for s in rules.STATUSES for step in rules.TRANSITIONS]


@pytest.mark.parametrize(("status", "step"), PAIRS)
def test_every_transition_is_allowed_or_refused_in_chinese(status, step):
    if (status, step) in ALLOWED:
        assert rules.next_status(status, step) == ALLOWED[(status, step)]
        assert step in rules.allowed_steps(status)
        return
    with pytest.raises(InvalidInput) as exc:
        rules.next_status(status, step)
    assert step not in rules.allowed_steps(status)
    assert exc.value.zh and all(ord(ch) < 128 for ch in exc.value.en)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in exc.value.zh)


def test_the_finished_cases_say_why_nothing_follows():
    for status, step, words in (("closed", "decide", "已结案"), ("decided", "decide", "不能再次决定"),
                                ("refused", "accept", "不予受理"), ("filed", "approve", "未知的处理步骤"),
                                ("filed", "decide", "不能作出处理决定")):
        with pytest.raises(InvalidInput) as exc:
            rules.next_status(status, step)
        assert words in exc.value.zh, exc.value.zh


def test_every_status_but_the_ends_has_a_way_on():
    ends = {s for s in rules.STATUSES if not rules.allowed_steps(s)}
    assert ends == {"closed", "refused"}


def test_deadlines_across_the_spring_festival():
    # filed on Thursday 12 February: two working days are Friday 13 and the make-up Saturday 14
    assert rules.accept_due(date(2026, 2, 12)).due == date(2026, 2, 14)
    # accepted on Friday 13: five working days are 14, then 24–27 February after the holiday
    assert rules.decide_due(date(2026, 2, 13)).due == date(2026, 2, 27)
    # sent to the department to verify: twenty working days in all, with the make-up Saturday 28
    assert rules.decide_due(date(2026, 2, 13), verified=True).due == date(2026, 3, 19)
    # an accepted case is overdue the day after its deadline, not on it
    assert not rules.current_due("accepted", date(2026, 2, 14), date(2026, 2, 27), date(2026, 2, 27)).overdue
    assert rules.current_due("accepted", date(2026, 2, 14), date(2026, 2, 27), date(2026, 2, 28)).overdue
    assert rules.current_due("decided", date(2026, 2, 14), date(2026, 2, 27), date(2026, 12, 31)).due is None


def test_a_deadline_in_a_year_without_a_schedule_is_provisional():
    d = rules.accept_due(date(2026, 12, 30))
    assert d.provisional and "暂按周末推算" in d.label


def test_a_repeat_needs_new_facts_only_after_a_kept_decision():
    assert rules.same_grounds_repeat("kept", None)
    assert rules.same_grounds_repeat("kept", "  ")
    assert not rules.same_grounds_repeat("kept", "法院已撤销原判决，见附件")
    assert not rules.same_grounds_repeat("refused", None)
    assert not rules.same_grounds_repeat("revoked", None)
