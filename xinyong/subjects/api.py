"""API: posts and designations — who held which post in a body, and who the body registered as
its legal representative, principal or financial head, when (:mod:`xinyong.subjects.designations`).

Written by the credit office and the departments that report them (organisation and personnel
departments, registration authorities), within their region; read by officials of the body's
region, the persons masked and every read of them logged.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Path, Query, Request, Response, UploadFile

from xinyong.accounts.access import allow, ensure_region
from xinyong.accounts.principal import Principal
from xinyong.audit.deps import AuditDep
from xinyong.core.errors import InvalidInput
from xinyong.core.http import XLSX, SessionDep, error_responses, xlsx_response
from xinyong.subjects import designations
from xinyong.subjects import schemas as shown
from xinyong.subjects import service as subjects
from xinyong.subjects.models import DESIGNATION_ROLES
from xinyong.subjects.schemas import (
    DesignationBatchIn,
    DesignationImportOut,
    DesignationOut,
    RowProblemOut,
)

router = APIRouter()
TAG = "任职与登记身份"
Registrar = Annotated[Principal, allow("admin", "reporter")]
Official = Annotated[Principal, allow("admin", "reporter", "checker", "supervisor", "auditor")]
MAX_UPLOAD = 20 * 1024 * 1024


def _out(result: designations.Imported) -> DesignationImportOut:
    return DesignationImportOut(
        rows=result.rows, rejected=result.rejected, posts_new=result.posts_new, posts_updated=result.posts_updated,
        designations_new=result.designations_new, designations_updated=result.designations_updated,
        errors=[RowProblemOut(row=e.row, column=e.column, message=e.reason) for e in result.errors],
    )


def _request_meta(request: Request) -> dict:
    return {"request_id": getattr(request.state, "request_id", None),
            "ip": request.client.host if request.client else None}


@router.get("/designations/template.xlsx", tags=[TAG], summary="下载任职与登记身份导入模板（XLSX）",
            description="中文表头、填写说明、登记身份下拉列表；代码和身份证号码列为文本格式。",
            response_class=Response,
            responses={**xlsx_response("任职与登记身份导入模板 XLSX 文件"), **error_responses(401, 403)})
def template(who: Registrar) -> Response:
    return Response(designations.template_bytes(), media_type=XLSX,
                    headers={"Content-Disposition": "attachment; filename*=UTF-8''designations.xlsx"})


@router.post("/designations/import", tags=[TAG], response_model=DesignationImportOut,
             summary="导入任职与登记身份（XLSX）",
             description="按模板填写的 XLSX：每行单独校验，错误行给出行号、列名和原因，不影响其他行；正确的行在一个事务中写入。",
             responses=error_responses(401, 403, 422))
async def import_file(request: Request, session: SessionDep, who: Registrar,
                      file: Annotated[UploadFile, File(description="XLSX 文件")]) -> DesignationImportOut:
    data = await file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise InvalidInput("文件过大（上限 20MB）", "file too large", field="file")
    rows = designations.read_xlsx(data)
    result = designations.import_rows(session, rows, who=who, **_request_meta(request))
    session.commit()
    return _out(result)


@router.post("/designations", tags=[TAG], response_model=DesignationImportOut, status_code=200,
             summary="报送任职与登记身份（批量）",
             description="与 XLSX 导入相同的校验；`errors` 给出每个错误行的行号、列名和原因。",
             responses=error_responses(401, 403, 422))
def post_rows(request: Request, session: SessionDep, who: Registrar, body: DesignationBatchIn) -> DesignationImportOut:
    result = designations.import_rows(session, [r.model_dump() for r in body.rows], who=who, **_request_meta(request))
    session.commit()
    return _out(result)


@router.get("/subjects/{code}/designations", tags=[TAG], response_model=list[DesignationOut],
            summary="单位的法定代表人、主要负责人、财务负责人登记",
            description="按起始日期倒序；姓名和身份证号码脱敏；每查阅一人记一条审计日志（含查阅目的）。",
            responses=error_responses(401, 403, 404))
def of_body(session: SessionDep, audit: AuditDep, who: Official,
            code: Annotated[str, Path(description="单位统一社会信用代码")],
            purpose: Annotated[str, Query(max_length=200, description="查阅目的（记入审计日志）")] = "查阅登记身份",
            ) -> list[DesignationOut]:
    body = subjects.get_by_ref(session, code)
    ensure_region(who, body.region_code)
    out = []
    for d, person in designations.of_body(session, body):
        audit.read(person.id, "designation", (purpose or "").strip() or "查阅登记身份", entity_id=d.id)
        out.append(DesignationOut(role=d.role, role_name=DESIGNATION_ROLES.get(d.role, d.role),
                                  name=shown.subject_name(person), code=shown.subject_code(person),
                                  start_date=d.start_date, end_date=d.end_date, basis=d.basis))
    session.commit()
    return out
