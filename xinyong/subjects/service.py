"""Finding 信用主体 and reading their credit files.

Plain functions over a session: no HTTP, no masking (that belongs to the outputs in
:mod:`xinyong.subjects.schemas`). What a reader may see of a natural person's records is a
domain rule, so it is decided here: a record whose disclosure is ``authorized`` (授权查询) or
``shared`` (政务共享) is withheld from a public reader, who learns only how many there are.
Every function costs a fixed number of queries whatever the number of subjects or records.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, literal_column, select
from sqlalchemy.orm import Session, joinedload

from xinyong.core import regions
from xinyong.core.clock import today as _today
from xinyong.core.codes import CodeError, clean_code, looks_like_ric, validate_ric, validate_uscc
from xinyong.core.errors import InvalidInput, NotFound, XinyongError
from xinyong.records.models import Record, RecordVersion
from xinyong.records.service import archived, displayed, effective_status
from xinyong.records.service import history as record_history
from xinyong.subjects.models import KINDS, NATURAL_KINDS, Post, Subject

PUBLIC_DISCLOSURE = "public"
MAX_SEARCH_LIMIT = 200


# --- looking subjects up -------------------------------------------------------------------


def _not_found() -> NotFound:
    return NotFound("未找到该信用主体", "no credit subject has this code")


def check_code(code: str) -> str:
    """The cleaned code when it is a well-formed USCC or identity number, else :class:`NotFound`
    naming what is wrong (a malformed code can name no subject)."""
    cleaned = clean_code(code)
    try:
        if looks_like_ric(cleaned):
            try:
                return validate_ric(cleaned).ric
            except CodeError:
                return validate_uscc(cleaned)  # an all-digit USCC is possible
        return validate_uscc(cleaned)
    except CodeError as exc:
        raise NotFound(
            f"代码格式不正确，未找到信用主体：{exc.zh}", f"malformed code, no such subject: {exc.en}"
        ) from None


def get_by_code(session: Session, code: str) -> Subject:
    """The subject with this USCC or identity number (cleaned first); :class:`NotFound` else."""
    cleaned = check_code(code)
    subject = session.scalar(select(Subject).where(Subject.code == cleaned))
    if subject is None:
        raise _not_found()
    return subject


def get_by_ref(session: Session, ref: str) -> Subject:
    """The subject for a reference as it appears in links: a code, or for natural persons
    (whose identity number must not appear in a link) the subject's number."""
    ref = ref.strip()
    if ref.isdigit() and len(ref) < 18:
        subject = session.get(Subject, int(ref))
        if subject is None:
            raise _not_found()
        return subject
    return get_by_code(session, ref)


def ref_of(subject: Subject) -> str:
    """How links name a subject: its code, or its number for natural persons."""
    return str(subject.id) if subject.kind in NATURAL_KINDS else subject.code


# --- search --------------------------------------------------------------------------------


@dataclass
class SearchHit:
    subject: Subject
    record_count: int  # displayed records, whatever their disclosure


@dataclass
class SearchPage:
    q: str
    region: str | None
    kind: str | None
    limit: int
    offset: int
    hits: list[SearchHit]
    has_more: bool
    by_code: bool  # the query was a code and was looked up exactly


def check_region(region: str | None) -> str | None:
    if not region:
        return None
    region = region.strip()
    if not (len(region) == 6 and region.isdigit() and regions.is_known(region)):
        raise InvalidInput(
            f"行政区划代码“{region}”无效，应为6位代码，如 330100", f"invalid region code {region!r}",
            field="region",
        )
    return region


def check_kind(kind: str | None) -> str | None:
    if not kind:
        return None
    if kind not in KINDS:
        raise InvalidInput(
            f"主体类别“{kind}”无效，可选：{'、'.join(KINDS)}", f"invalid subject kind {kind!r}", field="kind"
        )
    return kind


def search(
    session: Session,
    q: str | None,
    region: str | None = None,
    kind: str | None = None,
    limit: int = 20,
    offset: int = 0,
    *,
    on: date | None = None,
) -> SearchPage:
    """Subjects by exact code (USCC or identity number) or by a part of the name, optionally
    within a region and of one kind, ordered by name. Two queries: the page (one row more
    than asked, to know whether there is a next page) and the displayed-record counts of the
    page's subjects, grouped."""
    region = check_region(region)
    kind = check_kind(kind)
    limit = max(1, min(limit, MAX_SEARCH_LIMIT))
    offset = max(0, offset)
    text = (q or "").strip()
    cleaned = clean_code(text) if text else ""
    by_code = len(cleaned) == 18 and cleaned.isalnum()
    stmt = select(Subject)
    if by_code:
        stmt = stmt.where(Subject.code == cleaned)
    elif text:
        stmt = stmt.where(Subject.name.contains(text, autoescape=True))
    if region:
        stmt = stmt.where(Subject.region_code.like(regions.scope_prefix(region) + "%"))
    if kind:
        stmt = stmt.where(Subject.kind == kind)
    stmt = stmt.order_by(Subject.name, Subject.id).limit(limit + 1).offset(offset)
    subjects = list(session.scalars(stmt))
    has_more = len(subjects) > limit
    subjects = subjects[:limit]
    counts: dict[int, int] = {}
    if subjects:
        cq = (
            select(Record.subject_id, func.count())
            .where(Record.subject_id.in_([s.id for s in subjects]), displayed(on))
            .group_by(Record.subject_id)
        )
        counts = dict(session.execute(cq).all())
    return SearchPage(
        q=text, region=region, kind=kind, limit=limit, offset=offset,
        hits=[SearchHit(s, counts.get(s.id, 0)) for s in subjects], has_more=has_more, by_code=by_code,
    )


