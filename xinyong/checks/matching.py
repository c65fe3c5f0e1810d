"""The batch check as one set-based query: candidates matched to subjects, the bodies they are
answers for, and every measure of the scenario that applies — for 100,000 candidates (or,
on DuckDB, 1,000,000) at once, never a loop per candidate.

This module is the ONE definition of the matching rule and of the set-based trigger rules. It
builds SQLAlchemy Core statements over the platform's tables; the database path runs them in
the database (SQLite or PostgreSQL, candidates in ``check_candidates``), and the DuckDB path
compiles the very same statements to SQL text (:func:`compile_for_duckdb`) and runs them over
the same tables exported or generated in DuckDB (``benchmarks/checks.py``). A test holds both
paths, and the single-check path (:mod:`xinyong.checks.rules` over facts), to the same answers.

The matching rule (DESIGN.md, "Matching people and organisations"):
- a row with a code matches the subject whose ``code`` is that code's lookup key — exactly;
- a row without a code is matched on name + region + birth date, and such a match is only a
  *possible* match, flagged for a person to verify and never punished automatically.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from sqlalchemy import (
    Date,
    Integer,
    String,
    and_,
    case,
    cast,
    column,
    exists,
    false,
    func,
    literal,
    null,
    or_,
    select,
    table,
    true,
    union_all,
)
from sqlalchemy.sql import ColumnElement, Select

from xinyong.catalog.schemas import Measure, Outcomes, PolicySet, Scenario, TriggerPeriod
from xinyong.checks import rules
from xinyong.lists.models import ListEntry, SubjectGrade, newest_grade
from xinyong.lists.service import in_force
from xinyong.records.models import Record, RecordPerson
from xinyong.records.periods import add_months
from xinyong.records.service import displayed
from xinyong.subjects.models import NATURAL_KINDS, Designation, Subject

# Candidate rows: the columns the match needs, whatever table holds them.
CAND_COLUMNS = ("row_no", "name", "code_key", "code_ok", "region_code", "birth_date")


def candidate_table(name: str = "cand"):
    """A lightweight table of candidates (DuckDB, tests): the columns of ``check_candidates``."""
    return table(name, *(column(c) for c in CAND_COLUMNS))


@dataclass(frozen=True)
class BatchQuery:
    matched: Select  # row_no, subject_id, kind, how
    hits: Select  # row_no, subject_id, how, target_id, role, measure_code, measure_type, mandatory, via, source_id


def _matched(cand) -> Select:
    s = Subject.__table__
    by_code = (
        select(cand.c.row_no, s.c.id.label("subject_id"), s.c.kind.label("kind"), s.c.code.label("code"),
               literal("code").label("how"))
        .select_from(cand.join(s, s.c.code == cand.c.code_key))
        .where(cand.c.code_key.is_not(None), cand.c.code_ok == true())
    )
    by_name = (
        select(cand.c.row_no, s.c.id, s.c.kind, s.c.code, literal("possible"))
        .select_from(cand.join(s, and_(s.c.name == cand.c.name, s.c.region_code == cand.c.region_code,
                                       s.c.birth_date == cand.c.birth_date)))
        .where(cand.c.code_key.is_(None), cand.c.name.is_not(None), cand.c.birth_date.is_not(None))
    )
    return union_all(by_code, by_name)


def _targets(policy: PolicySet, m, roles_needed: set[str]):
    """Each matched subject itself (role NULL); every body or enterprise it was designated to
    answer for, once per designation, with the period it held the role (``held_from`` …
    ``held_to``; NULL to: still holds it); and every subject whose record's decision names it,
    once per record (``named_record``). Whether a period or a record counts is the trigger's
    business (the day of the act, the very record): :func:`_answered`."""
    s, d, rp, r = Subject.__table__, Designation.__table__, RecordPerson.__table__, Record.__table__
    b = s.alias("b")
    parts = [select(m.c.row_no, m.c.subject_id, m.c.how, m.c.subject_id.label("target_id"),
                    m.c.kind.label("target_kind"), cast(null(), String(24)).label("role"),
                    cast(null(), Date).label("held_from"), cast(null(), Date).label("held_to"),
                    cast(null(), Integer).label("named_record"))]
    for rule in policy.measures.responsible:
        if rule.role not in roles_needed:
            continue
        if rule.decided_by is not None:
            parts.append(
                select(m.c.row_no, m.c.subject_id, m.c.how, b.c.id, b.c.kind, literal(rule.role, String(24)),
                       d.c.start_date, d.c.end_date, cast(null(), Integer))
                .select_from(m.join(d, d.c.person_id == m.c.subject_id).join(b, b.c.id == d.c.body_id))
                .where(m.c.kind.in_(NATURAL_KINDS), d.c.role == rule.decided_by)
            )
        elif rule.record_fact is not None:
            parts.append(
                select(m.c.row_no, m.c.subject_id, m.c.how, b.c.id, b.c.kind, literal(rule.role, String(24)),
                       cast(null(), Date), cast(null(), Date), rp.c.record_id)
                .select_from(m.join(rp, rp.c.person_key == m.c.code).join(r, r.c.id == rp.c.record_id)
                             .join(b, b.c.id == r.c.subject_id))
                .where(m.c.kind.in_(NATURAL_KINDS), rp.c.fact == rule.record_fact, b.c.id != m.c.subject_id)
            )
    return union_all(*parts).cte("t")


def _fact(key: str) -> ColumnElement:
    """A record's fact as text (``facts ->> key``; JSON_EXTRACT on SQLite)."""
    return Record.facts[key].as_string()


