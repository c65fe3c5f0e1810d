"""Tables for 信用主体, posts and designations.

One ``subjects`` table holds all four kinds, keyed by their identifier (``code``: the USCC of a
body or enterprise; for a person, the keyed hash of the identity number, which is kept only
encrypted in ``code_cipher`` — see :mod:`xinyong.subjects.identity`). The identifier decides who
is who; a name never does. A public servant is a person who holds or held a post: the same identity number, the
kind ``public_servant``, and rows in ``posts`` with their dates, so that a breach is traced to
whoever held the post at the time. Who answers for a body (its legal representative, principal,
financial head) is not read from a post's title: it is a :class:`Designation` with its dates.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from xinyong.core.db import Base, utcnow

KINDS = ("gov_body", "public_servant", "person", "enterprise")
NATURAL_KINDS = ("person", "public_servant")


class Subject(Base):
    __tablename__ = "subjects"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    # USCC, or for an identity number its keyed hash (xinyong.subjects.identity)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    code_cipher: Mapped[str | None] = mapped_column(String(120))  # the identity number, encrypted
    name: Mapped[str] = mapped_column(String(200))
    region_code: Mapped[str] = mapped_column(String(6))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("subjects.id"))
    birth_date: Mapped[date | None] = mapped_column(Date)
    gender: Mapped[str | None] = mapped_column(String(1))
    legal_rep_name: Mapped[str | None] = mapped_column(String(100))
    legal_rep_code: Mapped[str | None] = mapped_column(String(64))  # keyed hash, like ``code``
    legal_rep_cipher: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    parent: Mapped[Subject | None] = relationship(remote_side=[id])

    __table_args__ = (
        Index("ix_subjects_region_kind", "region_code", "kind"),
        Index("ix_subjects_name", "name"),
        Index("ix_subjects_parent_id", "parent_id"),
        Index("ix_subjects_legal_rep_code", "legal_rep_code"),
    )

    @property
    def is_natural(self) -> bool:
        return self.kind in NATURAL_KINDS


class Post(Base):
    """A post held by a person in a government body from ``start_date`` to ``end_date``."""

    __tablename__ = "posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))
    body_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))
    title: Mapped[str] = mapped_column(String(100))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    person: Mapped[Subject] = relationship(foreign_keys=[person_id])
    body: Mapped[Subject] = relationship(foreign_keys=[body_id])

    __table_args__ = (
        Index("ix_posts_person_id", "person_id"),
        Index("ix_posts_body_title", "body_id", "title"),
    )


# The responsibilities a body registers for a person over a period (DESIGN: who held which post
# when). Their Chinese names, in the order pages list them.
DESIGNATION_ROLES: dict[str, str] = {
    "legal_rep": "法定代表人",
    "principal": "主要负责人",
    "financial_head": "财政（财务）部门负责人",
}


class Designation(Base):
    """A person registered as a body's legal representative, principal or financial head from
    ``start_date`` to ``end_date`` (open: still so).

    A post's title says what a person does; it does not say who answers for the body: a court's
    书记员 is no 书记, and a 主任科员 is no 主任. Who answers for a body is a registered fact with
    dates — the business licence's legal representative, the appointment of the principal — so a
    measure reaches a person only through a designation, and through the one that covered the
    day of the act the record describes (项目责任回溯), not the day of the check. ``basis``: the
    registration or appointment it rests on (登记/任命文号)."""

    __tablename__ = "designations"

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))
    role: Mapped[str] = mapped_column(String(20))
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    basis: Mapped[str | None] = mapped_column(String(200))
    created_by: Mapped[str] = mapped_column(String(100), default="system")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    person: Mapped[Subject] = relationship(foreign_keys=[person_id])
    body: Mapped[Subject] = relationship(foreign_keys=[body_id])

    __table_args__ = (
        Index("ix_designations_person_id", "person_id"),
        Index("ix_designations_body_role", "body_id", "role"),
    )


@event.listens_for(Subject, "before_insert")
@event.listens_for(Subject, "before_update")
def _protect_identity_numbers(_mapper, _connection, subject: Subject) -> None:
    """No identity number reaches the table in plain through the ORM: one set on ``code`` or
    ``legal_rep_code`` is replaced by its keyed hash, and encrypted into ``*_cipher``. (Bulk
    loads — the import, the demo — do the same themselves through
    :mod:`xinyong.subjects.identity`.)"""
    from xinyong.subjects import identity

    if subject.code and identity.is_identity_number(subject.code):
        p = identity.protect(subject.code, identity.CODE_CONTEXT)
        subject.code, subject.code_cipher = p.key, p.cipher
    if subject.legal_rep_code and identity.is_identity_number(subject.legal_rep_code):
        p = identity.protect(subject.legal_rep_code, identity.REP_CONTEXT)
        subject.legal_rep_code, subject.legal_rep_cipher = p.key, p.cipher
