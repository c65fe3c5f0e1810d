"""Web pages: 政府履约 — the board for officials (each register's size, arrears per body with a
chart, debt warning levels, bodies listed as dishonest judgment debtors), one page per register
(the rows, the XLSX template, import with refused rows named by row, column and reason, export),
the forms that change an agreement, move a PPP project on and close a judgment, one body's
obligations (what its superior sees: the listings reported to it), and the findings the daily run
proposes, by status and region, with the facts they rest on and the credit office's confirm and
refuse forms."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import func, select
from starlette.responses import Response

from xinyong.accounts.access import allow, ensure_region
from xinyong.accounts.principal import Principal
from xinyong.audit.deps import AuditDep
from xinyong.audit.service import log_event
from xinyong.commitments.obligations import findings, rules, service
from xinyong.commitments.obligations.models import (
    AGREEMENT_STATUSES,
    FINDING_KINDS,
    FINDING_STATUSES,
    JUDGMENT_STATUSES,
    Debt,
    PppProject,
)
from xinyong.commitments.obligations.summary import body_summary
from xinyong.core.clock import today
from xinyong.core.errors import InvalidInput, XinyongError
from xinyong.core.http import MAX_ID, SessionDep, request_meta
from xinyong.core.masking import mask_name
from xinyong.core.templating import add_nav, render
from xinyong.subjects import service as subjects
from xinyong.subjects.models import Subject

router = APIRouter(include_in_schema=False)
add_nav("政府履约", "/obligations", order=47)

REGISTRARS = ("admin", "reporter")
Official = Annotated[Principal, allow("admin", "reporter", "checker", "supervisor", "auditor")]
Registrar = Annotated[Principal, allow(*REGISTRARS)]
DECIDERS = ("admin",)  # as the API: the credit office confirms or refuses a finding
Office = Annotated[Principal, allow(*DECIDERS)]
REGISTER = Annotated[str, Path(pattern="^(" + "|".join(service.REGISTERS) + ")$")]
MAX_UPLOAD = 20 * 1024 * 1024
PAGE = 100
STATUS_NAMES = {**AGREEMENT_STATUSES, **JUDGMENT_STATUSES}


def _shown(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, Decimal):
        return f"{v:,.2f}"
    if isinstance(v, date):
        return v.isoformat()
    return STATUS_NAMES.get(v, str(v)) if isinstance(v, str) else str(v)


def _columns(key: str) -> list[tuple[str, str]]:
    reg = service.register(key)
    skip = {"body_code", "body_name", "project_code", "person_code", "person_name"}
    cols = [(k, h[0][0]) for k, h in reg.columns.items() if k not in skip and not k.startswith("stage_")]
    extra = list(service.EXPORT_EXTRA.get(key, []))
    if key == "ppp":
        extra.append(("stages", "阶段记录"))
    if key == "ppp_breaches":
        extra.append(("holder", "追溯到的责任人"))
    if key == "debts":
        extra.insert(0, ("ratio_shown", "债务率"))
        extra = [e for e in extra if e[0] != "ratio"]
    return cols + extra


def _table(session, key: str, found: list[tuple], level_names: dict[str, str]) -> tuple[list[dict], list[int]]:
    """The rows as the page shows them; persons' names masked. Also the persons shown."""
    person_ids = [o.person_id for o, _p in found if key == "ppp_holders"] + \
                 [o.holder_id for o, _p in found if key == "ppp_breaches" and o.holder_id]
    names = dict(session.execute(select(Subject.id, Subject.name).where(Subject.id.in_(person_ids))).tuples().all()) \
        if person_ids else {}
    rows = []
    for obj, other in found:
        values = {}
        for k, _h in _columns(key):
            if k == "holder":
                values[k] = mask_name(names.get(obj.holder_id)) if obj.holder_id else "（未找到在任责任人）"
            elif k == "ratio_shown":
                ratio = rules.debt_ratio(obj.balance, obj.resources)
                values[k] = "—" if ratio is None else f"{ratio * 100:.2f}%"
            elif k == "level":
                values[k] = level_names.get(obj.level or "", obj.level or "")
            else:
                values[k] = _shown(getattr(obj, k, None))
        if key == "ppp_holders":
            values["post"] = f"{mask_name(names.get(obj.person_id))} {obj.post or ''}".strip()
        rows.append({"id": obj.id, "owner": other.name, "region": other.region_code, "values": values,
                     "warn": bool(getattr(obj, "arrears", 0)) or getattr(obj, "status", "") == "listed"
                     or getattr(obj, "level", "") == "red", "obj": obj})
    return rows, sorted(set(person_ids))


