"""The objection workflow's rules, as plain functions a test calls without a database: which
step may follow which, and when each is due.

Steps (浙江省公共信用信息管理条例 第三十条、第三十一条; docs/redress.md)::

    filed ──accept──▶ accepted ──send──▶ sent ──decide──▶ decided ──close──▶ closed
      │                  └───────────decide──────────────▲
      └──refuse──▶ refused (不予受理: the case ends there)

Deadlines are working days (:mod:`xinyong.core.workdays`), their counts policy data
(``redress.yaml`` ``deadlines``, :mod:`xinyong.redress.deadlines`): the regulation gives five
working days from acceptance to decide (``objection_decide``), extendable to twenty in all where
the case is complex (``objection_at_most``) — here, where the source department must verify the
facts (the case is sent to it). Acceptance itself has no number in the regulation; the platform
gives itself two working days (``objection_accept``), so that no case waits unseen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from xinyong.catalog.schemas import RedressDeadlines
from xinyong.core.errors import InvalidInput
from xinyong.core.workdays import Deadline, add_workdays
from xinyong.redress.deadlines import default as default_deadlines

# The grounds of 第三十条 (what the subject says is wrong).
GROUNDS = {
    "fact_error": "信息存在事实错误",
    "text_error": "信息存在文字错误",
    "omission": "信息存在遗漏",
    "overdue": "超过保存和披露期限仍在披露",
    "wrong_listing": "不符合严重失信名单条件而被列入或未被移出",
}
STATUSES = {
    "filed": "已提交，待受理",
    "accepted": "已受理，处理中",
    "sent": "已转认定部门核实",
    "decided": "已作出处理决定",
    "closed": "已结案",
    "refused": "不予受理",
}
OPEN_STATUSES = ("filed", "accepted", "sent")
DECIDING_STATUSES = ("accepted", "sent")  # waiting for the decision (decide_due)
OUTCOMES = {
    "corrected": "更正（形成记录的新版本）",
    "revoked": "撤销（记录不再公示和使用）",
    "kept": "维持原记录",
}
ACTIONS = {
    "filed": "提出异议",
    "accepted": "受理",
    "refused": "不予受理",
    "sent": "转认定部门核实",
    "decided": "作出处理决定",
    "closed": "结案",
}
# step → (the statuses it may follow, the status it leads to)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "accept": (("filed",), "accepted"),
    "refuse": (("filed",), "refused"),
    "send": (("accepted",), "sent"),
    "decide": (("accepted", "sent"), "decided"),
    "close": (("decided",), "closed"),
}
STEP_NAMES = {"accept": "受理", "refuse": "不予受理", "send": "转认定部门核实", "decide": "作出处理决定",
              "close": "结案"}


def next_status(status: str, step: str) -> str:
    """The status ``step`` leads to from ``status``, or :class:`InvalidInput` saying why not."""
    if step not in TRANSITIONS:
        raise InvalidInput(f"未知的处理步骤“{step}”", f"unknown step {step!r}", field="action")
    allowed, to = TRANSITIONS[step]
    if status not in allowed:
        now = STATUSES.get(status, status)
        if status in ("closed", "refused"):
            raise InvalidInput(f"该异议已{'结案' if status == 'closed' else '不予受理'}，不能再{STEP_NAMES[step]}",
                               f"the case is {status}: no {step}")
        if status == "decided" and step == "decide":
            raise InvalidInput("该异议已作出处理决定，不能再次决定", "the case is already decided")
        raise InvalidInput(f"异议当前状态为“{now}”，不能{STEP_NAMES[step]}", f"cannot {step} a case that is {status}")
    return to


def allowed_steps(status: str) -> list[str]:
    return [step for step, (froms, _) in TRANSITIONS.items() if status in froms]


def accept_due(filed_on: date, deadlines: RedressDeadlines | None = None) -> Deadline:
    d = deadlines or default_deadlines()
    return add_workdays(filed_on, d.objection_accept.days)


def decide_due(accepted_on: date, *, verified: bool = False, deadlines: RedressDeadlines | None = None) -> Deadline:
    """Five working days from acceptance; twenty in all once the department must verify (the
    counts of ``redress.yaml``)."""
    d = deadlines or default_deadlines()
    return add_workdays(accepted_on, d.objection_at_most.days if verified else d.objection_decide.days)


@dataclass(frozen=True)
class Due:
    """Which deadline a case is now working to, and where it stands on ``today``."""

    what: str  # 受理 / 作出决定, or "" when nothing is due
    due: date | None
    overdue: bool


def current_due(status: str, accept_by: date, decide_by: date | None, today: date) -> Due:
    if status == "filed":
        return Due("受理", accept_by, today > accept_by)
    if status in DECIDING_STATUSES and decide_by is not None:
        return Due("作出处理决定", decide_by, today > decide_by)
    return Due("", None, False)


def same_grounds_repeat(earlier_outcome: str | None, new_facts: str | None) -> bool:
    """A repeat on the same record and grounds stands only with new facts; an earlier case that
    was decided as kept is what it repeats (a refusal of acceptance is no decision on the facts)."""
    return earlier_outcome == "kept" and not (new_facts or "").strip()
