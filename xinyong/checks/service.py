"""Checks (联合奖惩核查) as use cases: check one subject, run a batch, take feedback, count.

- :func:`check_one` — one subject by its code: a fixed handful of indexed queries gathers the
  facts of the subject and of the bodies it is responsible for, :mod:`xinyong.checks.rules`
  decides which measures apply, and the check is stored with its hits and logged.
- :func:`create_batch` / :func:`run_batch` — up to 100,000 candidates from an XLSX or CSV file:
  rows are read and stored in ``check_candidates`` a chunk at a time, matched and checked by the
  set-based statements of :mod:`xinyong.checks.matching` (a handful of ``INSERT … SELECT`` /
  ``UPDATE`` statements whatever the number of rows), and the result written streamed as XLSX.
  Progress is kept on the batch row, which the web page polls.
- :func:`feedback` — the official reports what was done (反馈).
- :func:`statistics` — checks by scenario, department, region and month; hit and feedback
  rates; measures applied.

Every check is a row in ``checks`` (one per candidate of a batch) and an audit entry (one per
single check, one per batch).
"""

from __future__ import annotations

import csv
import json
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import NamedTuple
from xml.parsers.expat import ExpatError

from sqlalchemy import (
    JSON,
    ColumnElement,
    Date,
    Select,
    and_,
    bindparam,
    case,
    delete,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    type_coerce,
    update,
)
from sqlalchemy.orm import Session

from xinyong.accounts.principal import Principal
from xinyong.audit.service import log_event
from xinyong.catalog import service as catalog_service
from xinyong.catalog.models import PolicyVersion
from xinyong.catalog.schemas import SUBJECT_KIND_NAMES, Measure, PolicySet, Scenario
from xinyong.checks import leniency, matching, responsibility, rules, store
from xinyong.checks.models import (
    FEEDBACK_ACTIONS,
    Check,
    CheckBatch,
    CheckCandidate,
    CheckHit,
)
from xinyong.checks.responsibility import Reached
from xinyong.core import masking, regions, xlsx
from xinyong.core.clock import today as _today
from xinyong.core.codes import (
    CodeError,
    clean_code,
    looks_like_ric,
    uscc_kind,
    validate_ric,
    validate_uscc,
)
from xinyong.core.db import defer_durability, utcnow
from xinyong.core.errors import Forbidden, InvalidInput, NotFound
from xinyong.core.settings import get_settings
from xinyong.lists.models import ListEntry
from xinyong.lists.service import grade_of, in_force
from xinyong.records.models import LIVE_STATUSES, Record
from xinyong.records.periods import add_months
from xinyong.records.readers import FileUnusable, detect_encoding
from xinyong.records.service import displayed
from xinyong.subjects import identity
from xinyong.subjects import service as subjects_service
from xinyong.subjects.identity import lookup_key, lookup_keys
from xinyong.subjects.models import NATURAL_KINDS, Subject

MAX_BATCH_ROWS = 100_000
CHUNK = 5_000


def scenario_of(policy: PolicySet, code: str) -> Scenario:
    sc = next((s for s in policy.scenarios.scenarios if s.code == code), None)
    if sc is None:
        names = "、".join(f"{s.code}（{s.name}）" for s in policy.scenarios.scenarios)
        raise NotFound(f"未知的应用场景“{code}”，可选：{names}", f"unknown scenario {code!r}")
    return sc


def _region_of(who: Principal, fallback: str | None) -> str:
    return who.region_code or fallback or "330000"


# --- one subject ------------------------------------------------------------------------------


@dataclass
class HitOut:
    measure: Measure
    via: str
    source_id: int | None
    source: str  # what triggered it, in words
    target: Subject  # whose fact it is (the subject, or the body it answers for)
    role: str | None  # reached as …
    under_objection: bool = False  # a record the subject contests (异议处理中): still a hit, flagged
    leniency: str | None = None  # why the measure was softened for self-correction (从轻、减轻、免于)
    waived: bool = False  # softened away: shown with its reason, not applied
    downgraded: bool = False  # a mandatory measure made a reference one

    @property
    def mandatory(self) -> bool:
        """Whether the measure must be applied in this check (after any leniency)."""
        return self.measure.type == "punish" and self.measure.mandatory and not self.waived and not self.downgraded


@dataclass
class CheckResult:
    check: Check
    scenario: Scenario
    subject: Subject | None
    hits: list[HitOut] = field(default_factory=list)
    reached: list[Reached] = field(default_factory=list)
    policy_label: str = ""
    policy: PolicySet | None = None  # the lists it was made under

    @property
    def mandatory(self) -> list[HitOut]:
        return [h for h in self.hits if h.mandatory]

    @property
    def applied(self) -> list[HitOut]:
        """The hits that apply (those softened away are listed, with why, but not applied)."""
        return [h for h in self.hits if not h.waived]

    @property
    def softened(self) -> list[HitOut]:
        return [h for h in self.hits if h.leniency]


def _clean(code: str) -> str:
    """The cleaned code, or :class:`InvalidInput` saying what is wrong with it."""
    try:
        return subjects_service.check_code(code)
    except NotFound as exc:
        raise InvalidInput(exc.zh, exc.en, field="code") from None


# The single check's statements, built once: building a SQLAlchemy expression and its cache key
# costs more Python time than PostgreSQL spends answering it (benchmarks/README.md, checks).
_ON = bindparam("on", type_=Date)
_SINCE = bindparam("since", type_=Date)
_IDS = bindparam("ids", expanding=True)
_last_since: dict[str, date] = {}  # scenario → the look-back its measures asked last (check_one)


# A check reads only the columns it decides and describes with (rows, not ORM objects): no
# facts to decode, nothing for the identity map to track.
_RECORD_COLUMNS = (Record.id, Record.subject_id, Record.category_code, Record.severity, Record.polarity,
                   Record.decision_date, Record.status, Record.display_until, Record.decision_no,
                   Record.department_name, Record.facts)
_ENTRY_COLUMNS = (ListEntry.id, ListEntry.subject_id, ListEntry.list_kind, ListEntry.decision_no, ListEntry.reason,
                  ListEntry.effective_from)
_NEVER = date(9999, 12, 31)  # "since" when no clean-years trigger asks for older bad records


class RecordRow(NamedTuple):
    """A record as a check reads it (the columns of ``_RECORD_COLUMNS``)."""

    id: int
    subject_id: int
    category_code: str
    severity: str | None
    polarity: str
    decision_date: date
    status: str
    display_until: date
    decision_no: str
    department_name: str
    facts: dict | str | None  # a trigger's ``where`` and ``period`` read them (text inside SQLite's JSON)


class EntryRow(NamedTuple):
    """A list entry as a check reads it (the columns of ``_ENTRY_COLUMNS``)."""

    id: int
    subject_id: int
    list_kind: str
    decision_no: str | None
    reason: str | None
    effective_from: date


