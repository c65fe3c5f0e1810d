"""API: credit repair (信用修复) — the conditions of a record before anything is sent, the
application with its documents and signed commitment, the credit office's steps, the queue, one
case with its timeline, and an attachment. Translates HTTP to :mod:`xinyong.redress.repairs`,
which decides who may do what (the same rules as objections). Included by
:mod:`xinyong.redress.api`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Path, Query, UploadFile
from fastapi.responses import Response
from sqlalchemy.orm import Session

from xinyong.accounts.access import allow
from xinyong.accounts.principal import Principal
from xinyong.audit.deps import Audit, AuditDep
from xinyong.core.clock import today
from xinyong.core.http import MAX_ID, SessionDep, error_responses
from xinyong.redress import files, repairs
from xinyong.redress.models import Repair
from xinyong.redress.repair_schemas import (
    AnswerIn,
    ConditionsOut,
    RepairOut,
    RepairQueueOut,
    RepairStepIn,
)
from xinyong.redress.service import Upload, files_limit_bytes
from xinyong.subjects.models import Subject

router = APIRouter()
TAG = "信用修复"
Filer = Annotated[Principal, allow("subject", "admin")]
Office = Annotated[Principal, allow("admin")]
Reader = Annotated[Principal, allow("subject", "admin", "reporter")]  # the department: cases sent to it
Department = Annotated[Principal, allow("reporter")]
CaseId = Annotated[int, Path(ge=1, le=MAX_ID, description="信用修复申请编号")]
READ_PURPOSE = "处理信用主体的信用修复申请"
UPLOAD_FIELDS = ("performance", "payment", "training", "report", "application")


def case_out(session: Session, case: Repair, *, full: bool = True) -> RepairOut:
    subject = session.get(Subject, case.subject_id)
    return RepairOut.build(case, subject, today(), events=repairs.events(session, case.id) if full else None,
                           attachments=repairs.attachments(session, case.id) if full else None)


def log_case_read(audit: Audit, who: Principal, session: Session, subject_id: int, what: str, entity_id: int) -> None:
    """The credit office reading a natural person's repair or record: one entry in the audit log."""
    subject = session.get(Subject, subject_id)
    if who.is_official and subject is not None and subject.is_natural:
        audit.read(subject.id, what, READ_PURPOSE, entity_id=entity_id)


async def read_files(uploads: list[UploadFile] | None, kind: str) -> list[Upload]:
    """Each file read up to one byte past the size limit (a larger one is refused by its size)."""
    limit = files_limit_bytes()
    out = []
    for u in uploads or []:
        if not u.filename and not u.size:
            continue
        out.append(Upload(u.filename or "附件", await u.read(limit + 1), kind))
    return out


def conditions(session: Session, who: Principal, audit: Audit, record_id: int) -> tuple[object, ConditionsOut]:
    record, ev = repairs.evaluate(session, who, record_id)
    log_case_read(audit, who, session, record.subject_id, "repair_conditions", record.id)
    return record, ConditionsOut.build(record, ev)


@router.get(
    "/records/{id}/repair-conditions", tags=[TAG], response_model=ConditionsOut, summary="信用修复条件",
    description="提交申请前：该信用记录的信用修复条件，哪些平台数据已满足（可修复类别、正在公示、最短公示期、无重复失信、"
                "未在严重失信名单——按类别规定），哪些须由申请人证明（履行义务、缴纳罚款、严重的培训和信用报告）和签署信用承诺。"
                "不作任何改动。信用主体本人和记录所在地区信用办可查。",
    responses=error_responses(401, 403, 404),
)
def repair_conditions(session: SessionDep, who: Filer, audit: AuditDep,
                      id: Annotated[int, Path(ge=1, le=MAX_ID, description="信用记录编号")]) -> ConditionsOut:
    return conditions(session, who, audit, id)[1]