def _conditions(policy: PolicySet, conds) -> list[ColumnElement[bool]]:
    return [_fact(c.fact).in_(sorted(policy.catalog.condition_values(c))) for c in conds]


def _from(period: TriggerPeriod, months: int, on: date) -> ColumnElement[bool]:
    """The span of ``months`` from the period's start still runs on ``on`` (as
    :func:`rules.still_running` says it): the start is a date fact, or the decision date where
    the record lacks it. Dates in facts are ISO text, so text order is date order."""
    floor = add_months(on, -months)
    if not period.from_fact:
        return Record.decision_date >= floor
    start = _fact(period.from_fact)
    if period.needs_from_fact:
        return and_(start.is_not(None), start >= floor.isoformat())
    return or_(and_(start.is_not(None), start >= floor.isoformat()),
               and_(start.is_(None), Record.decision_date >= floor))


def _period(period: TriggerPeriod, on: date) -> ColumnElement[bool]:
    """:func:`rules.in_period` stated in SQL."""
    own = _own_period(period, on)
    if not period.instead:
        return own
    arms, carried = [], []
    for alt in period.instead:  # the first carried fact decides
        day = _fact(alt.fact)
        arms.append(and_(*(c.is_(None) for c in carried), day.is_not(None),
                         day >= add_months(on, -alt.months).isoformat()))
        carried.append(day)
    return or_(*arms, and_(*(c.is_(None) for c in carried), own))


def _own_period(period: TriggerPeriod, on: date) -> ColumnElement[bool]:
    """The period's own count, where the record carries none of its ``instead`` facts."""
    if period.needs_from_fact:  # a record without the date the basis counts from is not covered
        return and_(_fact(period.from_fact).is_not(None), _counted(period, on))
    return _counted(period, on)


def _counted(period: TriggerPeriod, on: date) -> ColumnElement[bool]:
    if period.months_by_fact:
        value = _fact(period.months_by_fact)
        arms = [value == v if m is None else and_(value == v, _from(period, m, on))
                for v, m in sorted(period.months_by.items())]
        by_months = or_(*arms)
    elif period.months is not None:
        by_months = _from(period, period.months, on)
    else:
        by_months = true()
    if not period.until_fact:
        return by_months
    until = _fact(period.until_fact)
    return or_(and_(until.is_not(None), until >= on.isoformat()), and_(until.is_(None), by_months))


def _iso(col) -> ColumnElement:
    """A date as ISO text, the form a record's date facts are stored in (both databases and
    DuckDB write ``CAST(date AS VARCHAR)`` as YYYY-MM-DD)."""
    return cast(col, String)


def _answered(t, start, until, record_id=None) -> ColumnElement[bool]:
    """The target is the subject itself; or the person held the role at some time during the
    days ``start`` … ``until`` (ISO text: :func:`rules.held_during` stated in SQL); or the
    decision of the very record ``record_id`` names the person
    (:func:`xinyong.checks.responsibility.answered_then`)."""
    held = and_(t.c.named_record.is_(None), _iso(t.c.held_from) <= until,
                or_(t.c.held_to.is_(None), _iso(t.c.held_to) >= start))
    named = t.c.named_record == record_id if record_id is not None else false()
    return or_(t.c.role.is_(None), held, named)


def _act_span(policy: PolicySet, measure: Measure) -> tuple[ColumnElement, ColumnElement]:
    """(first day, last day) of the act a record describes, as ISO text: :func:`rules.act_span`
    in SQL, for the categories ``measure``'s record triggers name (only those whose act is dated
    by a fact read the record's facts)."""
    decided = _iso(Record.decision_date)
    starts, untils = [], []
    for code in sorted({tr.category for tr in measure.triggers if tr.kind == "record" and tr.category}):
        cat = policy.category(code)
        if cat is None or not cat.act_date_fact:
            continue
        start = func.coalesce(Record.facts[cat.act_date_fact].as_string(), decided)
        starts.append((Record.category_code == code, start))
        if cat.act_until_fact:
            until = func.coalesce(Record.facts[cat.act_until_fact].as_string(), start)
            untils.append((Record.category_code == code, case((until > start, until), else_=start)))
        else:
            untils.append((Record.category_code == code, start))
    if not starts:
        return decided, decided
    return case(*starts, else_=decided), case(*untils, else_=decided)


