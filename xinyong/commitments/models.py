"""The register of 信用承诺: what a government body, a public servant, a person or an
enterprise promised publicly, on which list item it rests, by when, and whether it was kept.

One row per commitment, keyed by its 20-character code (RULES.md: the accepting place's region
code, the date, a serial). ``status`` moves once, from 履行中 to 已履行, 已违诺 or 已撤回
(:mod:`xinyong.commitments.rules`); a breach becomes a record of 违背信用承诺 through the
records' own write path, and ``breach_record_id`` names it, so the daily run writes it once.
``region_code`` is the committing subject's region: the region scope of who may see and change
the commitment, and the region its fulfilment rate counts in.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from xinyong.core.db import Base, utcnow
from xinyong.subjects.models import Subject

STATUSES: dict[str, str] = {
    "in_force": "履行中",
    "fulfilled": "已履行",
    "breached": "已违诺",
    "withdrawn": "已撤回",
}
# 公开类型 (RULES.md): only 可向社会公开 reaches the public list
DISCLOSURES: dict[str, str] = {
    "public": "可向社会公开",
    "limited": "特定范围内公开",
    "private": "不可公开",
}


class Commitment(Base):
    __tablename__ = "commitments"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    kind: Mapped[str] = mapped_column(String(40))  # commitment_kinds.yaml code
    subject_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))
    region_code: Mapped[str] = mapped_column(String(6))
    matter: Mapped[str] = mapped_column(String(200))  # 承诺事由
    content: Mapped[str] = mapped_column(Text)  # 承诺内容
    liability: Mapped[str | None] = mapped_column(Text)  # 违诺责任
    service_area: Mapped[str | None] = mapped_column(String(20))  # 76号 五(六)
    list_kind: Mapped[str | None] = mapped_column(String(20))  # power / responsibility / public_service
    list_item: Mapped[str | None] = mapped_column(String(200))  # 清单事项
    accepting_unit: Mapped[str] = mapped_column(String(200))  # 承诺受理单位
    accepting_code: Mapped[str] = mapped_column(String(18))  # its USCC: the breach record's department
    disclosure: Mapped[str] = mapped_column(String(10), default="public")
    made_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default="in_force")
    status_on: Mapped[date | None] = mapped_column(Date)
    status_reason: Mapped[str | None] = mapped_column(Text)
    evidence: Mapped[str | None] = mapped_column(Text)  # 佐证材料说明
    breach_record_id: Mapped[int | None] = mapped_column(ForeignKey("records.id"))
    created_by: Mapped[str] = mapped_column(String(100), default="system")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    subject: Mapped[Subject] = relationship()

    __table_args__ = (
        Index("ix_commitments_region_status", "region_code", "status"),
        Index("ix_commitments_subject_id", "subject_id"),
        Index("ix_commitments_status_due", "status", "due_on"),
    )


# the rectification tables live in their own module; imported here so that the package's models
# are all known wherever the commitments' are (Alembic, tests)
from xinyong.commitments import rectification_models as _rectification_models  # noqa: E402, F401
