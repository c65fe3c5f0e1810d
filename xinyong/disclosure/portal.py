"""The public portal (信用公示): what anyone may read without logging in.

- search by name or code, legal persons and government bodies only: a natural person is found
  by his full identity number and name together (:func:`xinyong.records.credit_file.find_person`),
  never listed, searched by name or paged through;
- 双公示: the administrative licences and penalties of legal persons and bodies shown today
  (公开 records inside their display period), filtered by department, region and decision date;
  each department's timeliness — the share published (first received by the platform) within
  7 working days of the decision, counted with the working-day calendar;
- 典型案例: records the credit office marks as typical cases (:class:`TypicalCase`);
- a subject's standing on the public page: the lists the policy publishes and the grade of an
  indicator system whose ``publish`` is set.

Every function here is a plain function over a session (no HTTP); the pages mask what they show.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from xinyong.catalog.schemas import PolicySet
from xinyong.core import clock, regions, workdays
from xinyong.core.db import utcnow
from xinyong.core.errors import NotFound, XinyongError
from xinyong.disclosure.portal_models import TypicalCase
from xinyong.lists.service import grade_of
from xinyong.records.models import LIVE_STATUSES, Record
from xinyong.records.service import displayed
from xinyong.subjects.models import NATURAL_KINDS, Subject

# 双公示: the two categories and how the portal names them in its addresses.
DISCLOSURE_KINDS = {"licences": ("admin_licence", "行政许可"), "penalties": ("admin_penalty", "行政处罚")}
LEGAL_KINDS = ("enterprise", "gov_body")
TIMELY_WORKDAYS = 7  # 双公示: published within 7 working days of the decision (信用办 rules)
FEED_MAX = 1000  # rows per page of a feed


class BadFilter(XinyongError):
    status_code = 422


@dataclass(frozen=True)
class Filters:
    department: str = ""  # the reporting department's USCC
    region: str = ""  # a GB/T 2260 code: the province, a city or a county
    date_from: date | None = None
    date_to: date | None = None

    def check(self) -> Filters:
        if self.region and (len(self.region) != 6 or not self.region.isdigit()):
            raise BadFilter("地区（region）须为 6 位行政区划代码", "region must be a six-digit region code")
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise BadFilter("决定日期（date_from）不能晚于截止日期（date_to）", "date_from is after date_to")
        return self

    def params(self) -> dict[str, str]:
        out = {"department": self.department, "region": self.region,
               "date_from": self.date_from.isoformat() if self.date_from else "",
               "date_to": self.date_to.isoformat() if self.date_to else ""}
        return {k: v for k, v in out.items() if v}


def category_of(kind: str) -> str:
    if kind not in DISCLOSURE_KINDS:
        raise NotFound("没有这类公示信息（licences 行政许可 / penalties 行政处罚）", f"no disclosure kind {kind!r}")
    return DISCLOSURE_KINDS[kind][0]


def _where(category: str, f: Filters, on: date) -> list:
    """The 双公示 rows shown today: public records of legal persons and bodies (never of natural
    persons), inside their display period, and the filters."""
    out = [Record.category_code == category, Record.disclosure == "public", displayed(on),
           Subject.kind.in_(LEGAL_KINDS)]
    if f.department:
        out.append(Record.department_code == f.department)
    if f.region:  # the regions inside it: a range of codes (an index serves it; LIKE it would not)
        prefix = regions.scope_prefix(f.region)
        out += [Record.region_code >= prefix, Record.region_code < prefix[:-1] + chr(ord(prefix[-1]) + 1)]
    if f.date_from:
        out.append(Record.decision_date >= f.date_from)
    if f.date_to:
        out.append(Record.decision_date <= f.date_to)
    return out


@dataclass
class DisclosureRow:
    record_id: int
    subject_id: int
    subject_kind: str
    subject_name: str
    subject_code: str
    region_code: str
    department_code: str
    department_name: str
    decision_no: str
    decision_date: date
    display_until: date
    facts: dict


def disclosures(session: Session, kind: str, f: Filters, *, limit: int, offset: int = 0,
                on: date | None = None, total: int | None = None) -> tuple[list[DisclosureRow], int]:
    """One page of 双公示 rows (newest decision first) and how many rows the filters match. Two
    queries; one when the caller knows how many (``total``: the listing page sums its
    departments' timeliness, which counts the same rows)."""
    category = category_of(kind)
    day = on or clock.today()
    where = _where(category, f.check(), day)
    if total is None:
        base = select(Record.id).join(Subject, Subject.id == Record.subject_id).where(*where)
        total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    q = (select(Record.id, Record.subject_id, Subject.kind, Subject.name, Subject.code, Record.region_code,
                Record.department_code, Record.department_name, Record.decision_no, Record.decision_date,
                Record.display_until, Record.facts)
         .join(Subject, Subject.id == Record.subject_id).where(*where)
         .order_by(Record.decision_date.desc(), Record.id.desc()).limit(limit).offset(offset))
    return [DisclosureRow(*row) for row in session.execute(q)], int(total)


def departments(session: Session, kind: str, on: date | None = None) -> list[tuple[str, str]]:
    """The departments that reported rows of this kind shown today: (code, name), by name.

    One statement, a skip through ``ix_records_category_department`` (migration 0040): a
    recursive step finds the category's next department code (one index probe each), and for each
    the name on one of its shown 双公示 rows is looked up (the first in the index that matches;
    none: the department has no row shown and is left out). A grouped query over the shown rows
    read all of them, every shown penalty of the province at the demo's default scale (83,000
    rows, 250–330 ms on SQLite), for about 1,100 departments; this reads about two index entries
    and a row per department (21 ms)."""
    category = category_of(kind)
    day = on or clock.today()
    step = aliased(Record)
    first = select(func.min(Record.department_code)).where(Record.category_code == category).scalar_subquery()
    codes = select(first.label("code")).cte("department_codes", recursive=True)
    prev = codes.alias("prev")
    following = (select(func.min(step.department_code))
                 .where(step.category_code == category, step.department_code > prev.c.code).scalar_subquery())
    codes = codes.union_all(select(following).where(prev.c.code.is_not(None)))
    shown = aliased(Record)
    name = (select(shown.department_name).join(Subject, Subject.id == shown.subject_id)
            .where(shown.category_code == category, shown.department_code == codes.c.code,
                   shown.disclosure == "public", shown.status.in_(LIVE_STATUSES), shown.display_until >= day, Subject.kind.in_(LEGAL_KINDS))
            .limit(1).scalar_subquery())
    rows = session.execute(select(codes.c.code, name).where(codes.c.code.is_not(None)))
    return sorted(((c, n) for c, n in rows if n is not None), key=lambda cn: (cn[1], cn[0]))


# --- timeliness ------------------------------------------------------------------------------


@dataclass
class Timeliness:
    department_code: str
    department_name: str
    total: int
    on_time: int
    provisional: bool = False  # a deadline fell in a year without an official holiday schedule

    @property
    def share(self) -> float:
        return self.on_time / self.total if self.total else 0.0


BEIJING = timedelta(hours=8)


def due_before(decision_day: date) -> tuple[datetime, bool]:
    """The moment (UTC, naive, as the platform stores moments) before which a record decided on
    ``decision_day`` counts as published in time — the end of the 7th working day after it,
    Beijing time — and whether the calendar for it is provisional."""
    due = workdays.add_workdays(decision_day, TIMELY_WORKDAYS)
    return datetime.combine(due.due + timedelta(days=1), time()) - BEIJING, bool(due.provisional)


def timeliness(session: Session, kind: str, f: Filters, on: date | None = None) -> list[Timeliness]:
    """Each department's 双公示 timeliness over the rows the filters match: how many rows, how
    many first received by the platform before the end of the 7th working day after the
    decision. One grouped query — the rows counted by department, decision date and moment first
    received (a batch's rows share that moment, so the groups are few) — and the calendar
    computed once per decision date, here (a join to a table of the dates' deadlines made SQLite
    scan that table once per row: seconds at the demo's scale). Worst first."""
    category = category_of(kind)
    where = _where(category, f.check(), on or clock.today())
    q = (select(Record.department_code, func.min(Record.department_name), Record.decision_date, Record.first_seen,
                func.count())
         .join(Subject, Subject.id == Record.subject_id).where(*where)
         .group_by(Record.department_code, Record.decision_date, Record.first_seen))
    deadlines: dict[date, tuple[datetime, bool]] = {}
    by: dict[str, Timeliness] = {}
    for code, name, decided, first_seen, n in session.execute(q):
        if decided not in deadlines:
            deadlines[decided] = due_before(decided)
        before, provisional = deadlines[decided]
        t = by.get(code)
        if t is None:
            t = by[code] = Timeliness(code, name, 0, 0)
        elif name < t.department_name:
            t.department_name = name
        t.total += int(n)
        t.on_time += int(n) if first_seen < before else 0
        t.provisional = t.provisional or provisional
    return sorted(by.values(), key=lambda t: (t.share, t.department_name))


# --- typical cases ---------------------------------------------------------------------------


@dataclass
class CaseRow:
    case: TypicalCase
    record: Record
    subject: Subject


def typical_cases(session: Session, *, limit: int, offset: int = 0, on: date | None = None,
                  current_only: bool = True) -> tuple[list[CaseRow], int]:
    """The typical cases on show (not withdrawn; the record public and shown today), newest mark
    first, and how many there are."""
    where = [TypicalCase.withdrawn_at.is_(None), Record.disclosure == "public", displayed(on or clock.today()),
             Subject.kind.in_(LEGAL_KINDS)] if current_only else []
    q = (select(TypicalCase, Record, Subject).join(Record, Record.id == TypicalCase.record_id)
         .join(Subject, Subject.id == Record.subject_id).where(*where))
    total = session.scalar(select(func.count()).select_from(q.subquery())) or 0
    rows = session.execute(q.order_by(TypicalCase.marked_at.desc(), TypicalCase.id.desc()).limit(limit).offset(offset))
    return [CaseRow(c, r, s) for c, r, s in rows], int(total)


def get_case(session: Session, case_id: int, on: date | None = None) -> CaseRow:
    row = session.execute(
        select(TypicalCase, Record, Subject).join(Record, Record.id == TypicalCase.record_id)
        .join(Subject, Subject.id == Record.subject_id)
        .where(TypicalCase.id == case_id, TypicalCase.withdrawn_at.is_(None), Record.disclosure == "public",
               displayed(on or clock.today()), Subject.kind.in_(LEGAL_KINDS))
    ).first()
    if row is None:
        raise NotFound("没有这个典型案例（或已撤下）", f"no typical case {case_id}")
    return CaseRow(*row)


def mark_case(session: Session, record_id: int, title: str, note: str, by: str,
              on: date | None = None) -> tuple[TypicalCase, dict | None]:
    """Mark a record as a typical case (or mark it again after a withdrawal, with the new title
    and note). Only a public record of a legal person or body shown today: a natural person is
    never published by the portal. Returns the case and its state before (None when new)."""
    title, note = title.strip(), note.strip()
    if not title:
        raise BadFilter("案例标题（title）不能为空", "title is empty")
    found = session.execute(
        select(Record, Subject).join(Subject, Subject.id == Record.subject_id).where(Record.id == record_id)
    ).first()
    if found is None:
        raise NotFound(f"没有编号为 {record_id} 的信用记录", f"no record {record_id}")
    record, subject = found
    if subject.kind in NATURAL_KINDS:
        raise BadFilter("自然人的信用记录不作为典型案例公开（record_id）", "a natural person's record is never published")
    if record.disclosure != "public" or not session.scalar(select(func.count()).where(
            Record.id == record_id, displayed(on or clock.today()))):
        raise BadFilter("只有公示期内、公开的信用记录可作为典型案例（record_id）", "the record is not public and shown")
    existing = session.scalar(select(TypicalCase).where(TypicalCase.record_id == record_id))
    before = case_state(existing) if existing else None
    if existing is None:
        existing = TypicalCase(record_id=record_id, title=title, note=note, marked_by=by)
        session.add(existing)
    else:
        existing.title, existing.note, existing.marked_by = title, note, by
        existing.marked_at, existing.withdrawn_at, existing.withdrawn_by = utcnow(), None, None
    session.flush()
    return existing, before


def withdraw_case(session: Session, case_id: int, by: str) -> tuple[TypicalCase, dict]:
    c = session.get(TypicalCase, case_id)
    if c is None or c.withdrawn_at is not None:
        raise NotFound("没有这个典型案例（或已撤下）", f"no typical case {case_id}")
    before = case_state(c)
    c.withdrawn_at, c.withdrawn_by = utcnow(), by
    session.flush()
    return c, before


def case_state(c: TypicalCase) -> dict:
    return {"record_id": c.record_id, "title": c.title, "note": c.note, "marked_by": c.marked_by,
            "withdrawn": c.withdrawn_at is not None}


# --- a subject's public standing ---------------------------------------------------------------


@dataclass
class PublicGrade:
    system: str
    grade: str


def public_grade(session: Session, subject: Subject, policy: PolicySet) -> PublicGrade | None:
    """The subject's current grade where an indicator system of its kind publishes its grades
    (``publish`` in evaluation.yaml); None otherwise."""
    system = next((s for s in policy.evaluation.systems if s.publish and subject.kind in s.subject_kinds), None)
    if system is None:
        return None
    grade = grade_of(session, [subject.id]).get(subject.id)
    return PublicGrade(system.name, system.grade_name(grade)) if grade else None


@dataclass
class PortalCounts:
    """The portal's front counts (kept in the portal cache)."""

    licences: int = 0
    penalties: int = 0
    lists: dict[str, int] = field(default_factory=dict)
    cases: int = 0


def counts(session: Session, on: date | None = None) -> PortalCounts:
    from xinyong.lists import service as lists

    day = on or clock.today()
    q = (select(Record.category_code, func.count()).join(Subject, Subject.id == Record.subject_id)
         .where(Record.category_code.in_([c for c, _ in DISCLOSURE_KINDS.values()]), Record.disclosure == "public",
                displayed(day), Subject.kind.in_(LEGAL_KINDS))
         .group_by(Record.category_code))
    by = dict(session.execute(q).all())
    _, cases = typical_cases(session, limit=0, on=day)
    return PortalCounts(licences=by.get("admin_licence", 0), penalties=by.get("admin_penalty", 0),
                        lists=lists.counts(session, day), cases=cases)