def _reach(t, measure: Measure, known_roles: set[str]) -> ColumnElement[bool]:
    roles = [r for r in measure.reaches if r in known_roles]
    who = t.c.role.is_(None) if not roles else or_(t.c.role.is_(None), t.c.role.in_(roles))
    return and_(t.c.target_kind.in_(measure.subject_kinds), who)


def _measure_hits(t, measure: Measure, policy: PolicySet, on: date, known_roles: set[str]) -> list[Select]:
    reach = _reach(t, measure, known_roles)
    today = literal(on.isoformat(), String(10))
    # whether a designation's period counts is asked only of a measure that reaches someone
    by_designation = any(r.role in measure.reaches and (r.decided_by or r.record_fact)
                         for r in policy.measures.responsible)

    def answered(start, until, record_id=None) -> ColumnElement[bool]:
        return _answered(t, start, until, record_id) if by_designation else true()

    head = (t.c.row_no, t.c.subject_id, t.c.how, t.c.target_id, t.c.role,
            literal(measure.code, String(60)).label("measure_code"),
            literal(measure.type, String(10)).label("measure_type"),
            literal(1 if measure.mandatory else 0, Integer).label("mandatory"))
    out: list[Select] = []
    rec = [tr for tr in measure.triggers if tr.kind == "record"]
    if rec:
        conds = []
        for tr in rec:
            allowed = rules.severities_at_least(policy, tr.min_severity)
            c = [Record.category_code == tr.category]
            if allowed is not None:
                c.append(Record.severity.in_(sorted(allowed)))
            c += _conditions(policy, tr.where)
            if (period := tr.fact_period()) is not None:
                c.append(_period(period, on))
            conds.append(and_(*c))
        out.append(select(*head, literal("record", String(12)).label("via"), Record.id.label("source_id"))
                   .select_from(t.join(Record, Record.subject_id == t.c.target_id))
                   .where(reach, displayed(on), or_(*conds),
                          answered(*_act_span(policy, measure), Record.id) if by_designation else true()))
    kinds = sorted({tr.list for tr in measure.triggers if tr.kind == "list"})
    if kinds:
        out.append(select(*head, literal("list", String(12)).label("via"), ListEntry.id.label("source_id"))
                   .select_from(t.join(ListEntry, ListEntry.subject_id == t.c.target_id))
                   .where(reach, ListEntry.list_kind.in_(kinds), in_force(on),
                          answered(_iso(ListEntry.effective_from), _iso(ListEntry.effective_from))))
    grades = sorted({tr.grade for tr in measure.triggers if tr.kind == "grade"})
    if grades:
        g2 = SubjectGrade.__table__.alias("g2")
        newest = newest_grade(SubjectGrade.__table__, g2)
        out.append(select(*head, literal("grade", String(12)).label("via"), cast(null(), Integer).label("source_id"))
                   .select_from(t.join(SubjectGrade, SubjectGrade.subject_id == t.c.target_id))
                   .where(reach, SubjectGrade.grade.in_(grades), newest, answered(today, today)))
    for tr in measure.triggers:
        if tr.kind != "clean_years":
            continue
        r2 = Record.__table__.alias("r2")
        allowed = rules.severities_at_least(policy, tr.min_severity)
        bad = [r2.c.subject_id == t.c.target_id, r2.c.polarity == "dishonest", r2.c.status != "revoked",
               r2.c.decision_date >= rules.clean_since(on, tr.years or 0)]
        if allowed is not None:
            bad.append(r2.c.severity.in_(sorted(allowed)))
        out.append(select(*head, literal("clean_years", String(12)).label("via"), cast(null(), Integer).label("source_id"))
                   .select_from(t).where(reach, ~exists().where(*bad), answered(today, today)))
        break  # one clean_years source per measure, as in rules.measure_sources
    return out