def _records_condition():
    """Shown on the day, or bad and decided since ``since`` (a clean-years trigger looks back;
    without one ``since`` is :data:`_NEVER` and the second branch is empty)."""
    return or_(displayed(_ON), and_(Record.polarity == "dishonest", Record.decision_date >= _SINCE))


@cache
def _records_stmt() -> Select:
    return select(*_RECORD_COLUMNS).where(Record.subject_id.in_(_IDS), _records_condition())


@cache
def _entries_stmt() -> Select:
    return select(*_ENTRY_COLUMNS).where(ListEntry.subject_id.in_(_IDS), in_force(_ON))


def _json_rows(dialect: str, columns) -> ColumnElement:
    """The rows of a correlated subquery as one JSON array of arrays (NULL or [] for none)."""
    if dialect == "postgresql":
        return func.json_agg(func.json_build_array(*columns))
    return func.json_group_array(func.json_array(*columns))


@cache
def _start_stmt(dialect: str, defer: bool) -> Select:
    """A single check's first statement, one round trip for what took five: the active policy
    version; the subject with the look-up key (an outer join: the code may name no subject);
    its records shown on the day (or bad since ``since``) and its list entries in force, each
    as a JSON array; and on PostgreSQL, when the check's commit need not wait for the disk,
    that setting for the transaction (``set_config`` … ``true`` is ``SET LOCAL``)."""
    cols = [PolicyVersion.id, PolicyVersion.content_hash]
    if defer:
        cols.append(func.set_config("synchronous_commit", "off", True))
    records = (select(_json_rows(dialect, _RECORD_COLUMNS))
               .where(Record.subject_id == Subject.id, _records_condition()).scalar_subquery())
    entries = (select(_json_rows(dialect, _ENTRY_COLUMNS))
               .where(ListEntry.subject_id == Subject.id, in_force(_ON)).scalar_subquery())
    return (select(*cols, Subject, type_coerce(records, JSON).label("records"),
                   type_coerce(entries, JSON).label("entries"))
            .outerjoin(Subject, Subject.code == bindparam("key"))
            .where(PolicyVersion.active.is_(True)))


def _defers(session: Session) -> bool:
    """Whether a single check's commit may return before its log reaches the disk
    (``checks_synchronous_commit``; only PostgreSQL has anything to set, see
    :func:`xinyong.core.db.defer_durability`)."""
    return not get_settings().checks_synchronous_commit and session.get_bind().dialect.name == "postgresql"


def _since(measures: list[Measure], on: date) -> date:
    """How far back a clean-years trigger of these measures looks for bad records."""
    years = [tr.years or 0 for m in measures for tr in m.triggers if tr.kind == "clean_years"]
    return min(rules.clean_since(on, y) for y in years) if years else _NEVER


def _day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value[:10])


@dataclass
class Gathered:
    """The facts of a check's targets and the rows that describe its hits."""

    facts: dict[int, rules.Facts]
    records: dict[int, RecordRow]
    entries: dict[int, EntryRow]

    def take_records(self, rows, on: date) -> None:
        for r in rows:
            self.records[r.id] = r
            facts = r.facts
            if facts.__class__ is str:
                facts = json.loads(facts)
            self.facts[r.subject_id].records.append(rules.RecordFact(
                id=r.id, category=r.category_code, severity=r.severity, polarity=r.polarity,
                decision_date=r.decision_date, shown=r.status in LIVE_STATUSES and r.display_until >= on,
                revoked=r.status == "revoked", facts=facts or {}, display_until=r.display_until))

    def take_entries(self, rows) -> None:
        for e in rows:
            self.entries[e.id] = e
            self.facts[e.subject_id].lists.append(rules.ListFact(e.id, e.list_kind))


@dataclass
class Prefetched:
    """What :func:`check_one`'s first statement read of the subject, and for which day and
    look-back it read it (the policy was not known yet: another policy asks again)."""

    records: list[RecordRow]
    entries: list[EntryRow]
    on: date
    since: date


def _prefetched(records_json, entries_json, on: date, since: date) -> Prefetched:
    records = [RecordRow(r[0], r[1], r[2], r[3], r[4], _day(r[5]), r[6], _day(r[7]), r[8], r[9], r[10])
               for r in records_json or ()]
    entries = [EntryRow(e[0], e[1], e[2], e[3], e[4], _day(e[5])) for e in entries_json or ()]
    return Prefetched(records, entries, on, since)


def gather_facts(session: Session, policy: PolicySet, targets: list[Subject], measures: list[Measure], on: date,
                 prefetched: Prefetched | None = None) -> Gathered:
    """The facts of every target: shown records (and recent bad ones when a clean-years
    trigger asks), list entries in force, the latest grade. Three queries at most; the first
    target's records and entries not at all when ``prefetched`` read them for this day and
    look-back."""
    since = _since(measures, on)
    got = Gathered({t.id: rules.Facts(subject_id=t.id, kind=t.kind) for t in targets}, {}, {})
    ask = targets
    if prefetched is not None and targets and (prefetched.on, prefetched.since) == (on, since):
        got.take_records(prefetched.records, on)
        got.take_entries(prefetched.entries)
        ask = targets[1:]
    if ask:
        ids = [t.id for t in ask]
        got.take_records(session.execute(_records_stmt(), {"ids": ids, "on": on, "since": since}), on)
        if any(tr.kind == "list" for m in measures for tr in m.triggers):
            got.take_entries(session.execute(_entries_stmt(), {"ids": ids, "on": on}))
    if any(tr.kind == "grade" for m in measures for tr in m.triggers):
        for sid, grade in grade_of(session, [t.id for t in targets]).items():
            got.facts[sid].grade = grade
    return got


def evaluate(policy: PolicySet, scenario: Scenario, subject: Subject, bodies: list[tuple[Subject, str]],
             facts: dict[int, rules.Facts], on: date) -> list[tuple[Measure, rules.Source, Subject, str | None]]:
    """Every (measure, source, target, role) that applies — the subject's own, and those of the
    bodies it answers for, where the measure reaches that role."""
    out = []
    for m in rules.scenario_measures(policy, scenario):
        for target, role in [(subject, None), *bodies]:
            if role is not None and role not in m.reaches:
                continue
            for src in rules.measure_sources(m, facts[target.id], policy, on):
                out.append((m, src, target, role))
    return out


def _describe(policy: PolicySet, src: rules.Source, records: dict[int, Record], entries: dict[int, ListEntry],
              measure) -> str:
    if src.via == "record" and src.source_id in records:
        r = records[src.source_id]
        cat = policy.category(r.category_code)
        sev = policy.severity(r.severity) if r.severity else None
        return (f"{cat.name if cat else r.category_code}{f'（{sev.name}）' if sev else ''} "
                f"{r.decision_no}（{r.decision_date:%Y-%m-%d}，{r.department_name}）")
    if src.via == "list" and src.source_id in entries:
        e = entries[src.source_id]
        spec = policy.behaviours.list_kind(e.list_kind)
        return f"{spec.name if spec else e.list_kind}（{e.decision_no or e.reason}，自 {e.effective_from:%Y-%m-%d}）"
    if src.via == "grade":
        return "信用评价等级：" + "、".join(t.grade or "" for t in measure.triggers if t.kind == "grade")
    if src.via == "clean_years":
        years = next((t.years for t in measure.triggers if t.kind == "clean_years"), None)
        return f"连续{years}年以上无不良信用记录"
    return src.via


