"""The check rules as plain functions: which measures a subject's facts trigger, whether a person
answered for a body when its act happened, and which outcome a check suggests. No database here; the service
gathers the facts, and the batch SQL (:mod:`xinyong.checks.matching`) states the same rules
set-based (a test holds the two to the same answers).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from xinyong.catalog.schemas import Category, Measure, Outcomes, PolicySet, Scenario, Trigger
from xinyong.records.periods import add_months


@dataclass(frozen=True)
class RecordFact:
    id: int
    category: str
    severity: str | None
    polarity: str
    decision_date: date
    shown: bool  # inside its display period and live (records.service.displayed)
    revoked: bool = False


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


def trigger_sources(trigger: Trigger, facts: Facts, policy: PolicySet, on: date) -> list[Source]:
    """What in ``facts`` meets ``trigger`` (empty: it is not met)."""
    if trigger.kind == "record":
        allowed = severities_at_least(policy, trigger.min_severity)
        return [Source("record", r.id) for r in facts.records
                if r.shown and r.category == trigger.category and (allowed is None or r.severity in allowed)]
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
