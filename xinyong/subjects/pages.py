"""Web pages: 任职与登记身份 — who a body registered as its legal representative, principal or
financial head, and who held which post, when (:mod:`xinyong.subjects.designations`).

A check reaches a person only through these facts, so the people who register them — the credit
office and the departments that report them — need a page, not only the command line and the
API: download the template, upload the filled-in workbook, see at once which rows were refused
and why (row, column, reason), and look up what a body has on file. The import is the same call
as the API's (each row checked whole, the good rows written in one transaction); a workbook is at
most :data:`xinyong.subjects.designations.MAX_ROWS` rows, so it runs within the request.

Officials of the body's region may look a body up; the persons are shown masked and every person
shown is a read of personal data in the audit log, as in the API.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi.responses import HTMLResponse
from starlette.responses import Response

from xinyong.accounts.access import allow, ensure_region
from xinyong.accounts.principal import Principal
from xinyong.audit.deps import AuditDep
from xinyong.core.errors import InvalidInput, XinyongError
from xinyong.core.http import XLSX, SessionDep
from xinyong.core.templating import add_nav, render
from xinyong.subjects import designations
from xinyong.subjects import schemas as shown
from xinyong.subjects import service as subjects
from xinyong.subjects.models import DESIGNATION_ROLES

router = APIRouter(include_in_schema=False)
add_nav("任职登记", "/designations", order=55)

REGISTRARS = ("admin", "reporter")
Registrar = Annotated[Principal, allow(*REGISTRARS)]
Official = Annotated[Principal, allow("admin", "reporter", "checker", "supervisor", "auditor")]
MAX_UPLOAD = 20 * 1024 * 1024
ERRORS_SHOWN = 100  # refused rows listed on the page; the counts cover them all


def _context(who: Principal, **extra) -> dict:
    return {"active": "/designations", "can_import": who.role in REGISTRARS, "role_names": DESIGNATION_ROLES,
            "result": None, "error": None, "body": None, "held": [], "body_code": "", "max_rows": designations.MAX_ROWS,
            "errors_shown": ERRORS_SHOWN, **extra}


@router.get("/designations", response_class=HTMLResponse, summary="任职与登记身份",
            description="下载导入模板、上传任职与登记身份（法定代表人、主要负责人、财务负责人）；按单位代码查阅其登记。")
def designations_page(request: Request, session: SessionDep, audit: AuditDep, who: Official,
                      body: Annotated[str, Query(max_length=40, description="单位统一社会信用代码")] = "") -> Response:
    code = body.strip().upper()
    if not code:
        return render(request, "subjects/designations.html", _context(who))
    try:
        found = subjects.get_by_ref(session, code)
        ensure_region(who, found.region_code)
    except XinyongError as exc:
        return render(request, "subjects/designations.html", _context(who, error=exc.zh, body_code=code),
                      status_code=exc.status_code)
    held = []
    for d, person in designations.of_body(session, found):
        audit.read(person.id, "designation", "查阅登记身份", entity_id=d.id)
        held.append({"role": DESIGNATION_ROLES.get(d.role, d.role), "name": shown.subject_name(person),
                     "code": shown.subject_code(person), "start": d.start_date, "end": d.end_date, "basis": d.basis})
    return render(request, "subjects/designations.html", _context(who, body=found, held=held, body_code=code))


@router.get("/designations/template.xlsx", summary="下载任职与登记身份导入模板",
            description="中文表头、填写说明、登记身份下拉列表；代码和身份证号码列为文本格式。")
def designations_template(who: Registrar) -> Response:
    return Response(designations.template_bytes(), media_type=XLSX,
                    headers={"Content-Disposition": "attachment; filename*=UTF-8''%E4%BB%BB%E8%81%8C%E4%B8%8E"
                                                    "%E7%99%BB%E8%AE%B0%E8%BA%AB%E4%BB%BD%E6%A8%A1%E6%9D%BF.xlsx"})


@router.post("/designations", response_class=HTMLResponse, summary="导入任职与登记身份",
             description="上传按模板填写的 XLSX：每行单独校验，退回的行列出行号、列名和原因，正确的行在一个事务中写入。")
async def designations_import(request: Request, session: SessionDep, who: Registrar,
                              file: Annotated[UploadFile, File(description="XLSX 文件")]) -> Response:
    try:
        data = await file.read(MAX_UPLOAD + 1)
        if len(data) > MAX_UPLOAD:
            raise InvalidInput("文件过大（上限 20MB），请分成几个文件上传", "file too large", field="file")
        if not data:
            raise InvalidInput("上传的文件是空的", "the file is empty", field="file")
        rows = designations.read_xlsx(data)
        result = designations.import_rows(session, rows, who=who,
                                          request_id=getattr(request.state, "request_id", None),
                                          ip=request.client.host if request.client else None)
        session.commit()
    except XinyongError as exc:
        session.rollback()
        return render(request, "subjects/designations.html",
                      _context(who, error=f"文件未能导入，未写入任何数据：{exc.zh}"), status_code=exc.status_code)
    return render(request, "subjects/designations.html", _context(who, result=result))
