"""API: ``POST /api/v1/records`` — a department's system sends a batch of credit records.

The same validation, per-row errors, idempotency and one-transaction-per-batch as ``xinyong
import`` (both call :func:`xinyong.records.ingest.import_source`); the caller is a department
reporter, by API token, and may send only its department's decisions in the categories and the
region its account allows (rows outside are rejected one by one, the rest go in). Included by
:mod:`xinyong.records.api`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Path, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.accounts.access import allow
from xinyong.accounts.principal import Principal
from xinyong.core import work
from xinyong.core.http import MAX_ID, SessionDep, error_responses
from xinyong.records import import_jobs, uploads
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


class UploadJobOut(BaseModel):
    job_id: int
    state: str = Field(description="queued 排队中、running 处理中、done 已完成、failed 失败")
    state_name: str
    done: int = Field(description="已处理的行数")
    total: int | None = Field(description="共几行；读完文件前为 null")
    file_name: str | None
    error: str | None = Field(description="失败时的原因（中文）；未存入任何数据")
    report: RecordBatchOut | None = Field(description="完成后的导入结果，与 POST /api/v1/records 相同")

    @classmethod
    def of(cls, job: work.WorkJob) -> UploadJobOut:
        done, total = work.progress_of(job)
        report = None
        if job.state == "done" and job.result:
            r = job.result
            report = RecordBatchOut(**{k: r[k] for k in (
                "batch_id", "policy_version_id", "total", "new", "updated", "unchanged", "rejected", "error_count",
                "ignored_columns")}, errors=[])
        return cls(job_id=job.id, state=job.state, state_name=job.state_name, done=done, total=total,
                   file_name=(job.payload or {}).get("original_name"), error=job.error, report=report)


@router.post(
    "/records/files",
    tags=["信用记录"],
    status_code=202,
    response_model=UploadJobOut,
    summary="上传信用记录文件（排队导入）",
    description=(
        "部门报送员上传一个信用记录文件（CSV、XLSX、JSON Lines），校验与 `xinyong import` 相同。"
        "类型、大小不符或空文件立即拒绝（413、422）；其余文件保存后排队，由任务进程导入，不占用网站的请求进程。"
        "应答 202，`Location` 为任务地址 `/api/v1/records/files/{job_id}`，可轮询其进度和导入结果。"
    ),
    responses=error_responses(401, 403, 413, 422, 429),
)
def post_record_file(
    session: SessionDep,
    who: Annotated[Principal, allow("reporter")],
    file: Annotated[UploadFile, File(description="CSV、XLSX 或 JSON Lines 文件")],
    category: Annotated[str, Form(max_length=100, description="记录类别代码；留空时按列名识别")] = "",
) -> JSONResponse:
    from xinyong.core.errors import Forbidden

    if category and category not in who.categories:
        raise Forbidden("本部门未获准报送该类信用记录", f"the department may not report {category!r}")
    path = uploads.save_upload(file.file, file.filename or "")
    try:
        job = import_jobs.queue_upload(session, path, original_name=file.filename or path.name, who=who,
                                       category=category or None)
        session.commit()
    except BaseException:
        session.rollback()
        uploads.discard_upload(path)
        raise
    job_id = job.id
    work.after_commit(job_id)
    session.expire_all()
    body = UploadJobOut.of(session.get(work.WorkJob, job_id))
    return JSONResponse(body.model_dump(mode="json"), status_code=202,
                        headers={"Location": f"/api/v1/records/files/{job_id}"})


@router.get(
    "/records/files/{job_id}",
    tags=["信用记录"],
    response_model=UploadJobOut,
    summary="上传文件的导入进度与结果",
    description="一个上传文件的导入任务：状态、已处理行数、完成后的导入结果、失败原因。"
                "只有上传人本人，以及其地区范围内的管理员、审计员可以查看；他人的任务为 404。",
    responses=error_responses(401, 403, 404, 429),
)
def get_record_file(
    session: SessionDep,
    who: Annotated[Principal, allow("reporter", "admin", "auditor")],
    job_id: Annotated[int, Path(ge=1, le=MAX_ID)],
) -> UploadJobOut:
    return UploadJobOut.of(import_jobs.job_for(session, job_id, who))