def _soften(session: Session, policy: PolicySet, hits: list[HitOut], got: Gathered, day: date) -> None:
    """Leniency for self-correction (:mod:`xinyong.checks.leniency`): one question to the
    hooks for the records the punishments rest on, and only when the policy offers leniency."""
    asked = {h.source_id for h in hits if h.via == "record" and h.source_id and h.measure.leniency}
    if not asked:
        return
    found = leniency.corrections_for(session, sorted(asked), day)
    if not found:
        return
    facts = {r.id: r for f in got.facts.values() for r in f.records}
    for h in hits:
        if h.via != "record" or h.source_id not in found:
            continue
        soft = leniency.soften(h.measure, facts.get(h.source_id), h.target.kind, found[h.source_id], policy, day)
        if soft is not None:
            h.leniency, h.waived, h.downgraded = soft.reason, soft.waived, soft.downgraded


def _objected(via: str, source_id: int | None, records) -> bool:
    """Whether a hit rests on a record under objection (异议处理中, set by redress)."""
    r = records.get(source_id) if via == "record" else None
    return r is not None and r.status == "under_objection"


def _kind_names(kinds) -> str:
    return "、".join(SUBJECT_KIND_NAMES[k] for k in kinds)


def _other_kind_words(sc: Scenario) -> str:
    return f"不属本场景核查对象（只核查{_kind_names(sc.subject_kinds)}）"


def _ensure_kind(sc: Scenario, *kinds: str) -> None:
    """Refuse a check of a subject the scenario is not for (公务员录用 checks persons, not
    enterprises): its measures would not apply and "通过" would be a wrong answer."""
    if any(k in sc.subject_kinds for k in kinds):
        return
    raise InvalidInput(f"场景“{sc.name}”只核查{_kind_names(sc.subject_kinds)}，该代码属于{_kind_names(kinds)}",
                       f"scenario {sc.code} checks {', '.join(sc.subject_kinds)}, not {', '.join(kinds)}",
                       field="code")


def check_one(
    session: Session,
    *,
    scenario: str,
    code: str,
    purpose: str,
    who: Principal,
    on: date | None = None,
    request_id: str | None = None,
    ip: str | None = None,
) -> CheckResult:
    """Check one subject (by its USCC or identity number) in a scenario under the active
    policy; store and log it."""
    cleaned = _clean(code)
    key = lookup_key(cleaned)
    defer = _defers(session)
    day = on or _today()
    # the look-back the active policy asked last time (policies change seldom): if this one
    # asks another, gather_facts reads the records again
    since = _last_since.get(scenario, _NEVER)
    row = session.execute(_start_stmt(session.get_bind().dialect.name, defer),
                          {"key": key, "on": day, "since": since}).first()
    if row is None:
        raise catalog_service.NoPolicy()
    vid, digest, subject, records, entries = row[0], row[1], row[-3], row[-2], row[-1]
    policy = (vid, catalog_service.policy_of(session, vid, digest))
    sc = scenario_of(policy[1], scenario)
    _last_since[scenario] = _since(rules.scenario_measures(policy[1], sc), day)
    if subject is None:  # no such subject: the code's own form still says what it could be
        natural = identity.is_identity_number(cleaned)  # the test lookup_key hashes by
        _ensure_kind(sc, *(NATURAL_KINDS if natural else (uscc_kind(cleaned),)))
    return check_subject(session, subject, key, scenario=scenario, purpose=purpose, who=who, on=day,
                         request_id=request_id, ip=ip, policy=policy, deferred=defer,
                         prefetched=_prefetched(records, entries, day, since))


def check_subject(
    session: Session,
    subject: Subject | None,
    key: str | None,
    *,
    scenario: str,
    purpose: str,
    who: Principal,
    on: date | None = None,
    request_id: str | None = None,
    ip: str | None = None,
    policy: tuple[int, PolicySet] | None = None,
    deferred: bool = False,
    prefetched: Prefetched | None = None,
) -> CheckResult:
    """:func:`check_one` for a subject already found (``None``: the code names no subject).
    ``policy``: the active (version id, lists) when the caller has them; ``deferred``: the
    caller already let this transaction's commit skip waiting for the disk; ``prefetched``: the
    subject's records and entries the caller read already."""
    if not purpose or not purpose.strip():
        raise InvalidInput("请填写核查事由", "a check states its purpose", field="purpose")
    day = on or _today()
    vid, policy = policy or catalog_service.active_version(session)
    sc = scenario_of(policy, scenario)
    key = key if key is not None else (subject.code if subject else None)
    if subject is not None:
        _ensure_kind(sc, subject.kind)
    measures = rules.scenario_measures(policy, sc)
    hits: list[HitOut] = []
    reached: list[Reached] = []
    if subject is not None:
        roles = {r for m in measures for r in m.reaches}
        answers = responsibility.answers_for(session, policy, subject, roles)
        bodies = answers.bodies
        targets = [subject, *{b.id: b for b, _ in bodies}.values()]
        got = gather_facts(session, policy, targets, measures, day, prefetched)
        # the act days of the bodies' records (a person's check), read only where a category
        # dates its act by a fact
        body_ids = {b.id for b, _ in bodies}
        spans = responsibility.record_spans(session, policy, {i: r for i, r in got.records.items()
                                                              if r.subject_id in body_ids})
        entry_days = {e.id: e.effective_from for e in got.entries.values()}
        for m, src, target, role in evaluate(policy, sc, subject, bodies, got.facts, day):
            # a body's fact reaches the person only if the person answered for it at the time
            if role is not None and not responsibility.answered_then(
                    answers, target.id, role, src.via, src.source_id,
                    responsibility.source_span(src.via, src.source_id, spans, entry_days, day)):
                continue
            hits.append(HitOut(m, src.via, src.source_id, _describe(policy, src, got.records, got.entries, m),
                               target, role, _objected(src.via, src.source_id, got.records)))
        _soften(session, policy, hits, got, day)
        if subject.kind not in NATURAL_KINDS:
            reaching = {h.source_id for h in hits if h.via == "record" and h.measure.reaches}
            spans = responsibility.record_spans(session, policy, {i: got.records[i] for i in reaching if i in got.records})
            reached = responsibility.reached(session, policy, subject, hits, spans, entry_days, day)
    applied = [h for h in hits if not h.waived]
    flags = rules.Flags(
        mandatory=any(h.mandatory for h in applied),
        punish=any(h.measure.type == "punish" for h in applied),
        reward=any(h.measure.type == "reward" for h in applied),
    )
    kind, words = rules.choose_outcome(sc.outcomes, flags)
    if not deferred and _defers(session):
        defer_durability(session)  # the answer need not wait for the disk (docs/checks.md)
    check, head = store.store(session, dict(
        scenario_code=sc.code, purpose=purpose.strip()[:500], username=who.username, role=who.role,
        department_code=who.department_code, region_code=_region_of(who, subject.region_code if subject else None),
        policy_version_id=vid, subject_id=subject.id if subject else None, code_key=key,
        match="code" if subject else "none", outcome_kind=kind, outcome=words, hit_count=len(applied),
        mandatory_count=sum(1 for h in applied if h.mandatory),
        created_at=utcnow(),
    ), [{"measure_code": h.measure.code, "measure_type": h.measure.type, "mandatory": h.mandatory,
         "via": h.via, "source_id": h.source_id, "target_subject_id": h.target.id, "role": h.role,
         "leniency": h.leniency[:500] if h.leniency else None, "waived": h.waived} for h in hits])
    log_event(session, who=who, action="check", entity="check", entity_id=check.id,
              subject_id=subject.id if subject else None, purpose=check.purpose,
              after={"scenario": sc.code, "outcome": words, "hits": len(hits), "policy_version_id": vid},
              request_id=request_id, ip=ip, head=head)
    return CheckResult(check, sc, subject, hits, reached, policy.meta.label, policy)