@router.post(
    "/repairs", tags=[TAG], response_model=RepairOut, status_code=201, summary="申请信用修复",
    description=(
        "对一条失信信息申请信用修复（multipart 表单）：`record_id`、`reasons`（纠正失信行为、履行义务的情况）、"
        "`commitment`（true：已阅读并签署信用承诺），证明材料 `performance`（履行义务）、`payment`（缴纳罚款）、"
        "`training`（信用修复培训）、`report`（信用报告），信用办代为申请时附 `application`（书面申请扫描件）；"
        "只接受 PDF、PNG、JPEG，每个不超过 `XINYONG_REDRESS_ATTACHMENT_MAX_MB`。任一条件不满足（不可修复、未满最短公示期、"
        "重复失信、缺证明或未签承诺）的，422 并逐条说明，不存入任何数据。"
    ),
    responses=error_responses(401, 403, 404, 422),
)
async def file_repair(
    session: SessionDep, who: Filer, audit: AuditDep,
    record_id: Annotated[int, Form(ge=1, le=MAX_ID, description="信用记录编号")],
    reasons: Annotated[str, Form(max_length=2000, description="纠正失信行为、履行义务的情况")],
    commitment: Annotated[bool, Form(description="已阅读并签署信用承诺")] = False,
    performance: Annotated[list[UploadFile] | None, File(description="履行义务的证明")] = None,
    payment: Annotated[list[UploadFile] | None, File(description="缴纳罚款的证明")] = None,
    training: Annotated[list[UploadFile] | None, File(description="信用修复培训证明")] = None,
    report: Annotated[list[UploadFile] | None, File(description="信用报告")] = None,
    application: Annotated[list[UploadFile] | None, File(description="书面申请扫描件（代为申请时必附）")] = None,
) -> RepairOut:
    from starlette.concurrency import run_in_threadpool

    uploads: list[Upload] = []
    for kind, given in zip(UPLOAD_FIELDS, (performance, payment, training, report, application), strict=True):
        uploads += await read_files(given, kind)

    def run() -> RepairOut:
        case = repairs.file_repair(session, who, record_id=record_id, reasons=reasons, commitment_signed=commitment,
                                   uploads=uploads, request_id=audit.request_id, ip=audit.ip)
        session.commit()
        return case_out(session, case)

    return await run_in_threadpool(run)


@router.get(
    "/repairs", tags=[TAG], response_model=RepairQueueOut, summary="信用修复申请列表（待办队列）",
    description="信用办：本辖区的信用修复申请，按状态筛选（`status`：filed / accepted / approved / rejected / refused / "
                "revoked，或 open 未办结），已超期的在前，其余按期限先后；附按状态的件数和超期件数。信用主体：本人的申请。"
                "期限按工作日计算（受理 3 个工作日，受理后 10 个工作日内作出决定）。",
    responses=error_responses(401, 403, 422),
)
def list_repairs(session: SessionDep, who: Filer,
                 status: Annotated[str | None, Query(max_length=12, description="状态代码或 open")] = None
                 ) -> RepairQueueOut:
    cases = repairs.queue(session, who, status=status)
    ids = {c.subject_id for c in cases}
    subjects = {s.id: s for s in session.query(Subject).filter(Subject.id.in_(ids))} if ids else {}
    day = today()
    return RepairQueueOut(counts=repairs.counts(session, who),
                          repairs=[RepairOut.build(c, subjects[c.subject_id], day) for c in cases])


@router.get("/repairs/{id}", tags=[TAG], response_model=RepairOut, summary="一件信用修复申请及其办理经过",
            description="状态、现在等待的步骤及期限（是否超期）、申请时的条件评估、信用承诺、办理经过、附件、随之移出的名单记录。"
                        "信用主体本人和本辖区信用办可查阅，转来核实的申请记录的认定部门也可查阅（官员查阅自然人的申请记入审计日志）。",
            responses=error_responses(401, 403, 404))
def get_repair(session: SessionDep, who: Reader, audit: AuditDep, id: CaseId) -> RepairOut:
    case = repairs.get(session, id)
    repairs.ensure_reads(who, case)
    log_case_read(audit, who, session, case.subject_id, "repair", case.id)
    return case_out(session, case)