def _register_context(session, who: Principal, key: str, *, region: str = "", offset: int = 0, **extra) -> dict:
    reg = service.register(key)
    found = service.search(session, key, who, region=region or None, limit=PAGE, offset=offset)
    policy = service.policy_rules(session)
    rows, persons = _table(session, key, found, rules.level_names(policy))
    columns = _columns(key)
    if key == "ppp_holders":
        columns = [(k, "责任人及职务" if k == "post" else h) for k, h in columns]
    return {
        "active": "/obligations", "key": key, "reg": reg, "registers": service.REGISTERS, "rows": rows,
        "columns": columns, "persons": persons, "can_write": who.role in REGISTRARS, "region": region,
        "offset": offset, "limit": PAGE, "exportable": key in service.EXPORTABLE, "stages": policy.ppp_stages,
        "grounds": policy.legal_grounds, "result": None, "error": None, **extra,
    }


def _log_persons(session, who: Principal, persons: list[int], audit) -> None:
    if persons:
        log_event(session, who=who, action="read", entity="obligation_ppp_person", purpose="查阅PPP项目责任人",
                  subject_ids=persons, after={"count": len(persons)}, request_id=audit.request_id, ip=audit.ip)
        session.commit()


@router.get("/obligations", response_class=HTMLResponse, summary="政府履约",
            description="各登记簿的数量、各单位拖欠企业账款（图表）、政府债务预警等级、被列入失信被执行人名单的单位。")
def board(request: Request, session: SessionDep, who: Official) -> Response:
    counts = {}
    for key, reg in service.REGISTERS.items():
        m = reg.model
        if hasattr(m, "region_code"):
            q = service._scoped(select(func.count()).select_from(m), m.region_code, who)
        else:
            q = service._scoped(select(func.count()).select_from(m).join(PppProject, PppProject.id == m.project_id),
                                PppProject.region_code, who)
        counts[key] = session.scalar(q) or 0
    arrears = service.arrears_by_body(session, who, limit=15)
    latest = (select(Debt.body_id, func.max(Debt.as_of).label("as_of")).group_by(Debt.body_id).subquery())
    levels_q = (select(Debt.level, func.count()).join(latest, (latest.c.body_id == Debt.body_id)
                                                       & (latest.c.as_of == Debt.as_of)).group_by(Debt.level))
    levels = dict(session.execute(service._scoped(levels_q, Debt.region_code, who)).tuples().all())
    policy = service.policy_rules(session)
    listed = service.search(session, "judgments", who, limit=50)
    return render(request, "obligations/board.html", {
        "active": "/obligations", "registers": service.REGISTERS, "counts": counts,
        "arrears": [{"body_id": r.body_id, "name": r.name, "region": r.region_code, "n": r.n,
                     "amount": Decimal(str(r.amount or 0))} for r in arrears],
        "chart": {"labels": [r.name for r in arrears], "values": [float(r.amount or 0) for r in arrears],
                  "name": "拖欠金额（万元）", "horizontal": True},
        "levels": [(lv.name, levels.get(lv.code, 0)) for lv in policy.debt_levels],
        "listed": [(j, s) for j, s in listed if j.status == "listed"],
        "findings_open": findings.counts(session, who)["proposed"], "can_decide": who.role in DECIDERS,
    })


FINDINGS_PAGE = 100
DONE = {"confirmed": "已确认认定，信用记录已按记录的正常路径写入。", "refused": "已不予认定，未写入信用记录。"}


def _finding_filters(status: str, region: str) -> tuple[str | None, str | None]:
    if status != "all" and status not in FINDING_STATUSES:
        raise InvalidInput("状态应为：拟认定、已认定、不予认定、已撤回或全部", f"bad status {status!r}", field="status")
    region = region.strip()
    if region and not re.fullmatch(r"\d{6}", region):
        raise InvalidInput("地区代码应为6位数字（如 330106）", f"bad region {region!r}", field="region")
    return (None if status == "all" else status), (region or None)


def _findings_context(session, who: Principal, *, status: str = "proposed", region: str = "", offset: int = 0,
                      error: str | None = None, form: dict | None = None, done: str = "") -> dict:
    error_status = 200
    try:
        wanted, where = _finding_filters(status, region)
        found = findings.search(session, who, status=wanted, region=where, limit=FINDINGS_PAGE, offset=offset)
        per_status = findings.counts(session, who, region=where)
    except XinyongError as exc:
        status, region, offset, error, error_status = "proposed", "", 0, error or exc.zh, exc.status_code
        found = findings.search(session, who, limit=FINDINGS_PAGE)
        per_status = findings.counts(session, who)
    shown = [f for f, _name in found]
    return {
        "active": "/obligations", "key": "findings", "registers": service.REGISTERS, "status": status,
        "region": region, "offset": offset, "limit": FINDINGS_PAGE, "statuses": FINDING_STATUSES, "kinds": FINDING_KINDS,
        "counts": per_status, "total": sum(per_status.values()), "rows": found,
        "facts": findings.facts(session, shown, today()), "can_decide": who.role in DECIDERS,
        "error": error, "error_status": error_status, "form": form or {}, "done": DONE.get(done, ""),
    }