# --- reading a stored check -----------------------------------------------------------------------


def get_check(session: Session, check_id: int) -> Check:
    check = session.get(Check, check_id)
    if check is None:
        raise NotFound(f"核查记录 {check_id} 不存在", f"check {check_id} does not exist")
    return check


def ensure_sees(who: Principal, check: Check) -> None:
    """A check is read by officials whose region covers where it was made (the CLI sees all)."""
    if not who.covers(check.region_code):
        raise Forbidden("超出您的地区权限范围", f"check {check.id} is outside {who.label}'s scope")


def stored_result(session: Session, check: Check) -> CheckResult:
    """A stored check as a result again: its hits described from the records and entries."""
    policy = catalog_service.policy_by_id(session, check.policy_version_id)
    sc = scenario_of(policy, check.scenario_code)
    subject = session.get(Subject, check.subject_id) if check.subject_id else None
    rows = list(session.scalars(select(CheckHit).where(CheckHit.check_id == check.id).order_by(CheckHit.id)))
    rec_ids = [h.source_id for h in rows if h.via == "record" and h.source_id]
    ent_ids = [h.source_id for h in rows if h.via == "list" and h.source_id]
    records = {r.id: r for r in session.scalars(select(Record).where(Record.id.in_(rec_ids)))} if rec_ids else {}
    entries = {e.id: e for e in session.scalars(select(ListEntry).where(ListEntry.id.in_(ent_ids)))} if ent_ids else {}
    tids = {h.target_subject_id for h in rows if h.target_subject_id}
    targets = {s.id: s for s in session.scalars(select(Subject).where(Subject.id.in_(tids)))} if tids else {}
    hits = []
    for h in rows:
        m = policy.measures.measure(h.measure_code)
        if m is None:
            continue
        hits.append(HitOut(m, h.via, h.source_id, _describe(policy, rules.Source(h.via, h.source_id), records, entries, m),
                           targets.get(h.target_subject_id, subject), h.role, _objected(h.via, h.source_id, records),
                           h.leniency, bool(h.waived), bool(h.leniency) and m.mandatory and not h.mandatory
                           and not h.waived))
    reached = []
    if subject and subject.kind not in NATURAL_KINDS:
        reached = responsibility.reached(session, policy, subject, hits, responsibility.record_spans(session, policy, records),
                                         {e.id: e.effective_from for e in entries.values()}, check.created_at.date())
    return CheckResult(check, sc, subject, hits, reached, policy.meta.label, policy)


def recent_checks(session: Session, who: Principal, limit: int = 20) -> list[Check]:
    q = select(Check).where(Check.username == who.username, Check.batch_id.is_(None)).order_by(Check.id.desc()).limit(limit)
    return list(session.scalars(q))


# --- feedback (反馈) -------------------------------------------------------------------------------


def feedback(session: Session, check_id: int, *, action: str, note: str, who: Principal,
             measures: dict[str, bool] | None = None) -> Check:
    """The official who ran the check reports what was done: every measure applied, some, or
    none — and why, when not all were."""
    check = get_check(session, check_id)
    if who.via != "cli" and check.username != who.username:
        raise Forbidden("只有发起核查的人员可以反馈", "only the official who ran the check reports back")
    if action not in FEEDBACK_ACTIONS:
        raise InvalidInput(f"反馈应为：{'、'.join(f'{k}（{v}）' for k, v in FEEDBACK_ACTIONS.items())}",
                           f"action is one of {sorted(FEEDBACK_ACTIONS)}", field="action")
    note = (note or "").strip()
    if action != "applied" and not note:
        raise InvalidInput("未执行或部分执行措施的，请说明理由", "say why a measure was not applied", field="note")
    hits = list(session.scalars(select(CheckHit).where(CheckHit.check_id == check.id)))
    if action == "partly":
        measures = measures or {}
        unknown = set(measures) - {h.measure_code for h in hits}
        if unknown or not measures:
            raise InvalidInput("部分执行时请逐项说明各措施是否执行", "name which measures were applied", field="measures")
    before = {"action": check.feedback_action, "note": check.feedback_note}
    for h in hits:
        h.applied = (action == "applied") if action != "partly" else measures.get(h.measure_code)  # type: ignore[union-attr]
    check.feedback_action, check.feedback_note = action, note or None
    check.feedback_by, check.feedback_at = who.username, utcnow()
    log_event(session, who=who, action="update", entity="check_feedback", entity_id=check.id,
              subject_id=check.subject_id, purpose=check.purpose, before=before,
              after={"action": action, "note": note, "measures": measures})
    session.flush()
    return check


# --- batches ----------------------------------------------------------------------------------------


HEADERS = {
    "name": ("姓名", "名称", "姓名/名称", "主体名称", "name"),
    "code": ("统一社会信用代码或公民身份号码", "公民身份号码", "身份证号码", "身份证号", "统一社会信用代码", "证件号码", "code"),
    "region": ("地区", "行政区划", "行政区划代码", "户籍地", "region"),
    "birth_date": ("出生日期", "出生年月日", "birth_date"),
}

Progress = Callable[[str, int, int], None]


