"""Tables of authorized queries (授权查询) and of OpenID Connect logins.

- ``authorization_codes``: a code a person (a subject user) grants a third party: whom it is
  for, for what purpose, which parts of the file (``scope``), until when, how many reads. The
  code itself is shown once and stored only as its SHA-256 (with its first four characters in
  clear, so the person recognises it on his page); ``reads_used`` counts the reads made with
  it; ``revoked_at`` ends it early. Rows are never deleted (the audit log names them).
- ``oidc_logins``: one row per login started at the identity provider: the hash of the
  ``state`` sent, the ``nonce`` the ID token must carry and the PKCE ``code_verifier``; used
  once (``used_at``) and only within ``OIDC_LOGIN_TTL_SECONDS``. The web processes keep no
  state of their own, so the callback can reach any of them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.core.db import Base, JSONType, utcnow


class AuthorizationCode(Base):
    __tablename__ = "authorization_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))  # the person who granted it
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(8))  # the code's first characters, to recognise it
    recipient: Mapped[str] = mapped_column(String(100))  # 被授权方
    purpose: Mapped[str] = mapped_column(String(200))  # 授权用途
    scope: Mapped[list] = mapped_column(JSONType, default=list)  # parts, see authorization.SCOPE_PARTS
    expires_at: Mapped[datetime] = mapped_column(DateTime)  # UTC; no read at or after it
    max_reads: Mapped[int] = mapped_column(Integer)
    reads_used: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_read_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)

    __table_args__ = (Index("ix_authorization_codes_subject_id", "subject_id"),)


class OidcLogin(Base):
    __tablename__ = "oidc_logins"

    id: Mapped[int] = mapped_column(primary_key=True)
    state_hash: Mapped[str] = mapped_column(String(64), unique=True)
    nonce: Mapped[str] = mapped_column(String(64))
    code_verifier: Mapped[str] = mapped_column(String(128))
    next_url: Mapped[str] = mapped_column(String(500), default="/")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)
