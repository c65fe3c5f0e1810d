"""Web pages of objections (异议): the subject's 我的异议 and its form (reached from any record of
我的信用档案), the credit office's queue by status and deadline, and one case with its timeline,
where the office takes each step."""

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
from xinyong.redress import rules
from xinyong.redress import service as objections
from xinyong.redress.api import case_out, log_case_read, read_uploads
from xinyong.redress.schemas import ObjectionOut
from xinyong.subjects.models import Subject

router = APIRouter(include_in_schema=False)
add_nav("我的异议", "/my/objections", order=43)
add_nav("异议处理", "/objections", order=58)

Filer = Annotated[Principal, allow("subject", "admin")]
Office = Annotated[Principal, allow("admin")]
SubjectUser = Annotated[Principal, allow("subject")]
CaseId = Annotated[int, Path(ge=1, le=MAX_ID)]


def _rows(session, cases) -> list[ObjectionOut]:
    ids = {c.subject_id for c in cases}
    subjects = {s.id: s for s in session.query(Subject).filter(Subject.id.in_(ids))} if ids else {}
    day = today()
    return [ObjectionOut.build(c, subjects[c.subject_id], day) for c in cases]


@router.get("/my/objections", response_class=HTMLResponse, summary="我的异议",
            description="信用主体本人提出的异议：状态、现在等待的步骤及期限、处理结果；点开看处理经过。")
def my_objections(request: Request, session: SessionDep, who: SubjectUser) -> Response:
    cases = objections.queue(session, who)
    return render(request, "redress/mine.html", {"active": "/my/objections", "cases": _rows(session, cases)})


@router.get("/objections", response_class=HTMLResponse, summary="异议处理（待办队列）",
            description="信用办：本辖区的异议按状态分栏（附件数），已超期的在前，其余按期限先后。")
def queue_page(request: Request, session: SessionDep, who: Office,
               status: Annotated[str, Query(max_length=12)] = "open") -> Response:
    cases = objections.queue(session, who, status=status or None)
    return render(request, "redress/queue.html", {
        "active": "/objections", "cases": _rows(session, cases), "counts": objections.counts(session, who),
        "status": status, "statuses": rules.STATUSES,
    })


def _form(request, session, policy, who, record_id, entry_id, *, error: str | None = None, status_code: int = 200,
          values: dict | None = None) -> Response:
    t = objections.target(session, who, record_id=record_id, entry_id=entry_id)
    what = None
    if t.entry is not None:
        spec = policy.policy.behaviours.list_kind(t.entry.list_kind)
        what = f"{spec.name if spec else t.entry.list_kind}：{t.entry.reason}（{t.entry.decision_no or '—'}）"
    elif t.record is not None:
        cat = policy.policy.category(t.record.category_code)
        what = (f"{cat.name if cat else t.record.category_code} {t.record.decision_no}"
                f"（{t.record.decision_date:%Y-%m-%d}，{t.record.department_name}）")
    return render(request, "redress/new.html", {
        "active": "/my/objections" if who.role == "subject" else "/objections",
        "record_id": record_id, "entry_id": entry_id, "what": what, "grounds": rules.GROUNDS,
        "on_behalf": objections.is_office(who), "error": error, "v": values or {},
        "max_mb": objections.files_limit_bytes() // (1024 * 1024),
    }, status_code=status_code)


@router.get("/objections/new", response_class=HTMLResponse, summary="提出异议（表单）",
            description="对一条信用记录（`?record=`）或名单记录（`?entry=`）提出异议：理由、具体说明、新的事实、附件。")
def new_page(request: Request, session: SessionDep, policy: PolicyDep, who: Filer,
             record: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
             entry: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None) -> Response:
    return _form(request, session, policy, who, record, entry)


@router.post("/objections/new", response_class=HTMLResponse, summary="提出异议",
             description="提交异议；成功后转到该异议的处理经过页，出错时在原表单说明原因，不存入任何数据。")