def _rows(path: Path) -> Iterator[list]:
    """The candidates file's rows, the header first. An XLSX is looked at before it is parsed
    and read no further than its last value (:func:`xinyong.core.xlsx.open_workbook`); a CSV is
    UTF-8 or GB18030, with fields bounded as every file the platform reads."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        wb, ws, last_row, last_column = xlsx.open_workbook(path)
        try:
            if not last_row:
                return
            for row in ws.iter_rows(values_only=True, max_row=last_row, max_col=max(last_column, 1)):
                yield list(row)
        except (ValueError, KeyError, IndexError, TypeError, OSError, EOFError) as exc:
            raise InvalidInput("名单文件已损坏，无法读取：请在 Excel 中打开后重新“另存为 .xlsx”",
                               f"the workbook cannot be parsed: {exc}", field="file") from None
        finally:
            wb.close()
        return
    try:
        enc = detect_encoding(path)
    except FileUnusable as exc:
        raise InvalidInput(exc.zh, exc.en, field="file") from None
    csv.field_size_limit(get_settings().file_max_cell_chars)
    with open(path, encoding=enc, newline="") as fh:
        reader = csv.reader(fh)
        try:
            yield from reader
        except csv.Error as exc:
            raise InvalidInput(f"名单文件第 {reader.line_num} 行格式错误（{exc}）",
                               f"line {reader.line_num}: {exc}", field="file") from None


def _positions(header: list) -> dict[str, int | None]:
    header = [str(h or "").strip() for h in header]
    pos = {k: next((i for i, h in enumerate(header) if h in names), None) for k, names in HEADERS.items()}
    if pos["code"] is None and pos["name"] is None:
        raise InvalidInput("名单文件须有“姓名/名称”或“统一社会信用代码或公民身份号码”列",
                           "the file needs a name or a code column", field="file")
    return pos


def check_candidates_file(path: Path) -> int | None:
    """Look at a candidates file when it is uploaded, before a batch is made of it — bounded and
    cheap, so that the request never does the batch's work: not empty, the kind its name says
    (an XLSX is a workbook, a CSV is text), and then

    - a workbook: :func:`xinyong.core.xlsx.scan_workbook` (bombs, entities, the unpacked size,
      oversized cells and rows, found without parsing), at least one row besides the header,
      and a name or code column in its first row (openpyxl reads that one row, nothing more;
      where opening it would parse more than ``_HEADER_LOOK_BYTES`` of shared strings and
      styles, the worker checks the header instead);
    - a CSV: its encoding, a name or code column, at least one and at most ``MAX_BATCH_ROWS``
      rows (counted by the C reader, at most ``XINYONG_FILE_MAX_ROWS`` lines).

    Returns the rows to check of a CSV (``None`` for a workbook: its worker counts them, as it
    reads them); raises :class:`InvalidInput` (422) naming what is wrong, so a bad file is
    refused at once instead of failing later in the background."""
    path = Path(path)
    if path.stat().st_size == 0:
        raise InvalidInput("名单文件是空的", "the candidates file is empty", field="file")
    with open(path, "rb") as fh:
        head = fh.read(8192)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        if not head.startswith(b"PK\x03\x04"):
            raise InvalidInput("文件扩展名为 .xlsx，但内容不是 Excel 工作簿；请在 Excel 中“另存为 .xlsx”后再上传",
                               "the file is named .xlsx but is not a workbook", field="file")
        _look_at_workbook(path)
        return None
    if b"\x00" in head or head.startswith(b"PK\x03\x04"):
        raise InvalidInput("文件扩展名为 .csv，但内容不是文本；Excel 文件请保存为 .xlsx 上传",
                           "the file is named .csv but is not text", field="file")
    rows = _rows(path)
    header = next(rows, None)
    if header is None:
        raise InvalidInput("名单文件是空的", "the candidates file is empty", field="file")
    _positions(header)
    total = 0
    max_lines = get_settings().file_max_rows
    for n, row in enumerate(rows, start=2):
        if n > max_lines:
            raise InvalidInput(f"名单文件超过 {max_lines:,} 行上限，请拆分名单",
                               f"more than {max_lines} lines", field="file")
        if any(v not in (None, "") for v in row):
            total += 1
            if total > MAX_BATCH_ROWS:
                raise InvalidInput(f"一次最多核查 {MAX_BATCH_ROWS:,} 人，请拆分名单",
                                   f"at most {MAX_BATCH_ROWS} candidates a batch", field="file")
    if total == 0:
        raise _no_rows()
    return total


def _no_rows() -> InvalidInput:
    return InvalidInput("名单文件只有表头，没有要核查的行", "the candidates file has no rows", field="file")


_HEADER_COLUMNS = 64  # the header is looked for in this many columns at upload (a template has four)
# Opening a workbook, openpyxl parses its shared strings and styles whole (about half a second a
# megabyte): past this, the header is left to the worker, so the request stays short.
_HEADER_LOOK_BYTES = 512 * 1024


def _look_at_workbook(path: Path) -> None:
    from openpyxl import load_workbook

    shape = xlsx.scan_workbook(path)  # UnsafeWorkbook is an InvalidInput: 422, naming what is wrong
    if max(shape.row_tags.values(), default=0) < 2:
        raise _no_rows()  # no worksheet has a row besides the header
    if shape.other_bytes > _HEADER_LOOK_BYTES:
        return  # a long list's shared strings: the worker reads its header (the job fails if it has none)
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, IndexError, TypeError, ExpatError):
        raise InvalidInput("无法打开该 Excel 文件：请确认是 .xlsx 格式（旧版 .xls 请另存为 .xlsx）且未损坏",
                           "cannot open the workbook", field="file") from None
    try:
        if not wb.worksheets:
            raise InvalidInput("该 Excel 文件没有工作表", "the workbook has no worksheet", field="file")
        first = next(wb.worksheets[0].iter_rows(values_only=True, max_row=1, max_col=_HEADER_COLUMNS), ())
        _positions(list(first))
    except (ValueError, KeyError, IndexError, TypeError, OSError, EOFError, ExpatError, zipfile.BadZipFile) as exc:
        raise InvalidInput("名单文件已损坏，无法读取：请在 Excel 中打开后重新“另存为 .xlsx”",
                           f"the workbook cannot be parsed: {exc}", field="file") from None
    finally:
        wb.close()


_REGION_BY_NAME: dict[str, str] = {}


def _region_code(value) -> str | None:
    text = str(value or "").strip()
    if not text:
        return None
    if text.isdigit() and len(text) == 6:
        return text
    if not _REGION_BY_NAME:
        for r in regions.all_regions(include_historical=True):
            _REGION_BY_NAME.setdefault(r.name, r.code)
            _REGION_BY_NAME.setdefault(regions.name_of(r.code), r.code)
    return _REGION_BY_NAME.get(text)


def _birth(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value or "").strip().replace("/", "-").replace(".", "-")
    if not text:
        return None
    if text.isdigit() and len(text) == 8:
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _code_info(raw) -> tuple[str | None, bool, str | None]:
    """(cleaned code or None, whether it passes its check, masked form)."""
    code = clean_code(raw) if raw not in (None, "") else ""
    if not code:
        return None, True, None
    try:
        if looks_like_ric(code):
            try:
                validate_ric(code)
                return code, True, masking.mask_ric(code)
            except CodeError:
                return validate_uscc(code), True, code
        return validate_uscc(code), True, code
    except CodeError:
        return code, False, masking.mask_ric(code) if len(code) == 18 else "*" * len(code)


def create_batch(session: Session, *, scenario: str, purpose: str, who: Principal, file_name: str) -> CheckBatch:
    if not purpose or not purpose.strip():
        raise InvalidInput("请填写核查事由", "a check states its purpose", field="purpose")
    vid, policy = catalog_service.active_version(session)
    sc = scenario_of(policy, scenario)
    batch = CheckBatch(scenario_code=sc.code, purpose=purpose.strip()[:500], username=who.username, role=who.role,
                       department_code=who.department_code, region_code=_region_of(who, None),
                       file_name=file_name[:500], status="queued", policy_version_id=vid)
    session.add(batch)
    session.flush()
    return batch


def load_candidates(session: Session, batch: CheckBatch, path: Path, progress: Progress | None = None) -> int:
    """Read the candidates file into ``check_candidates``, a chunk at a time (committed per
    chunk so the progress shows). Codes become lookup keys; names alone stay names."""
    rows = _rows(Path(path))
    pos = _positions(next(rows, []))
    buf: list[dict] = []
    total = 0

    def cell(row: list, key: str):
        i = pos[key]
        return row[i] if i is not None and i < len(row) else None

    def flush() -> None:
        keys = lookup_keys([b["code_key"] for b in buf if b["code_key"] is not None])
        it = iter(keys)
        for b in buf:
            if b["code_key"] is not None:
                b["code_key"] = next(it)
        session.execute(insert(CheckCandidate), buf)
        buf.clear()
        batch.done = total
        session.commit()
        if progress:
            progress("读取名单", total, 0)

    for row in rows:
        if not any(v not in (None, "") for v in row):
            continue
        total += 1
        if total > MAX_BATCH_ROWS:
            raise InvalidInput(f"一次最多核查 {MAX_BATCH_ROWS:,} 人", f"at most {MAX_BATCH_ROWS} candidates a batch")
        code, ok, code_shown = _code_info(cell(row, "code"))
        name = str(cell(row, "name") or "").strip() or None
        buf.append({"batch_id": batch.id, "row_no": total, "name": name[:200] if name else None,
                    "code_key": code, "code_shown": code_shown, "code_ok": ok,
                    "region_code": _region_code(cell(row, "region")), "birth_date": _birth(cell(row, "birth_date"))})
        if len(buf) >= CHUNK:
            flush()
    if buf:
        flush()
    if total == 0:  # a workbook's rows are counted here, not at upload
        raise _no_rows()
    batch.total = total
    session.commit()
    return total


def match_batch(session: Session, batch: CheckBatch, who: Principal, on: date | None = None) -> None:
    """The set-based check of every candidate of ``batch``: three statements write the checks,
    their hits, and each check's counts and outcome; one audit entry covers the batch."""
    day = on or _today()
    policy = catalog_service.policy_by_id(session, batch.policy_version_id)
    sc = scenario_of(policy, batch.scenario_code)
    if session.get_bind().dialect.name == "postgresql":
        # the planner must know the batch is 100,000 rows, not the handful it last saw: with a
        # stale estimate it nests a scan of every list entry inside each candidate
        session.execute(text("ANALYZE check_candidates"))
    cand_all = CheckCandidate.__table__
    cand = select(*(cand_all.c[c] for c in matching.CAND_COLUMNS)).where(cand_all.c.batch_id == batch.id).subquery("cand")
    q = matching.build(policy, sc, day, cand)
    m = q.matched.subquery("m")
    per_row = select(m.c.row_no, func.min(m.c.subject_id).label("subject_id"), func.max(m.c.how).label("how")
                     ).group_by(m.c.row_no).subquery("pr")
    c = cand_all
    match = (
        select(
            literal(batch.id), c.c.row_no, literal(sc.code), literal(batch.purpose), literal(batch.username),
            literal(batch.role), literal(batch.department_code), literal(batch.region_code),
            literal(batch.policy_version_id), per_row.c.subject_id, c.c.name, c.c.code_key,
            func.coalesce(per_row.c.how, literal("none")), literal("clean"), literal(sc.outcomes.clean),
            literal(0), literal(0), literal(utcnow()),
        )
        .select_from(c.outerjoin(per_row, per_row.c.row_no == c.c.row_no))
        .where(c.c.batch_id == batch.id)
    )
    cols = [Check.batch_id, Check.row_no, Check.scenario_code, Check.purpose, Check.username, Check.role,
            Check.department_code, Check.region_code, Check.policy_version_id, Check.subject_id,
            Check.candidate_name, Check.code_key, Check.match, Check.outcome_kind, Check.outcome,
            Check.hit_count, Check.mandatory_count, Check.created_at]
    session.execute(insert(Check).from_select(cols, match))
    # invalid codes are their own match kind
    session.execute(update(Check).where(
        Check.batch_id == batch.id,
        Check.row_no.in_(select(c.c.row_no).where(c.c.batch_id == batch.id, c.c.code_ok == False)),  # noqa: E712
    ).values(match="invalid").execution_options(synchronize_session=False))
    # a subject the scenario is not for (an enterprise in 公务员录用): answered, never measured
    session.execute(update(Check).where(
        Check.batch_id == batch.id,
        Check.subject_id.in_(select(Subject.id).where(Subject.kind.notin_(sc.subject_kinds))),
    ).values(match="other_kind").execution_options(synchronize_session=False))
    h = q.hits.subquery("h")
    hits = (
        select(Check.id, h.c.measure_code, h.c.measure_type, h.c.mandatory == 1, h.c.via, h.c.source_id,
               h.c.target_id, h.c.role)
        .select_from(h.join(Check, and_(Check.batch_id == batch.id, Check.row_no == h.c.row_no)))
    )
    session.execute(insert(CheckHit).from_select(
        [CheckHit.check_id, CheckHit.measure_code, CheckHit.measure_type, CheckHit.mandatory, CheckHit.via,
         CheckHit.source_id, CheckHit.target_subject_id, CheckHit.role], hits))
    _soften_batch(session, policy, sc, batch, day)
    ch = CheckHit.__table__.alias("ch")

    def any_hit(*conds):
        return exists().where(ch.c.check_id == Check.id, ch.c.waived == False, *conds)  # noqa: E712

    kind, words = matching.outcome_case(
        sc.outcomes,
        invalid=Check.match == "invalid",
        possible=Check.match == "possible",
        mandatory=any_hit(ch.c.measure_type == "punish", ch.c.mandatory == True),  # noqa: E712
        punish=any_hit(ch.c.measure_type == "punish"),
        reward=any_hit(ch.c.measure_type == "reward"),
    )
    count_all = select(func.count()).where(ch.c.check_id == Check.id, ch.c.waived == False).scalar_subquery()  # noqa: E712
    count_mand = select(func.count()).where(ch.c.check_id == Check.id, ch.c.measure_type == "punish",
                                            ch.c.waived == False,  # noqa: E712
                                            ch.c.mandatory == True).scalar_subquery()  # noqa: E712
    session.execute(update(Check).where(Check.batch_id == batch.id).values(
        outcome_kind=kind, outcome=words, hit_count=count_all, mandatory_count=count_mand,
    ).execution_options(synchronize_session=False))
    session.execute(update(Check).where(Check.batch_id == batch.id, Check.match == "other_kind").values(
        outcome_kind="invalid", outcome=_other_kind_words(sc)[:200],
    ).execution_options(synchronize_session=False))
    batch.hits = session.scalar(select(func.count()).where(Check.batch_id == batch.id, Check.hit_count > 0)) or 0
    batch.possible = session.scalar(select(func.count()).where(Check.batch_id == batch.id, Check.match == "possible")) or 0
    # every subject the batch found is linked to its entry: each sees the batch in 谁查询了我
    found = session.scalars(select(Check.subject_id).where(Check.batch_id == batch.id, Check.subject_id.is_not(None))
                            .distinct())
    log_event(session, who=who, action="check", entity="check_batch", entity_id=batch.id, purpose=batch.purpose,
              after={"scenario": sc.code, "candidates": batch.total, "with_hits": batch.hits,
                     "possible_matches": batch.possible, "policy_version_id": batch.policy_version_id},
              subject_ids=found)
    session.flush()