# --- the credit file -----------------------------------------------------------------------


def withheld_from_public(record: Record, subject: Subject) -> bool:
    """A natural person's record whose content a public reader may not see (授权查询, 政务共享)."""
    return subject.kind in NATURAL_KINDS and record.disclosure != PUBLIC_DISCLOSURE


@dataclass
class PostHeld:
    post: Post
    current: bool


@dataclass
class CreditFile:
    subject: Subject
    region_path: list[regions.Region]
    archive: bool
    on: date
    records: list[Record]  # what the reader may see, newest decision first
    statuses: dict[int, str]  # record id → effective status on ``on``
    withheld: int  # records the reader may not see (授权查询 / 政务共享), only counted
    counts: dict[str, int]  # shown records by polarity
    posts: list[PostHeld] = field(default_factory=list)  # public servants: posts, current first
    parent: Subject | None = None  # government bodies: the body above
    legal_rep_name: str | None = None  # enterprises
    legal_rep_code: str | None = None

    @property
    def current_posts(self) -> list[PostHeld]:
        return [p for p in self.posts if p.current]


def credit_file(
    session: Session,
    subject: Subject,
    archive: bool = False,
    *,
    public: bool = True,
    on: date | None = None,
) -> CreditFile:
    """A subject's credit file: its displayed records, or with ``archive`` every record still
    kept (expired ones too, each with its effective status). A public reader (the only kind
    until accounts exist) does not see a natural person's 授权查询 and 政务共享 records, only
    their number. One query for the records, one more for posts or the parent body."""
    day = on or _today()
    q = select(Record).where(Record.subject_id == subject.id)
    q = q.where(archived(day)) if archive else q.where(displayed(day))
    rows = list(session.scalars(q.order_by(Record.decision_date.desc(), Record.id.desc())))
    shown = [r for r in rows if not (public and withheld_from_public(r, subject))]
    out = CreditFile(
        subject=subject,
        region_path=regions.path(subject.region_code),
        archive=archive,
        on=day,
        records=shown,
        statuses={r.id: effective_status(r, day) for r in shown},
        withheld=len(rows) - len(shown),
        counts=dict(Counter(r.polarity for r in shown)),
    )
    if subject.kind in NATURAL_KINDS:
        pq = (
            select(Post)
            .options(joinedload(Post.body))
            .where(Post.person_id == subject.id)
            .order_by(Post.start_date.desc(), Post.id.desc())
        )
        held = [PostHeld(p, p.end_date is None or p.end_date >= day) for p in session.scalars(pq)]
        out.posts = sorted(held, key=lambda h: not h.current)
    elif subject.kind == "gov_body" and subject.parent_id is not None:
        out.parent = session.get(Subject, subject.parent_id)
    if subject.kind == "enterprise":
        out.legal_rep_name = subject.legal_rep_name
        out.legal_rep_code = subject.legal_rep_code
    return out


@dataclass
class RecordDetail:
    record: Record
    subject: Subject
    status: str  # effective status today
    versions: list[RecordVersion]  # earlier states, oldest first


def record_detail(session: Session, record_id: int, *, public: bool = True, on: date | None = None) -> RecordDetail:
    """One record with its subject and its earlier versions. A public reader asking for a
    natural person's 授权查询 or 政务共享 record gets :class:`Withheld`."""
    row = session.execute(
        select(Record, Subject).join(Subject, Subject.id == Record.subject_id).where(Record.id == record_id)
    ).first()
    if row is None:
        raise NotFound(f"信用记录 {record_id} 不存在", f"credit record {record_id} does not exist")
    record, subject = row
    if public and withheld_from_public(record, subject):
        raise Withheld()
    return RecordDetail(record, subject, effective_status(record, on), record_history(session, record.id))


class Withheld(XinyongError):
    """The record exists but its content is not public (授权查询 / 政务共享)."""

    status_code = 403

    def __init__(self) -> None:
        super().__init__(
            "该信用记录属于授权查询或政务共享信息，不予公开；经信用主体授权后方可查询",
            "this credit record is disclosed only on the subject's authorization or to government",
        )


# --- counts for the home page --------------------------------------------------------------


@dataclass
class HomeCounts:
    subjects_by_kind: dict[str, int]
    records_by_category: list[tuple[str, int]]  # largest first
    records_by_city: list[tuple[str, int]]  # (city code, count), largest first
    total_records: int

    @property
    def total_subjects(self) -> int:
        return sum(self.subjects_by_kind.values())


def home_counts(session: Session, *, on: date | None = None) -> HomeCounts:
    """Subjects by kind, displayed records by category and by city: one grouped query each."""
    by_kind = dict(session.execute(select(Subject.kind, func.count()).group_by(Subject.kind)).all())
    by_category = [
        (code, n)
        for code, n in session.execute(
            select(Record.category_code, func.count())
            .where(displayed(on))
            .group_by(Record.category_code)
            .order_by(func.count().desc(), Record.category_code)
        )
    ]
    # Literal positions (not bound parameters), so that PostgreSQL sees the same expression
    # in SELECT and GROUP BY.
    city4 = func.substr(Record.region_code, literal_column("1"), literal_column("4"))
    by_city = [
        (prefix + "00", n)
        for prefix, n in session.execute(
            select(city4, func.count()).where(displayed(on)).group_by(city4).order_by(func.count().desc(), city4)
        )
    ]
    return HomeCounts(
        subjects_by_kind={k: by_kind.get(k, 0) for k in KINDS},
        records_by_category=by_category,
        records_by_city=by_city,
        total_records=sum(n for _c, n in by_category),
    )
