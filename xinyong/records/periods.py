"""公示期 and 保存期: when a record stops being shown, and when it leaves the archive.

Pure functions over the catalog's period rules, so a test can check them without a database.
A display period runs from the decision date to ``max_months`` later (publication stops by
itself at the maximum) or to a date fact (a licence shown while valid); ``min_months`` gives the
earliest end a repair may bring. Retention counts ``years`` from the decision, or from a date fact
such as the end of a custodial sentence.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from xinyong.catalog.schemas import Category


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


def compute(category: Category, severity: str | None, decision_date: date, facts: dict) -> Periods:
    rule = category.display_period[severity or "default"]
    if rule.until_fact and facts.get(rule.until_fact):
        display_until = date.fromisoformat(facts[rule.until_fact])
        if rule.max_months is not None:
            display_until = min(display_until, add_months(decision_date, rule.max_months))
    else:
        display_until = add_months(decision_date, rule.max_months or 0)
    repair_from = add_months(decision_date, rule.min_months) if category.repairable else None
    start = decision_date
    if category.retention.from_fact and facts.get(category.retention.from_fact):
        start = max(start, date.fromisoformat(facts[category.retention.from_fact]))
    retention_until = add_months(start, 12 * category.retention.years)
    retention_until = max(retention_until, display_until)
    return Periods(display_until, repair_from, retention_until)