def _soften_batch(session: Session, policy: PolicySet, sc: Scenario, batch: CheckBatch, day: date) -> None:
    """Leniency for self-correction over a whole batch, set-based: for each leniency option of
    the scenario's measures (the strongest first), one ``UPDATE`` of the batch's hits that rest on
    a record with a correction of an earning kind (:data:`leniency.table_hooks`). A shortened
    measure is softened away where the record's display period ends within the months; a
    measure whose period its facts give is only marked here (the single check computes it)."""
    hooks = leniency.table_hooks.registered()
    offered = [m for m in rules.scenario_measures(policy, sc) if m.type == "punish" and m.leniency]
    if not hooks or not offered:
        return
    parts = [hook(day) for hook in hooks]
    corr = (parts[0] if len(parts) == 1 else parts[0].union_all(*parts[1:])).subquery("corr")
    mine = select(Check.id).where(Check.batch_id == batch.id)
    for m in offered:
        for opt in sorted(m.leniency, key=lambda o: -leniency.STRENGTH[o.effect]):
            why = f"已登记自我纠错（{leniency.kind_names(policy, opt.kinds)}之一），依 {leniency._basis(opt)}"
            base = [CheckHit.check_id.in_(mine), CheckHit.measure_code == m.code, CheckHit.via == "record",
                    CheckHit.leniency.is_(None),
                    CheckHit.source_id.in_(select(corr.c.record_id).where(corr.c.kind.in_(opt.kinds))),
                    CheckHit.target_subject_id.in_(select(Subject.id).where(Subject.kind.in_(opt.subject_kinds)))]
            if opt.effect == "waive":
                changes = [([], {"leniency": f"免于实施：{why}"[:500], "waived": True, "mandatory": False})]
            elif opt.effect == "reference":
                changes = [([], {"leniency": f"从轻，由必须适用改为审慎参考：{why}"[:500], "mandatory": False})]
            else:
                later = add_months(day, opt.months or 0)
                ends = CheckHit.source_id.in_(select(Record.id).where(Record.display_until < later))
                changes = [([ends], {"leniency": f"减轻，期限缩短 {opt.months} 个月（缩短后已届满，不再适用）：{why}"[:500],
                                     "waived": True, "mandatory": False}),
                           ([], {"leniency": f"减轻，期限缩短 {opt.months} 个月（缩短后仍在期内）：{why}"[:500]})]
            for extra, values in changes:
                session.execute(update(CheckHit).where(*base, *extra).values(**values)
                                .execution_options(synchronize_session=False))


