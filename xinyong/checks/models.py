"""Tables for checks (联合奖惩核查): every check, what hit, the official's feedback, batches.

``checks`` holds one row per subject checked — a single check, or one candidate of a batch —
with the scenario, the purpose, who asked (user, role, department, region), the policy version,
the subject matched (by code, or only a *possible* match on name + region + birth date), the
suggested outcome in the scenario's words, and the feedback (反馈: applied / not applied and
why). ``check_hits`` lists the measures that applied, each with what triggered it (a record, a
list entry, a grade, or N clean years) and, when it reaches the subject as a responsible person
of a body or enterprise, through which one and in which role. ``check_batches`` is a batch job
(its progress is read by the page that polls it) and ``check_candidates`` its uploaded rows, the
table the set-based match joins against.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.core.db import Base, utcnow

MATCHES = {"code": "代码精确匹配", "possible": "疑似匹配（姓名+地区+出生日期），请人工核实", "none": "无信用档案",
           "invalid": "代码校验未通过", "other_kind": "主体类别不属本场景核查对象"}
OUTCOME_KINDS = {"mandatory": "强制性措施", "reference": "参考性措施", "reward": "激励措施", "clean": "无命中",
                 "possible": "疑似匹配", "invalid": "代码有误"}
FEEDBACK_ACTIONS = {"applied": "已按措施执行", "partly": "部分执行", "not_applied": "未执行"}
BATCH_STATUSES = {"queued": "排队中", "running": "核查中", "done": "已完成", "failed": "失败"}


class CheckBatch(Base):
    __tablename__ = "check_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    scenario_code: Mapped[str] = mapped_column(String(60))
    purpose: Mapped[str] = mapped_column(String(500))
    username: Mapped[str] = mapped_column(String(100))
    role: Mapped[str | None] = mapped_column(String(20))
    department_code: Mapped[str | None] = mapped_column(String(18))
    region_code: Mapped[str] = mapped_column(String(6))
    file_name: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(10), default="queued")
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    stage: Mapped[str | None] = mapped_column(String(100))
    hits: Mapped[int] = mapped_column(Integer, default=0)
    possible: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    result_path: Mapped[str | None] = mapped_column(String(500))
    policy_version_id: Mapped[int] = mapped_column(ForeignKey("policy_versions.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)


class CheckCandidate(Base):
    """One uploaded row of a batch: what the set-based match joins against."""

    __tablename__ = "check_candidates"

    batch_id: Mapped[int] = mapped_column(ForeignKey("check_batches.id"), primary_key=True)
    row_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200))
    code_key: Mapped[str | None] = mapped_column(String(64))  # subjects.identity.lookup_key of the code
    code_shown: Mapped[str | None] = mapped_column(String(40))  # masked, for the result file
    code_ok: Mapped[bool] = mapped_column(Boolean, default=True)
    region_code: Mapped[str | None] = mapped_column(String(6))
    birth_date: Mapped[date | None] = mapped_column(Date)

    __table_args__ = (Index("ix_check_candidates_code_key", "code_key"),)


class Check(Base):
    __tablename__ = "checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("check_batches.id"))
    row_no: Mapped[int | None] = mapped_column(Integer)
    scenario_code: Mapped[str] = mapped_column(String(60))
    purpose: Mapped[str] = mapped_column(String(500))
    username: Mapped[str] = mapped_column(String(100))
    role: Mapped[str | None] = mapped_column(String(20))
    department_code: Mapped[str | None] = mapped_column(String(18))
    region_code: Mapped[str] = mapped_column(String(6))  # where the check is counted: the checker's scope
    policy_version_id: Mapped[int] = mapped_column(ForeignKey("policy_versions.id"))
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("subjects.id"))
    candidate_name: Mapped[str | None] = mapped_column(String(200))
    code_key: Mapped[str | None] = mapped_column(String(64))
    match: Mapped[str] = mapped_column(String(10))
    outcome_kind: Mapped[str] = mapped_column(String(10))
    outcome: Mapped[str] = mapped_column(String(200))
    hit_count: Mapped[int] = mapped_column(Integer, default=0)
    mandatory_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    feedback_action: Mapped[str | None] = mapped_column(String(12))
    feedback_note: Mapped[str | None] = mapped_column(Text)
    feedback_by: Mapped[str | None] = mapped_column(String(100))
    feedback_at: Mapped[datetime | None] = mapped_column(DateTime)

    __table_args__ = (
        Index("ix_checks_batch_row", "batch_id", "row_no"),
        Index("ix_checks_created_at", "created_at"),
        Index("ix_checks_subject_id", "subject_id"),
    )


class CheckHit(Base):
    __tablename__ = "check_hits"

    id: Mapped[int] = mapped_column(primary_key=True)
    check_id: Mapped[int] = mapped_column(ForeignKey("checks.id"))
    measure_code: Mapped[str] = mapped_column(String(60))
    measure_type: Mapped[str] = mapped_column(String(10))  # punish / reward
    mandatory: Mapped[bool] = mapped_column(Boolean)
    via: Mapped[str] = mapped_column(String(12))  # record / list / grade / clean_years
    source_id: Mapped[int | None] = mapped_column(Integer)  # record id or list entry id
    target_subject_id: Mapped[int | None] = mapped_column(ForeignKey("subjects.id"))  # whose fact it is
    role: Mapped[str | None] = mapped_column(String(24))  # reached as legal_rep / principal / …
    applied: Mapped[bool | None] = mapped_column(Boolean)  # feedback, per measure
    leniency: Mapped[str | None] = mapped_column(String(500))  # why softened for self-correction
    waived: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")  # softened away

    __table_args__ = (Index("ix_check_hits_check_id", "check_id"),)