async def new_submit(
    request: Request, session: SessionDep, policy: PolicyDep, who: Filer, audit: AuditDep,
    grounds: Annotated[str, Form(max_length=20)] = "",
    reasons: Annotated[str, Form(max_length=4000)] = "",
    new_facts: Annotated[str, Form(max_length=4000)] = "",
    record_id: Annotated[int | None, Form(ge=1, le=MAX_ID)] = None,
    entry_id: Annotated[int | None, Form(ge=1, le=MAX_ID)] = None,
    files_: Annotated[list[UploadFile] | None, File(alias="files")] = None,
    application: Annotated[list[UploadFile] | None, File()] = None,
) -> Response:
    from starlette.concurrency import run_in_threadpool

    uploads = await read_uploads(files_, "evidence") + await read_uploads(application, "application")

    def run() -> Response:
        try:
            case = objections.file_objection(session, who, record_id=record_id, entry_id=entry_id, grounds=grounds,
                                             reasons=reasons, new_facts=new_facts, uploads=uploads,
                                             request_id=audit.request_id, ip=audit.ip)
            session.commit()
        except XinyongError as exc:
            session.rollback()
            if exc.status_code in (403, 404):
                raise
            return _form(request, session, policy, who, record_id, entry_id, error=exc.zh,
                         status_code=exc.status_code, values={"grounds": grounds, "reasons": reasons,
                                                              "new_facts": new_facts})
        return RedirectResponse(f"/objections/{case.id}", status_code=303)

    return await run_in_threadpool(run)


def _case_page(request, session, who, audit, case_id: int, *, error: str | None = None,
               status_code: int = 200) -> Response:
    case = objections.get(session, case_id)
    objections.ensure_reads(who, case)
    log_case_read(audit, who, session, case, "objection")
    out = case_out(session, case)
    office = objections.is_office(who)
    return render(request, "redress/case.html", {
        "active": "/objections" if office else "/my/objections", "c": out, "office": office, "error": error,
        "outcomes": rules.OUTCOMES, "step_names": rules.STEP_NAMES,
    }, status_code=status_code)


@router.get("/objections/{id}", response_class=HTMLResponse, summary="异议处理经过",
            description="一件异议：理由、附件、现在等待的步骤和期限、处理经过；信用办在此受理、转核、决定和结案。")
def case_page(request: Request, session: SessionDep, who: Filer, audit: AuditDep, id: CaseId) -> Response:
    return _case_page(request, session, who, audit, id)


@router.post("/objections/{id}/steps", response_class=HTMLResponse, summary="处理异议（表单）",
             description="信用办的一个处理步骤：accept 受理 / refuse 不予受理 / send 转认定部门核实 / decide 作出决定 / "
                         "close 结案；出错时在原页面说明原因，不作任何改动。")
def step_submit(
    request: Request, session: SessionDep, who: Office, audit: AuditDep, id: CaseId,
    action: Annotated[str, Form(max_length=12)],
    reasons: Annotated[str, Form(max_length=4000)] = "",
    outcome: Annotated[str, Form(max_length=12)] = "",
    decision_no: Annotated[str, Form(max_length=200)] = "",
    subject_name: Annotated[str, Form(max_length=200)] = "",
    fact_name: Annotated[str, Form(max_length=100)] = "",
    fact_value: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    corrections: dict = {"decision_no": decision_no.strip(), "subject_name": subject_name.strip()}
    if fact_name.strip():
        corrections["facts"] = {fact_name.strip(): fact_value.strip()}
    try:
        objections.take_step(session, who, id, action, reasons=reasons, outcome=outcome or None,
                             corrections=corrections if outcome == "corrected" else None,
                             request_id=audit.request_id, ip=audit.ip)
        session.commit()
    except XinyongError as exc:
        session.rollback()
        if exc.status_code == 404:
            raise
        return _case_page(request, session, who, audit, id, error=exc.zh, status_code=exc.status_code)
    return RedirectResponse(f"/objections/{id}", status_code=303)


# Credit repair (信用修复): its pages live in their own module.
from xinyong.redress.repair_pages import router as _repair_router  # noqa: E402

router.include_router(_repair_router)

# Complaints (投诉举报): their pages live in their own module.
from xinyong.redress.complaint_pages import router as _complaint_router  # noqa: E402

router.include_router(_complaint_router)
from xinyong.redress.leniency_pages import router as _leniency_router  # noqa: E402

router.include_router(_leniency_router)
