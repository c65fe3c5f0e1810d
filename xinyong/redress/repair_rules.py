"""The credit-repair (信用修复) rules, as plain functions a test calls without a database: which
conditions a record meets, which the applicant must prove, which step may follow which, and
when each is due.

Conditions (国家发展改革委令第58号; 浙江省公共信用信息管理条例 第三十二条; RULES.md, "Credit
repair"; the category's ``repairable`` and ``repair`` in the catalog):

- the category may be repaired at all (``repairable: false`` never can: a criminal judgment, a
  disciplinary sanction, basic information);
- the record is published (轻微: not published, nothing to repair) and in force (not under
  objection, not already repaired or revoked);
- the shortest display period served (the severity's ``min_months``: 一般 3 months, 严重 1 year);
- no repeated dishonesty: no other dishonest record of the category, and no approved repair of
  one, within ``repeat_within_months``;
- not on the serious-dishonesty list where the category's ``listed_blocks`` says so (第三十二条
  第二款); otherwise the list entries resting on the record end with the repair (58号);
- proved by the applicant with documents: the obligation performed, the penalty paid (the
  category's ``proofs``), training and a credit report for the severities in ``training_for``;
- a credit commitment signed (``commitment``).

The first five the platform's data decides; the others the application proves. The page shows
both before anything is sent (:func:`evaluate`).

Steps::

    filed ──accept──▶ accepted ──approve──▶ approved ──revoke──▶ revoked
      │                  │  └──reject──▶ rejected
      │                  └──send──▶ sent ──answer──▶ answered ──approve / reject──▶ …
      └──refuse──▶ refused

``send``: the credit office sends the case to the record's source department to verify (浙江省公共
信用信息管理条例 第三十二条: the department that found the conduct decides the repair); the
department answers within ``repair_sent`` working days (``answer``: confirm, or dispute with
reasons), and only then the office decides; the decision's deadline is extended by the same
``repair_sent`` working days.

Deadlines are working days (:mod:`xinyong.core.workdays`), their counts policy data
(``redress.yaml`` ``deadlines``, :mod:`xinyong.redress.deadlines`): acceptance within
``repair_accept`` (local platforms pass a repair on within 3 working days), the decision within
``repair_decide`` of acceptance (信用中国's practice: 10 working days).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from xinyong.catalog.schemas import REPAIR_PROOFS, Category, RedressDeadlines
from xinyong.core.errors import InvalidInput
from xinyong.core.workdays import Deadline, add_workdays
from xinyong.records.periods import add_months
from xinyong.redress.deadlines import default as default_deadlines

COMMITMENT_KIND = "信用修复"  # the kind of commitment record a signed repair commitment becomes

STATUSES = {
    "filed": "已提交，待受理",
    "accepted": "已受理，审核中",
    "approved": "准予修复",
    "rejected": "不予修复",
    "refused": "不予受理",
    "revoked": "修复已撤销",
    "sent": "已转认定部门核实",
    "answered": "认定部门已答复，待决定",
}
OPEN_STATUSES = ("filed", "accepted", "sent", "answered")
DECIDING_STATUSES = ("accepted", "sent", "answered")  # waiting for the decision (decide_due)
DEPARTMENT_STEPS = ("answer",)  # taken by the record's source department, not the credit office
ANSWERS = {"confirm": "确认：核实申请所述属实，同意修复", "dispute": "有异议：申请所述与核实情况不符"}
ACTIONS = {
    "filed": "申请信用修复",
    "accepted": "受理",
    "refused": "不予受理",
    "approved": "准予修复",
    "rejected": "不予修复",
    "revoked": "撤销修复",
    "sent": "转认定部门核实",
    "answered": "认定部门答复",
}
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "accept": (("filed",), "accepted"),
    "refuse": (("filed",), "refused"),
    "send": (("accepted",), "sent"),
    "answer": (("sent",), "answered"),
    "approve": (("accepted", "answered"), "approved"),
    "reject": (("accepted", "answered"), "rejected"),
    "revoke": (("approved",), "revoked"),
}
STEP_NAMES = {"accept": "受理", "refuse": "不予受理", "send": "转认定部门核实", "answer": "认定部门答复",
              "approve": "准予修复", "reject": "不予修复", "revoke": "撤销修复"}
REASONS_REQUIRED = ("refuse", "reject", "revoke")
ANSWER_REASONS_REQUIRED = ("dispute",)
ATTACHMENT_KINDS = dict(REPAIR_PROOFS)
ATTACHMENT_KINDS["application"] = "书面修复申请（扫描件）"


def next_status(status: str, step: str) -> str:
    """The status ``step`` leads to from ``status``, or :class:`InvalidInput` saying why not."""
    if step not in TRANSITIONS:
        raise InvalidInput(f"未知的处理步骤“{step}”", f"unknown step {step!r}", field="action")
    allowed, to = TRANSITIONS[step]
    if status not in allowed:
        if status in ("refused", "rejected", "revoked"):
            raise InvalidInput(f"该修复申请已{STATUSES[status]}，不能再{STEP_NAMES[step]}", f"the case is {status}: no {step}")
        if status == "approved" and step in ("approve", "reject"):
            raise InvalidInput("该修复申请已准予修复，不能再次决定", "the case is already decided")
        if status == "sent" and step in ("approve", "reject"):
            raise InvalidInput("该修复申请已转认定部门核实，认定部门答复前不能作出决定",
                               "the source department has not answered yet")
        if status == "answered" and step in ("send", "answer"):
            raise InvalidInput("认定部门已经答复，不能再次答复或转送", "the department has answered")
        raise InvalidInput(f"修复申请当前状态为“{STATUSES.get(status, status)}”，不能{STEP_NAMES[step]}",
                           f"cannot {step} a case that is {status}")
    return to


def allowed_steps(status: str) -> list[str]:
    return [step for step, (froms, _) in TRANSITIONS.items() if status in froms]


def sent_due(sent_on: date, deadlines: RedressDeadlines | None = None) -> Deadline:
    """The source department's answer is due ``repair_sent`` working days after sending."""
    return add_workdays(sent_on, (deadlines or default_deadlines()).repair_sent.days)


