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

The directly responsible persons (直接责任人员) are those the decision that made a record names
(``record_fact``: a ``ric_list`` fact, indexed in ``record_persons``): a person so named is reached
for that record only.

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
from xinyong.records.models import Record, RecordPerson
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
    """What a natural person answers for: every (body, role) it was designated to, with the
    periods it held each; and every (subject, role) whose records' decisions name it, with those
    records."""

    bodies: list[tuple[Subject, str]] = field(default_factory=list)
    periods: dict[tuple[int, str], list[Period]] = field(default_factory=dict)
    named: dict[tuple[int, str], set[int]] = field(default_factory=dict)

    def _add(self, body: Subject, role: str) -> tuple[int, str]:
        key = (body.id, role)
        if key not in self.periods and key not in self.named:
            self.bodies.append((body, role))
        return key


def designation_roles(policy: PolicySet, roles: Iterable[str]) -> dict[str, str]:
    """designation role → the policy's role, for the ``roles`` a designation decides."""
    wanted = set(roles)
    return {r.decided_by: r.role for r in policy.measures.responsible if r.role in wanted and r.decided_by}


def fact_roles(policy: PolicySet, roles: Iterable[str]) -> dict[str, str]:
    """record fact → the policy's role, for the ``roles`` the decision's named persons decide."""
    wanted = set(roles)
    return {r.record_fact: r.role for r in policy.measures.responsible if r.role in wanted and r.record_fact}


def answers_for(session: Session, policy: PolicySet, subject: Subject, roles: set[str]) -> Answers:
    """Every body a natural person was designated to answer for, in a role the measures reach,
    with the periods — whatever the day (the record's act decides which period counts). One
    query, none when no reached role is decided by a designation."""
    out = Answers()
    if subject.kind not in NATURAL_KINDS:
        return out
    by_designation = designation_roles(policy, roles)
    if by_designation:
        q = (select(Designation.role, Designation.start_date, Designation.end_date, Subject)
             .join(Subject, Subject.id == Designation.body_id)
             .where(Designation.person_id == subject.id, Designation.role.in_(sorted(by_designation)))
             .order_by(Designation.start_date, Designation.id))
        for d_role, start, end, body in session.execute(q):
            out.periods.setdefault(out._add(body, by_designation[d_role]), []).append((start, end))
    by_fact = fact_roles(policy, roles)
    if by_fact:
        q = (select(RecordPerson.record_id, RecordPerson.fact, Subject)
             .join(Record, Record.id == RecordPerson.record_id).join(Subject, Subject.id == Record.subject_id)
             .where(RecordPerson.person_key == subject.code, RecordPerson.fact.in_(sorted(by_fact)),
                    Record.subject_id != subject.id)
             .order_by(RecordPerson.record_id))
        for record_id, fact, body in session.execute(q):
            out.named.setdefault(out._add(body, by_fact[fact]), set()).add(record_id)
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


def answered_then(answers: Answers, target_id: int, role: str, via: str, source_id: int | None, span: Span) -> bool:
    """Whether the person answers in ``role`` for this fact of the body: a decision that names
    the person (for that record only), or a designation held at some time during ``span``."""
    if via == "record" and source_id in answers.named.get((target_id, role), ()):
        return True
    return rules.held_during(answers.periods.get((target_id, role), []), *span)


def reached(session: Session, policy: PolicySet, body: Subject, hits: list, spans: Mapping[int, Span],
            entry_days: Mapping[int, date], on: date) -> list[Reached]:
    """Whom the measures on ``body`` reach: for each hit, the persons designated in each role it
    reaches on the day of its act, and the persons its record's decision names; a role the
    policy leaves to a person, or one with nobody registered or named for a hit, is named with
    请人工核实. Two queries at most (the body's designations; the persons its hit records name)."""
    reaching: dict[str, list[tuple[str, Span, str, int | None]]] = defaultdict(list)
    for h in hits:
        if h.target.id == body.id and h.role is None:
            span = source_span(h.via, h.source_id, spans, entry_days, on)
            for role in h.measure.reaches:
                reaching[role].append((h.measure.name, span, h.via, h.source_id))
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
    by_fact = fact_roles(policy, reaching)
    named: dict[tuple[str, int], list[tuple[str, str]]] = defaultdict(list)  # (role, record) → (name, code)
    record_ids = sorted({sid for role in by_fact.values() for _m, _s, via, sid in reaching[role]
                         if via == "record" and sid is not None})
    if record_ids:
        q = (select(RecordPerson.record_id, RecordPerson.fact, RecordPerson.person_masked, Subject)
             .outerjoin(Subject, Subject.code == RecordPerson.person_key)
             .where(RecordPerson.record_id.in_(record_ids), RecordPerson.fact.in_(sorted(by_fact)))
             .order_by(RecordPerson.id))
        for record_id, fact, masked, person in session.execute(q):
            who = ((shown.subject_name(person), shown.subject_code(person)) if person is not None
                   else ("（决定书认定）", masked))
            named[(by_fact[fact], record_id)].append(who)
    out: list[Reached] = []
    for rule in policy.measures.responsible:
        wanted = reaching.get(rule.role)
        if not wanted:
            continue
        if rule.decided_by is None and rule.record_fact is None:
            out.append(Reached(rule.role, rule.name, "—", rule.note or "请人工核实", _unique(m for m, *_ in wanted)))
            continue
        persons: dict[tuple[str, str], list[str]] = {}
        missing: list[str] = []
        for measure, span, via, source_id in wanted:
            if rule.record_fact is not None:
                who = named.get((rule.role, source_id), []) if via == "record" else []
            else:
                who = [(shown.subject_name(p), shown.subject_code(p)) for p, period in held[rule.role]
                       if rules.held_during([period], *span)]
            if not who:
                missing.append(measure)
            for key in who:
                persons.setdefault(key, []).append(measure)
        for (name, code), measures in persons.items():
            out.append(Reached(rule.role, rule.name, name, code, _unique(measures)))
        if missing:
            words = (f"决定书未载明{rule.name}，请人工核实" if rule.record_fact is not None
                     else f"未登记行为发生时的{rule.name}，请人工核实")
            out.append(Reached(rule.role, rule.name, "—", words, _unique(missing)))
    return out


def _unique(items: Iterable[str]) -> list[str]:
    out: list[str] = []
    for x in items:
        if x not in out:
            out.append(x)
    return out


__all__ = ["Answers", "Reached", "answered_then", "answers_for", "designation_roles", "fact_roles", "reached",
           "record_spans", "source_span"]
