"""Stored versions of the policy lists. A version is never changed or deleted; loading a set
makes it the active one, and every record, check and score names the version it used."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.core.db import Base, JSONType, utcnow


class PolicyVersion(Base):
    __tablename__ = "policy_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(200))
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    content: Mapped[dict] = mapped_column(JSONType)
    source: Mapped[str] = mapped_column(String(500))
    loaded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    loaded_by: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=False)
