"""The domain rules of 限期整改, plain functions a test calls without a database: which step
may follow which, who may take it, when a task is overdue and when it is reported upwards.

    open (待书面说明) --explain--> explained (整改中) --submit--> submitted (待验收) --close--> closed
                                      ^  progress / evidence        |
                                      +---------- return -----------+

A progress note or evidence may be added while the task is open, explained or submitted; a
closed task takes nothing. The body (its reporting account) or the credit office writes the
explanation, notes, evidence and submits; only the credit office returns or closes. Escalation
is not a step: the daily run marks it once on a task still not closed past its deadline.
"""

from __future__ import annotations

from datetime import date

from xinyong.core import workdays

# step → (the statuses it may be taken from, the status it leads to (None: unchanged), office only)
STEPS: dict[str, tuple[frozenset[str], str | None, bool]] = {
    "explain": (frozenset({"open"}), "explained", False),
    "progress": (frozenset({"open", "explained", "submitted"}), None, False),
    "evidence": (frozenset({"open", "explained", "submitted"}), None, False),
    "submit": (frozenset({"explained"}), "submitted", False),
    "return": (frozenset({"submitted"}), "explained", True),
    "close": (frozenset({"submitted"}), "closed", True),
}
STEP_NAMES: dict[str, str] = {
    "explain": "提交书面说明",
    "progress": "登记整改进展",
    "evidence": "提交整改佐证",
    "submit": "申请验收",
    "return": "退回继续整改",
    "close": "验收办结",
}
OPEN = frozenset({"open", "explained", "submitted"})


def next_status(current: str, step: str) -> str | None:
    """The status ``step`` leads to from ``current`` (the same one for a note), or None when the
    step is not allowed from there."""
    if step not in STEPS:
        return None
    sources, to, _office = STEPS[step]
    if current not in sources:
        return None
    return to or current


def office_only(step: str) -> bool:
    return STEPS[step][2]


def due_date(opened_on: date, n: int) -> date:
    """The deadline: ``n`` working days after the day the task was opened."""
    return workdays.add_workdays(opened_on, n).due


def is_overdue(status: str, due_on: date, today: date) -> bool:
    return status in OPEN and due_on < today


def escalation_cutoff(today: date, after_workdays: int) -> date:
    """Tasks whose deadline is before this day are reported upwards today: the day before
    ``today`` when ``after_workdays`` is 0, else that many working days further back."""
    day, counted = today, 0
    while counted < after_workdays:
        day = date.fromordinal(day.toordinal() - 1)
        if workdays.is_workday(day)[0]:
            counted += 1
    return day
