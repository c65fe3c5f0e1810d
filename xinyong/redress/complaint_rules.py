"""The complaint workflow's rules (投诉举报), as plain functions a test calls without a database:
which step may follow which, and when each is due.

Steps (76号 三(三); 浙 政务 二(二)3; docs/redress.md)::

    routed ──reply──▶ replied ──rate──▶ rated ──close──▶ closed
      │  ▲               └──────────close──────────────▲
      │  └─escalate (overdue: to the superior region, the daily run)
      └──reject──▶ rejected (不予受理: not government dishonesty, or no facts)

A complaint is routed when it is filed (the public form or a 12345 work order): to the named
body's department where the platform has one, else to the credit office of the body's region.
The deadlines are policy data (``complaints.yaml``: ``reply_workdays``,
``escalated_reply_workdays``, ``rate_workdays``), counted in working days with the platform's
calendar (:mod:`xinyong.core.workdays`). A routed or escalated complaint past its reply deadline
is escalated to the superior region by the daily run, with a fresh deadline; at the province it
stays overdue on every queue and on the supervisor's board. A reply not rated within
``rate_workdays`` is closed by the daily run; a later rating is refused. A substantiated complaint
(``finding`` substantiated or partly) may become a credit record once (``record``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from xinyong.core.errors import InvalidInput
from xinyong.core.workdays import Deadline, add_workdays

TARGET_KINDS = {"gov_body": "政府机构", "public_servant": "公务人员"}
CHANNELS = {"web": "网上投诉", "hotline": "12345 热线"}
STATUSES = {
    "routed": "已转办，待答复",
    "escalated": "逾期未答复，已提级督办",
    "replied": "已答复，待评价",
    "rated": "已评价",
    "closed": "已办结",
    "rejected": "不予受理",
}
OPEN_STATUSES = ("routed", "escalated", "replied", "rated")
REPLYING_STATUSES = ("routed", "escalated")  # waiting for the body's reply (reply_due)
FINDINGS = {
    "substantiated": "属实",
    "partly": "部分属实",
    "unsubstantiated": "不属实",
}
RECORDABLE_FINDINGS = ("substantiated", "partly")
RATINGS = {"satisfied": "满意", "basically": "基本满意", "unsatisfied": "不满意"}
ACTIONS = {
    "filed": "提出投诉",
    "routed": "转办责任单位",
    "escalated": "逾期提级督办",
    "replied": "答复",
    "rejected": "不予受理",
    "rated": "评价答复",
    "closed": "办结",
    "recorded": "认定为政务失信记录",
}
# step → (the statuses it may follow, the status it leads to; None: the status stays)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "reply": (REPLYING_STATUSES, "replied"),
    "reject": (REPLYING_STATUSES, "rejected"),
    "escalate": (REPLYING_STATUSES, "escalated"),
    "rate": (("replied",), "rated"),
    "close": (("replied", "rated"), "closed"),
    "record": (("replied", "rated", "closed"), None),
}
STEP_NAMES = {"reply": "答复", "reject": "不予受理", "escalate": "提级督办", "rate": "评价", "close": "办结",
              "record": "认定为信用记录"}


def next_status(status: str, step: str) -> str:
    """The status ``step`` leads to from ``status``, or :class:`InvalidInput` saying why not."""
    if step not in TRANSITIONS:
        raise InvalidInput(f"未知的处理步骤“{step}”", f"unknown step {step!r}", field="action")
    allowed, to = TRANSITIONS[step]
    if status not in allowed:
        now = STATUSES.get(status, status)
        if status in ("closed", "rejected") and step != "record":
            raise InvalidInput(f"该投诉已{now}，不能再{STEP_NAMES[step]}", f"the complaint is {status}: no {step}")
        if step == "reply" and status in ("replied", "rated"):
            raise InvalidInput("该投诉已答复，不能再次答复", "the complaint is replied already")
        if step == "rate" and status == "rated":
            raise InvalidInput("该投诉的答复已评价，不能再次评价", "the reply is rated already")
        raise InvalidInput(f"投诉当前状态为“{now}”，不能{STEP_NAMES[step]}", f"cannot {step} a complaint that is {status}")
    return to or status


def allowed_steps(status: str) -> list[str]:
    return [step for step, (froms, _) in TRANSITIONS.items() if status in froms]


def reply_due(routed_on: date, workdays: int) -> Deadline:
    """``workdays`` working days after routing (or escalation): the policy's number."""
    return add_workdays(routed_on, workdays)


def superior(region: str) -> str | None:
    """The superior region (GB/T 2260): a county's city, a city's province; none above a province."""
    if len(region) != 6 or region.endswith("0000"):
        return None
    if region.endswith("00"):
        return region[:2] + "0000"
    return region[:4] + "00"


@dataclass(frozen=True)
class Due:
    what: str
    due: date | None
    overdue: bool


def current_due(status: str, reply_by: date | None, rate_by: date | None, today: date) -> Due:
    if status in REPLYING_STATUSES and reply_by is not None:
        return Due("答复", reply_by, today > reply_by)
    if status == "replied" and rate_by is not None:
        return Due("评价", rate_by, False)  # the complainant's, never the office's overdue
    return Due("", None, False)


def rating_late(rate_by: date | None, today: date) -> str | None:
    """Why a rating on ``today`` comes too late (Chinese), or None while the period runs."""
    if rate_by is not None and today > rate_by:
        return f"评价期限已于 {rate_by.isoformat()} 届满，不能再评价；投诉已按期满办结或即将办结"
    return None


def recordable(status: str, finding: str | None, record_id: int | None) -> str | None:
    """Why a complaint cannot become a record now (Chinese), or None when it can."""
    if record_id is not None:
        return "该投诉已认定为信用记录，不能重复认定"
    if status not in TRANSITIONS["record"][0]:
        return f"投诉当前状态为“{STATUSES.get(status, status)}”，答复属实后才能认定为信用记录"
    if finding not in RECORDABLE_FINDINGS:
        return "只有经核查属实或部分属实的投诉才能认定为信用记录"
    return None
