"""The check rules as plain functions: which measures a subject's facts trigger, whether a person
answered for a body when its act happened, and which outcome a check suggests. No database here; the service
gathers the facts, and the batch SQL (:mod:`xinyong.checks.matching`) states the same rules
set-based (a test holds the two to the same answers).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from xinyong.catalog.schemas import (
    Category,
    Measure,
    Outcomes,
    PolicySet,
    Scenario,
    Trigger,
    TriggerPeriod,
)
from xinyong.records.periods import add_months, meets


@dataclass(frozen=True)
class RecordFact:
    id: int
    category: str
    severity: str | None
    polarity: str
    decision_date: date
    shown: bool  # inside its display period and live (records.service.displayed)
    revoked: bool = False
    facts: dict = field(default_factory=dict, hash=False, compare=False)  # as stored (masked)
    display_until: date | None = field(default=None, compare=False)  # (a shortened measure reads it)


@dataclass(frozen=True)
class ListFact:
    id: int
    list_kind: str


@dataclass
class Facts:
    """What is known of one subject on the day of the check."""

    subject_id: int
    kind: str
    records: list[RecordFact] = field(default_factory=list)  # shown ones, and bad ones of recent years
    lists: list[ListFact] = field(default_factory=list)  # entries in force
    grade: str | None = None


@dataclass(frozen=True)
class Source:
    via: str  # record / list / grade / clean_years
    source_id: int | None


def severities_at_least(policy: PolicySet, minimum: str | None) -> set[str] | None:
    """The severity codes at or above ``minimum`` (None: any severity, or none)."""
    if minimum is None:
        return None
    floor = policy.severity(minimum)
    rank = floor.rank if floor else 0
    return {s.code for s in policy.catalog.severities if s.rank >= rank}


def clean_since(on: date, years: int) -> date:
    """The first day of the ``years`` before ``on``: a bad record decided on or after it breaks
    the streak."""
    return add_months(on, -12 * years)


def _day(value) -> date | None:
    return date.fromisoformat(str(value)[:10]) if value else None


def still_running(start: date, months: int, on: date) -> bool:
    """Whether a span of ``months`` from ``start`` still runs on ``on`` — stated as the batch SQL
    states it (``start >= on - months``), so both give the same answer on month ends."""
    return start >= add_months(on, -months)


def in_period(period: TriggerPeriod, r: RecordFact, on: date) -> bool:
    """Whether record ``r`` still keeps a measure in force on ``on`` by the trigger's period,
    computed from the record's own facts (the sanction's kind, the sentence's end)."""
    for alt in period.instead:
        day = _day(r.facts.get(alt.fact))
        if day is not None:
            return still_running(day, alt.months, on)
    if period.needs_from_fact and not r.facts.get(period.from_fact):
        return False
    until = _day(r.facts.get(period.until_fact)) if period.until_fact else None
    if until is not None:
        return until >= on
    start = (_day(r.facts.get(period.from_fact)) if period.from_fact else None) or r.decision_date
    if period.months_by_fact:
        value = str(r.facts.get(period.months_by_fact) or "")
        if value not in period.months_by:
            return False
        months = period.months_by[value]
        return months is None or still_running(start, months, on)
    if period.months is not None:
        return still_running(start, period.months, on)
    return True


def record_meets(trigger: Trigger, r: RecordFact, policy: PolicySet, on: date, allowed: set[str] | None) -> bool:
    """Whether one record meets a record trigger: shown, of its category and severity, with facts
    that meet ``where``, and inside the trigger's period."""
    if not (r.shown and r.category == trigger.category and (allowed is None or r.severity in allowed)):
        return False
    if trigger.where and not meets(trigger.where, r.facts, policy.catalog.condition_values):
        return False
    period = trigger.fact_period()
    return period is None or in_period(period, r, on)


def trigger_sources(trigger: Trigger, facts: Facts, policy: PolicySet, on: date) -> list[Source]:
    """What in ``facts`` meets ``trigger`` (empty: it is not met)."""
    if trigger.kind == "record":
        allowed = severities_at_least(policy, trigger.min_severity)
        return [Source("record", r.id) for r in facts.records if record_meets(trigger, r, policy, on, allowed)]
    if trigger.kind == "list":
        return [Source("list", e.id) for e in facts.lists if e.list_kind == trigger.list]
    if trigger.kind == "grade":
        return [Source("grade", None)] if facts.grade is not None and facts.grade == trigger.grade else []
    if trigger.kind == "clean_years":
        assert trigger.years is not None
        since = clean_since(on, trigger.years)
        allowed = severities_at_least(policy, trigger.min_severity)
        bad = [r for r in facts.records if r.polarity == "dishonest" and not r.revoked and r.decision_date >= since
               and (allowed is None or r.severity in allowed)]
        return [] if bad else [Source("clean_years", None)]
    raise ValueError(trigger.kind)


def measure_sources(measure: Measure, facts: Facts, policy: PolicySet, on: date) -> list[Source]:
    """Everything that makes ``measure`` apply to the subject of ``facts`` (any trigger)."""
    if facts.kind not in measure.subject_kinds:
        return []
    out: list[Source] = []
    for trigger in measure.triggers:
        for s in trigger_sources(trigger, facts, policy, on):
            if s not in out:
                out.append(s)
    return out


def _as_date(value) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and len(value) >= 10:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def act_span(category: Category | None, decision_date: date, facts: dict | None) -> tuple[date, date]:
    """(first day, last day) of the act a record describes: the category's ``act_date_fact``
    (and ``act_until_fact`` for an act that lasted) where the record carries it, else the
    decision date. Who answered for the body then is who a measure reaches."""
    facts = facts or {}
    start = _as_date(facts.get(category.act_date_fact)) if category and category.act_date_fact else None
    start = start or decision_date
    until = _as_date(facts.get(category.act_until_fact)) if category and category.act_until_fact else None
    return start, max(start, until) if until else start


def held_during(periods: list[tuple[date, date | None]], start: date, until: date) -> bool:
    """Whether any of the periods a person held a role (end None: still holds it) meets the
    days ``start`` … ``until``."""
    return any(p_start <= until and (p_end is None or p_end >= start) for p_start, p_end in periods)


def scenario_measures(policy: PolicySet, scenario: Scenario) -> list[Measure]:
    by_code = {m.code: m for m in policy.measures.measures}
    return [by_code[c] for c in scenario.measures if c in by_code]


@dataclass(frozen=True)
class Flags:
    """A check's hits reduced to what the outcome depends on."""

    possible: bool = False  # matched on name + region + birth date only
    invalid: bool = False  # the code given fails its check digit
    mandatory: bool = False  # a mandatory punishment applies
    punish: bool = False  # any punishment applies
    reward: bool = False  # a reward applies


def choose_outcome(outcomes: Outcomes, flags: Flags) -> tuple[str, str]:
    """(kind, words) — the suggested outcome in the scenario's own words. A possible match is
    never punished automatically: it is flagged for a person to verify, whatever it hit."""
    if flags.invalid:
        return "invalid", "代码校验未通过，请核实"
    if flags.possible:
        return "possible", outcomes.possible_match
    if flags.mandatory:
        return "mandatory", outcomes.mandatory_hit
    if flags.punish:
        return "reference", outcomes.reference_hit
    if flags.reward:
        return "reward", outcomes.reward or outcomes.clean
    return "clean", outcomes.clean


OUTCOME_ORDER = ("invalid", "possible", "mandatory", "reference", "reward", "clean")