@router.get("/obligations/findings", response_class=HTMLResponse, summary="履约失信认定",
            description="每日例行任务提出的拟认定（拖欠企业账款、政府债务违约、招商引资失信），按状态和地区列出所依据的事实；"
                        "信用办在此确认（写入信用记录）或不予认定。")
def findings_page(request: Request, session: SessionDep, who: Official,
                  status: Annotated[str, Query(max_length=12)] = "proposed",
                  region: Annotated[str, Query(max_length=6)] = "",
                  offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
                  done: Annotated[str, Query(max_length=12)] = "") -> Response:
    context = _findings_context(session, who, status=status, region=region, offset=offset, done=done)
    return render(request, "obligations/findings.html", context, status_code=context["error_status"])


def _decide(request: Request, session, who: Principal, finding_id: int, region: str, done: str, form: dict, do) -> Response:
    verb = "确认" if done == "confirmed" else "不予认定"
    where = f"&region={region}" if re.fullmatch(r"\d{6}", region or "") else ""
    return _act(request, session, do, to=f"/obligations/findings?done={done}{where}", page="obligations/findings.html",
                failed=lambda exc: _findings_context(session, who, region=region, form={"id": finding_id, **form},
                                                     error=f"第 {finding_id} 号认定建议未能{verb}：{exc.zh}"))


@router.post("/obligations/findings/{finding_id}/confirm", response_class=HTMLResponse, summary="确认履约失信认定",
             description="填写认定单位名称、统一社会信用代码和核实情况；经记录的正常导入路径写入信用记录（只写一次），记审计日志。")
def finding_confirm(request: Request, session: SessionDep, who: Office, finding_id: Annotated[int, Path(ge=1, le=MAX_ID)],
                    unit: Annotated[str, Form(max_length=200)] = "", unit_code: Annotated[str, Form(max_length=40)] = "",
                    note: Annotated[str, Form(max_length=2000)] = "",
                    region: Annotated[str, Form(max_length=6)] = "") -> Response:
    return _decide(request, session, who, finding_id, region, "confirmed",
                   {"unit": unit, "unit_code": unit_code, "note": note},
                   lambda meta: findings.confirm(session, finding_id, unit=unit, unit_code=unit_code, note=note,
                                                 who=who, today=today(), **meta))


@router.post("/obligations/findings/{finding_id}/refuse", response_class=HTMLResponse, summary="不予认定",
             description="写明理由；不写入信用记录，记审计日志，该登记行不再提出。")
def finding_refuse(request: Request, session: SessionDep, who: Office, finding_id: Annotated[int, Path(ge=1, le=MAX_ID)],
                   note: Annotated[str, Form(max_length=2000)] = "",
                   region: Annotated[str, Form(max_length=6)] = "") -> Response:
    return _decide(request, session, who, finding_id, region, "refused", {"refuse_note": note},
                   lambda meta: findings.refuse(session, finding_id, note=note, who=who, today=today(), **meta))


@router.get("/obligations/bodies/{ref}", response_class=HTMLResponse, summary="单位的政府履约",
            description="一个政府机构的合同与拖欠、PPP项目、判决、债务率；以及下级单位被列入失信被执行人名单后向其报告的情况。")
def body_page(request: Request, session: SessionDep, who: Official, ref: Annotated[str, Path(max_length=40)]) -> Response:
    subject = subjects.get_by_ref(session, ref)
    ensure_region(who, subject.region_code)
    if subject.kind != "gov_body":
        raise InvalidInput("政府履约只适用于政府机构", "not a government body", field="ref")
    return render(request, "obligations/body.html", {
        "active": "/obligations", "subject": subject, "obligations": body_summary(session, subject.id),
        "reported": service.listed_under(session, subject.id),
    })


@router.get("/obligations/{register}", response_class=HTMLResponse, summary="政府履约登记簿",
            description="一个登记簿的数据、XLSX 模板下载、导入和导出。")
def register_page(request: Request, session: SessionDep, audit: AuditDep, who: Official, register: REGISTER,
                  region: Annotated[str, Query(max_length=6)] = "",
                  offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0) -> Response:
    try:
        context = _register_context(session, who, register, region=region, offset=offset)
    except XinyongError as exc:
        context = _register_context(session, who, register, error=exc.zh)
        return render(request, "obligations/register.html", context, status_code=exc.status_code)
    _log_persons(session, who, context["persons"], audit)
    return render(request, "obligations/register.html", context)


