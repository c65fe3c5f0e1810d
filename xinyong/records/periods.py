"""公示期 and 保存期: when a record stops being shown, and when it leaves the archive.

Pure functions over the catalog's period rules, so a test can check them without a database.
A display period runs from the decision date to ``max_months`` later (publication stops by
itself at the maximum) or to a date fact (a licence shown while valid, a listing's 失信期限届满日期);
``min_months`` gives the earliest end a repair may bring. The months may count from a date fact
instead of the decision (条例第十六条: a custodial sentence's end). A record whose facts meet the
period's ``open_when`` has no fixed end: it is shown until a date fact ends it (a court's
removal), and until then its end is :data:`OPEN_END`. Retention counts ``years`` from the
decision, or from a date fact such as the end of a custodial sentence.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from xinyong.catalog.schemas import Category, FactCondition

# The end of a period that has none (until removed): the largest date both databases store, so
# that "shown on a day" stays one comparison and an open-ended record sorts after every other.
OPEN_END = date.max  # 9999-12-31; pages show it as 长期


def add_months(day: date, months: int) -> date:
    """Calendar months later; the 31st becomes the last day of a shorter month."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Periods:
    display_until: date
    repair_from: date | None
    retention_until: date


def meets(conditions: list[FactCondition], facts: dict, accepted) -> bool:
    """Whether ``facts`` meet every condition; ``accepted(cond)`` gives a condition's values."""
    return all(str(facts.get(c.fact) or "") in accepted(c) for c in conditions)


def _fact_day(facts: dict, key: str | None) -> date | None:
    value = facts.get(key) if key else None
    return date.fromisoformat(str(value)[:10]) if value else None


def compute(category: Category, severity: str | None, decision_date: date, facts: dict,
            accepted=None) -> Periods:
    """The record's periods. ``accepted`` resolves a condition to its values (the catalog's
    :meth:`~xinyong.catalog.schemas.DataCatalog.condition_values`; plain ``values`` without it)."""
    rule = category.display_period[severity or "default"]
    accepted = accepted or (lambda c: frozenset(c.values))
    start = max(decision_date, _fact_day(facts, rule.from_fact) or decision_date)
    until = _fact_day(facts, rule.until_fact)
    if until is not None:  # the reporting body's own end (失信期限届满日期) comes first
        display_until = until
        cap = rule.fact_max_months if rule.fact_max_months is not None else rule.max_months
        if cap is not None:
            display_until = min(display_until, add_months(decision_date, cap))
    elif rule.open_when and meets(rule.open_when, facts, accepted):
        display_until = OPEN_END
    else:
        display_until = add_months(start, rule.max_months or 0)
    ended = _fact_day(facts, rule.ended_by)
    if ended is not None:
        display_until = min(display_until, ended)
    repair_from = add_months(decision_date, rule.min_months) if category.repairable else None
    start = decision_date
    if category.retention.from_fact and facts.get(category.retention.from_fact):
        start = max(start, date.fromisoformat(facts[category.retention.from_fact]))
    retention_until = add_months(start, 12 * category.retention.years)
    retention_until = max(retention_until, display_until)
    return Periods(display_until, repair_from, retention_until)
