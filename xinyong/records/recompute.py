"""Recompute stored display periods (公示期), repair dates and retention after a policy change.

A record's periods are computed once, when it is written (:mod:`xinyong.records.periods`), and
stored on the row, so that "shown on a day" stays one indexed comparison. When the credit office
activates a policy whose periods differ (a criminal record now counted from the sentence's end,
a listing honouring the court's 失信期限届满日期), the records already stored keep the old ones
until they are recomputed: that is this module.

It is set-based: one statement per category and severity finds the rows whose stored periods
differ from the active policy's, one copies them into ``record_versions`` (a change never
overwrites), one updates them, whatever the number of records. The period rule is the one
:func:`xinyong.records.periods.compute` applies, translated to SQL for both databases; the
tests hold the two to the same dates on generated records, month ends and leap days included.

Why the month arithmetic is written out here: PostgreSQL's ``date + interval 'n months'`` clamps
the 31st to a shorter month's last day as :func:`~xinyong.records.periods.add_months` does, but
SQLite's ``date(d, '+n months')`` overflows into the next month (01-31 + 1 month = 03-03). On
SQLite the month is therefore counted from the first of the month and the day clamped to the
target month's last day.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import (
    Date,
    Integer,
    String,
    and_,
    case,
    cast,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from xinyong.audit.service import log_event
from xinyong.catalog import service as catalog_service
from xinyong.catalog.schemas import Category, FactCondition, Period
from xinyong.core.db import utcnow
from xinyong.records.models import VERSIONED_COLUMNS, Record, RecordVersion
from xinyong.records.periods import OPEN_END

SAMPLE = 5  # records shown per category and severity in a dry run


@dataclass
class GroupResult:
    """One category and severity: how many records it holds and how many have other periods."""

    category: str
    category_name: str
    severity: str
    records: int
    changed: int
    samples: list[dict] = field(default_factory=list)  # record id, stored and new periods


@dataclass
class RecomputeResult:
    policy_version_id: int
    dry_run: bool
    groups: list[GroupResult]
    unknown_categories: dict[str, int]  # "category/severity" → records the active policy has no period for

    @property
    def records(self) -> int:
        return sum(g.records for g in self.groups)

    @property
    def changed(self) -> int:
        return sum(g.changed for g in self.groups)

    def summary(self) -> dict:
        return {
            "policy_version_id": self.policy_version_id, "dry_run": self.dry_run,
            "records": self.records, "changed": self.changed,
            "by_category": {f"{g.category}/{g.severity}": g.changed for g in self.groups if g.changed},
            "unknown_categories": self.unknown_categories,
        }


class _SQL:
    """The few date operations the period rule needs, for the dialect at hand."""

    def __init__(self, dialect: str):
        self.pg = dialect == "postgresql"

    def fact_text(self, key: str) -> ColumnElement:
        """The fact's first ten characters, NULL when missing or empty (``_fact_day``)."""
        return func.nullif(func.substr(Record.facts[key].as_string(), 1, 10), "")

    def fact_day(self, key: str) -> ColumnElement:
        raw = self.fact_text(key)
        return cast(raw, Date) if self.pg else func.date(raw)

    def add_months(self, day: ColumnElement, months: int) -> ColumnElement:
        if months == 0:
            return day
        if self.pg:
            return cast(day + func.make_interval(0, months), Date)
        first = func.date(day, "start of month", f"{months:+d} months")
        last = func.date(day, "start of month", f"{months + 1:+d} months", "-1 day")
        offset = cast(cast(func.strftime("%d", day), Integer) - 1, String)
        same_day = func.date(first, "+" + offset + " days")
        return func.min(same_day, last)

    def least(self, a: ColumnElement, b: ColumnElement) -> ColumnElement:
        """The earlier of two dates, neither of them NULL."""
        return func.least(a, b) if self.pg else func.min(a, b)

    def greatest(self, a: ColumnElement, b: ColumnElement) -> ColumnElement:
        return func.greatest(a, b) if self.pg else func.max(a, b)

    def day(self, value: date) -> ColumnElement:
        return literal(value, Date)


@dataclass(frozen=True)
class _Expressions:
    display_until: ColumnElement
    repair_from: ColumnElement
    retention_until: ColumnElement


def _meets(sql: _SQL, conditions: list[FactCondition], accepted: Callable[[FactCondition], frozenset[str]]):
    """SQL for :func:`xinyong.records.periods.meets`: every condition's fact among its values
    (a missing fact reads as the empty text, as there)."""
    return and_(*(func.coalesce(Record.facts[c.fact].as_string(), "").in_(sorted(accepted(c)))
                  for c in conditions))


