"""API: complaints about government dishonesty (投诉举报) — the public's filing, tracking and
rating (no login, by the tracking code), public statistics, the 12345-hotline template and import,
and the officials' queue and steps. Translates HTTP to :mod:`xinyong.redress.complaints`, which
decides who may do what."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Path, Query, UploadFile
from fastapi.responses import Response
from sqlalchemy.orm import Session

from xinyong.accounts.access import allow
from xinyong.accounts.principal import Principal
from xinyong.audit.deps import Audit, AuditDep
from xinyong.core.clock import today
from xinyong.core.http import MAX_ID, SessionDep, error_responses
from xinyong.redress import complaint_import, complaints
from xinyong.redress.complaint_schemas import (
    ComplaintIn,
    ComplaintOut,
    ComplaintQueueOut,
    FiledOut,
    ImportErrorOut,
    ImportOut,
    RateIn,
    ReasonsIn,
    RecordIn,
    ReplyIn,
    RevealIn,
    RevealOut,
    StatRow,
    StatsOut,
    TrackIn,
    TrackOut,
)
from xinyong.redress.models import Complaint

router = APIRouter()
TAG = "投诉举报"
Anyone = Annotated[Principal, allow(public=True)]
Handler = Annotated[Principal, allow("admin", "reporter")]
Office = Annotated[Principal, allow("admin")]
Id = Annotated[int, Path(ge=1, le=MAX_ID, description="投诉编号")]
READ_PURPOSE = "办理政务失信投诉举报"
MAX_UPLOAD = 10 * 1024 * 1024


def out(session: Session, c: Complaint) -> ComplaintOut:
    return ComplaintOut.of(c, complaints.behaviours(complaints.policy(session)), complaints.events(session, c.id),
                           today())


def track_out(session: Session, c: Complaint) -> TrackOut:
    return TrackOut.build(c, complaints.behaviours(complaints.policy(session)), complaints.events(session, c.id),
                          today())


def log_read(audit: Audit, c: Complaint) -> None:
    """An official reading a complaint about a public servant: one entry in the audit log."""
    if c.official_id is not None:
        audit.read(c.official_id, "complaint", READ_PURPOSE, entity_id=c.id)


def file_in(session: Session, who: Principal, audit: Audit, body: ComplaintIn):
    return complaints.file_complaint(
        session, who, target_kind=body.target_kind, body_name=body.body_name, body_code=body.body_code,
        official_name=body.official_name, behaviour=body.behaviour, account=body.account, region=body.region,
        occurred_on=body.occurred_on, anonymous=body.anonymous, name=body.name, phone=body.phone,
        request_id=audit.request_id, ip=audit.ip)


@router.post("/complaints", tags=[TAG], response_model=FiledOut, status_code=201, summary="投诉政务失信",
             description="任何人（无须登录）投诉政府机构或公务人员的政务失信行为：投诉对象、失信行为（政务失信行为清单）、"
                         "事实经过；实名（姓名、电话）或匿名。按被投诉单位所在地区和部门转办，答复期限按工作日计算"
                         "（complaints.yaml）。返回查询码，只显示这一次，凭此查询进度和评价答复。投诉人信息不公开。",
             responses=error_responses(422, 429))
def file_complaint(session: SessionDep, who: Anyone, audit: AuditDep, body: ComplaintIn) -> FiledOut:
    c, code = file_in(session, who, audit, body)
    session.commit()
    d = complaints.due(c)
    return FiledOut(id=c.id, tracking_code=code, status_name=complaints.rules.STATUSES[c.status], reply_due=d.due)


@router.post("/complaints/track", tags=[TAG], response_model=TrackOut, summary="凭查询码查询投诉办理进度",
             description="凭查询码查询一件投诉的状态、办理单位、答复期限、答复和办理经过（不含投诉人信息）。"
                         "查询码错误时 404。",
             responses=error_responses(404, 422, 429))
def track(session: SessionDep, who: Anyone, body: TrackIn) -> TrackOut:
    return track_out(session, complaints.by_code(session, body.code))


@router.post("/complaints/rate", tags=[TAG], response_model=TrackOut, summary="评价投诉答复",
             description="投诉人凭查询码评价答复：satisfied 满意 / basically 基本满意 / unsatisfied 不满意（须写明意见）。"
                         "只能对“已答复”的投诉评价一次。",
             responses=error_responses(404, 422, 429))
def rate(session: SessionDep, who: Anyone, audit: AuditDep, body: RateIn) -> TrackOut:
    c = complaints.rate(session, body.code, body.rating, body.note, request_id=audit.request_id, ip=audit.ip)
    session.commit()
    return track_out(session, c)


@router.get("/complaints/stats", tags=[TAG], response_model=StatsOut, summary="投诉举报统计（公开）",
            description="按地区（首次转办的行政区划）和按被投诉单位：投诉件数、已答复、属实（含部分属实）、逾期提级、"
                        "满意件数。不含任何投诉人信息。")
def stats(session: SessionDep, who: Anyone) -> StatsOut:
    return StatsOut(by_region=[StatRow(**r) for r in complaints.stats_by_region(session)],
                    by_body=[StatRow(**r) for r in complaints.stats_by_body(session)])


@router.get("/complaints/template.xlsx", tags=[TAG], summary="下载 12345 热线工单导入模板",
            description="XLSX 模板：中文表头（必填列红色，附填写说明），失信行为和投诉对象类型为下拉选项。不含个人信息。",
            response_class=Response, responses=error_responses(401, 403))
def template(session: SessionDep, who: Office) -> Response:
    data = complaint_import.template_bytes(complaints.policy(session))
    return Response(data, media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": 'attachment; filename="complaints-12345-template.xlsx"'})


@router.post("/complaints/import", tags=[TAG], response_model=ImportOut, summary="导入 12345 热线工单",
             description="信用办上传 12345 热线工单（XLSX，按模板）：每行一件投诉，逐行校验，错误的行列出行号、列名和原因，"
                         "不影响其他行；同一工单编号重复导入不会重复登记。返回每个新登记工单的查询码（告知来电人）。",
             responses=error_responses(401, 403, 413, 422))
async def import_file(session: SessionDep, who: Office, audit: AuditDep,
                      file: Annotated[UploadFile, File(description="XLSX 文件")]) -> ImportOut:
    from starlette.concurrency import run_in_threadpool

    data = await file.read(MAX_UPLOAD + 1)
    return await run_in_threadpool(lambda: run_import(session, who, audit, data))


def run_import(session: Session, who: Principal, audit: Audit, data: bytes) -> ImportOut:
    from xinyong.core.errors import InvalidInput

    if len(data) > MAX_UPLOAD:
        raise InvalidInput(f"文件不能超过 {MAX_UPLOAD // (1024 * 1024)} MB", "file too large", field="file")
    rows = complaint_import.read_xlsx(data)
    result = complaint_import.import_rows(session, who, rows, today=today(), request_id=audit.request_id, ip=audit.ip)
    session.commit()
    return ImportOut(filed=len(result.filed), unchanged=result.unchanged, rejected=len(result.errors),
                     errors=[ImportErrorOut(row=e.row, column=e.column, message=e.message) for e in result.errors],
                     codes=[{"row": r, "id": i, "tracking_code": code} for r, i, code in result.filed])


@router.get("/complaints", tags=[TAG], response_model=ComplaintQueueOut, summary="投诉办理队列",
            description="信用办：本辖区（首次转办或现在办理）的投诉；部门：转办给本部门的投诉。逾期未答复的在前，"
                        "其余按答复期限先后；附按状态的件数和逾期件数。投诉人信息脱敏。")
def queue(session: SessionDep, who: Handler,
          status: Annotated[str | None, Query(max_length=12, description="状态代码或 open")] = None) -> ComplaintQueueOut:
    cases = complaints.queue(session, who, status=status)
    names = complaints.behaviours(complaints.policy(session))
    day = today()
    return ComplaintQueueOut(counts=complaints.counts(session, who),
                             complaints=[ComplaintOut.of(c, names, [], day) for c in cases])


@router.get("/complaints/{id}", tags=[TAG], response_model=ComplaintOut, summary="一件投诉及其办理经过",
            description="被转办的部门和本辖区信用办可查阅；投诉人姓名和电话脱敏；查阅涉及公务人员的投诉记入审计日志。",
            responses=error_responses(401, 403, 404))
def get_complaint(session: SessionDep, who: Handler, audit: AuditDep, id: Id) -> ComplaintOut:
    c = complaints.get(session, id)
    complaints.ensure_reads(who, c)
    log_read(audit, c)
    return out(session, c)


@router.post("/complaints/{id}/reveal", tags=[TAG], response_model=RevealOut, summary="查看实名投诉人的完整联系方式",
             description="承办该投诉的部门或本地区信用办说明目的后查看实名投诉人的完整姓名和电话（如答复前电话回访）；"
                         "每次查看记入审计日志（complaint_reveal：谁、为何、从何处）。匿名投诉没有投诉人信息。",
             responses=error_responses(401, 403, 404, 422))
def reveal(session: SessionDep, who: Handler, audit: AuditDep, id: Id, body: RevealIn) -> RevealOut:
    shown = complaints.reveal_complainant(session, who, id, purpose=body.purpose, request_id=audit.request_id,
                                          ip=audit.ip)
    session.commit()
    return RevealOut(**shown)


def _step(session: Session, who: Principal, audit: Audit, id: int, step: str, **kw) -> ComplaintOut:
    c = complaints.take_step(session, who, id, step, request_id=audit.request_id, ip=audit.ip, **kw)
    session.commit()
    return out(session, c)


@router.post("/complaints/{id}/reply", tags=[TAG], response_model=ComplaintOut, summary="答复投诉",
             description="被转办的部门（或本地区信用办）答复：核查结论（属实 / 部分属实 / 不属实）和答复内容。"
                         "只能答复待答复或已提级督办的投诉，且只答复一次。",
             responses=error_responses(401, 403, 404, 422))
def reply(session: SessionDep, who: Handler, audit: AuditDep, id: Id, body: ReplyIn) -> ComplaintOut:
    return _step(session, who, audit, id, "reply", reply=body.reply, finding=body.finding)


@router.post("/complaints/{id}/reject", tags=[TAG], response_model=ComplaintOut, summary="不予受理投诉",
             description="被转办的部门（或本地区信用办）不予受理（不属于政务失信、没有具体事实等，须写明理由）。",
             responses=error_responses(401, 403, 404, 422))
def reject(session: SessionDep, who: Handler, audit: AuditDep, id: Id, body: ReasonsIn) -> ComplaintOut:
    return _step(session, who, audit, id, "reject", reasons=body.reasons)


@router.post("/complaints/{id}/close", tags=[TAG], response_model=ComplaintOut, summary="办结投诉",
             description="信用办办结已答复（或已评价）的投诉；办结后不能再答复或评价。",
             responses=error_responses(401, 403, 404, 422))
def close(session: SessionDep, who: Office, audit: AuditDep, id: Id, body: ReasonsIn | None = None) -> ComplaintOut:
    return _step(session, who, audit, id, "close", reasons=body.reasons if body else None)


@router.post("/complaints/{id}/record", tags=[TAG], response_model=ComplaintOut, summary="属实投诉认定为信用记录",
             description="信用办将核查属实（或部分属实）的投诉认定为政务失信记录：经信用记录的正常导入途径写入"
                         "（同样的校验、公示期和版本），来源编号为 complaint:投诉编号；该类别要求的事实项在 facts 中填写。"
                         "每件投诉只能认定一次。",
             responses=error_responses(401, 403, 404, 422))
def record(session: SessionDep, who: Office, audit: AuditDep, id: Id, body: RecordIn) -> ComplaintOut:
    c = complaints.make_record(session, who, id, decision_no=body.decision_no, decision_date=body.decision_date,
                               facts=body.facts, department_code=body.department_code,
                               department_name=body.department_name, request_id=audit.request_id, ip=audit.ip)
    session.commit()
    return out(session, c)
