"""API: ``POST /api/v1/records`` — a department's system sends a batch of credit records.

The same validation, per-row errors, idempotency and one-transaction-per-batch as ``xinyong
import`` (both call :func:`xinyong.records.ingest.import_source`); the caller is a department
reporter, by API token, and may send only its department's decisions in the categories and the
region its account allows (rows outside are rejected one by one, the rest go in). Included by
:mod:`xinyong.records.api`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.accounts.access import allow
from xinyong.accounts.principal import Principal
from xinyong.core.http import SessionDep, error_responses
from xinyong.records import uploads
from xinyong.records.ingest import ImportResult
from xinyong.records.validation import ReporterScope

router = APIRouter()


class RecordBatchIn(BaseModel):
    category: str | None = Field(
        None, description="记录类别代码或中文名称；省略时按列名识别（双公示行政处罚、行政许可）或取每行的“记录类别”",
        max_length=100,
    )
    rows: list[dict[str, Any]] = Field(
        min_length=1,
        description="记录行：列名（中文表头或英文键，与导入模板相同）→ 值。每批最多 XINYONG_API_MAX_BATCH_ROWS 行。",
    )


class RowErrorOut(BaseModel):
    row: int = Field(description="行号：rows 中的第几项（从 1 起）")
    field: str = Field(description="列名")
    value: str
    message: str
    message_en: str


class RecordBatchOut(BaseModel):
    batch_id: int
    policy_version_id: int
    total: int
    new: int
    updated: int = Field(description="内容有变化，形成新版本")
    unchanged: int = Field(description="同一部门、同一记录编号、内容相同")
    rejected: int
    error_count: int
    errors: list[RowErrorOut]
    ignored_columns: list[str]

    @classmethod
    def of(cls, result: ImportResult) -> RecordBatchOut:
        return cls(
            **result.summary(),
            errors=[RowErrorOut(row=e.row, field=e.field, value=e.value, message=e.zh, message_en=e.en)
                    for e in result.errors],
        )


def reporter_scope(who: Principal, session: Session) -> ReporterScope:
    """What the account may send: its department's decisions — under the department's registered
    name, or one of the deciding authorities registered for it, never a name or authority code
    the row chooses — in its categories and region."""
    from xinyong.accounts.models import Department

    dept = session.scalar(select(Department).where(Department.code == who.department_code)) \
        if who.department_code else None
    authorities = frozenset({(dept.code, dept.name)} | {(a["code"], a["name"]) for a in dept.authorities or []}) \
        if dept is not None else frozenset()
    return ReporterScope(
        department_code=who.department_code or "",
        categories=who.categories,
        region_code=who.region_code or "",
        department_name=dept.name if dept is not None else "",
        authorities=authorities,
    )


@router.post(
    "/records",
    tags=["信用记录"],
    response_model=RecordBatchOut,
    summary="报送信用记录（批量）",
    description=(
        "部门系统以 API 令牌报送一批信用记录，校验与文件导入相同：代码校验位、主体类别、严重程度、必填事实项、"
        "日期、决定文书号；只能报送本部门作出的、本部门获准报送类别的、本辖区主体的记录。"
        "报送部门、决定机关（处罚机关等）以账号所属部门的登记名称及其登记的决定机关为准：填写其他机关名称或代码的行被退回。"
        "每行单独校验，错误行在 `errors` 中给出行号、列名和原因，不影响其他行。"
        "同一部门、同一记录编号再次报送：内容相同为 unchanged，内容不同形成新版本（updated）。"
        "一批为一个事务：要么全部存入，要么全部不存。"
    ),
    responses=error_responses(401, 403, 413, 422, 429),
)
def post_records(
    session: SessionDep,
    who: Annotated[Principal, allow("reporter")],
    body: RecordBatchIn,
) -> RecordBatchOut:
    result = uploads.import_rows(
        session, body.rows, category=body.category, scope=reporter_scope(who, session),
        department_name=uploads.department_name(session, who.department_code), user=who.label,
    )
    session.commit()
    return RecordBatchOut.of(result)