def expressions(sql: _SQL, category: Category, rule: Period,
                accepted: Callable[[FactCondition], frozenset[str]]) -> _Expressions:
    """The period rule of :func:`xinyong.records.periods.compute`, as SQL over ``records``."""
    decided = Record.decision_date
    start = decided
    if rule.from_fact:
        start = func.coalesce(sql.greatest(decided, sql.fact_day(rule.from_fact)), decided)
    by_term = sql.add_months(start, rule.max_months or 0)
    if rule.open_when:
        by_term = case((_meets(sql, rule.open_when, accepted), sql.day(OPEN_END)), else_=by_term)
    display = by_term
    if rule.until_fact:
        until = sql.fact_day(rule.until_fact)
        cap = rule.fact_max_months if rule.fact_max_months is not None else rule.max_months
        capped = until if cap is None else sql.least(until, sql.add_months(decided, cap))
        display = case((until.is_not(None), capped), else_=by_term)
    if rule.ended_by:
        ended = sql.fact_day(rule.ended_by)
        display = case((and_(ended.is_not(None), ended < display), ended), else_=display)
    repair = sql.add_months(decided, rule.min_months) if category.repairable else literal(None, Date)
    kept_from = decided
    if category.retention.from_fact:
        kept_from = func.coalesce(sql.greatest(decided, sql.fact_day(category.retention.from_fact)), decided)
    retention = sql.greatest(sql.add_months(kept_from, 12 * category.retention.years), display)
    return _Expressions(display, repair, retention)


def _of_severity(key: str) -> ColumnElement:
    # compute() reads ``severity or "default"``: a category without severities stores none
    if key == "default":
        return or_(Record.severity.is_(None), Record.severity.in_(["", "default"]))
    return Record.severity == key


def recompute(session: Session, *, dry_run: bool = False, by: str = "system",
              categories: list[str] | None = None, at: datetime | None = None) -> RecomputeResult:
    """Bring every stored record's periods in line with the active policy (or, with
    ``dry_run``, only say which would change). Each changed record gets a version (its state
    before) and names the active policy version. One audit entry says what changed. The caller
    commits; with ``dry_run`` nothing is written."""
    vid, policy = catalog_service.active_version(session)
    sql = _SQL(session.get_bind().dialect.name)
    accepted = policy.catalog.condition_values
    now = at or utcnow()
    wanted = set(categories or ())
    known = {c.code for c in policy.catalog.categories}
    if unknown_asked := wanted - known:
        raise ValueError(f"unknown categories: {sorted(unknown_asked)}")
    # how many records each category and severity holds: one grouped read, no facts looked at
    held: dict[tuple[str, str], int] = {}
    for code, severity, n in session.execute(
            select(Record.category_code, Record.severity, func.count())
            .group_by(Record.category_code, Record.severity)):
        key = (code, severity if severity not in (None, "") else "default")
        held[key] = held.get(key, 0) + n
    groups: list[GroupResult] = []
    for category in policy.catalog.categories:
        if wanted and category.code not in wanted:
            continue
        for key, rule in category.display_period.items():
            total = held.pop((category.code, key), 0)
            group = GroupResult(category.code, category.name, key, total, 0)
            groups.append(group)
            if not total:
                continue
            e = expressions(sql, category, rule, accepted)
            of_group = and_(Record.category_code == category.code, _of_severity(key))
            differs = or_(Record.display_until != e.display_until,
                          Record.repair_from.is_distinct_from(e.repair_from),
                          Record.retention_until != e.retention_until)
            if dry_run:
                group.changed = session.scalar(select(func.count()).where(of_group, differs))
                rows = session.execute(
                    select(Record.id, Record.display_until, e.display_until, Record.repair_from, e.repair_from,
                           Record.retention_until, e.retention_until)
                    .where(of_group, differs).order_by(Record.id).limit(SAMPLE)) if group.changed else []
                group.samples = [
                    {"record_id": r[0], "display_until": (_day(r[1]), _day(r[2])),
                     "repair_from": (_day(r[3]), _day(r[4])), "retention_until": (_day(r[5]), _day(r[6]))}
                    for r in rows]
                continue
            # the state before, as every change keeps it (records.revise does one row the same way);
            # the rows it copies are the rows that change, so its count is the group's
            kept = [getattr(Record, c) for c in VERSIONED_COLUMNS]
            # (counted from RETURNING: a driver need not give an INSERT … SELECT's row count)
            group.changed = len(session.execute(insert(RecordVersion).from_select(
                ["record_id", "version", *VERSIONED_COLUMNS, "valid_from", "superseded_at"],
                select(Record.id, Record.version, *kept, Record.changed_at, literal(now))
                .where(of_group, differs)).returning(RecordVersion.record_id)).all())
            if group.changed:
                session.execute(
                    update(Record).where(of_group, differs).values(
                        display_until=e.display_until, repair_from=e.repair_from, retention_until=e.retention_until,
                        version=Record.version + 1, policy_version_id=vid, changed_by=by[:100], changed_at=now)
                    .execution_options(synchronize_session=False))
    # records no group above looked at: a category the policy no longer has, or a severity its
    # category no longer has; they keep their periods and are named in the result
    unknown = {} if wanted else {f"{code}/{sev}": n for (code, sev), n in sorted(held.items())}
    result = RecomputeResult(vid, dry_run, groups, unknown)
    if not dry_run:
        log_event(session, who=by, action="recompute", entity="records", after=result.summary())
        session.flush()
    return result


def _day(value) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, date) else str(value)[:10]
