"""API shapes for the obligations' registers (in and out). No natural person's identity number
goes out; a PPP holder is named masked."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field


class RowOut(BaseModel):
    id: int
    kind: str = Field(description="登记簿")
    body_name: str | None = Field(None, description="政府机构名称（PPP责任人、违约：所属项目）")
    region_code: str | None
    fields: dict[str, Any] = Field(description="登记簿的各列（键为模板列的代码）及计算值（拖欠金额、债务率、预警等级等）")


class RowProblemOut(BaseModel):
    row: int = Field(description="行号（从 1 起，不含表头）")
    column: str = Field(description="列名")
    message: str


class ImportOut(BaseModel):
    rows: int
    created: int
    rejected: int
    errors: list[RowProblemOut]


class AgreementChangeIn(BaseModel):
    status: str = Field(max_length=20, description="fulfilled / changed / terminated，或 已履行 / 已依法变更 / 已依法解除")
    on: date | None = Field(None, description="日期；省略为今天")
    reason: str = Field("", max_length=4000, description="变更、解除理由；不得以政府换届、相关责任人更替等为理由")
    legal_ground: str = Field("", max_length=20, description="国家利益 / 公共利益 / 其他法定事由")
    legal_basis: str = Field("", max_length=4000, description="所依据的法律法规和程序")
    compensation: str = Field("", max_length=4000, description="依法决定的补偿")
    compensation_amount: Decimal | None = Field(None, description="补偿金额（万元），不能为负")


class StageIn(BaseModel):
    stage: str = Field(max_length=10, description="下一阶段：识别、准备、采购、执行、移交，依次推进")
    on: date | None = Field(None, description="进入该阶段的日期；省略为今天")


class JudgmentCloseIn(BaseModel):
    status: str = Field(max_length=20, description="performed / settled / removed，或 已履行 / 已和解履行 / 已移出名单")
    on: date | None = Field(None, description="日期；省略为今天")


class ArrearsOut(BaseModel):
    body_id: int
    body_name: str
    region_code: str
    contracts: int
    amount: float = Field(description="拖欠金额（万元）")


class SummaryOut(BaseModel):
    body_id: int
    contracts: int
    arrears_contracts: int
    arrears_amount: float
    agreements: int
    ppp_projects: int
    ppp_breaches: int
    judgments: int
    judgments_open: int
    judgments_listed: int
    judgments_overdue: int
    debt_as_of: date | None
    debt_ratio: float | None
    debt_level: str | None
    debt_level_name: str | None


class FindingOut(BaseModel):
    id: int
    kind: str = Field(description="arrears / debt_overdue / agreement_overdue")
    kind_name: str
    row_id: int = Field(description="登记簿中的行（合同、债务、协议）")
    body_id: int
    body_name: str
    region_code: str
    category: str = Field(description="确认后写入的信用记录类别")
    due_on: date | None
    amount: float | None = Field(description="金额（万元）")
    status: str = Field(description="proposed 拟认定 / confirmed 已认定 / refused 不予认定 / withdrawn 已撤回")
    proposed_on: date
    decided_by: str | None
    decided_on: date | None
    note: str | None
    record_id: int | None


class FindingConfirmIn(BaseModel):
    unit: str = Field(min_length=1, max_length=200, description="认定单位名称")
    unit_code: str = Field(min_length=1, max_length=18, description="认定单位统一社会信用代码")
    note: str = Field("", max_length=2000, description="核实情况")


class FindingRefuseIn(BaseModel):
    note: str = Field(min_length=1, max_length=2000, description="不予认定的理由")
