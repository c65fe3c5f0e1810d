"""Redress (异议、信用修复、投诉举报、从轻减轻): the ways back that every policy text pairs with
punishment. This release holds objections (异议) and credit repair (信用修复); complaints and
leniency follow in the same package."""

from xinyong.core import daily as _daily  # noqa: E402


def _daily_objections(session, day):
    """The day's look at objection deadlines: it changes nothing (deadlines are computed when
    read, and every queue shows them, overdue first), so it reports the overdue and due-today
    cases as a note, not as changes — a second run the same day is the same."""
    from xinyong.redress.service import daily

    seen = daily(session, day)
    return {"note": f"逾期未办结 {seen['overdue']} 件，今日到期 {seen['due_today']} 件"}


_daily.register("redress.objections", "异议处理期限", _daily_objections, order=50)


def _daily_repairs(session, day):
    """The day's look at credit-repair deadlines (acceptance, the decision within 10 working
    days): a note of the overdue and due-today cases; it changes nothing."""
    from xinyong.redress.repairs import daily

    seen = daily(session, day)
    return {"note": f"信用修复逾期未办结 {seen['overdue']} 件，今日到期 {seen['due_today']} 件"}


_daily.register("redress.repairs", "信用修复处理期限", _daily_repairs, order=51)


def _register_leniency() -> None:
    """The checks learn of self-corrections through their hooks (checks sits above redress)."""
    from xinyong.checks import leniency as _checks_leniency
    from xinyong.redress import leniency as _leniency

    _checks_leniency.hooks.register(_leniency.corrections_in_force)
    _checks_leniency.table_hooks.register(_leniency.corrections_table)


_register_leniency()
