"""API: 信用承诺 — list and filter, register one, import a workbook, export, change a status
(a reported breach writes its record), fulfilment rates.

Registered by the credit office and reporting departments within their region; read by
officials of the commitment's region. Natural persons go out masked, and every list that shows
persons is one read in the audit log naming them.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Path, Query, Request, Response, UploadFile

from xinyong.accounts.access import allow
from xinyong.accounts.principal import Principal
from xinyong.audit.deps import AuditDep
from xinyong.commitments import rules, service
from xinyong.commitments.models import STATUSES, Commitment
from xinyong.commitments.schemas import (
    CommitmentIn,
    CommitmentOut,
    ImportOut,
    RateOut,
    RowProblemOut,
    StatusIn,
)
from xinyong.core.clock import today
from xinyong.core.errors import InvalidInput
from xinyong.core.http import MAX_ID, XLSX, SessionDep, error_responses, request_meta, xlsx_response
from xinyong.subjects import schemas as shown
from xinyong.subjects.models import Subject

router = APIRouter()
TAG = "信用承诺"
REGISTRARS = ("admin", "reporter")
Registrar = Annotated[Principal, allow(*REGISTRARS)]
Official = Annotated[Principal, allow("admin", "reporter", "checker", "supervisor", "auditor")]
MAX_UPLOAD = 20 * 1024 * 1024



def out(c: Commitment, s: Subject, kind_names: dict[str, str]) -> CommitmentOut:
    return CommitmentOut(
        id=c.id, code=c.code, kind=c.kind, kind_name=kind_names.get(c.kind, c.kind), subject_name=shown.subject_name(s),
        subject_code=shown.subject_code(s), region_code=c.region_code, matter=c.matter, content=c.content,
        list_kind=c.list_kind, list_item=c.list_item, service_area=c.service_area, accepting_unit=c.accepting_unit,
        disclosure=c.disclosure, made_on=c.made_on, due_on=c.due_on, status=c.status,
        status_name=STATUSES.get(c.status, c.status), status_on=c.status_on, status_reason=c.status_reason,
        overdue=rules.is_overdue(c.status, c.due_on, today()), evidence=c.evidence, breach_record_id=c.breach_record_id,
    )


def log_persons(session, audit, found: list[tuple[Commitment, Subject]], purpose: str) -> None:
    """One read in the audit log per view, naming the natural persons it showed."""
    if service.log_view(session, audit.who, found, purpose, request_id=audit.request_id, ip=audit.ip):
        session.commit()


@router.get("/commitments", tags=[TAG], response_model=list[CommitmentOut], summary="信用承诺列表（筛选）",
            description="本地区权限范围内的信用承诺：逾期未履行的在前，其余按履行期限。可按地区、承诺类型、履行状态"
                        "（in_force / fulfilled / breached / withdrawn / overdue）筛选。自然人脱敏，查阅记入审计日志。",
            responses=error_responses(401, 403))
def list_commitments(session: SessionDep, audit: AuditDep, who: Official,
                     region: Annotated[str | None, Query(max_length=6, description="行政区划代码")] = None,
                     kind: Annotated[str | None, Query(max_length=40, description="承诺类型代码")] = None,
                     status: Annotated[str | None, Query(max_length=20, description="履行状态")] = None,
                     limit: Annotated[int, Query(ge=1, le=500)] = 100,
                     offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0) -> list[CommitmentOut]:
    found = service.search(session, who, today=today(), region=region or None, kind=kind or None,
                           status=status or None, limit=limit, offset=offset)
    log_persons(session, audit, found, "查阅信用承诺列表")
    names = service.kind_names(session)
    return [out(c, s, names) for c, s in found]


@router.post("/commitments", tags=[TAG], response_model=CommitmentOut, status_code=201, summary="登记一项信用承诺",
             description="与 XLSX 导入相同的校验（承诺编码结构、承诺类型、主体、清单事项、日期）；错误时 422 并指明字段。",
             responses=error_responses(401, 403, 422))
def create_commitment(request: Request, session: SessionDep, who: Registrar, body: CommitmentIn) -> CommitmentOut:
    c = service.create(session, body.model_dump(mode="json"), who=who, today=today(), **request_meta(request))
    session.commit()
    return out(c, c.subject, service.kind_names(session))


@router.get("/commitments/template.xlsx", tags=[TAG], summary="下载信用承诺导入模板（XLSX）",
            description="中文表头、填写说明、承诺类型等下拉选项；编码列为文本格式。", response_class=Response,
            responses={**xlsx_response("信用承诺导入模板 XLSX 文件"), **error_responses(401, 403)})
def template(session: SessionDep, who: Registrar) -> Response:
    return Response(service.template_bytes(service.kind_list(session)), media_type=XLSX,
                    headers={"Content-Disposition": "attachment; filename*=UTF-8''commitments-template.xlsx"})


@router.post("/commitments/import", tags=[TAG], response_model=ImportOut, summary="导入信用承诺（XLSX）",
             description="每行单独校验，错误行给出行号、列名和原因，不影响其他行；正确的行在一个事务中写入。",
             responses=error_responses(401, 403, 422))
async def import_file(request: Request, session: SessionDep, who: Registrar,
                      file: Annotated[UploadFile, File(description="XLSX 文件")]) -> ImportOut:
    data = await file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise InvalidInput("文件过大（上限 20MB）", "file too large", field="file")
    result = service.import_rows(session, service.read_xlsx(data), who=who, today=today(), **request_meta(request))
    session.commit()
    return ImportOut(rows=result.rows, created=result.created, rejected=result.rejected,
                     errors=[RowProblemOut(row=e.row, column=e.column, message=e.reason) for e in result.errors])


@router.get("/commitments/export.xlsx", tags=[TAG], summary="导出信用承诺（XLSX）",
            description="与列表相同的筛选和权限；自然人姓名、身份证号码脱敏，导出记入审计日志。", response_class=Response,
            responses={**xlsx_response("信用承诺 XLSX 文件"), **error_responses(401, 403)})
def export(session: SessionDep, audit: AuditDep, who: Official,
           region: Annotated[str | None, Query(max_length=6)] = None,
           kind: Annotated[str | None, Query(max_length=40)] = None,
           status: Annotated[str | None, Query(max_length=20)] = None) -> Response:
    data = service.export_bytes(session, who, today=today(), region=region or None, kind=kind or None,
                                status=status or None, request_id=audit.request_id, ip=audit.ip)
    session.commit()
    return Response(data, media_type=XLSX, headers={"Content-Disposition": "attachment; filename*=UTF-8''commitments.xlsx"})


@router.post("/commitments/{commitment_id}/status", tags=[TAG], response_model=CommitmentOut,
             summary="变更履行状态（已履行 / 已违诺 / 已撤回）",
             description="只能从“履行中”变更一次，须说明理由；变更前后记入审计日志。报告违诺的，"
                         "当即按“违背信用承诺”类别写入信用记录（以该承诺为来源，只写一次）。",
             responses=error_responses(401, 403, 404, 422))
def change_status(request: Request, session: SessionDep, who: Registrar, body: StatusIn,
                  commitment_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> CommitmentOut:
    c = service.change_status(session, commitment_id, body.status, who=who, reason=body.reason,
                              on=body.on or today(), evidence=body.evidence, **request_meta(request))
    session.commit()
    return out(c, c.subject, service.kind_names(session))


@router.get("/commitments/rates", tags=[TAG], response_model=list[RateOut], summary="履约率（按地区或单位）",
            description="by=region：按区县；by=body：按政府机构。履约率 = 已履行 /（已履行 + 已违诺）。",
            responses=error_responses(401, 403))
def rates(session: SessionDep, who: Official,
          by: Annotated[str, Query(pattern="^(region|body)$", description="region 或 body")] = "region") -> list[RateOut]:
    found = service.rates_by_region(session, who) if by == "region" else service.rates_by_body(session, who)
    return [RateOut(key=str(r.key), name=r.name, total=r.total, fulfilled=r.fulfilled, breached=r.breached,
                    in_force=r.in_force, withdrawn=r.withdrawn, rate=r.rate) for r in found]


# 限期整改 lives in its own modules; its routes are served with the commitments'
from xinyong.commitments.rectification_api import router as _rectification_router  # noqa: E402

router.include_router(_rectification_router)
from xinyong.commitments.obligations.api import router as _obligations_router  # noqa: E402

router.include_router(_obligations_router)
