"""The list rules as plain functions: which records put a subject on which list, from when and
until when, and whether an entry is in force on a day. No database here.

A record carries its category, severity and facts, not the behaviour behind it, so the
behaviour list is read as rules on (category, severity, facts). A behaviour that says by which
facts its records are told apart (``when``: the 罪名 of a conviction, the ground of a listing)
lists the records of its pair whose facts meet them. For the behaviours that say nothing of
facts, a pair lists a subject only when *every* one of them does so, the same way (by rule or
by the record itself) — where they disagree the record alone cannot say which one it is, and
nobody is listed on a guess (a body decides instead, with a document number). Where they agree
on the list but not on the period, the longest period applies, bounded by the record's own
display period. ``xinyong policy check`` refuses a listing these rules can never make
(:func:`xinyong.catalog.rules.check_reachable`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from xinyong.catalog.schemas import Behaviour, FactCondition, PolicySet
from xinyong.core.workdays import Deadline, add_workdays
from xinyong.records.periods import add_months


@dataclass(frozen=True)
class ListRule:
    category: str
    severity: str | None
    list_kind: str
    basis: str  # "rule" (proposed, notice first) or "record" (the record is the listing decision)
    months: int | None  # None: as long as the record is shown
    behaviours: tuple[str, ...]
    notice_workdays: int  # 0: in force at once
    conditions: tuple[FactCondition, ...] = ()  # the record's facts meet every one (a behaviour's when)


def _rule(policy: PolicySet, category: str, severity: str | None, kind: str, behaviours: list[Behaviour],
          conditions: tuple[FactCondition, ...]) -> ListRule | None:
    effects = [next((e for e in b.lists if e.list == kind), None) for b in behaviours]
    if any(e is None for e in effects):
        return None
    bys = {e.by for e in effects}
    if len(bys) != 1 or bys <= {"decision"}:
        return None
    months = None if any(e.months is None for e in effects) else max(e.months for e in effects)
    spec = policy.behaviours.list_kind(kind)
    basis = bys.pop()
    notice = spec.notice_workdays if (spec and spec.notice and basis == "rule") else 0
    return ListRule(category, severity, kind, basis, months, tuple(b.code for b in behaviours), notice, conditions)


def list_rules(policy: PolicySet) -> list[ListRule]:
    """The (category, severity, facts) → list rules the behaviour list implies (see the module doc)."""
    pairs: dict[tuple[str, str | None], list[Behaviour]] = {}
    for b in policy.behaviours.behaviours:
        pairs.setdefault((b.category, b.severity), []).append(b)
    out: list[ListRule] = []
    for (category, severity), behaviours in pairs.items():
        plain = [b for b in behaviours if not b.when]
        kinds = {e.list for b in plain for e in b.lists if e.by in ("rule", "record")}
        for kind in sorted(kinds):
            if (rule := _rule(policy, category, severity, kind, plain, ())) is not None:
                out.append(rule)
        for b in behaviours:
            if not b.when:
                continue
            for kind in sorted({e.list for e in b.lists if e.by in ("rule", "record")}):
                if (rule := _rule(policy, category, severity, kind, [b], tuple(b.when))) is not None:
                    out.append(rule)
    return out


def listed_until(decision_date: date, months: int | None, display_until: date | None) -> date | None:
    """The last day on the list: ``months`` after the decision, never past the record's display
    period (a listing by rule or by the record rests on the record being shown)."""
    ends = [d for d in (add_months(decision_date, months) if months else None, display_until) if d]
    return min(ends) if ends else None


def decision_until(listed_from: date, months: int | None, until: date | None) -> date | None:
    """A decision's period: an explicit last day, or ``months`` from the listing, or none."""
    if until is not None:
        return until
    return add_months(listed_from, months) if months else None


def notice_ends(notified_on: date, workdays: int) -> Deadline:
    """The day a proposed listing may take effect: ``workdays`` working days after the notice."""
    return add_workdays(notified_on, workdays) if workdays else Deadline(notified_on, False)


def in_force(status: str, effective_from: date, until: date | None, on: date) -> bool:
    """Whether an entry counts on ``on`` (checks, published lists)."""
    return status == "active" and effective_from <= on and (until is None or until >= on)


def removal_reason(record_status: str, record_display_until: date, basis: str, until: date | None, on: date) -> str | None:
    """Why an entry leaves its list on ``on``, or None: its own period ended, or the record it
    rests on was revoked, repaired, or (for a listing by rule or by the record) stopped being
    shown. Checked in this order, so the reason named is the first that applies."""
    if record_status == "revoked":
        return "revoked"
    if record_status == "repaired":
        return "repair"
    if until is not None and until < on:
        return "period_end"
    if basis != "decision" and record_display_until < on:
        return "expired"
    return None