def extended_decide_due(decide_by: date, deadlines: RedressDeadlines | None = None) -> Deadline:
    """The decision's deadline once the case is sent: the department's days added to it."""
    return add_workdays(decide_by, (deadlines or default_deadlines()).repair_sent.days)


def accept_due(filed_on: date, deadlines: RedressDeadlines | None = None) -> Deadline:
    return add_workdays(filed_on, (deadlines or default_deadlines()).repair_accept.days)


def decide_due(accepted_on: date, deadlines: RedressDeadlines | None = None) -> Deadline:
    return add_workdays(accepted_on, (deadlines or default_deadlines()).repair_decide.days)


@dataclass(frozen=True)
class Due:
    what: str
    due: date | None
    overdue: bool


def current_due(status: str, accept_by: date, decide_by: date | None, today: date) -> Due:
    if status == "filed":
        return Due("受理", accept_by, today > accept_by)
    if status in DECIDING_STATUSES and decide_by is not None:
        what = "认定部门核实答复后作出修复决定" if status == "sent" else "作出修复决定"
        return Due(what, decide_by, today > decide_by)
    return Due("", None, False)


# --- the conditions --------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordFacts:
    """What the platform's data says about a record and its subject, gathered by the service."""

    category: Category | None
    severity: str | None
    status: str
    decision_date: date
    repair_from: date | None  # the record's own, when its import computed one
    listed: bool = False  # on the serious-dishonesty list (in force), on any ground
    later_records: tuple[date, ...] = ()  # other dishonest records of the category: decision dates
    earlier_repairs: tuple[date, ...] = ()  # approved repairs of the category: decision dates
    open_repair: int | None = None


@dataclass(frozen=True)
class Condition:
    code: str
    name: str
    by: str  # data (the platform decides) / proof (the applicant proves)
    met: bool
    detail: str = ""
    blocks: bool = False  # unmet and no document can change that


@dataclass
class Evaluation:
    conditions: list[Condition] = field(default_factory=list)
    repairable: bool = True  # False: never (the category or the severity)
    proofs: list[str] = field(default_factory=list)  # attachment kinds the application must carry
    commitment: bool = True

    @property
    def blockers(self) -> list[Condition]:
        return [c for c in self.conditions if c.by == "data" and not c.met]

    @property
    def to_prove(self) -> list[Condition]:
        return [c for c in self.conditions if c.by == "proof" and not c.met]

    @property
    def may_apply(self) -> bool:
        """The data meets every condition it decides: an application may be filed (with proofs)."""
        return not self.blockers

    @property
    def complete(self) -> bool:
        return not self.blockers and not self.to_prove

    def refusal(self) -> str:
        """Why an application cannot be filed, in the applicant's words."""
        parts = [f"{c.name}：{c.detail}" if c.detail else c.name for c in self.blockers + self.to_prove]
        return "不符合信用修复条件——" + "；".join(parts)


