"""The registers of government bodies' obligations (政府履约), one table each:

- ``obl_agreements``: 招商引资 agreements and policy promises — parties, promised incentives,
  dates; a change or termination names its legal ground and the compensation decided (76号 五(四));
- ``obl_contracts``: procurement and other contracts — acceptance, the payment due date under
  the payment rule in force, what is paid; what is unpaid past due is arrears (拖欠企业账款),
  kept by the daily run in ``arrears`` / ``arrears_since``;
- ``obl_ppp_projects`` with ``obl_ppp_holders`` (the government-side responsible person of each
  stage, from / to) and ``obl_ppp_breaches`` (traced to the holder on the day it happened,
  76号 五(二), with the records it became);
- ``obl_judgments``: court judgments against bodies and their listing as dishonest judgment
  debtors, until performed or settled and removed; ``reported_to_id`` names the superior the
  listing was reported to;
- ``obl_debts``: a body's (a government's) debt figures per date — balance, available financial
  resources, the maturing and overdue amounts, the ratio and its warning level.

Amounts are 万元, stored as Numeric(16, 2). ``region_code`` is the body's: the scope of who
may see and change the row.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from xinyong.core.db import Base, utcnow

MONEY = Numeric(16, 2)

AGREEMENT_STATUSES = {"in_force": "履行中", "fulfilled": "已履行", "changed": "已依法变更", "terminated": "已依法解除"}
JUDGMENT_STATUSES = {"unperformed": "未履行", "listed": "列入失信被执行人名单", "performed": "已履行",
                     "settled": "已和解履行", "removed": "已移出名单"}


class _Row:
    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))
    region_code: Mapped[str] = mapped_column(String(6))
    created_by: Mapped[str] = mapped_column(String(100), default="system")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Agreement(_Row, Base):
    __tablename__ = "obl_agreements"

    ref_no: Mapped[str] = mapped_column(String(60), unique=True)  # 协议编号 / 承诺文号
    kind: Mapped[str] = mapped_column(String(20))  # 投资协议 / 政策承诺
    name: Mapped[str] = mapped_column(String(200))
    counterpart_name: Mapped[str] = mapped_column(String(200))
    counterpart_code: Mapped[str | None] = mapped_column(String(18))
    incentives: Mapped[str] = mapped_column(Text)  # 承诺的优惠政策
    incentive_amount: Mapped[Decimal | None] = mapped_column(MONEY)
    signed_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default="in_force")
    changed_on: Mapped[date | None] = mapped_column(Date)
    change_reason: Mapped[str | None] = mapped_column(Text)
    legal_ground: Mapped[str | None] = mapped_column(String(20))
    legal_basis: Mapped[str | None] = mapped_column(Text)
    compensation: Mapped[str | None] = mapped_column(Text)
    compensation_amount: Mapped[Decimal | None] = mapped_column(MONEY)

    __table_args__ = (Index("ix_obl_agreements_body", "body_id"), Index("ix_obl_agreements_region", "region_code"))


class Contract(_Row, Base):
    __tablename__ = "obl_contracts"

    contract_no: Mapped[str] = mapped_column(String(60), unique=True)
    kind: Mapped[str] = mapped_column(String(20))  # 政府采购 / 工程 / 服务 / 其他
    name: Mapped[str] = mapped_column(String(200))
    supplier_name: Mapped[str] = mapped_column(String(200))
    supplier_code: Mapped[str] = mapped_column(String(18))
    sme: Mapped[bool] = mapped_column(Boolean, default=True)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    signed_on: Mapped[date] = mapped_column(Date)
    accepted_on: Mapped[date | None] = mapped_column(Date)
    agreed_pay_on: Mapped[date | None] = mapped_column(Date)
    pay_due_on: Mapped[date | None] = mapped_column(Date)  # under the payment rule; None until accepted
    paid_amount: Mapped[Decimal] = mapped_column(MONEY, default=0)
    paid_on: Mapped[date | None] = mapped_column(Date)
    arrears: Mapped[Decimal] = mapped_column(MONEY, default=0)  # unpaid past due (daily run)
    arrears_since: Mapped[date | None] = mapped_column(Date)

    __table_args__ = (Index("ix_obl_contracts_body", "body_id"), Index("ix_obl_contracts_due", "pay_due_on"),
                      Index("ix_obl_contracts_region", "region_code"))


class PppProject(_Row, Base):
    __tablename__ = "obl_ppp_projects"

    project_code: Mapped[str] = mapped_column(String(60), unique=True)  # 项目库编号
    name: Mapped[str] = mapped_column(String(200))
    partner_name: Mapped[str | None] = mapped_column(String(200))  # 社会资本方
    partner_code: Mapped[str | None] = mapped_column(String(18))
    investment: Mapped[Decimal | None] = mapped_column(MONEY)
    stage: Mapped[str] = mapped_column(String(10))
    stage_on: Mapped[date] = mapped_column(Date)
    stages: Mapped[str] = mapped_column(Text, default="")  # "识别:2024-01-01;准备:2024-06-01"

    __table_args__ = (Index("ix_obl_ppp_projects_body", "body_id"), Index("ix_obl_ppp_projects_region", "region_code"))


class PppHolder(Base):
    """The government-side person responsible for a stage of a project, from / to (open: still)."""

    __tablename__ = "obl_ppp_holders"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("obl_ppp_projects.id"))
    stage: Mapped[str] = mapped_column(String(10))
    person_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))
    post: Mapped[str | None] = mapped_column(String(100))
    start_on: Mapped[date] = mapped_column(Date)
    end_on: Mapped[date | None] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(100), default="system")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (Index("ix_obl_ppp_holders_project", "project_id", "stage"),)


class PppBreach(Base):
    """A breach on the government side; ``holder_id`` is set by the daily run (the person who
    held the stage's responsibility on ``breach_on``), ``person_record_id`` / ``body_record_id``
    the PPP项目违约 records it became."""

    __tablename__ = "obl_ppp_breaches"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("obl_ppp_projects.id"))
    stage: Mapped[str] = mapped_column(String(10))
    breach_on: Mapped[date] = mapped_column(Date)
    found_on: Mapped[date] = mapped_column(Date)
    facts: Mapped[str] = mapped_column(Text)
    finding_basis: Mapped[str] = mapped_column(String(200))
    finding_unit: Mapped[str] = mapped_column(String(200))
    finding_code: Mapped[str] = mapped_column(String(18))
    loss_amount: Mapped[Decimal | None] = mapped_column(MONEY)
    holder_id: Mapped[int | None] = mapped_column(ForeignKey("subjects.id"))
    body_record_id: Mapped[int | None] = mapped_column(ForeignKey("records.id"))
    person_record_id: Mapped[int | None] = mapped_column(ForeignKey("records.id"))
    created_by: Mapped[str] = mapped_column(String(100), default="system")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    __table_args__ = (Index("ix_obl_ppp_breaches_project", "project_id"),)


class Judgment(_Row, Base):
    __tablename__ = "obl_judgments"

    case_no: Mapped[str] = mapped_column(String(80), unique=True)  # 执行案号 / 判决书文号
    court_name: Mapped[str] = mapped_column(String(200))
    court_code: Mapped[str] = mapped_column(String(18))
    creditor_name: Mapped[str] = mapped_column(String(200))
    obligation: Mapped[str] = mapped_column(Text)
    amount: Mapped[Decimal | None] = mapped_column(MONEY)
    effective_on: Mapped[date] = mapped_column(Date)
    perform_by: Mapped[date | None] = mapped_column(Date)
    listed_on: Mapped[date | None] = mapped_column(Date)  # 列入失信被执行人名单
    status: Mapped[str] = mapped_column(String(12), default="unperformed")
    closed_on: Mapped[date | None] = mapped_column(Date)  # performed / settled / removed
    overdue: Mapped[bool] = mapped_column(Boolean, default=False)  # daily run
    reported_to_id: Mapped[int | None] = mapped_column(ForeignKey("subjects.id"))  # the superior
    reported_on: Mapped[date | None] = mapped_column(Date)
    record_id: Mapped[int | None] = mapped_column(ForeignKey("records.id"))  # the 失信被执行人 record

    __table_args__ = (Index("ix_obl_judgments_body", "body_id"), Index("ix_obl_judgments_status", "status"),
                      Index("ix_obl_judgments_region", "region_code"))


class Debt(_Row, Base):
    __tablename__ = "obl_debts"

    as_of: Mapped[date] = mapped_column(Date)
    balance: Mapped[Decimal] = mapped_column(MONEY)  # 政府债务余额
    resources: Mapped[Decimal] = mapped_column(MONEY)  # 综合财力
    maturing: Mapped[Decimal] = mapped_column(MONEY, default=0)  # 一年内到期
    next_maturity: Mapped[date | None] = mapped_column(Date)
    overdue_amount: Mapped[Decimal] = mapped_column(MONEY, default=0)  # 逾期未偿还
    ratio: Mapped[Decimal | None] = mapped_column(Numeric(10, 4))  # daily run / on import
    level: Mapped[str | None] = mapped_column(String(12))

    __table_args__ = (Index("ix_obl_debts_body_asof", "body_id", "as_of", unique=True),
                      Index("ix_obl_debts_region", "region_code"))


FINDING_KINDS = {"arrears": "拖欠企业账款", "debt_overdue": "政府债务逾期未偿还", "agreement_overdue": "招商引资承诺逾期未履行"}
FINDING_STATUSES = {"proposed": "拟认定", "confirmed": "已认定", "refused": "不予认定", "withdrawn": "已撤回"}


class Finding(Base):
    """A finding the daily run proposes from a register row (a contract in arrears, a debt with
    overdue repayments, an agreement past its due date): the credit office confirms it — and the
    record is written — or refuses it; the daily run withdraws a proposal whose cause has gone
    (reason in ``note``). One per register row and kind (``kind``, ``row_id``)."""

    __tablename__ = "obl_findings"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    row_id: Mapped[int] = mapped_column()
    body_id: Mapped[int] = mapped_column(ForeignKey("subjects.id"))
    region_code: Mapped[str] = mapped_column(String(6))
    category: Mapped[str] = mapped_column(String(60))
    due_on: Mapped[date | None] = mapped_column(Date)
    amount: Mapped[Decimal | None] = mapped_column(MONEY)
    status: Mapped[str] = mapped_column(String(12), default="proposed")
    proposed_on: Mapped[date] = mapped_column(Date)
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    record_id: Mapped[int | None] = mapped_column(ForeignKey("records.id"))

    __table_args__ = (Index("ix_obl_findings_row", "kind", "row_id", unique=True),
                      Index("ix_obl_findings_region_status", "region_code", "status"))
