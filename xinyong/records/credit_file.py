"""The credit file (信用档案): the records kept about a subject, as a reader may see them.

Plain functions over a session: no HTTP, no masking (that belongs to the outputs in
:mod:`xinyong.records.schemas`). Finding the subject itself is :mod:`xinyong.subjects.service`;
this module adds what is kept about it: its records in a file, one record with its versions,
and subjects found with their record counts (the home page's counts are in
:mod:`xinyong.records.home_counts`). What a reader may see of a natural person's records is a
domain rule, so it is decided here: a record whose disclosure is ``authorized`` (授权查询) or
``shared`` (政务共享) is withheld from a public reader, who learns only how many there are. Every
function costs a fixed number of queries whatever the number of subjects or records.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from unicodedata import normalize

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xinyong.core import regions
from xinyong.core.clock import today as _today
from xinyong.core.errors import NotFound, XinyongError
from xinyong.records.models import Record, RecordVersion
from xinyong.records.service import archived, displayed, effective_status
from xinyong.records.service import history as record_history
from xinyong.subjects import service as subjects
from xinyong.subjects.identity import display_legal_rep_code
from xinyong.subjects.models import NATURAL_KINDS, Subject
from xinyong.subjects.service import PostHeld

PUBLIC_DISCLOSURE = "public"


# --- search, with record counts ------------------------------------------------------------


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


def search(
    session: Session,
    q: str | None,
    region: str | None = None,
    kind: str | None = None,
    limit: int = 20,
    offset: int = 0,
    *,
    on: date | None = None,
    persons: bool = True,
) -> SearchPage:
    """:func:`xinyong.subjects.service.search` with each subject's displayed records counted
    (``persons=False``: natural persons left out). Two queries: the page and the counts of the
    page's subjects, grouped (none when the page is empty)."""
    page = subjects.search(session, q, region=region, kind=kind, limit=limit, offset=offset, persons=persons)
    counts: dict[int, int] = {}
    if page.subjects:
        cq = (
            select(Record.subject_id, func.count())
            .where(Record.subject_id.in_([s.id for s in page.subjects]), displayed(on))
            .group_by(Record.subject_id)
        )
        counts = dict(session.execute(cq).all())
    return SearchPage(
        q=page.q, region=page.region, kind=page.kind, limit=page.limit, offset=page.offset,
        hits=[SearchHit(s, counts.get(s.id, 0)) for s in page.subjects], has_more=page.has_more,
        by_code=page.by_code,
    )


# --- a natural person, for the public ------------------------------------------------------


class PersonNotFound(NotFound):
    """One answer for every way a public person look-up fails — no such number, another name,
    no public record — so that the answer tells nothing about whether the number exists."""

    def __init__(self) -> None:
        super().__init__(
            "未找到与该身份证号码和姓名相符、且有公开信用记录的自然人",
            "no natural person with this identity number and name has a public credit record",
        )


def _same_name(given: str, held: str) -> bool:
    """Names compared exactly after folding full-width characters and spaces (NFKC): 张 三丰
    and 张三丰 are the same name, 张三 and 张三丰 are not."""
    def fold(name: str) -> str:
        return "".join(normalize("NFKC", name or "").split())

    return bool(fold(given)) and fold(given) == fold(held)


def find_person(session: Session, code: str, name: str, *, public: bool = True, on: date | None = None) -> Subject:
    """A natural person found by identity number AND full name together; for a ``public``
    reader only where he has a displayed public (公开) record. Every failure is the same
    :class:`PersonNotFound`, a malformed number too, so that nothing here confirms a guessed
    number without the name (docs/privacy.md, 公众查询自然人). Two queries at most."""
    try:
        subject = subjects.get_by_code(session, code)
    except NotFound:
        raise PersonNotFound() from None
    if subject.kind not in NATURAL_KINDS or not _same_name(name, subject.name):
        raise PersonNotFound()
    if public:
        has_public = session.scalar(
            select(Record.id).where(
                Record.subject_id == subject.id, Record.disclosure == PUBLIC_DISCLOSURE, displayed(on or _today())
            ).limit(1)
        )
        if has_public is None:
            raise PersonNotFound()
    return subject


# --- the credit file -----------------------------------------------------------------------


def withheld_from_public(record: Record, subject: Subject) -> bool:
    """A natural person's record whose content a public reader may not see (授权查询, 政务共享)."""
    return subject.kind in NATURAL_KINDS and record.disclosure != PUBLIC_DISCLOSURE