@router.get("/repairs/{id}/attachments/{attachment_id}", tags=[TAG], summary="下载信用修复附件",
            description="信用修复申请的一个附件（PDF、PNG 或 JPEG），下载前核对 SHA-256 校验和。",
            response_class=Response, responses=error_responses(401, 403, 404, 422))
def get_attachment(session: SessionDep, who: Reader, audit: AuditDep, id: CaseId,
                   attachment_id: Annotated[int, Path(ge=1, le=MAX_ID, description="附件编号")]) -> Response:
    case = repairs.get(session, id)
    repairs.ensure_reads(who, case)
    att = repairs.attachment(session, case, attachment_id)
    data = files.read(att.sha256)
    log_case_read(audit, who, session, case.subject_id, "repair_attachment", case.id)
    ext = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}.get(att.media_type, "bin")
    return Response(data, media_type=att.media_type, headers={
        "Content-Disposition": f'attachment; filename="repair-{case.id}-{att.id}.{ext}"',
        "X-Content-SHA256": att.sha256,
    })


def _step(session: Session, who: Principal, audit: Audit, case_id: int, step: str, body: RepairStepIn | None) -> RepairOut:
    case = repairs.take_step(session, who, case_id, step, reasons=body.reasons if body else None,
                             request_id=audit.request_id, ip=audit.ip)
    session.commit()
    return case_out(session, case)


STEP_DOCS = {
    "accept": ("受理信用修复申请", "信用办（记录所在地区）受理：自受理之日起 10 个工作日内作出决定。只能受理“已提交”的申请。"),
    "refuse": ("不予受理", "信用办不予受理（须写明理由）：申请结束，记录不变；可重新申请。"),
    "send": ("转认定部门核实", "信用办将已受理的申请转记录的认定部门核实：认定部门自转送之日起 5 个工作日内答复"
             "（redress.yaml repair_sent），决定期限相应顺延；答复前不能作出决定。"),
    "approve": ("准予信用修复", "准予修复：记录标注“已修复”（形成新版本，停止公示，保留在档案中），自即时起不再在核查中命中；"
                "依据该记录列入的名单记录随之移出（移出原因：信用修复）；关注该主体的部门收到推送。"),
    "reject": ("不予修复", "审核后不予修复（须写明理由）：记录不变。"),
    "revoke": ("撤销信用修复", "修复所依据的材料虚假的，撤销修复（须写明理由）：记录恢复原状态，随修复移出的名单记录恢复列入，"
               "关注该主体的部门收到推送。"),
}


def _add_step(step: str) -> None:
    summary, description = STEP_DOCS[step]

    def endpoint(session: SessionDep, who: Office, audit: AuditDep, id: CaseId,
                 body: RepairStepIn | None = None) -> RepairOut:
        return _step(session, who, audit, id, step, body)

    endpoint.__name__ = f"repair_{step}"
    router.add_api_route(f"/repairs/{{id}}/{step}", endpoint, methods=["POST"], tags=[TAG], response_model=RepairOut,
                         summary=summary, description=description, responses=error_responses(401, 403, 404, 422))


for _s in STEP_DOCS:
    _add_step(_s)


@router.post("/repairs/{id}/answer", tags=[TAG], response_model=RepairOut, summary="认定部门答复核实结果",
             description="记录的认定部门（报送部门，本辖区）对转来核实的信用修复申请答复：`answer` 为 confirm（确认属实）"
                         "或 dispute（有异议，须写明 `reasons`）。答复后由信用办作出决定。只能答复“已转认定部门核实”的申请。",
             responses=error_responses(401, 403, 404, 422))
def repair_answer(session: SessionDep, who: Department, audit: AuditDep, id: CaseId, body: AnswerIn) -> RepairOut:
    case = repairs.answer(session, who, id, body.answer, reasons=body.reasons, request_id=audit.request_id, ip=audit.ip)
    session.commit()
    return case_out(session, case)
