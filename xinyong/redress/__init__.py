"""Redress (异议、信用修复、投诉举报、从轻减轻): the ways back that every policy text pairs with
punishment. This release holds objections (异议), credit repair (信用修复) and complaints about
government dishonesty (投诉举报); leniency follows in the same package."""

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


def _daily_complaints(session, day):
    """The day's complaints: those past their reply deadline go to the superior region (set-based,
    once: the new deadline is after today), and a note of what is still overdue and due today."""
    from xinyong.redress.complaints import daily

    seen = daily(session, day)
    return {"escalated": seen["escalated"],
            "note": f"投诉逾期未答复 {seen['overdue']} 件，今日到期 {seen['due_today']} 件"}


_daily.register("redress.complaints", "投诉举报逾期提级督办", _daily_complaints, order=52,
                counts={"escalated": "逾期提级督办"})