@dataclass
class CreditFile:
    subject: Subject
    region_path: list[regions.Region]
    archive: bool
    on: date
    records: list[Record]  # what the reader may see (of ``category``, this page), newest decision first
    statuses: dict[int, str]  # record id → effective status on ``on``
    withheld: int  # records the reader may not see (授权查询 / 政务共享), only counted
    counts: dict[str, int]  # shown records by polarity (the whole file)
    by_category: dict[str, int] = field(default_factory=dict)  # shown records per category (the whole file)
    category: str | None = None  # the category the records are of; None: every category
    total: int = 0  # shown records of ``category`` (every category: the whole file)
    offset: int = 0
    limit: int | None = None  # None: every record, one page
    posts: list[PostHeld] = field(default_factory=list)  # public servants: posts, current first
    parent: Subject | None = None  # government bodies: the body above
    legal_rep_name: str | None = None  # enterprises
    legal_rep_code: str | None = None  # masked: the whole number is never handed out here

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
    category: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> CreditFile:
    """A subject's credit file: its displayed records, or with ``archive`` every record still
    kept (expired ones too, each with its effective status). A public reader does not see a
    natural person's 授权查询 and 政务共享 records, only their number.

    A long file is read a page at a time: ``category`` keeps the records of one category,
    ``limit``/``offset`` one page of them, newest decision first; the counts (by polarity, by
    category, withheld) are always of the whole file, from one grouped query, so a file of 326
    records costs what one of 50 does. The whole file (no ``limit``, no ``category``, the API):
    one query for the records, counted here. One more for posts or the parent body."""
    day = on or _today()
    period = archived(day) if archive else displayed(day)
    hide = public and subject.kind in NATURAL_KINDS  # 授权查询 / 政务共享 withheld from this reader
    q = select(Record).where(Record.subject_id == subject.id, period)
    order = (Record.decision_date.desc(), Record.id.desc())
    if limit is None and not category:  # the whole file: one query, counted here
        rows = list(session.scalars(q.order_by(*order)))
        groups = Counter((r.category_code, r.polarity, r.disclosure) for r in rows)
        group_rows = [(*k, n) for k, n in groups.items()]
    else:
        rows = None
        group_rows = session.execute(
            select(Record.category_code, Record.polarity, Record.disclosure, func.count())
            .where(Record.subject_id == subject.id, period)
            .group_by(Record.category_code, Record.polarity, Record.disclosure)
        ).all()
    counts: Counter[str] = Counter()
    by_category: Counter[str] = Counter()
    withheld = 0
    for cat, polarity, disclosure, n in group_rows:
        if hide and disclosure != PUBLIC_DISCLOSURE:
            withheld += n
            continue
        counts[polarity] += n
        by_category[cat] += n
    total = by_category.get(category, 0) if category else sum(by_category.values())
    if rows is not None:
        shown = [r for r in rows if not (hide and r.disclosure != PUBLIC_DISCLOSURE)]
    elif total:
        if hide:
            q = q.where(Record.disclosure == PUBLIC_DISCLOSURE)
        if category:
            q = q.where(Record.category_code == category)
        q = q.order_by(*order)
        shown = list(session.scalars(q.limit(limit).offset(offset) if limit is not None else q))
    else:
        shown = []
    out = CreditFile(
        subject=subject,
        region_path=regions.path(subject.region_code),
        archive=archive,
        on=day,
        records=shown,
        statuses={r.id: effective_status(r, day) for r in shown},
        withheld=withheld,
        counts=dict(counts),
        by_category=dict(by_category),
        category=category,
        total=total,
        offset=offset if limit is not None else 0,
        limit=limit,
    )
    if subject.kind in NATURAL_KINDS:
        out.posts = subjects.posts_held(session, subject, on=day)
    elif subject.kind == "gov_body" and subject.parent_id is not None:
        out.parent = session.get(Subject, subject.parent_id)
    if subject.kind == "enterprise":
        out.legal_rep_name = subject.legal_rep_name
        out.legal_rep_code = display_legal_rep_code(subject)
    return out


# --- one record ----------------------------------------------------------------------------


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
        raise record_not_found(record_id)
    record, subject = row
    if public and withheld_from_public(record, subject):
        raise Withheld()
    return RecordDetail(record, subject, effective_status(record, on), record_history(session, record.id))


def record_not_found(record_id: int) -> NotFound:
    return NotFound(f"信用记录 {record_id} 不存在或不公开", f"credit record {record_id} does not exist or is not public")


class Withheld(XinyongError):
    """The record exists but its content is not public (授权查询 / 政务共享)."""

    status_code = 403

    def __init__(self) -> None:
        super().__init__(
            "该信用记录属于授权查询或政务共享信息，不予公开；经信用主体授权后方可查询",
            "this credit record is disclosed only on the subject's authorization or to government",
        )
