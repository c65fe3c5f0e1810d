"""API: objections (异议) — filing with attachments, the credit office's steps, the queue, one
case with its timeline, and an attachment. Translates HTTP to :mod:`xinyong.redress.service`,
which decides who may do what (the subject for its own records, the credit office of the
record's region)."""

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
from xinyong.redress import files
from xinyong.redress import service as objections
from xinyong.redress.models import Objection
from xinyong.redress.schemas import DecideIn, ObjectionOut, QueueOut, RefuseIn, StepIn
from xinyong.subjects.models import Subject

router = APIRouter()
TAG = "异议"
Filer = Annotated[Principal, allow("subject", "admin")]
Office = Annotated[Principal, allow("admin")]
CaseId = Annotated[int, Path(ge=1, le=MAX_ID, description="异议编号")]
READ_PURPOSE = "处理信用主体的异议"


def case_out(session: Session, case: Objection, *, full: bool = True) -> ObjectionOut:
    subject = session.get(Subject, case.subject_id)
    return ObjectionOut.build(case, subject, today(),
                              events=objections.events(session, case.id) if full else None,
                              attachments=objections.attachments(session, case.id) if full else None)


def log_case_read(audit: Audit, who: Principal, session: Session, case: Objection, what: str) -> None:
    """The credit office reading a natural person's case: one entry in the audit log."""
    subject = session.get(Subject, case.subject_id)
    if who.is_official and subject is not None and subject.is_natural:
        audit.read(subject.id, what, READ_PURPOSE, entity_id=case.id)


async def read_uploads(uploads: list[UploadFile] | None, kind: str) -> list[objections.Upload]:
    """The uploaded files, each read up to one byte past the size limit (a larger one is
    refused by its size without being read whole)."""
    limit = objections.files_limit_bytes()
    out = []
    for u in uploads or []:
        if not u.filename and not u.size:
            continue  # an empty file field of a form
        out.append(objections.Upload(u.filename or "附件", await u.read(limit + 1), kind))
    return out


@router.post(
    "/objections", tags=[TAG], response_model=ObjectionOut, status_code=201, summary="提出异议",
    description=(
        "对一条信用记录（`record_id`）或一条名单记录（`entry_id`）提出异议（multipart 表单）：异议理由（`grounds`："
        "fact_error 事实错误 / text_error 文字错误 / omission 遗漏 / overdue 超期仍在披露 / wrong_listing 不符合名单条件）、"
        "具体理由、新的事实，附件 `files`（证明材料）和 `application`（书面异议申请扫描件）：只接受 PDF、PNG、JPEG"
        "（按文件内容识别），每个不超过 `XINYONG_REDRESS_ATTACHMENT_MAX_MB`。信用主体只能对本人（本单位）的记录提出；"
        "信用办（本辖区）可代为提出，须附书面申请扫描件。提出后记录即标注“异议处理中”，核查结果中仍予报告并标注。"
        "同一记录已有异议在办、或同一理由已作出维持决定而没有新的事实的，不予重复受理（422，引述前次决定）。"
    ),
    responses=error_responses(401, 403, 404, 422),
)
async def file_objection(
    session: SessionDep, who: Filer, audit: AuditDep,
    grounds: Annotated[str, Form(max_length=20, description="异议理由代码")],
    reasons: Annotated[str, Form(max_length=2000, description="具体理由")],
    record_id: Annotated[int | None, Form(ge=1, le=MAX_ID, description="信用记录编号")] = None,
    entry_id: Annotated[int | None, Form(ge=1, le=MAX_ID, description="名单记录编号")] = None,
    new_facts: Annotated[str, Form(max_length=2000, description="新的事实和理由")] = "",
    files_: Annotated[list[UploadFile] | None, File(alias="files", description="证明材料（PDF、PNG、JPEG）")] = None,
    application: Annotated[list[UploadFile] | None, File(description="书面异议申请扫描件（代为提出时必附）")] = None,
) -> ObjectionOut:
    uploads = await read_uploads(files_, "evidence") + await read_uploads(application, "application")
    return await _run(lambda: _file(session, who, audit, record_id, entry_id, grounds, reasons, new_facts, uploads))


async def _run(fn):
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(fn)


def _file(session, who, audit, record_id, entry_id, grounds, reasons, new_facts, uploads) -> ObjectionOut:
    case = objections.file_objection(session, who, record_id=record_id, entry_id=entry_id, grounds=grounds,
                                     reasons=reasons, new_facts=new_facts, uploads=uploads,
                                     request_id=audit.request_id, ip=audit.ip)
    session.commit()
    return case_out(session, case)


@router.get(
    "/objections", tags=[TAG], response_model=QueueOut, summary="异议列表（待办队列）",
    description=(
        "信用办：本辖区的异议，按状态筛选（`status`：filed / accepted / sent / decided / closed / refused，"
        "或 open 未办结），已超期的在前，其余按期限先后；附按状态的件数和超期件数。信用主体：本人提出的异议。"
        "期限按工作日计算（受理 2 个工作日，处理 5 个工作日，转认定部门核实的累计不超过 20 个工作日）。"
    ),
    responses=error_responses(401, 403, 422),
)
def list_objections(
    session: SessionDep, who: Filer,
    status: Annotated[str | None, Query(max_length=12, description="状态代码或 open")] = None,
) -> QueueOut:
    cases = objections.queue(session, who, status=status)
    subjects = {s.id: s for s in session.query(Subject).filter(Subject.id.in_({c.subject_id for c in cases}))} \
        if cases else {}
    day = today()
    return QueueOut(counts=objections.counts(session, who),
                    objections=[ObjectionOut.build(c, subjects[c.subject_id], day) for c in cases])


