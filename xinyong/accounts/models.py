"""Tables for users, departments, web sessions and API tokens.

- ``departments``: the bodies that report credit records, each with the catalog categories it
  may report (its part of the 数据目录).
- ``users``: one role and one region scope each; a reporter belongs to a department, a subject
  user to the subject whose file it reads. Passwords are argon2 hashes; the TOTP secret is
  encrypted at rest (SM4-GCM with the key in ``VAR_DIR/keys/totp.key`` or
  ``XINYONG_TOTP_KEY``, see :mod:`xinyong.accounts.secrets`).
- ``web_sessions``: server-side sessions; the cookie holds a random id whose SHA-256 is stored,
  so a stolen database does not give live sessions. Each has an idle timeout (``last_seen_at``)
  and an absolute expiry, a stage (``full``; ``totp``: the password was right, the code is
  still to come; ``enrol``: an administrator who must first set up TOTP) and its CSRF token.
- ``api_tokens``: tokens for departments' systems, stored as SHA-256 hashes with a short prefix
  kept in clear to recognise them; scoped to a user (its role and region), a department and
  its categories; with an expiry and a revocation time.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from xinyong.core.db import Base, JSONType, utcnow


class Department(Base):
    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(18), unique=True)  # the department's USCC
    name: Mapped[str] = mapped_column(String(200))
    region_code: Mapped[str] = mapped_column(String(6))
    categories: Mapped[list] = mapped_column(JSONType, default=list)  # catalog category codes
    # deciding authorities it may report for besides itself: [{"code": USCC, "name": name}]
    authorities: Mapped[list] = mapped_column(JSONType, default=list, server_default="[]")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    region_code: Mapped[str | None] = mapped_column(String(6))
    department_code: Mapped[str | None] = mapped_column(ForeignKey("departments.code"))
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("subjects.id"))
    password_hash: Mapped[str] = mapped_column(String(255))
    password_changed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)
    totp_secret: Mapped[str | None] = mapped_column(String(255))  # encrypted, see accounts.secrets
    totp_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    totp_last_step: Mapped[int | None] = mapped_column(Integer)  # a code is accepted once
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    department: Mapped[Department | None] = relationship(foreign_keys=[department_code])

    __table_args__ = (Index("ix_users_region_role", "region_code", "role"),)


class WebSession(Base):
    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    stage: Mapped[str] = mapped_column(String(10), default="full")
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    ended_at: Mapped[datetime | None] = mapped_column(DateTime)
    ip: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (Index("ix_web_sessions_user_id", "user_id"),)


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    department_code: Mapped[str | None] = mapped_column(ForeignKey("departments.code"))
    categories: Mapped[list] = mapped_column(JSONType, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100))
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked_by: Mapped[str | None] = mapped_column(String(100))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime)

    user: Mapped[User] = relationship()

    __table_args__ = (Index("ix_api_tokens_user_id", "user_id"),)
