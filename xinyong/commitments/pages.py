"""Web pages: 信用承诺 — the register for officials, a body's commitments with its fulfilment
rate, and the public commitment list.

The register lists the commitments inside the reader's region, the overdue ones (履行中 past
their due date, tomorrow's breaches) first, with the fulfilment rate of each county; the credit
office and reporting departments upload the XLSX template there (the same call as the API: each
row checked whole, refused rows named by row, column and reason) and record a commitment's
outcome. The public list needs no login: it shows only what the policy makes public
(:func:`xinyong.commitments.service.public_list`), persons' names masked by the one masking rule.
Every page that shows natural persons to an official is one read in the audit log naming them.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response

from xinyong.accounts.access import allow, ensure_region
from xinyong.accounts.principal import Principal
from xinyong.audit.deps import AuditDep
from xinyong.commitments import (
    rectification,
    rectification_api,
    rectification_pages,
    rules,
    service,
)
from xinyong.commitments.models import DISCLOSURES, STATUSES, Commitment
from xinyong.commitments.obligations.summary import body_summary
from xinyong.core import regions
from xinyong.core.clock import today
from xinyong.core.errors import InvalidInput, XinyongError
from xinyong.core.http import MAX_ID, SessionDep
from xinyong.core.templating import add_nav, render
from xinyong.subjects import schemas as shown
from xinyong.subjects import service as subjects
from xinyong.subjects.models import Subject

router = APIRouter(include_in_schema=False)
add_nav("信用承诺公示", "/commitments/public", order=32)
add_nav("信用承诺", "/commitments", order=46)

REGISTRARS = ("admin", "reporter")
Anyone = Annotated[Principal, allow(public=True)]
Official = Annotated[Principal, allow("admin", "reporter", "checker", "supervisor", "auditor")]
Registrar = Annotated[Principal, allow(*REGISTRARS)]
MAX_UPLOAD = 20 * 1024 * 1024
PAGE = 100
ERRORS_SHOWN = 100
STATUS_FILTERS = {"overdue": "逾期未履行", **STATUSES}


def _rows(found: list[tuple[Commitment, Subject]], names: dict[str, str], lists: dict[str, str], day: date) -> list[dict]:
    return [{
        "id": c.id, "code": c.code, "kind": names.get(c.kind, c.kind), "subject": shown.subject_name(s),
        "subject_id": s.id, "is_body": s.kind == "gov_body", "region": regions.name_of(c.region_code),
        "matter": c.matter, "content": c.content, "basis": "：".join(x for x in (lists.get(c.list_kind or "", ""),
                                                                                 c.list_item or "") if x),
        "area": c.service_area, "made_on": c.made_on, "due_on": c.due_on, "status": c.status,
        "status_name": STATUSES.get(c.status, c.status), "status_reason": c.status_reason,
        "overdue": rules.is_overdue(c.status, c.due_on, day), "accepting_unit": c.accepting_unit,
        "record": c.breach_record_id, "disclosure": DISCLOSURES.get(c.disclosure, c.disclosure),
    } for c, s in found]


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


@router.get("/commitments/public", response_class=HTMLResponse, summary="信用承诺公示",
            description="可向社会公开的信用承诺及其履行状态；自然人姓名脱敏。无需登录。")
def public_page(request: Request, session: SessionDep, who: Anyone,
                kind: Annotated[str, Query(max_length=40)] = "",
                offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0) -> Response:
    kinds = service.kind_list(session)
    found = service.public_list(session, kind=kind or None, limit=PAGE, offset=offset)
    day = today()
    return render(request, "commitments/public.html", {
        "active": "/commitments/public", "rows": _rows(found, {k.code: k.name for k in kinds.kinds}, kinds.list_kinds, day),
        "kinds": kinds.kinds, "kind": kind, "offset": offset, "limit": PAGE,
        "query": urlencode({"kind": kind} if kind else {}),
    })


def _register_context(session, who: Principal, *, region: str, kind: str, status: str, offset: int, **extra) -> dict:
    kinds = service.kind_list(session)
    day = today()
    found = service.search(session, who, today=day, region=region or None, kind=kind or None, status=status or None,
                           limit=PAGE, offset=offset)
    rates = service.rates_by_region(session, who)
    params = {k: v for k, v in (("region", region), ("kind", kind), ("status", status)) if v}
    return {
        "active": "/commitments", "found": found,
        "rows": _rows(found, {k.code: k.name for k in kinds.kinds}, kinds.list_kinds, day),
        "kinds": kinds.kinds, "kind": kind, "status": status, "region": region, "statuses": STATUS_FILTERS,
        "regions": [r for r in regions.all_regions() if r.level != "province" and who.covers(r.code)],
        "rates": [{"name": r.name, "code": r.key, "total": r.total, "fulfilled": r.fulfilled, "breached": r.breached,
                   "in_force": r.in_force, "rate": _percent(r.rate)} for r in rates],
        "can_write": who.role in REGISTRARS, "offset": offset, "limit": PAGE, "query": urlencode(params),
        "result": None, "error": None, "errors_shown": ERRORS_SHOWN, "max_rows": service.MAX_ROWS,
        "moves": {k: v for k, v in STATUSES.items() if k != "in_force"}, **extra,
    }


@router.get("/commitments", response_class=HTMLResponse, summary="信用承诺登记簿",
            description="本地区的信用承诺：逾期未履行的在前；按地区、承诺类型、履行状态筛选；各区县履约率；导入和状态变更。")
def register_page(request: Request, session: SessionDep, audit: AuditDep, who: Official,
                  region: Annotated[str, Query(max_length=6)] = "", kind: Annotated[str, Query(max_length=40)] = "",
                  status: Annotated[str, Query(max_length=20)] = "",
                  offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0) -> Response:
    try:
        context = _register_context(session, who, region=region, kind=kind, status=status, offset=offset)
    except XinyongError as exc:
        context = _register_context(session, who, region="", kind="", status="", offset=0, error=exc.zh)
        return render(request, "commitments/register.html", context, status_code=exc.status_code)
    if service.log_view(session, who, context["found"], "查阅信用承诺登记簿", request_id=audit.request_id, ip=audit.ip):
        session.commit()
    return render(request, "commitments/register.html", context)


@router.post("/commitments", response_class=HTMLResponse, summary="导入信用承诺",
             description="上传按模板填写的 XLSX：每行单独校验，退回的行列出行号、列名和原因，正确的行在一个事务中写入。")
async def import_page(request: Request, session: SessionDep, who: Registrar,
                      file: Annotated[UploadFile, File(description="XLSX 文件")]) -> Response:
    try:
        data = await file.read(MAX_UPLOAD + 1)
        if len(data) > MAX_UPLOAD:
            raise InvalidInput("文件过大（上限 20MB），请分成几个文件上传", "file too large", field="file")
        if not data:
            raise InvalidInput("上传的文件是空的", "the file is empty", field="file")
        result = service.import_rows(session, service.read_xlsx(data), who=who, today=today(),
                                     request_id=getattr(request.state, "request_id", None),
                                     ip=request.client.host if request.client else None)
        session.commit()
    except XinyongError as exc:
        session.rollback()
        context = _register_context(session, who, region="", kind="", status="", offset=0,
                                    error=f"文件未能导入，未写入任何数据：{exc.zh}")
        return render(request, "commitments/register.html", context, status_code=exc.status_code)
    return render(request, "commitments/register.html",
                  _register_context(session, who, region="", kind="", status="", offset=0, result=result))


@router.post("/commitments/{commitment_id}/status", response_class=HTMLResponse, summary="变更信用承诺履行状态",
             description="已履行、已违诺（当即写入“违背信用承诺”信用记录）或已撤回，须说明理由；变更前后记入审计日志。")
def status_page(request: Request, session: SessionDep, who: Registrar,
                commitment_id: Annotated[int, Path(ge=1, le=MAX_ID)],
                status: Annotated[str, Form(max_length=20)], reason: Annotated[str, Form(max_length=2000)],
                evidence: Annotated[str, Form(max_length=2000)] = "") -> Response:
    try:
        service.change_status(session, commitment_id, status, who=who, reason=reason, on=today(),
                              evidence=evidence or None, request_id=getattr(request.state, "request_id", None),
                              ip=request.client.host if request.client else None)
        session.commit()
    except XinyongError as exc:
        session.rollback()
        context = _register_context(session, who, region="", kind="", status="", offset=0, error=exc.zh)
        return render(request, "commitments/register.html", context, status_code=exc.status_code)
    return RedirectResponse("/commitments", status_code=303)


@router.get("/commitments/bodies/{ref}", response_class=HTMLResponse, summary="单位的信用承诺及履约率",
            description="一个信用主体作出的全部信用承诺及其履约率（已履行 /（已履行 + 已违诺））。")
def body_page(request: Request, session: SessionDep, audit: AuditDep, who: Official,
              ref: Annotated[str, Path(max_length=40)]) -> Response:
    subject = subjects.get_by_ref(session, ref)
    ensure_region(who, subject.region_code)
    kinds = service.kind_list(session)
    day = today()
    found = service.search(session, who, today=day, subject_id=subject.id, limit=1000)
    if service.log_view(session, who, found, "查阅信用主体的信用承诺", request_id=audit.request_id, ip=audit.ip):
        session.commit()
    counts = {k: sum(1 for c, _s in found if c.status == k) for k in STATUSES}
    monthly = service.rates_by_month(session, who, subject.id)
    open_tasks = rectification.search(session, who, today=day, body_id=subject.id, status="pending", limit=100)
    return render(request, "commitments/body.html", {
        "status_chart": {"labels": list(STATUSES.values()), "values": [counts[k] for k in STATUSES],
                         "name": "信用承诺"},
        "rate_chart": {"labels": [m.name for m in monthly], "type": "line", "percent": True, "name": "履约率",
                       "values": [None if m.rate is None else round(m.rate * 100, 1) for m in monthly]},
        "monthly": [{"month": m.name, "fulfilled": m.fulfilled, "breached": m.breached, "rate": _percent(m.rate)}
                    for m in monthly],
        "tasks": rectification_pages.rows(open_tasks, rectification_api.category_names(session), day),
        # a government body's obligations (政府履约: contracts and arrears, PPP, judgments, debt)
        "obligations": body_summary(session, subject.id) if subject.kind == "gov_body" else None,
        "active": "/commitments", "subject": subject, "subject_name": shown.subject_name(subject),
        "rows": _rows(found, {k.code: k.name for k in kinds.kinds}, kinds.list_kinds, day), "counts": counts,
        "statuses": STATUSES, "rate": _percent(rules.rate(counts["fulfilled"], counts["breached"])),
        "overdue": sum(1 for c, _s in found if rules.is_overdue(c.status, c.due_on, day)),
    })


# 限期整改 lives in its own modules; its pages are served with the commitments'
router.include_router(rectification_pages.router)
from xinyong.commitments.obligations.pages import router as _obligations_pages  # noqa: E402

router.include_router(_obligations_pages)