def build(policy: PolicySet, scenario: Scenario, on: date, cand) -> BatchQuery:
    """The statements for a batch: ``cand`` is any table with :data:`CAND_COLUMNS`."""
    m = _matched(cand).cte("m")
    measures = rules.scenario_measures(policy, scenario)
    known = {r.role for r in policy.measures.responsible}
    needed = {r for ms in measures for r in ms.reaches if r in known}
    # a subject the scenario is not for (an enterprise in 公务员录用) is matched but never measured
    fit = select(m).where(m.c.kind.in_(list(scenario.subject_kinds))).cte("m_fit")
    t = _targets(policy, fit, needed)
    parts = [q for ms in measures for q in _measure_hits(t, ms, policy, on, known)]
    if not parts:  # a scenario whose measures have no triggers the engine knows
        parts = [select(t.c.row_no, t.c.subject_id, t.c.how, t.c.target_id, t.c.role,
                        *(literal(None).label(n) for n in ("measure_code", "measure_type", "mandatory", "via",
                                                           "source_id"))).where(false())]
    hits = union_all(*parts)
    return BatchQuery(matched=select(m.c.row_no, m.c.subject_id, m.c.kind, m.c.how), hits=select(hits.subquery()))


def outcome_case(outcomes: Outcomes, *, invalid, possible, mandatory, punish, reward) -> tuple[ColumnElement, ColumnElement]:
    """(kind, words) as SQL CASE expressions over boolean flags — :func:`rules.choose_outcome`
    stated set-based (a test runs both over every combination of flags)."""
    order = [
        (invalid, *rules.choose_outcome(outcomes, rules.Flags(invalid=True))),
        (possible, *rules.choose_outcome(outcomes, rules.Flags(possible=True))),
        (mandatory, *rules.choose_outcome(outcomes, rules.Flags(mandatory=True, punish=True))),
        (punish, *rules.choose_outcome(outcomes, rules.Flags(punish=True))),
        (reward, *rules.choose_outcome(outcomes, rules.Flags(reward=True))),
    ]
    clean = rules.choose_outcome(outcomes, rules.Flags())
    kind = case(*((cond, literal(k)) for cond, k, _ in order), else_=literal(clean[0]))
    words = case(*((cond, literal(w)) for cond, _, w in order), else_=literal(clean[1]))
    return kind, words


def compile_for_duckdb(stmt) -> str:
    """SQL text DuckDB runs: the statement compiled for PostgreSQL (whose dialect DuckDB speaks)
    with every value inlined."""
    from sqlalchemy.dialects import postgresql

    return str(stmt.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))


__all__ = ["BatchQuery", "CAND_COLUMNS", "build", "candidate_table", "compile_for_duckdb", "outcome_case"]


# --- the DuckDB path --------------------------------------------------------------------------

# The tables the batch statements read, and their columns' DuckDB types.
DUCK_TABLES = ("subjects", "designations", "record_persons", "records", "list_entries", "subject_grades")


def _duck_type(sa_type) -> str:
    name = type(sa_type).__name__.lower()
    if "int" in name:
        return "BIGINT"
    if name == "date":
        return "DATE"
    if "datetime" in name or "timestamp" in name:
        return "TIMESTAMP"
    if "bool" in name:
        return "BOOLEAN"
    if "json" in name:
        return "JSON"
    if "numeric" in name or "float" in name:
        return "DOUBLE"
    return "VARCHAR"


def duckdb_schema(con, tables=DUCK_TABLES) -> None:
    """Create the platform's tables (the columns the batch reads) in a DuckDB connection."""
    from xinyong.core.db import Base

    for name in tables:
        t = Base.metadata.tables[name]
        cols = ", ".join(f'"{c.name}" {_duck_type(c.type)}' for c in t.columns if _duck_type(c.type))
        con.execute(f'CREATE TABLE "{name}" ({cols})')


def copy_to_duckdb(session, con, tables=DUCK_TABLES, chunk: int = 50_000) -> None:
    """Copy the platform's tables from the database into DuckDB (the production mapping of the
    DuckDB path: a nightly or on-demand export of these tables, then the same statements)."""
    from xinyong.core.db import Base

    duckdb_schema(con, tables)
    for name in tables:
        t = Base.metadata.tables[name]
        cols = list(t.columns)
        # names come from the models' metadata, never from input
        names = ", ".join(f'"{c.name}"' for c in cols)
        marks = ", ".join("?" for _ in cols)
        sql = f'INSERT INTO "{name}" ({names}) VALUES ({marks})'  # noqa: S608
        as_json = [i for i, c in enumerate(cols) if _duck_type(c.type) == "JSON"]
        result = session.execute(select(*cols)).yield_per(chunk)
        for part in result.partitions():
            rows = [list(r) for r in part]
            for row in rows:  # the facts a trigger's where and period read, as JSON text
                for i in as_json:
                    if row[i] is not None and not isinstance(row[i], str):
                        row[i] = json.dumps(row[i], ensure_ascii=False)
            con.executemany(sql, [tuple(r) for r in rows])
