"""Finding 信用主体: by code, by the reference used in links, by name; their posts.

Plain functions over a session: no HTTP, no masking (that belongs to the outputs). What is
kept about a subject (its credit file, its records) is :mod:`xinyong.records.credit_file`,
which builds on these. Every function costs a fixed number of queries whatever the number of
subjects.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from xinyong.core import regions
from xinyong.core.clock import today as _today
from xinyong.core.codes import CodeError, clean_code, looks_like_ric, validate_ric, validate_uscc
from xinyong.core.errors import InvalidInput, NotFound
from xinyong.subjects.identity import has_hidden_code, lookup_key
from xinyong.subjects.models import KINDS, NATURAL_KINDS, Post, Subject

MAX_SEARCH_LIMIT = 200


# --- looking subjects up -------------------------------------------------------------------


def not_found() -> NotFound:
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
    """The subject with this USCC or identity number (cleaned first, an identity number looked
    up by its keyed hash); :class:`NotFound` else."""
    cleaned = check_code(code)
    subject = session.scalar(select(Subject).where(Subject.code == lookup_key(cleaned)))
    if subject is None:
        raise not_found()
    return subject


def get_by_ref(session: Session, ref: str) -> Subject:
    """The subject for a reference as it appears in links: a code, or for natural persons
    (whose identity number must not appear in a link) the subject's number."""
    ref = ref.strip()
    if ref.isascii() and ref.isdigit() and len(ref) < 18:  # "¹".isdigit() is true, int("¹") fails
        subject = session.get(Subject, int(ref))
        if subject is None:
            raise not_found()
        return subject
    return get_by_code(session, ref)


def ref_of(subject: Subject) -> str:
    """How links name a subject: its code, or its number for natural persons (and for the rare
    organisation whose code is stored hashed, see :mod:`xinyong.subjects.identity`)."""
    return str(subject.id) if subject.kind in NATURAL_KINDS or has_hidden_code(subject) else subject.code


# --- search --------------------------------------------------------------------------------


@dataclass
class SubjectPage:
    q: str
    region: str | None
    kind: str | None
    limit: int
    offset: int
    subjects: list[Subject]
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
    persons: bool = True,
) -> SubjectPage:
    """Subjects by exact code (USCC or identity number) or by a part of the name, optionally
    within a region and of one kind, ordered by name. One query: the page, one row more than
    asked, to know whether there is a next page.

    ``persons=False`` (a reader who is not an official) leaves natural persons out, whatever
    the query: the public must not be able to list persons, nor test whether an identity
    number exists (docs/privacy.md, 公众查询自然人); it finds a person only through
    :func:`xinyong.records.credit_file.find_person`, by number and name together."""
    region = check_region(region)
    kind = check_kind(kind)
    limit = max(1, min(limit, MAX_SEARCH_LIMIT))
    offset = max(0, offset)
    text = (q or "").strip()
    cleaned = clean_code(text) if text else ""
    by_code = len(cleaned) == 18 and cleaned.isalnum()
    stmt = select(Subject)
    if by_code:
        stmt = stmt.where(Subject.code == lookup_key(cleaned))
    elif text:
        stmt = stmt.where(Subject.name.contains(text, autoescape=True))
    if region:
        stmt = stmt.where(Subject.region_code.like(regions.scope_prefix(region) + "%"))
    if kind:
        stmt = stmt.where(Subject.kind == kind)
    if not persons:
        stmt = stmt.where(Subject.kind.not_in(NATURAL_KINDS))
    stmt = stmt.order_by(Subject.name, Subject.id).limit(limit + 1).offset(offset)
    subjects = list(session.scalars(stmt))
    return SubjectPage(
        q=text, region=region, kind=kind, limit=limit, offset=offset,
        subjects=subjects[:limit], has_more=len(subjects) > limit, by_code=by_code,
    )


def count_by_kind(session: Session) -> dict[str, int]:
    """Subjects of each kind (every kind present, zero when there is none): one grouped query."""
    found = dict(session.execute(select(Subject.kind, func.count()).group_by(Subject.kind)).all())
    return {k: found.get(k, 0) for k in KINDS}


# --- posts ---------------------------------------------------------------------------------


@dataclass
class PostHeld:
    post: Post
    current: bool


def posts_held(session: Session, person: Subject, *, on: date | None = None) -> list[PostHeld]:
    """The posts a person holds or held, with their bodies: those held on ``on`` (today) first,
    then the latest start first. One query."""
    day = on or _today()
    q = (
        select(Post)
        .options(joinedload(Post.body))
        .where(Post.person_id == person.id)
        .order_by(Post.start_date.desc(), Post.id.desc())
    )
    held = [
        PostHeld(p, p.start_date <= day and (p.end_date is None or p.end_date >= day)) for p in session.scalars(q)
    ]
    return sorted(held, key=lambda h: not h.current)
