"""The office's queue and its counts, one definition for every redress case (objections, repairs):
both kinds carry ``status``, ``accept_due`` and ``decide_due`` and a rules module that names its
statuses, its open ones and those that wait for a decision, so the ordering (overdue first, then
by the date the next step is due, finished cases last) and the overdue count are written once.

The overdue count is one SQL statement: a case is overdue when it waits for acceptance past
``accept_due`` or waits for a decision past ``decide_due`` — the same rule as the rules
modules' ``current_due``, which the per-case views use."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from types import ModuleType

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from xinyong.core.errors import InvalidInput


def queue(session: Session, model, rules: ModuleType, cond, *, status: str | None, day: date, limit: int,
          what: str, due_of: Callable | None = None) -> list:
    """The cases under ``cond`` (``status``, ``"open"`` or all; ``what`` names the kind in the
    error for an unknown status): overdue first, then by the date the next step is due, the
    finished ones last (newest first). ``due_of(case, day)`` gives a case's
    :class:`~xinyong.redress.rules.Due` where its deadlines are not ``accept_due`` and
    ``decide_due`` (complaints: ``reply_due``)."""
    q = select(model)
    if cond is not None:
        q = q.where(cond)
    if status == "open":
        q = q.where(model.status.in_(rules.OPEN_STATUSES))
    elif status:
        if status not in rules.STATUSES:
            raise InvalidInput(f"未知的{what}状态“{status}”", f"unknown status {status!r}", field="status")
        q = q.where(model.status == status)
    cases = list(session.scalars(q.order_by(model.id.desc()).limit(limit)))
    due: Callable = due_of or (lambda c, d: rules.current_due(c.status, c.accept_due, c.decide_due, d))

    def order(c):
        d = due(c, day)
        if d.due is None:
            return (2, 0, -c.id)
        return (0 if d.overdue else 1, d.due.toordinal(), c.id)

    return sorted(cases, key=order)


def overdue_clause(model, rules: ModuleType, day: date):
    """SQL: the case waits for a step whose deadline has passed (``current_due(...).overdue``)."""
    return or_(and_(model.status == "filed", model.accept_due < day),
               and_(model.status.in_(rules.DECIDING_STATUSES), model.decide_due.is_not(None), model.decide_due < day))


def counts(session: Session, model, rules: ModuleType, cond, day: date, *, overdue=None) -> dict[str, int]:
    """Cases by status under ``cond``, plus ``open`` and ``overdue``: two grouped statements.
    ``overdue``: the SQL of an overdue case where it is not :func:`overdue_clause`'s."""
    q = select(model.status, func.count()).group_by(model.status)
    late = select(func.count()).select_from(model).where(overdue if overdue is not None
                                                         else overdue_clause(model, rules, day))
    if cond is not None:
        q, late = q.where(cond), late.where(cond)
    out = {s: 0 for s in rules.STATUSES}
    out.update({s: n for s, n in session.execute(q)})
    out["overdue"] = session.scalar(late) or 0
    out["open"] = sum(out[s] for s in rules.OPEN_STATUSES)
    return out


def due_on_clause(model, rules: ModuleType, day: date):
    """SQL: the case's next step is due exactly on ``day``."""
    return or_(and_(model.status == "filed", model.accept_due == day),
               and_(model.status.in_(rules.DECIDING_STATUSES), model.decide_due == day))


def daily(session: Session, model, rules: ModuleType, day: date, *, overdue=None, due_on=None) -> dict:
    """What the daily run reports of one kind of case: those past their deadline (the first 100
    ids) and those due today. Deadlines are computed, never stored as a flag, so nothing
    changes and a second run gives the same answer. ``overdue`` and ``due_on``: the SQL where a
    kind's deadlines are not :func:`overdue_clause`'s and :func:`due_on_clause`'s."""
    late = overdue if overdue is not None else overdue_clause(model, rules, day)
    today_ = due_on if due_on is not None else due_on_clause(model, rules, day)
    overdue = list(session.scalars(select(model.id).where(late).order_by(model.id)))
    due_today = session.scalar(select(func.count()).select_from(model).where(today_)) or 0
    return {"changed": 0, "overdue": len(overdue), "due_today": due_today, "overdue_ids": overdue[:100]}
