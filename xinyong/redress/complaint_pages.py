"""Web pages of complaints (投诉举报): for the public — the form (named or anonymous), tracking
and rating by code, statistics; for the credit office and the departments — the queue (overdue
first, with counts), one complaint with its steps, and the 12345-hotline import."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response

from xinyong.accounts.access import allow
from xinyong.accounts.principal import Principal
from xinyong.audit.deps import AuditDep
from xinyong.core import regions
from xinyong.core.clock import today
from xinyong.core.errors import XinyongError
from xinyong.core.http import MAX_ID, SessionDep
from xinyong.core.templating import add_nav, render
from xinyong.redress import complaint_rules as rules
from xinyong.redress import complaints
from xinyong.redress.complaint_api import MAX_UPLOAD, log_read, out, run_import, track_out

router = APIRouter(include_in_schema=False)
add_nav("投诉举报", "/complaints/new", order=36)
add_nav("投诉办理", "/complaints", order=59)

Anyone = Annotated[Principal, allow(public=True)]
Handler = Annotated[Principal, allow("admin", "reporter")]
Office = Annotated[Principal, allow("admin")]
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
TABS = [("投诉举报", "/complaints/new"), ("进度查询", "/complaints/track"), ("投诉统计", "/complaints/stats")]


def _region_choices() -> list[tuple[str, str]]:
    return [(r.code, r.name) for r in regions.all_regions() if r.code.startswith("33")]


def _form(request: Request, session, *, error: str | None = None, values: dict | None = None,
          status_code: int = 200) -> Response:
    return render(request, "redress/complaints_new.html", {
        "active": "/complaints/new", "tabs": TABS, "error": error, "v": values or {},
        "behaviours": complaints.behaviours(complaints.policy(session)), "kinds": rules.TARGET_KINDS,
        "regions": _region_choices(), "reply_workdays": complaints.complaint_policy(session).reply_workdays,
    }, status_code=status_code)


@router.get("/complaints/new", response_class=HTMLResponse, summary="投诉政务失信（表单）",
            description="公众投诉政府机构或公务人员的政务失信行为：实名或匿名，无须登录。")
def new_page(request: Request, session: SessionDep, who: Anyone) -> Response:
    return _form(request, session)


@router.post("/complaints/new", response_class=HTMLResponse, summary="投诉政务失信",
             description="提交投诉；成功后显示查询码（只显示这一次），出错时在原表单说明原因，不存入任何数据。")
def new_submit(
    request: Request, session: SessionDep, who: Anyone, audit: AuditDep,
    target_kind: Annotated[str, Form(max_length=20)] = "",
    body_name: Annotated[str, Form(max_length=400)] = "",
    body_code: Annotated[str, Form(max_length=40)] = "",
    official_name: Annotated[str, Form(max_length=100)] = "",
    behaviour: Annotated[str, Form(max_length=60)] = "",
    account: Annotated[str, Form(max_length=4000)] = "",
    region: Annotated[str, Form(max_length=6)] = "",
    occurred_on: Annotated[str, Form(max_length=10)] = "",
    anonymous: Annotated[str, Form(max_length=5)] = "",
    name: Annotated[str, Form(max_length=100)] = "",
    phone: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    values = {"target_kind": target_kind, "body_name": body_name, "body_code": body_code,
              "official_name": official_name, "behaviour": behaviour, "account": account, "region": region,
              "occurred_on": occurred_on, "anonymous": anonymous}
    try:
        when = None
        if occurred_on.strip():
            try:
                when = date.fromisoformat(occurred_on.strip())
            except ValueError:
                from xinyong.core.errors import InvalidInput

                raise InvalidInput("发生日期格式不正确，应为 YYYY-MM-DD", "bad occurred_on", field="occurred_on") from None
        c, code = complaints.file_complaint(
            session, who, target_kind=target_kind, body_name=body_name, body_code=body_code.strip() or None,
            official_name=official_name or None, behaviour=behaviour, account=account, region=region,
            occurred_on=when, anonymous=bool(anonymous), name=name or None, phone=phone or None,
            request_id=audit.request_id, ip=audit.ip)
        session.commit()
    except XinyongError as exc:
        session.rollback()
        return _form(request, session, error=exc.zh, values=values, status_code=exc.status_code)
    return render(request, "redress/complaints_filed.html", {
        "active": "/complaints/new", "tabs": TABS, "code": code, "id": c.id, "reply_due": c.reply_due,
        "handling": c.department_name or f"{regions.name_of(c.region_code)}信用办",
    }, status_code=201)


@router.get("/complaints/track", response_class=HTMLResponse, summary="投诉进度查询",
            description="凭查询码查询投诉的办理进度和答复，并评价答复。")
def track_page(request: Request, who: Anyone) -> Response:
    return render(request, "redress/complaints_track.html", {"active": "/complaints/new", "tabs": TABS, "t": None})


def _track(request, session, code: str, *, error: str | None = None, status_code: int = 200) -> Response:
    t = None
    try:
        t = track_out(session, complaints.by_code(session, code))
    except XinyongError as exc:  # a wrong code is an answer on the page (the API says 404)
        error = exc.zh
    return render(request, "redress/complaints_track.html", {
        "active": "/complaints/new", "tabs": TABS, "t": t, "code": code if t else "", "error": error,
        "ratings": rules.RATINGS,
    }, status_code=status_code)


@router.post("/complaints/track", response_class=HTMLResponse, summary="投诉进度查询（提交查询码）",
             description="查询码以表单提交（不出现在网址中）；查询码错误时说明原因。")
def track_submit(request: Request, session: SessionDep, who: Anyone,
                 code: Annotated[str, Form(max_length=40)] = "") -> Response:
    return _track(request, session, code)


@router.post("/complaints/track/rate", response_class=HTMLResponse, summary="评价投诉答复（表单）",
             description="投诉人凭查询码评价答复：满意、基本满意或不满意（须写明意见）；只评价一次。")
def rate_submit(request: Request, session: SessionDep, who: Anyone, audit: AuditDep,
                code: Annotated[str, Form(max_length=40)] = "", rating: Annotated[str, Form(max_length=14)] = "",
                note: Annotated[str, Form(max_length=4000)] = "") -> Response:
    try:
        complaints.rate(session, code, rating, note, request_id=audit.request_id, ip=audit.ip)
        session.commit()
    except XinyongError as exc:
        session.rollback()
        return _track(request, session, code, error=exc.zh, status_code=exc.status_code)
    return _track(request, session, code)


@router.get("/complaints/stats", response_class=HTMLResponse, summary="投诉举报统计",
            description="公开：按地区和按被投诉单位的投诉件数、已答复、属实、逾期提级和满意件数。")
def stats_page(request: Request, session: SessionDep, who: Anyone) -> Response:
    return render(request, "redress/complaints_stats.html", {
        "active": "/complaints/new", "tabs": TABS, "by_region": complaints.stats_by_region(session),
        "by_body": complaints.stats_by_body(session),
    })


@router.get("/complaints", response_class=HTMLResponse, summary="投诉办理（待办队列）",
            description="信用办：本辖区的投诉；部门：转办给本部门的投诉。逾期未答复的在前，附按状态的件数。")
def queue_page(request: Request, session: SessionDep, who: Handler,
               status: Annotated[str, Query(max_length=12)] = "open") -> Response:
    from xinyong.redress.complaint_schemas import ComplaintOut

    names = complaints.behaviours(complaints.policy(session))
    day = today()
    cases = [ComplaintOut.of(c, names, [], day) for c in complaints.queue(session, who, status=status or None)]
    return render(request, "redress/complaints_queue.html", {
        "active": "/complaints", "cases": cases, "counts": complaints.counts(session, who), "status": status,
        "statuses": rules.STATUSES, "office": complaints.is_office(who),
    })


@router.get("/complaints/import", response_class=HTMLResponse, summary="导入 12345 热线工单（页面）",
            description="信用办下载模板、上传 12345 热线工单；逐行列出错误（行号、列名、原因）和新登记工单的查询码。")
def import_page(request: Request, who: Office) -> Response:
    return render(request, "redress/complaints_import.html", {"active": "/complaints", "result": None})


@router.post("/complaints/import", response_class=HTMLResponse, summary="导入 12345 热线工单",
             description="上传 XLSX；好的行登记，错误的行逐一说明，不影响其他行。")
async def import_submit(request: Request, session: SessionDep, who: Office, audit: AuditDep,
                        file: Annotated[UploadFile, File()]) -> Response:
    from starlette.concurrency import run_in_threadpool

    data = await file.read(MAX_UPLOAD + 1)

    def run() -> Response:
        try:
            result = run_import(session, who, audit, data)
        except XinyongError as exc:
            session.rollback()
            return render(request, "redress/complaints_import.html", {"active": "/complaints", "result": None,
                                                                       "error": exc.zh}, status_code=exc.status_code)
        return render(request, "redress/complaints_import.html", {"active": "/complaints", "result": result})

    return await run_in_threadpool(run)


def _case(request, session, who, audit, id: int, *, error: str | None = None, status_code: int = 200,
          revealed: dict | None = None) -> Response:
    c = complaints.get(session, id)
    complaints.ensure_reads(who, c)
    log_read(audit, c)
    shown = out(session, c)
    shown.steps = [s for s in shown.steps if s in ("reply", "reject") or complaints.is_office(who)]
    p = complaints.policy(session)
    behaviour = next((b for b in p.behaviours.behaviours if b.code == c.behaviour_code), None)
    category = p.category(behaviour.category) if behaviour else None
    return render(request, "redress/complaints_case.html", {
        "active": "/complaints", "c": shown, "error": error, "findings": rules.FINDINGS, "step_names": rules.STEP_NAMES,
        "facts": [f for f in (category.facts if category else []) if f.required], "category": category,
        "may_reveal": complaints.may_reply(who, c), "revealed": revealed,
    }, status_code=status_code)


@router.get("/complaints/{id}", response_class=HTMLResponse, summary="投诉办理经过",
            description="一件投诉：对象、失信行为、经过、办理单位、答复期限、办理经过；在此答复、不予受理、办结或认定为信用记录。")
def case_page(request: Request, session: SessionDep, who: Handler, audit: AuditDep, id: Id) -> Response:
    return _case(request, session, who, audit, id)


@router.post("/complaints/{id}/reveal", response_class=HTMLResponse, summary="查看实名投诉人的完整联系方式（表单）",
             description="承办单位或本地区信用办写明目的后，在投诉页上看到投诉人的完整姓名和电话；每次查看记入审计日志。")
async def reveal_submit(request: Request, session: SessionDep, who: Handler, audit: AuditDep, id: Id) -> Response:
    from starlette.concurrency import run_in_threadpool

    form = await request.form()
    purpose = str(form.get("purpose") or "")[:400]

    def run() -> Response:
        try:
            shown = complaints.reveal_complainant(session, who, id, purpose=purpose, request_id=audit.request_id,
                                                  ip=audit.ip)
            session.commit()
        except XinyongError as exc:
            session.rollback()
            if exc.status_code in (403, 404):
                raise
            return _case(request, session, who, audit, id, error=exc.zh, status_code=exc.status_code)
        return _case(request, session, who, audit, id, revealed=shown)

    return await run_in_threadpool(run)


@router.post("/complaints/{id}/steps", response_class=HTMLResponse, summary="办理投诉（表单）",
             description="reply 答复 / reject 不予受理 / close 办结 / record 认定为信用记录；出错时在原页面说明原因，不作改动。")
async def step_submit(request: Request, session: SessionDep, who: Handler, audit: AuditDep, id: Id) -> Response:
    from starlette.concurrency import run_in_threadpool

    form = await request.form()
    values = {k: str(v)[:4000] for k, v in form.items() if isinstance(v, str)}

    def run() -> Response:
        action = values.get("action", "")
        try:
            if action == "record":
                when = values.get("decision_date") or None
                facts = {k[5:]: v for k, v in values.items() if k.startswith("fact_") and v.strip()}
                complaints.make_record(session, who, id, decision_no=values.get("decision_no", ""),
                                       decision_date=date.fromisoformat(when) if when else None, facts=facts,
                                       department_code=values.get("department_code"),
                                       department_name=values.get("department_name"),
                                       request_id=audit.request_id, ip=audit.ip)
            else:
                complaints.take_step(session, who, id, action, reply=values.get("reply"),
                                     finding=values.get("finding") or None, reasons=values.get("reasons"),
                                     request_id=audit.request_id, ip=audit.ip)
            session.commit()
        except ValueError:
            session.rollback()
            return _case(request, session, who, audit, id, error="认定日期格式不正确，应为 YYYY-MM-DD", status_code=422)
        except XinyongError as exc:
            session.rollback()
            if exc.status_code in (403, 404):
                raise
            return _case(request, session, who, audit, id, error=exc.zh, status_code=exc.status_code)
        return RedirectResponse(f"/complaints/{id}", status_code=303)

    return await run_in_threadpool(run)