RESULT_HEADERS = ["序号", "姓名/名称", "代码（脱敏）", "匹配方式", "核查结论", "强制性措施", "全部命中措施", "命中依据", "核查编号",
                  "从轻、减轻、免于实施"]


def write_result(session: Session, batch: CheckBatch, path: Path, progress: Progress | None = None) -> Path:
    """The result XLSX, written streamed (openpyxl write-only), rows in upload order."""
    from xinyong.checks.models import MATCHES

    policy = catalog_service.policy_by_id(session, batch.policy_version_id)
    sc = scenario_of(policy, batch.scenario_code)
    names = {m.code: m.name for m in policy.measures.measures}
    role_names = {r.role: r.name for r in policy.measures.responsible}
    wb = xlsx.streamed_workbook()
    ws = wb.create_sheet("核查结果")
    xlsx.append(ws, [f"{sc.name}：{batch.purpose}（政策清单 {policy.meta.label}，批次 {batch.id}）"])
    xlsx.append(ws, RESULT_HEADERS)
    rows = session.execute(
        select(Check.id, Check.row_no, Check.candidate_name, CheckCandidate.code_shown, Check.match, Check.outcome,
               Check.subject_id, Subject.kind)
        .join(CheckCandidate, and_(CheckCandidate.batch_id == Check.batch_id, CheckCandidate.row_no == Check.row_no))
        .outerjoin(Subject, Subject.id == Check.subject_id)
        .where(Check.batch_id == batch.id).order_by(Check.row_no).execution_options(yield_per=CHUNK))
    hit_rows = session.execute(
        select(CheckHit.check_id, CheckHit.measure_code, CheckHit.mandatory, CheckHit.measure_type, CheckHit.via,
               CheckHit.role, CheckHit.waived, CheckHit.leniency)
        .join(Check, Check.id == CheckHit.check_id).where(Check.batch_id == batch.id)
        .order_by(Check.row_no, CheckHit.id).execution_options(yield_per=CHUNK))
    hit_iter = iter(hit_rows)
    pending = next(hit_iter, None)
    via_names = {"record": "信用记录", "list": "名单", "grade": "评价等级", "clean_years": "无不良记录年限"}
    done = 0
    for cid, row_no, name, code_shown, match, outcome, _sid, kind in rows:
        mine = []
        while pending is not None and pending[0] == cid:
            mine.append(pending)
            pending = next(hit_iter, None)
        soft = sorted({f"{names.get(x[1], x[1])}：{x[7]}" for x in mine if x[7]})
        mine = [x for x in mine if not x[6]]
        mand = sorted({names.get(x[1], x[1]) for x in mine if x[2] and x[3] == "punish"})
        every = sorted({names.get(x[1], x[1]) for x in mine})
        why = sorted({via_names.get(x[4], x[4]) + (f"（作为{role_names.get(x[5], x[5])}）" if x[5] else "") for x in mine})
        shown_name = masking.mask_name(name) if name and (kind in NATURAL_KINDS or kind is None) else (name or "")
        xlsx.append(ws, [row_no, shown_name, code_shown or "", MATCHES.get(match, match), outcome, "；".join(mand),
                   "；".join(every), "；".join(why), cid, "；".join(soft)])
        done += 1
        if progress and done % CHUNK == 0:
            progress("写出结果", done, batch.total)
    if progress:
        progress("写出结果", done, batch.total)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def run_batch(session: Session, batch_id: int, path: Path, result_path: Path, who: Principal,
              progress: Progress | None = None, on: date | None = None) -> CheckBatch:
    """The whole job: read, match, write; progress kept on the batch row (committed as it goes)."""
    batch = session.get(CheckBatch, batch_id)
    if batch is None:
        raise NotFound(f"核查批次 {batch_id} 不存在", f"check batch {batch_id} does not exist")

    def step(stage: str, done: int, total: int) -> None:
        batch.stage, batch.done = stage, done
        if total:
            batch.total = total
        session.commit()
        if progress:
            progress(stage, done, total)

    try:
        batch.status = "running"
        step("读取名单", 0, 0)
        load_candidates(session, batch, path, progress=lambda s, d, t: progress(s, d, t) if progress else None)
        step("比对信用档案和名单", 0, batch.total)
        match_batch(session, batch, who, on)
        step("写出结果", 0, batch.total)
        write_result(session, batch, result_path, progress=step)
        batch.result_path = str(result_path)
        batch.status, batch.done, batch.stage, batch.finished_at = "done", batch.total, "完成", utcnow()
        _purge_candidates(session, batch_id)
        session.commit()
    except Exception as exc:
        session.rollback()
        batch = session.get(CheckBatch, batch_id)
        batch.status, batch.finished_at = "failed", utcnow()
        batch.error = getattr(exc, "zh", None) or f"{type(exc).__name__}: {exc}"
        _purge_candidates(session, batch_id)
        session.commit()
        raise
    return batch


