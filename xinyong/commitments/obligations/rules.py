"""The domain rules of government obligations, plain functions a test calls without a database:
a change's reason and ground (76号 五(四)), the payment due date and arrears (保障中小企业款项支付
条例), the PPP stage order and who held a stage on a day (项目责任回溯, 76号 五(二)), the debt ratio
and its warning level (76号 五(五)). The thresholds and words come from the policy
(``obligations.yaml``), never from here."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from decimal import Decimal

from xinyong.catalog.schemas import ObligationRules, PaymentTerm
from xinyong.core import workdays


def forbidden_word(reason: str, rules: ObligationRules) -> str | None:
    """The forbidden word a change's reason contains (政府换届、领导人员更替 and the like), or None.
    Spaces and full-width spaces are ignored, so “政府 换届” is caught too."""
    text = "".join((reason or "").split())
    return next((w for w in rules.forbidden_reasons if w and w in text), None)


def check_change(reason: str, ground: str, basis: str, compensation: str, rules: ObligationRules) -> str | None:
    """Why a change or termination of a promise is refused (Chinese), or None when it may go on:
    no forbidden reason, a legal ground of the list, the law it rests on, the compensation decided."""
    if not (reason or "").strip():
        return "变更、解除须说明理由"
    word = forbidden_word(reason, rules)
    if word:
        return f"不得以政府换届、相关责任人更替等理由变更或解除（理由中含“{word}”，国发〔2016〕76号 五(四)）"
    if ground not in rules.legal_grounds:
        return f"变更、解除须援引法定事由，可选：{'、'.join(rules.legal_grounds)}"
    if not (basis or "").strip():
        return "须写明变更、解除所依据的法律法规和程序"
    if not (compensation or "").strip():
        return "须写明依法决定的补偿（无须补偿的写明理由）"
    return None


def _add_days(start: date, days: int, kind: str) -> date:
    return workdays.add_workdays(start, days).due if kind == "working" else start + timedelta(days=days)


def pay_due(accepted_on: date | None, agreed_pay_on: date | None, term: PaymentTerm) -> date | None:
    """The day the price falls due: the agreed day, but for an SME no later than the term's
    longest agreed period after acceptance; with no agreed day, the term's days after acceptance.
    None while the goods, works or services are not accepted and no day is agreed."""
    if accepted_on is None:
        return agreed_pay_on
    if agreed_pay_on is None:
        return _add_days(accepted_on, term.days, term.day_kind)
    if term.max_agreed_days is not None:
        return min(agreed_pay_on, _add_days(accepted_on, term.max_agreed_days, term.day_kind))
    return agreed_pay_on


def arrears(amount: Decimal, paid: Decimal, due: date | None, today: date) -> Decimal:
    """Unpaid past due: the amount not yet paid once the due day has passed (the day itself is
    still in time); zero otherwise."""
    if due is None or today <= due:
        return Decimal(0)
    return max(Decimal(amount) - Decimal(paid or 0), Decimal(0))


def stage_problem(current: str | None, to: str, stages: Sequence[str]) -> str | None:
    """Why a project may not move to ``to`` (Chinese), or None: stages go forward one at a time in
    the policy's order (识别 → 准备 → 采购 → 执行 → 移交); a new project starts at the first."""
    if to not in stages:
        return f"“{to}”不是项目阶段，可选：{'、'.join(stages)}"
    if current is None:
        return None if to == stages[0] else f"新项目应从“{stages[0]}”阶段开始"
    at, want = stages.index(current), stages.index(to)
    if want == at + 1:
        return None
    if want <= at:
        return f"项目已在“{current}”阶段，不能回到“{to}”"
    return f"项目在“{current}”阶段，下一阶段应为“{stages[at + 1]}”，不能跳到“{to}”"


def holder_on(holders: Iterable[tuple[int, date, date | None]], day: date) -> int | None:
    """Who held the responsibility on ``day``: the person of the period (start, end inclusive;
    open end = still) covering it; the latest started when periods overlap."""
    covering = [(start, pid) for pid, start, end in holders if start <= day and (end is None or day <= end)]
    return max(covering)[1] if covering else None


def debt_ratio(balance: Decimal, resources: Decimal) -> Decimal | None:
    """债务率 = 债务余额 ÷ 综合财力, to four places; None without resources."""
    if resources is None or Decimal(resources) <= 0:
        return None
    return (Decimal(balance) / Decimal(resources)).quantize(Decimal("0.0001"))


def debt_level(balance: Decimal, resources: Decimal, rules: ObligationRules) -> str:
    """The warning level: the highest level whose lower bound (inclusive) the ratio reaches,
    compared exactly as balance ≥ bound × resources (the rounded ratio shown may read 80.00% for
    79.999%, the level does not); no resources to measure against reads as the highest level."""
    levels = rules.debt_levels
    if resources is None or Decimal(resources) <= 0:
        return levels[-1].code
    found = levels[0].code
    for lv in levels:
        if Decimal(balance) >= Decimal(str(lv.min_ratio)) * Decimal(resources):
            found = lv.code
    return found


def level_names(rules: ObligationRules) -> dict[str, str]:
    return {lv.code: lv.name for lv in rules.debt_levels}
