"""API shapes for 信用承诺 (in and out). Persons' names and numbers go out masked."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field


class CommitmentIn(BaseModel):
    code: str = Field(max_length=40, description="承诺编码：20位，受理地6位行政区划代码+8位日期(YYYYMMDD)+6位顺序号")
    kind: str = Field(max_length=40, description="承诺类型：政策清单 commitment_kinds.yaml 中的代码或中文名称")
    subject_code: str = Field(max_length=40, description="承诺主体的统一社会信用代码或公民身份号码（须已是平台的信用主体）")
    subject_name: str = Field(max_length=200, description="承诺主体名称（核对用）")
    matter: str = Field(max_length=200, description="承诺事由")
    content: str = Field(max_length=4000, description="承诺内容")
    liability: str | None = Field(None, max_length=2000, description="违诺责任")
    service_area: str | None = Field(None, max_length=20, description="服务领域（街道和乡镇公开承诺必填）")
    list_kind: str | None = Field(None, max_length=20, description="所依清单：权力清单 / 责任清单 / 公共服务清单")
    list_item: str | None = Field(None, max_length=200, description="清单事项")
    accepting_unit: str = Field(max_length=200, description="承诺受理单位")
    accepting_code: str = Field(max_length=40, description="受理单位统一社会信用代码")
    disclosure: str | None = Field(None, max_length=20, description="公开类型：可向社会公开 / 特定范围内公开 / 不可公开")
    made_on: date = Field(description="承诺作出日期")
    due_on: date | None = Field(None, description="履行期限")
    evidence: str | None = Field(None, max_length=2000, description="佐证材料说明")


class StatusIn(BaseModel):
    status: str = Field(max_length=20, description="fulfilled / breached / withdrawn，或 已履行 / 已违诺 / 已撤回")
    reason: str = Field(min_length=1, max_length=2000, description="理由（记入审计日志）")
    on: date | None = Field(None, description="认定日期；省略为今天")
    evidence: str | None = Field(None, max_length=2000, description="佐证材料说明")


class CommitmentOut(BaseModel):
    id: int
    code: str
    kind: str
    kind_name: str
    subject_name: str = Field(description="自然人姓名脱敏")
    subject_code: str = Field(description="自然人身份证号码脱敏")
    region_code: str
    matter: str
    content: str
    list_kind: str | None
    list_item: str | None
    service_area: str | None
    accepting_unit: str
    disclosure: str
    made_on: date
    due_on: date | None
    status: str
    status_name: str
    status_on: date | None
    status_reason: str | None
    overdue: bool
    evidence: str | None
    breach_record_id: int | None


class RowProblemOut(BaseModel):
    row: int = Field(description="行号（从 1 起，不含表头）")
    column: str = Field(description="列名")
    message: str


class ImportOut(BaseModel):
    rows: int
    created: int
    rejected: int
    errors: list[RowProblemOut]


class RateOut(BaseModel):
    key: str = Field(description="行政区划代码或主体编号")
    name: str
    total: int
    fulfilled: int
    breached: int
    in_force: int
    withdrawn: int
    rate: float | None = Field(description="履约率：已履行 /（已履行 + 已违诺）；尚无结果的为空")
