"""Tables for the supervision of governments (政务诚信监督, 国发〔2016〕76号 三; 浙政办发〔2017〕75号
政务 二(二); 温政办〔2017〕71号 四(二)).

Five inputs, one table: superior inspections and assessment results (上级督查、考核结果), NPC
suggestions and CPPCC proposals with their handling (人大代表建议、政协提案), judicial suggestions
with their replies (司法建议), public appraisal scores (万人评议) and third-party ratings (第三方
评价). Each row concerns one government body (a subject of kind ``gov_body``) in one region and
one year. They share one table because the supervisor's board counts, rates and ranks them
together by region and year, which is then one grouped query; the columns a kind does not use
stay empty (which columns each kind fills is :data:`xinyong.supervision.service.FIELDS`).

A row sent again (the same kind, body and :attr:`SupervisionInput.natural_key`: the document
number, the year and source …) updates the stored one, so a reply to a judicial suggestion or the
result of a proposal's handling is recorded by sending the row again with it.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from xinyong.core.db import Base, utcnow
from xinyong.subjects.models import Subject

# The five inputs: code → Chinese name (the code is also the page's and the API's path segment).
KINDS: dict[str, str] = {
    "inspections": "上级督查、考核结果",
    "proposals": "人大代表建议、政协提案",
    "judicial": "司法建议",
    "appraisals": "万人评议",
    "ratings": "第三方评价",
}
SHORT_NAMES: dict[str, str] = {
    "inspections": "督查考核", "proposals": "建议提案", "judicial": "司法建议", "appraisals": "万人评议",
    "ratings": "第三方评价",
}
# What ``category`` holds, for the kinds that have one.
CATEGORIES: dict[str, tuple[str, ...]] = {
    "inspections": ("督查", "考核"),
    "proposals": ("人大代表建议", "政协提案"),
}


class SupervisionInput(Base):
    __tablename__ = "supervision_inputs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    body_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))
    region_code: Mapped[str] = mapped_column(String(6))
    year: Mapped[int] = mapped_column(Integer)
    natural_key: Mapped[str] = mapped_column(String(400))
    category: Mapped[str | None] = mapped_column(String(20))  # 督查/考核; 人大代表建议/政协提案
    source: Mapped[str | None] = mapped_column(String(200))  # 督查考核机关, 法院, 评议活动, 评价机构
    ref_no: Mapped[str | None] = mapped_column(String(100))  # 文号, 建议/提案编号
    title: Mapped[str | None] = mapped_column(String(200))
    issued_on: Mapped[date | None] = mapped_column(Date)  # 督查考核日期, 交办日期, 发出日期, 公布日期
    deadline: Mapped[date | None] = mapped_column(Date)  # 办理期限, 答复期限
    done_on: Mapped[date | None] = mapped_column(Date)  # 办结日期, 答复日期
    on_time: Mapped[bool | None] = mapped_column(Boolean)
    adopted: Mapped[bool | None] = mapped_column(Boolean)
    satisfied: Mapped[bool | None] = mapped_column(Boolean)
    score: Mapped[float | None] = mapped_column(Float)
    result: Mapped[str | None] = mapped_column(String(50))  # 考核等次, 评议等次, 评级
    note: Mapped[str | None] = mapped_column(String(1000))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    body: Mapped[Subject] = relationship(foreign_keys=[body_id])

    __table_args__ = (
        UniqueConstraint("kind", "body_id", "natural_key", name="uq_supervision_inputs_key"),
        Index("ix_supervision_inputs_region_year", "region_code", "year"),
        Index("ix_supervision_inputs_kind_deadline", "kind", "deadline"),
        Index("ix_supervision_inputs_body_id", "body_id"),
    )
