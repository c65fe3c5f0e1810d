"""Who answers for a body, and when: the persons a measure on a body or an enterprise reaches.

A measure that reaches the legal representative, the principal or the financial head (条例
第二十七条; 若干规定第三条; 温 二(二)3) reaches the person the body *registered* in that role —
a :class:`~xinyong.subjects.models.Designation` — never one whose post title happens to contain a
word (a court's 书记员 is no 书记). And it reaches the one who held the role on the day of the act
the record describes (the category's ``act_date_fact``, else the decision date; for a list entry,
the day it took effect), not on the day of the check: a principal who took the post after the
breach is not punished for it, the one who held it is (项目责任回溯, 76号 五(二)). A role the
policy leaves to a person (``manual``), or a body with no designation covering the day, is named
with "请人工核实" rather than guessed.

The single check uses these functions; :mod:`xinyong.checks.matching` states the same rule
set-based for batches (a test holds the two to the same answers).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.catalog.schemas import PolicySet
from xinyong.checks import rules
from xinyong.records.models import Record
from xinyong.subjects import schemas as shown
from xinyong.subjects.models import NATURAL_KINDS, Designation, Subject

Period = tuple[date, date | None]
Span = tuple[date, date]


@dataclass
class Reached:
    """A person a measure on a body reaches (checking the body lists them)."""

    role: str
    role_name: str
    name: str  # masked
    code: str  # masked
    measures: list[str]


@dataclass
class Answers:
    """What a natural person answers for: every (body, role) it was designated to, and the
    periods it held each."""

    bodies: list[tuple[Subject, str]] = field(default_factory=list)
    periods: dict[tuple[int, str], list[Period]] = field(default_factory=dict)


def designation_roles(policy: PolicySet, roles: Iterable[str]) -> dict[str, str]:
    """designation role → the policy's role, for the ``roles`` a designation decides."""
    wanted = set(roles)
    return {r.decided_by: r.role for r in policy.measures.responsible if r.role in wanted and r.decided_by}


def answers_for(session: Session, policy: PolicySet, subject: Subject, roles: set[str]) -> Answers:
    """Every body a natural person was designated to answer for, in a role the measures reach,
    with the periods — whatever the day (the record's act decides which period counts). One
    query, none when no reached role is decided by a designation."""
    out = Answers()
    if subject.kind not in NATURAL_KINDS:
        return out
    by_designation = designation_roles(policy, roles)
    if not by_designation:
        return out
    q = (select(Designation.role, Designation.start_date, Designation.end_date, Subject)
         .join(Subject, Subject.id == Designation.body_id)
         .where(Designation.person_id == subject.id, Designation.role.in_(sorted(by_designation)))
         .order_by(Designation.start_date, Designation.id))
    for d_role, start, end, body in session.execute(q):
        role = by_designation[d_role]
        key = (body.id, role)
        if key not in out.periods:
            out.periods[key] = []
            out.bodies.append((body, role))
        out.periods[key].append((start, end))
    return out


def record_spans(session: Session, policy: PolicySet, records: Mapping[int, object]) -> dict[int, Span]:
    """The act span (:func:`rules.act_span`) of each record, by id. ``records`` are rows with
    ``category_code`` and ``decision_date`` (and ``facts`` where loaded); the facts of the few
    records whose category dates its act by a fact are read in one query when not loaded."""
    out: dict[int, Span] = {}
    need: list[int] = []
    for rid, r in records.items():
        cat = policy.category(r.category_code)
        if cat is not None and cat.act_date_fact:
            facts = getattr(r, "facts", None)
            if facts is None:
                need.append(rid)
                continue
            out[rid] = rules.act_span(cat, r.decision_date, facts)
        else:
            out[rid] = (r.decision_date, r.decision_date)
    if need:
        for rid, facts in session.execute(select(Record.id, Record.facts).where(Record.id.in_(need))):
            r = records[rid]
            out[rid] = rules.act_span(policy.category(r.category_code), r.decision_date, facts)
    return out


def source_span(via: str, source_id: int | None, spans: Mapping[int, Span], entry_days: Mapping[int, date],
                on: date) -> Span:
    """The days a hit's source speaks of: a record's act, the day a list entry took effect; a
    grade or a clean record speaks of the day of the check."""
    if via == "record" and source_id in spans:
        return spans[source_id]
    if via == "list" and source_id in entry_days:
        day = entry_days[source_id]
        return day, day
    return on, on


def answered_then(answers: Answers, target_id: int, role: str, span: Span) -> bool:
    """Whether the person held ``role`` for the body at some time during ``span``."""
    return rules.held_during(answers.periods.get((target_id, role), []), *span)


def reached(session: Session, policy: PolicySet, body: Subject, hits: list, spans: Mapping[int, Span],
            entry_days: Mapping[int, date], on: date) -> list[Reached]:
    """Whom the measures on ``body`` reach: for each hit, the persons designated in each role it
    reaches on the day of its act; a role the policy leaves to a person, or one with nobody
    designated for a hit's day, is named with 请人工核实. One query (the body's designations)."""
    reaching: dict[str, list[tuple[str, Span]]] = defaultdict(list)
    for h in hits:
        if h.target.id == body.id and h.role is None:
            span = source_span(h.via, h.source_id, spans, entry_days, on)
            for role in h.measure.reaches:
                reaching[role].append((h.measure.name, span))
    if not reaching:
        return []
    by_designation = designation_roles(policy, reaching)
    held: dict[str, list[tuple[Subject, Period]]] = defaultdict(list)
    if by_designation:
        q = (select(Designation.role, Designation.start_date, Designation.end_date, Subject)
             .join(Subject, Subject.id == Designation.person_id)
             .where(Designation.body_id == body.id, Designation.role.in_(sorted(by_designation)))
             .order_by(Designation.start_date, Designation.id))
        for d_role, start, end, person in session.execute(q):
            held[by_designation[d_role]].append((person, (start, end)))
    out: list[Reached] = []
    for rule in policy.measures.responsible:
        wanted = reaching.get(rule.role)
        if not wanted:
            continue
        names = _unique(m for m, _ in wanted)
        if rule.decided_by is None:
            out.append(Reached(rule.role, rule.name, "—", rule.note or "请人工核实", names))
            continue
        persons: dict[int, tuple[Subject, list[str]]] = {}
        missing: list[str] = []
        for measure, span in wanted:
            who = [p for p, period in held[rule.role] if rules.held_during([period], *span)]
            if not who:
                missing.append(measure)
            for p in who:
                persons.setdefault(p.id, (p, []))[1].append(measure)
        for person, measures in persons.values():
            out.append(Reached(rule.role, rule.name, shown.subject_name(person), shown.subject_code(person),
                               _unique(measures)))
        if missing:
            out.append(Reached(rule.role, rule.name, "—", f"未登记行为发生时的{rule.name}，请人工核实",
                               _unique(missing)))
    return out


def _unique(items: Iterable[str]) -> list[str]:
    out: list[str] = []
    for x in items:
        if x not in out:
            out.append(x)
    return out


__all__ = ["Answers", "Reached", "answered_then", "answers_for", "designation_roles", "reached", "record_spans",
           "source_span"]