def _purge_candidates(session: Session, batch_id: int) -> None:
    """The uploaded rows are working data: once the checks are stored (each with the name and
    the look-up key it was asked about) and the result file written, they go — personal data
    is kept no longer than its purpose needs (个人信息保护法 第十九条)."""
    session.execute(delete(CheckCandidate).where(CheckCandidate.batch_id == batch_id))


def get_batch(session: Session, batch_id: int) -> CheckBatch:
    batch = session.get(CheckBatch, batch_id)
    if batch is None:
        raise NotFound(f"核查批次 {batch_id} 不存在", f"check batch {batch_id} does not exist")
    return batch


def batch_checks(session: Session, batch_id: int, limit: int = 50, offset: int = 0) -> list[Check]:
    q = select(Check).where(Check.batch_id == batch_id).order_by(Check.row_no).limit(limit).offset(offset)
    return list(session.scalars(q))


# --- statistics ---------------------------------------------------------------------------------------


@dataclass
class Stats:
    total: int
    with_hits: int
    with_feedback: int
    by_scenario: list[tuple[str, int, int, int]]  # code, checks, with hits, with feedback
    by_department: list[tuple[str, int, int]]
    by_region: list[tuple[str, int, int]]
    by_month: list[tuple[str, int, int]]
    measures_applied: list[tuple[str, int, int]]  # measure code, hits, applied
    outcomes: list[tuple[str, int]]

    @property
    def hit_rate(self) -> float:
        return self.with_hits / self.total if self.total else 0.0

    @property
    def feedback_rate(self) -> float:
        return self.with_feedback / self.with_hits if self.with_hits else 0.0


def _month(session: Session, col):
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(col, "YYYY-MM")
    return func.strftime("%Y-%m", col)


def statistics(session: Session, *, region: str | None = None, since: date | None = None,
               until: date | None = None) -> Stats:
    """Checks counted by scenario, department, region (city) and month, with hit and feedback
    rates and the measures applied. A handful of grouped queries."""
    conds = []
    if region:
        conds.append(Check.region_code.like(regions.scope_prefix(region) + "%"))
    if since:
        conds.append(Check.created_at >= datetime.combine(since, datetime.min.time()))
    if until:
        conds.append(Check.created_at < datetime.combine(until, datetime.max.time()))
    hit = func.sum(case((Check.hit_count > 0, 1), else_=0))
    fed = func.sum(case((and_(Check.hit_count > 0, Check.feedback_action.is_not(None)), 1), else_=0))

    def grouped(col):
        return session.execute(select(col, func.count(), hit, fed).where(*conds).group_by(col).order_by(col)).all()

    total_row = session.execute(select(func.count(), hit, fed).where(*conds)).one()
    by_scenario = [(r[0], r[1], int(r[2] or 0), int(r[3] or 0)) for r in grouped(Check.scenario_code)]
    by_dept = [(r[0] or "", r[1], int(r[2] or 0)) for r in grouped(Check.department_code)]
    city = func.substr(Check.region_code, 1, 4)
    by_region = [((r[0] or "3300") + "00", r[1], int(r[2] or 0)) for r in grouped(city)]
    month = _month(session, Check.created_at)
    by_month = [(r[0], r[1], int(r[2] or 0)) for r in grouped(month)]
    applied = session.execute(
        select(CheckHit.measure_code, func.count(), func.sum(case((CheckHit.applied == True, 1), else_=0)))  # noqa: E712
        .join(Check, Check.id == CheckHit.check_id).where(*conds, CheckHit.waived == False)  # noqa: E712
        .group_by(CheckHit.measure_code)
        .order_by(func.count().desc())).all()
    outcomes = session.execute(select(Check.outcome_kind, func.count()).where(*conds).group_by(Check.outcome_kind)).all()
    return Stats(
        total=int(total_row[0] or 0), with_hits=int(total_row[1] or 0), with_feedback=int(total_row[2] or 0),
        by_scenario=by_scenario, by_department=by_dept, by_region=by_region, by_month=by_month,
        measures_applied=[(r[0], r[1], int(r[2] or 0)) for r in applied],
        outcomes=[(r[0], r[1]) for r in outcomes],
    )


def statistics_xlsx(stats: Stats, policy: PolicySet, path: Path) -> Path:
    scen = {s.code: s.name for s in policy.scenarios.scenarios}
    names = {m.code: m.name for m in policy.measures.measures}
    wb = xlsx.streamed_workbook()
    ws = wb.create_sheet("总体")
    xlsx.append(ws, ["核查次数", "命中次数", "命中率", "已反馈", "反馈率"])
    xlsx.append(ws, [stats.total, stats.with_hits, round(stats.hit_rate, 4), stats.with_feedback, round(stats.feedback_rate, 4)])
    for title, head, rows in (
        ("按场景", ["场景", "核查次数", "命中次数", "已反馈"], [(scen.get(c, c), n, h, f) for c, n, h, f in stats.by_scenario]),
        ("按部门", ["部门代码", "核查次数", "命中次数"], stats.by_department),
        ("按地区", ["地区", "核查次数", "命中次数"], [(regions.name_of(c), n, h) for c, n, h in stats.by_region]),
        ("按月份", ["月份", "核查次数", "命中次数"], stats.by_month),
        ("措施执行", ["措施", "命中次数", "反馈已执行"], [(names.get(c, c), n, a) for c, n, a in stats.measures_applied]),
    ):
        ws = wb.create_sheet(title)
        xlsx.append(ws, head)
        for r in rows:
            xlsx.append(ws, r)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
