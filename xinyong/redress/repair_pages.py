"""Web pages of credit repair (信用修复): the subject's 我的信用修复, the application page (reached
from a record of 我的信用档案) that shows the conditions before anything is sent, the credit
office's queue by status and deadline, and one case with its timeline, where the office takes
each step. Included by :mod:`xinyong.redress.pages`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response

from xinyong.accounts.access import allow
from xinyong.accounts.principal import Principal
from xinyong.audit.deps import AuditDep
from xinyong.catalog.deps import PolicyDep
from xinyong.core.clock import today
from xinyong.core.errors import XinyongError
from xinyong.core.http import MAX_ID, SessionDep
from xinyong.core.templating import add_nav, render
from xinyong.redress import repair_rules as rules
from xinyong.redress import repairs
from xinyong.redress.repair_api import (
    UPLOAD_FIELDS,
    case_out,
    conditions,
    log_case_read,
    read_files,
)
from xinyong.redress.repair_schemas import RepairOut
from xinyong.redress.service import files_limit_bytes, is_office
from xinyong.subjects.models import Subject

router = APIRouter(include_in_schema=False)
add_nav("我的信用修复", "/my/repairs", order=44)
add_nav("信用修复审核", "/repairs", order=59)
add_nav("转来核实的信用修复", "/department/repairs", order=60)

Filer = Annotated[Principal, allow("subject", "admin")]
Office = Annotated[Principal, allow("admin")]
SubjectUser = Annotated[Principal, allow("subject")]
Reader = Annotated[Principal, allow("subject", "admin", "reporter")]  # the department: cases sent to it
Department = Annotated[Principal, allow("reporter")]
CaseId = Annotated[int, Path(ge=1, le=MAX_ID)]


def _rows(session, cases) -> list[RepairOut]:
    ids = {c.subject_id for c in cases}
    subjects = {s.id: s for s in session.query(Subject).filter(Subject.id.in_(ids))} if ids else {}
    day = today()
    return [RepairOut.build(c, subjects[c.subject_id], day) for c in cases]


@router.get("/my/repairs", response_class=HTMLResponse, summary="我的信用修复",
            description="信用主体本人的信用修复申请：状态、现在等待的步骤及期限、决定；点开看办理经过。")
def my_repairs(request: Request, session: SessionDep, who: SubjectUser) -> Response:
    cases = repairs.queue(session, who)
    return render(request, "redress/repairs_mine.html", {"active": "/my/repairs", "cases": _rows(session, cases)})


@router.get("/repairs", response_class=HTMLResponse, summary="信用修复审核（待办队列）",
            description="信用办：本辖区的信用修复申请按状态分栏（附件数），已超期的在前，其余按期限先后。")
def queue_page(request: Request, session: SessionDep, who: Office,
               status: Annotated[str, Query(max_length=12)] = "open") -> Response:
    cases = repairs.queue(session, who, status=status or None)
    return render(request, "redress/repairs_queue.html", {
        "active": "/repairs", "cases": _rows(session, cases), "counts": repairs.counts(session, who),
        "status": status, "statuses": rules.STATUSES,
    })


def _form(request, session, policy, who, audit, record_id, *, error: str | None = None, status_code: int = 200,
          values: dict | None = None) -> Response:
    record, cond = conditions(session, who, audit, record_id)
    cat = policy.policy.category(record.category_code)
    what = (f"{cat.name if cat else record.category_code} {record.decision_no}"
            f"（{record.decision_date:%Y-%m-%d}，{record.department_name}）")
    return render(request, "redress/repairs_new.html", {
        "active": "/my/repairs" if who.role == "subject" else "/repairs", "record_id": record_id, "what": what,
        "c": cond, "kinds": rules.ATTACHMENT_KINDS, "on_behalf": is_office(who), "error": error, "v": values or {},
        "max_mb": files_limit_bytes() // (1024 * 1024),
    }, status_code=status_code)


@router.get("/repairs/new", response_class=HTMLResponse, summary="申请信用修复（条件和表单）",
            description="对一条失信信息（`?record=`）申请信用修复：先列出平台数据已满足和未满足的条件、须证明的事项和信用承诺，"
                        "再填写申请；不作任何改动。")
def new_page(request: Request, session: SessionDep, policy: PolicyDep, who: Filer, audit: AuditDep,
             record: Annotated[int, Query(ge=1, le=MAX_ID)]) -> Response:
    return _form(request, session, policy, who, audit, record)


@router.post("/repairs/new", response_class=HTMLResponse, summary="申请信用修复",
             description="提交信用修复申请；成功后转到该申请的办理经过页，条件不满足时在原页面逐条说明，不存入任何数据。")
async def new_submit(
    request: Request, session: SessionDep, policy: PolicyDep, who: Filer, audit: AuditDep,
    record_id: Annotated[int, Form(ge=1, le=MAX_ID)],
    reasons: Annotated[str, Form(max_length=4000)] = "",
    commitment: Annotated[str, Form(max_length=10)] = "",
    performance: Annotated[list[UploadFile] | None, File()] = None,
    payment: Annotated[list[UploadFile] | None, File()] = None,
    training: Annotated[list[UploadFile] | None, File()] = None,
    report: Annotated[list[UploadFile] | None, File()] = None,
    application: Annotated[list[UploadFile] | None, File()] = None,
) -> Response:
    from starlette.concurrency import run_in_threadpool

    uploads = []
    for kind, given in zip(UPLOAD_FIELDS, (performance, payment, training, report, application), strict=True):
        uploads += await read_files(given, kind)

    def run() -> Response:
        try:
            case = repairs.file_repair(session, who, record_id=record_id, reasons=reasons,
                                       commitment_signed=commitment in ("on", "true", "1", "yes"), uploads=uploads,
                                       request_id=audit.request_id, ip=audit.ip)
            session.commit()
        except XinyongError as exc:
            session.rollback()
            if exc.status_code in (403, 404):
                raise
            return _form(request, session, policy, who, audit, record_id, error=exc.zh, status_code=exc.status_code,
                         values={"reasons": reasons})
        return RedirectResponse(f"/repairs/{case.id}", status_code=303)

    return await run_in_threadpool(run)


def _case_page(request, session, who, audit, case_id: int, *, error: str | None = None,
               status_code: int = 200) -> Response:
    case = repairs.get(session, case_id)
    repairs.ensure_reads(who, case)
    log_case_read(audit, who, session, case.subject_id, "repair", case.id)
    office = is_office(who)
    department = repairs.is_source_department(who, case)
    return render(request, "redress/repairs_case.html", {
        "active": "/repairs" if office else "/department/repairs" if department else "/my/repairs",
        "c": case_out(session, case), "office": office, "department": department, "answers": rules.ANSWERS,
        "error": error, "step_names": rules.STEP_NAMES, "reasons_required": rules.REASONS_REQUIRED,
    }, status_code=status_code)


@router.get("/department/repairs", response_class=HTMLResponse, summary="转来核实的信用修复申请",
            description="认定部门：信用办转本部门核实的信用修复申请，待答复的在前（按答复期限），已答复的在后。")
def sent_page(request: Request, session: SessionDep, who: Department) -> Response:
    from xinyong.redress import deadlines

    cases = repairs.sent_to(session, who)
    return render(request, "redress/repairs_sent.html", {
        "active": "/department/repairs", "cases": _rows(session, cases),
        "days": deadlines.active(session).repair_sent.days,
    })


@router.get("/repairs/{id}", response_class=HTMLResponse, summary="信用修复办理经过",
            description="一件信用修复申请：条件评估、信用承诺、附件、现在等待的步骤和期限、办理经过；信用办在此受理和决定。")
def case_page(request: Request, session: SessionDep, who: Reader, audit: AuditDep, id: CaseId) -> Response:
    return _case_page(request, session, who, audit, id)


@router.post("/repairs/{id}/steps", response_class=HTMLResponse, summary="处理信用修复申请（表单）",
             description="信用办的一个处理步骤：accept 受理 / refuse 不予受理 / approve 准予修复 / reject 不予修复 / "
                         "revoke 撤销修复；出错时在原页面说明原因，不作任何改动。")
def step_submit(request: Request, session: SessionDep, who: Office, audit: AuditDep, id: CaseId,
                action: Annotated[str, Form(max_length=12)],
                reasons: Annotated[str, Form(max_length=4000)] = "") -> Response:
    try:
        repairs.take_step(session, who, id, action, reasons=reasons, request_id=audit.request_id, ip=audit.ip)
        session.commit()
    except XinyongError as exc:
        session.rollback()
        if exc.status_code == 404:
            raise
        return _case_page(request, session, who, audit, id, error=exc.zh, status_code=exc.status_code)
    return RedirectResponse(f"/repairs/{id}", status_code=303)


@router.post("/repairs/{id}/answer", response_class=HTMLResponse, summary="认定部门答复（表单）",
             description="认定部门对转来核实的信用修复申请答复：answer 为 confirm 确认 / dispute 有异议（须写明理由）；"
                         "出错时在原页面说明原因，不作任何改动。")
def answer_submit(request: Request, session: SessionDep, who: Department, audit: AuditDep, id: CaseId,
                  answer: Annotated[str, Form(max_length=10)] = "",
                  reasons: Annotated[str, Form(max_length=4000)] = "") -> Response:
    try:
        repairs.answer(session, who, id, answer, reasons=reasons, request_id=audit.request_id, ip=audit.ip)
        session.commit()
    except XinyongError as exc:
        session.rollback()
        if exc.status_code in (403, 404):
            raise
        return _case_page(request, session, who, audit, id, error=exc.zh, status_code=exc.status_code)
    return RedirectResponse(f"/repairs/{id}", status_code=303)
