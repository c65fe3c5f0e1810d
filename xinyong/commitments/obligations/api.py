"""API: 政府履约 — each register's list, XLSX template, import and export; an agreement's change
or termination (a change of government or officials refused as a reason), a PPP project's next
stage (in order), a judgment performed, settled or removed from the list; arrears per body; one
body's obligation figures.

Registered by the credit office and reporting departments within their region; read by
officials of the body's region."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, File, Path, Query, Request, Response, UploadFile

from xinyong.accounts.access import allow, ensure_region
from xinyong.accounts.principal import Principal
from xinyong.audit.deps import AuditDep
from xinyong.commitments.obligations import service
from xinyong.commitments.obligations.schemas import (
    AgreementChangeIn,
    ArrearsOut,
    FindingConfirmIn,
    FindingOut,
    FindingRefuseIn,
    ImportOut,
    JudgmentCloseIn,
    RowOut,
    RowProblemOut,
    StageIn,
    SummaryOut,
)
from xinyong.commitments.obligations.summary import body_summary
from xinyong.core.clock import today
from xinyong.core.errors import InvalidInput
from xinyong.core.http import MAX_ID, XLSX, SessionDep, error_responses, request_meta, xlsx_response

router = APIRouter()
TAG = "政府履约"
Registrar = Annotated[Principal, allow("admin", "reporter")]
Official = Annotated[Principal, allow("admin", "reporter", "checker", "supervisor", "auditor")]
MAX_UPLOAD = 20 * 1024 * 1024
REGISTER = Annotated[str, Path(pattern="^(" + "|".join(service.REGISTERS) + ")$",
                               description="agreements / contracts / ppp / ppp_holders / ppp_breaches / judgments / debts")]
EXPORTABLE = Annotated[str, Path(pattern="^(" + "|".join(service.EXPORTABLE) + ")$")]



def _value(v: Any) -> Any:
    if isinstance(v, Decimal):
        return float(v)
    if isinstance(v, date):
        return v.isoformat()
    return v


def row_out(key: str, obj, other) -> RowOut:
    fields = {c.key: _value(getattr(obj, c.key)) for c in obj.__table__.columns
              if c.key not in ("created_by", "created_at", "body_id", "person_id", "holder_id")}
    if key in ("ppp_holders", "ppp_breaches"):
        return RowOut(id=obj.id, kind=key, body_name=other.name, region_code=other.region_code, fields=fields)
    return RowOut(id=obj.id, kind=key, body_name=other.name, region_code=obj.region_code, fields=fields)


Office = Annotated[Principal, allow("admin")]


def finding_out(f, body_name: str) -> FindingOut:
    from xinyong.commitments.obligations.models import FINDING_KINDS

    return FindingOut(id=f.id, kind=f.kind, kind_name=FINDING_KINDS.get(f.kind, f.kind), row_id=f.row_id,
                      body_id=f.body_id, body_name=body_name, region_code=f.region_code, category=f.category,
                      due_on=f.due_on, amount=float(f.amount) if f.amount is not None else None, status=f.status,
                      proposed_on=f.proposed_on, decided_by=f.decided_by, decided_on=f.decided_on, note=f.note,
                      record_id=f.record_id)


# registered before /obligations/{register}, which would otherwise take "findings" as a register
@router.get("/obligations/findings", tags=[TAG], response_model=list[FindingOut], summary="履约失信拟认定列表",
            description="每日例行任务提出的拟认定（拖欠企业账款、政府债务违约、招商引资失信），本地区权限范围内；"
                        "`status`：proposed（默认）/ confirmed / refused / withdrawn（原因消除、由每日任务撤回）/ all。",
            responses=error_responses(401, 403))
def list_findings(session: SessionDep, who: Official,
                  status: Annotated[str, Query(pattern="^(proposed|confirmed|refused|withdrawn|all)$")] = "proposed",
                  region: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None) -> list[FindingOut]:
    from xinyong.commitments.obligations import findings

    return [finding_out(f, name) for f, name in
            findings.search(session, who, status=None if status == "all" else status, region=region)]


@router.post("/obligations/findings/{finding_id}/confirm", tags=[TAG], response_model=FindingOut,
             summary="信用办确认认定：写入信用记录",
             description="经核实确认后，按记录的正常导入路径写入相应类别的失信记录（来源编号唯一，只写一次），记审计日志。",
             responses=error_responses(401, 403, 404, 422))
def confirm_finding(request: Request, session: SessionDep, who: Office, body: FindingConfirmIn,
                    finding_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> FindingOut:
    from xinyong.commitments.obligations import findings
    from xinyong.subjects.models import Subject

    f = findings.confirm(session, finding_id, unit=body.unit, unit_code=body.unit_code, note=body.note, who=who,
                         today=today(), **request_meta(request))
    session.commit()
    return finding_out(f, session.get(Subject, f.body_id).name)


@router.post("/obligations/findings/{finding_id}/refuse", tags=[TAG], response_model=FindingOut,
             summary="信用办不予认定", description="写明理由，不写入记录，记审计日志；该行不再提出。",
             responses=error_responses(401, 403, 404, 422))
def refuse_finding(request: Request, session: SessionDep, who: Office, body: FindingRefuseIn,
                   finding_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> FindingOut:
    from xinyong.commitments.obligations import findings
    from xinyong.subjects.models import Subject

    f = findings.refuse(session, finding_id, note=body.note, who=who, today=today(), **request_meta(request))
    session.commit()
    return finding_out(f, session.get(Subject, f.body_id).name)


@router.get("/obligations/arrears", tags=[TAG], response_model=list[ArrearsOut], summary="拖欠企业账款（按单位）",
            description="本地区权限范围内各单位逾期未付的合同数和金额（万元），金额大的在前。",
            responses=error_responses(401, 403))
def arrears(session: SessionDep, who: Official) -> list[ArrearsOut]:
    return [ArrearsOut(body_id=r.body_id, body_name=r.name, region_code=r.region_code, contracts=r.n,
                       amount=float(r.amount or 0)) for r in service.arrears_by_body(session, who)]


@router.get("/obligations/bodies/{body_id}/summary", tags=[TAG], response_model=SummaryOut,
            summary="单位的政府履约概况", description="合同与拖欠、招商引资协议、PPP项目、判决与失信被执行人、最近的债务率及预警等级。",
            responses=error_responses(401, 403, 404))
def summary(session: SessionDep, who: Official, body_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> SummaryOut:
    from xinyong.subjects.models import Subject

    body = session.get(Subject, body_id)
    if body is None or body.kind != "gov_body":
        from xinyong.core.errors import NotFound

        raise NotFound("没有该政府机构", f"no gov body {body_id}")
    ensure_region(who, body.region_code)
    s = body_summary(session, body_id)
    return SummaryOut(body_id=body_id, contracts=s.contracts, arrears_contracts=s.arrears_contracts,
                      arrears_amount=float(s.arrears_amount), agreements=s.agreements, ppp_projects=s.ppp_projects,
                      ppp_breaches=s.ppp_breaches, judgments=s.judgments, judgments_open=s.judgments_open,
                      judgments_listed=s.judgments_listed, judgments_overdue=s.judgments_overdue,
                      debt_as_of=s.debt_as_of, debt_ratio=float(s.debt_ratio) if s.debt_ratio is not None else None,
                      debt_level=s.debt_level, debt_level_name=s.debt_level_name)


@router.get("/obligations/{register}", tags=[TAG], response_model=list[RowOut], summary="政府履约登记簿列表",
            description="本地区权限范围内的一个登记簿：agreements 招商引资协议和政策承诺、contracts 合同（拖欠的在前）、ppp PPP项目、"
                        "ppp_holders PPP政府方责任人、ppp_breaches PPP政府方违约、judgments 判决与失信被执行人、debts 政府债务。",
            responses=error_responses(401, 403))
def list_rows(session: SessionDep, who: Official, register: REGISTER,
              region: Annotated[str | None, Query(max_length=6)] = None,
              limit: Annotated[int, Query(ge=1, le=500)] = 100,
              offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0) -> list[RowOut]:
    return [row_out(register, o, s) for o, s in service.search(session, register, who, region=region or None,
                                                               limit=limit, offset=offset)]


@router.get("/obligations/{register}/template.xlsx", tags=[TAG], summary="下载登记簿导入模板（XLSX）",
            response_class=Response, description="中文表头（必填列红色）、每列的填写说明。",
            responses={**xlsx_response("导入模板 XLSX 文件"), **error_responses(401, 403)})
def template(who: Registrar, register: REGISTER) -> Response:
    return Response(service.template_bytes(service.register(register)), media_type=XLSX,
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''obligations-{register}-template.xlsx"})


@router.post("/obligations/{register}/import", tags=[TAG], response_model=ImportOut, summary="导入登记簿（XLSX）",
             description="每行单独校验，错误行给出行号、列名和原因且不写入，不影响其他行。",
             responses=error_responses(401, 403, 422))
async def import_file(request: Request, session: SessionDep, who: Registrar, register: REGISTER,
                      file: Annotated[UploadFile, File(description="XLSX 文件")]) -> ImportOut:
    data = await file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise InvalidInput("文件过大（上限 20MB）", "file too large", field="file")
    reg = service.register(register)
    result = service.import_rows(session, register, service.read_xlsx(reg, data), who=who, today=today(),
                                 **request_meta(request))
    session.commit()
    return ImportOut(rows=result.rows, created=result.created, rejected=result.rejected,
                     errors=[RowProblemOut(row=e.row, column=e.column, message=e.reason) for e in result.errors])


@router.get("/obligations/{register}/export.xlsx", tags=[TAG], summary="导出登记簿（XLSX）",
            response_class=Response, description="与列表相同的权限；导出记入审计日志。PPP责任人和违约不提供导出。",
            responses={**xlsx_response("登记簿 XLSX 文件"), **error_responses(401, 403)})
def export(session: SessionDep, audit: AuditDep, who: Official, register: EXPORTABLE,
           region: Annotated[str | None, Query(max_length=6)] = None) -> Response:
    data = service.export_bytes(session, register, who, region=region or None, request_id=audit.request_id, ip=audit.ip)
    session.commit()
    return Response(data, media_type=XLSX,
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''obligations-{register}.xlsx"})


@router.post("/obligations/agreements/{agreement_id}/status", tags=[TAG], response_model=RowOut,
             summary="招商引资协议或承诺：已履行 / 依法变更 / 依法解除",
             description="变更、解除须写明法定事由、法律依据和程序、补偿决定；以政府换届、领导人员更替等为理由的予以退回（422）。",
             responses=error_responses(401, 403, 404, 422))
def change_agreement(request: Request, session: SessionDep, who: Registrar, body: AgreementChangeIn,
                     agreement_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> RowOut:
    a = service.change_agreement(session, agreement_id, to=body.status, on=body.on or today(), reason=body.reason,
                                 ground=body.legal_ground, basis=body.legal_basis, compensation=body.compensation,
                                 compensation_amount=body.compensation_amount, who=who, today=today(), **request_meta(request))
    session.commit()
    from xinyong.subjects.models import Subject

    return row_out("agreements", a, session.get(Subject, a.body_id))


@router.post("/obligations/ppp/{project_id}/stage", tags=[TAG], response_model=RowOut, summary="PPP项目进入下一阶段",
             description="识别、准备、采购、执行、移交依次推进；跳过或回退的予以退回（422）。",
             responses=error_responses(401, 403, 404, 422))
def advance_stage(request: Request, session: SessionDep, who: Registrar, body: StageIn,
                  project_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> RowOut:
    p = service.advance_stage(session, project_id, to=body.stage, on=body.on or today(), who=who, today=today(),
                              **request_meta(request))
    session.commit()
    from xinyong.subjects.models import Subject

    return row_out("ppp", p, session.get(Subject, p.body_id))


@router.post("/obligations/judgments/{judgment_id}/status", tags=[TAG], response_model=RowOut,
             summary="判决已履行 / 已和解履行 / 已移出失信被执行人名单",
             description="结案后不再计入；被列入名单的，每日例行任务为其失信被执行人记录补报删除日期。",
             responses=error_responses(401, 403, 404, 422))
def close_judgment(request: Request, session: SessionDep, who: Registrar, body: JudgmentCloseIn,
                   judgment_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> RowOut:
    j = service.close_judgment(session, judgment_id, to=body.status, on=body.on or today(), who=who, today=today(),
                               **request_meta(request))
    session.commit()
    from xinyong.subjects.models import Subject

    return row_out("judgments", j, session.get(Subject, j.body_id))