def served_from(facts: RecordFacts) -> date | None:
    """The day the shortest display period is served (None: the severity has no period)."""
    if facts.category is None:
        return None
    period = facts.category.display_period.get(facts.severity or "default") or \
        facts.category.display_period.get("default")
    if period is None:
        return None
    computed = add_months(facts.decision_date, period.min_months)
    return max(computed, facts.repair_from) if facts.repair_from else computed


def evaluate(facts: RecordFacts, today: date, *, proofs_given: set[str] | frozenset[str] = frozenset(),
             commitment_signed: bool = False) -> Evaluation:
    """Which conditions the data meets, which the applicant must prove, on ``today``.
    Pure: the same facts give the same answer."""
    cat = facts.category
    ev = Evaluation()
    if cat is None:
        ev.repairable = False
        ev.conditions.append(Condition("repairable", "可以修复的信息类别", "data", False, "信息类别不在目录中", True))
        return ev
    if cat.polarity != "dishonest" or not cat.repairable:
        ev.repairable = False
        note = cat.repair_note or ("非失信信息，不涉及信用修复" if cat.polarity != "dishonest" else "")
        ev.conditions.append(Condition("repairable", "可以修复的信息类别", "data", False,
                                       f"“{cat.name}”不适用信用修复" + (f"（{note}）" if note else ""), True))
        return ev
    ev.conditions.append(Condition("repairable", "可以修复的信息类别", "data", True, cat.repair_note))
    period = cat.display_period.get(facts.severity or "default")
    if period is not None and period.max_months == 0 and period.until_fact is None:
        ev.repairable = False
        ev.conditions.append(Condition("published", "信息正在公示", "data", False,
                                       "轻微失信信息不予公示，无需信用修复", True))
        return ev
    from xinyong.records.models import STATUSES as RECORD_STATUSES

    live = facts.status == "active"
    ev.conditions.append(Condition(
        "in_force", "信息正在公示（未在异议处理中、未修复、未撤销）", "data", live,
        "" if live else f"记录状态为“{RECORD_STATUSES.get(facts.status, facts.status)}”",
        facts.status in ("repaired", "revoked", "expired")))
    if facts.open_repair is not None:
        ev.conditions.append(Condition("no_open", "没有正在办理的修复申请", "data", False,
                                       f"已有修复申请正在办理（第 {facts.open_repair} 号）"))
    start = served_from(facts)
    served = start is not None and today >= start
    months = period.min_months if period is not None else 0
    ev.conditions.append(Condition(
        "min_period", f"已满最短公示期（{months} 个月）", "data", served,
        f"{start:%Y-%m-%d} 起可以申请" if start else ""))
    rule = cat.repair
    if rule.repeat_within_months:
        since = add_months(today, -rule.repeat_within_months)
        again = sorted(d for d in facts.later_records if d >= since)
        repaired = sorted(d for d in facts.earlier_repairs if d >= since)
        said = []
        if again:
            said.append(f"{rule.repeat_within_months} 个月内再次发生同类失信行为（{again[-1]:%Y-%m-%d}）")
        if repaired:
            said.append(f"{rule.repeat_within_months} 个月内已修复过同类失信信息（{repaired[-1]:%Y-%m-%d}），属于重复失信")
        detail = "；".join(said)
        ev.conditions.append(Condition("no_repeat", f"{rule.repeat_within_months} 个月内没有重复失信", "data",
                                       not detail, detail, bool(detail)))
    if rule.listed_blocks:
        ev.conditions.append(Condition(
            "not_listed", "未被列入严重失信主体名单", "data", not facts.listed,
            "被列入严重失信主体名单的，不适用信用修复（条例第三十二条第二款），应先依程序移出名单"
            if facts.listed else "", facts.listed))
    ev.proofs = list(rule.proofs)
    if facts.severity in rule.training_for:
        ev.proofs += ["training", "report"]
    for kind in ev.proofs:
        ok = kind in proofs_given
        ev.conditions.append(Condition(kind, REPAIR_PROOFS[kind], "proof", ok, "已附证明材料" if ok else "请上传证明材料"))
    ev.commitment = rule.commitment
    if rule.commitment:
        ev.conditions.append(Condition("commitment", "签署信用承诺书", "proof", commitment_signed,
                                       "已签署" if commitment_signed else "请阅读并签署信用承诺"))
    return ev


COMMITMENT_TEXT = (
    "本人（本单位）承诺：所提交的信用修复申请材料真实、准确、完整；已纠正失信行为、履行相关义务；"
    "今后严格遵守法律法规，诚实守信。如有虚假，自愿接受信用修复被撤销、相关信息按最长期限公示等处理，"
    "并承担相应法律责任。"
)
