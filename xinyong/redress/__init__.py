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
    once: the new deadline is after today), replies left unrated past the rating period are
    closed, and a note of what is still overdue and due today."""
    from xinyong.redress.complaints import daily

    seen = daily(session, day)
    return {"escalated": seen["escalated"], "closed_unrated": seen["closed_unrated"],
            "note": f"投诉逾期未答复 {seen['overdue']} 件，今日到期 {seen['due_today']} 件"}


_daily.register("redress.complaints", "投诉举报逾期提级督办", _daily_complaints, order=52,
                counts={"escalated": "逾期提级督办", "closed_unrated": "评价期满办结"})
def _repair_commitment(session, case):
    """A filed repair's signed commitment becomes a commitment of kind 信用修复承诺 in the
    register (xinyong.commitments, above this package), once: the case names it."""
    from xinyong.catalog import service as catalog_service
    from xinyong.commitments.service import from_repair

    if case.commitment_id is not None:
        return
    category = catalog_service.active_version(session)[1].category(case.category_code)
    c = from_repair(session, repair_id=case.id, subject_id=case.subject_id, region_code=case.region_code,
                    category_name=category.name if category else case.category_code, text=case.commitment_text,
                    signed_on=case.commitment_signed_on, department_name=case.department_name,
                    department_code=case.department_code, by=case.filed_by)
    case.commitment_id = c.id
    session.flush()


def _register_repair_commitments() -> None:
    from xinyong.redress import repairs

    if _repair_commitment not in repairs.commitment_hooks:
        repairs.commitment_hooks.append(_repair_commitment)


_register_repair_commitments()
def _register_leniency() -> None:
    """The checks learn of self-corrections through their hooks (checks sits above redress)."""
    from xinyong.checks import leniency as _checks_leniency
    from xinyong.redress import leniency as _leniency

    _checks_leniency.hooks.register(_leniency.corrections_in_force)
    _checks_leniency.table_hooks.register(_leniency.corrections_table)


_register_leniency()