@router.post("/obligations/{register}", response_class=HTMLResponse, summary="导入政府履约登记簿",
             description="上传按模板填写的 XLSX：每行单独校验，退回的行列出行号、列名和原因且不写入，正确的行在一个事务中写入。")
async def import_page(request: Request, session: SessionDep, who: Registrar, register: REGISTER,
                      file: Annotated[UploadFile, File(description="XLSX 文件")]) -> Response:
    try:
        data = await file.read(MAX_UPLOAD + 1)
        if len(data) > MAX_UPLOAD:
            raise InvalidInput("文件过大（上限 20MB），请分成几个文件上传", "file too large", field="file")
        if not data:
            raise InvalidInput("上传的文件是空的", "the file is empty", field="file")
        result = service.import_rows(session, register, service.read_xlsx(service.register(register), data), who=who,
                                     today=today(), **request_meta(request))
        session.commit()
    except XinyongError as exc:
        session.rollback()
        context = _register_context(session, who, register, error=f"文件未能导入，未写入任何数据：{exc.zh}")
        return render(request, "obligations/register.html", context, status_code=exc.status_code)
    return render(request, "obligations/register.html", _register_context(session, who, register, result=result))


def _act(request: Request, session, do, *, to: str, page: str, failed) -> Response:
    """Run a form's write (``do(meta)``) and commit, then go to ``to``; on a refusal nothing is
    kept and ``page`` is shown again with ``failed(exc)``'s context (the reason in Chinese)."""
    try:
        do(request_meta(request))
        session.commit()
    except XinyongError as exc:
        session.rollback()
        return render(request, page, failed(exc), status_code=exc.status_code)
    return RedirectResponse(to, status_code=303)


def _register_act(request: Request, session, who: Principal, register: str, do) -> Response:
    return _act(request, session, do, to=f"/obligations/{register}", page="obligations/register.html",
                failed=lambda exc: _register_context(session, who, register, error=exc.zh))


@router.post("/obligations/agreements/{agreement_id}/status", response_class=HTMLResponse,
             summary="变更招商引资协议或承诺的状态",
             description="已履行、已依法变更、已依法解除；变更、解除须写明法定事由、法律依据和补偿，不得以政府换届、领导人员更替为理由。")
def agreement_status(request: Request, session: SessionDep, who: Registrar,
                     agreement_id: Annotated[int, Path(ge=1, le=MAX_ID)], status: Annotated[str, Form(max_length=20)],
                     reason: Annotated[str, Form(max_length=4000)] = "", legal_ground: Annotated[str, Form(max_length=20)] = "",
                     legal_basis: Annotated[str, Form(max_length=4000)] = "",
                     compensation: Annotated[str, Form(max_length=4000)] = "",
                     compensation_amount: Annotated[str, Form(max_length=20)] = "") -> Response:
    def do(meta):
        try:
            amount = Decimal(compensation_amount) if compensation_amount.strip() else None
        except ArithmeticError:
            raise InvalidInput("补偿金额应为数字（万元）", "bad amount", field="compensation_amount") from None
        service.change_agreement(session, agreement_id, to=status, on=today(), reason=reason, ground=legal_ground,
                                 basis=legal_basis, compensation=compensation, compensation_amount=amount, who=who,
                                 today=today(), **meta)

    return _register_act(request, session, who, "agreements", do)


@router.post("/obligations/ppp/{project_id}/stage", response_class=HTMLResponse, summary="PPP项目进入下一阶段",
             description="识别、准备、采购、执行、移交依次推进，不能跳过或回退。")
def ppp_stage(request: Request, session: SessionDep, who: Registrar, project_id: Annotated[int, Path(ge=1, le=MAX_ID)],
              stage: Annotated[str, Form(max_length=10)]) -> Response:
    return _register_act(request, session, who, "ppp", lambda meta: service.advance_stage(
        session, project_id, to=stage, on=today(), who=who, today=today(), **meta))


@router.post("/obligations/judgments/{judgment_id}/status", response_class=HTMLResponse, summary="判决结案或移出名单",
             description="已履行、已和解履行、已移出失信被执行人名单。")
def judgment_status(request: Request, session: SessionDep, who: Registrar,
                    judgment_id: Annotated[int, Path(ge=1, le=MAX_ID)], status: Annotated[str, Form(max_length=20)]) -> Response:
    return _register_act(request, session, who, "judgments", lambda meta: service.close_judgment(
        session, judgment_id, to=status, on=today(), who=who, today=today(), **meta))


__all__ = ["router"]