@router.get(
    "/objections/{id}", tags=[TAG], response_model=ObjectionOut, summary="一件异议及其处理经过",
    description="一件异议：状态、现在等待的步骤及其期限（是否超期）、处理经过、附件。信用主体本人和本辖区信用办可查阅"
                "（信用办查阅自然人的异议记入审计日志）。",
    responses=error_responses(401, 403, 404),
)
def get_objection(session: SessionDep, who: Filer, audit: AuditDep, id: CaseId) -> ObjectionOut:
    case = objections.get(session, id)
    objections.ensure_reads(who, case)
    log_case_read(audit, who, session, case, "objection")
    return case_out(session, case)


@router.get(
    "/objections/{id}/attachments/{attachment_id}", tags=[TAG], summary="下载异议附件",
    description="异议的一个附件（PDF、PNG 或 JPEG），下载前核对 SHA-256 校验和。信用主体本人和本辖区信用办可下载。",
    response_class=Response, responses=error_responses(401, 403, 404, 422),
)
def get_attachment(session: SessionDep, who: Filer, audit: AuditDep, id: CaseId,
                   attachment_id: Annotated[int, Path(ge=1, le=MAX_ID, description="附件编号")]) -> Response:
    case = objections.get(session, id)
    objections.ensure_reads(who, case)
    att = objections.attachment(session, case, attachment_id)
    data = files.read(att.sha256)
    log_case_read(audit, who, session, case, "objection_attachment")
    ext = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}.get(att.media_type, "bin")
    return Response(data, media_type=att.media_type, headers={
        "Content-Disposition": f'attachment; filename="objection-{case.id}-{att.id}.{ext}"',
        "X-Content-SHA256": att.sha256,
    })


def _step(session: Session, who: Principal, audit: Audit, case_id: int, step: str, **kw) -> ObjectionOut:
    case = objections.take_step(session, who, case_id, step, request_id=audit.request_id, ip=audit.ip, **kw)
    session.commit()
    return case_out(session, case)


@router.post("/objections/{id}/accept", tags=[TAG], response_model=ObjectionOut, summary="受理异议",
             description="信用办（记录所在地区）受理：处理期限为受理之日起 5 个工作日。只能受理“已提交”的异议。",
             responses=error_responses(401, 403, 404, 422))
def accept(session: SessionDep, who: Office, audit: AuditDep, id: CaseId, body: StepIn | None = None) -> ObjectionOut:
    return _step(session, who, audit, id, "accept", reasons=body.reasons if body else None)


@router.post("/objections/{id}/refuse", tags=[TAG], response_model=ObjectionOut, summary="不予受理",
             description="信用办不予受理（须写明理由）：异议结束，记录的“异议处理中”标注撤除。",
             responses=error_responses(401, 403, 404, 422))
def refuse(session: SessionDep, who: Office, audit: AuditDep, id: CaseId, body: RefuseIn) -> ObjectionOut:
    return _step(session, who, audit, id, "refuse", reasons=body.reasons)


@router.post("/objections/{id}/send", tags=[TAG], response_model=ObjectionOut, summary="转认定部门核实",
             description="已受理的异议转信息提供单位（认定部门）核实：处理期限延长为自受理之日起累计 20 个工作日。",
             responses=error_responses(401, 403, 404, 422))
def send(session: SessionDep, who: Office, audit: AuditDep, id: CaseId, body: StepIn | None = None) -> ObjectionOut:
    return _step(session, who, audit, id, "send", reasons=body.reasons if body else None)


@router.post("/objections/{id}/decide", tags=[TAG], response_model=ObjectionOut, summary="作出异议处理决定",
             description="信用办作出处理决定（须写明理由）：corrected 更正（写明更正内容，记录形成新版本）、revoked 撤销"
                         "（记录不再公示、不再在核查中命中；名单记录移出名单）、kept 维持（撤除异议标注）。"
                         "已作出决定或已结案的异议不能再次决定。",
             responses=error_responses(401, 403, 404, 422))
def decide(session: SessionDep, who: Office, audit: AuditDep, id: CaseId, body: DecideIn) -> ObjectionOut:
    corrections = body.corrections.model_dump(exclude_none=True) if body.corrections else None
    return _step(session, who, audit, id, "decide", reasons=body.reasons, outcome=body.outcome,
                 corrections=corrections)


@router.post("/objections/{id}/close", tags=[TAG], response_model=ObjectionOut, summary="结案",
             description="已作出处理决定的异议结案（已告知申请人）；结案后不能再作任何处理。",
             responses=error_responses(401, 403, 404, 422))
def close(session: SessionDep, who: Office, audit: AuditDep, id: CaseId, body: StepIn | None = None) -> ObjectionOut:
    return _step(session, who, audit, id, "close", reasons=body.reasons if body else None)


# Credit repair (信用修复): its routes live in their own module, under the same prefix.
from xinyong.redress.repair_api import router as _repair_router  # noqa: E402

router.include_router(_repair_router)

# Complaints (投诉举报): their routes live in their own module, under the same prefix.
from xinyong.redress.complaint_api import router as _complaint_router  # noqa: E402

router.include_router(_complaint_router)
from xinyong.redress.leniency_api import router as _leniency_router  # noqa: E402

router.include_router(_leniency_router)
