"""API: self-corrections for leniency (从轻、减轻、免于惩戒) — record one against a record (with
an evidence file), list a record's, revoke one, download its evidence. The credit office of the
record's region and the record's source department act; the subject reads its own. Decisions
of who may are :mod:`xinyong.redress.leniency`'s."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, File, Form, Path, Query, UploadFile
from fastapi.responses import Response
from sqlalchemy.orm import Session

from xinyong.accounts.access import allow
from xinyong.accounts.principal import Principal
from xinyong.audit.deps import Audit, AuditDep
from xinyong.catalog.deps import PolicyDep
from xinyong.core.http import MAX_ID, SessionDep, error_responses
from xinyong.records.models import Record
from xinyong.redress import files, leniency
from xinyong.redress.leniency_schemas import CorrectionsOut, RevokeCorrectionIn, SelfCorrectionOut
from xinyong.subjects.models import Subject

router = APIRouter()
TAG = "从轻减轻"
Actor = Annotated[Principal, allow("admin", "reporter")]
Reader = Annotated[Principal, allow("admin", "reporter", "subject")]
CorrectionId = Annotated[int, Path(ge=1, le=MAX_ID, description="自我纠错登记编号")]
READ_PURPOSE = "登记和审核自我纠错（从轻、减轻、免于惩戒）"


def log_read(audit: Audit, who: Principal, session: Session, record: Record, what: str, entity_id: int) -> None:
    """An official reading a natural person's self-corrections: one entry in the audit log."""
    subject = session.get(Subject, record.subject_id)
    if who.is_official and subject is not None and subject.is_natural:
        audit.read(subject.id, what, READ_PURPOSE, entity_id=entity_id)


def record_of(session: Session, record_id: int) -> Record:
    return leniency._record(session, record_id)


@router.post(
    "/self-corrections", tags=[TAG], response_model=SelfCorrectionOut, status_code=201, summary="登记自我纠错",
    description=(
        "对一条失信记录（`record_id`）登记自我纠错（multipart 表单）：类型 `kind`（政策清单 redress.yaml 的 "
        "self_correction_kinds：loss_recovered 主动挽回损失 / harm_stopped 停止危害 / effects_removed 消除不良影响 / "
        "rectified_on_time 按期整改到位）、纠错日期 `corrected_on`（默认今天）、情况说明 `note`、证明材料 `evidence`"
        "（PDF、PNG、JPEG）。记录所在地区的信用办或记录的认定部门（报送部门）可以登记。登记后，核查按措施清单中各措施的 "
        "leniency（免于实施、由必须适用改为审慎参考、期限缩短）处理，并在核查结果中写明从轻的理由和依据。"
    ),
    responses=error_responses(401, 403, 404, 422),
)
async def create(
    session: SessionDep, who: Actor, audit: AuditDep, policy: PolicyDep,
    record_id: Annotated[int, Form(ge=1, le=MAX_ID, description="信用记录编号")],
    kind: Annotated[str, Form(max_length=30, description="自我纠错类型代码")],
    note: Annotated[str, Form(max_length=2000, description="纠错情况说明")],
    corrected_on: Annotated[date | None, Form(description="纠错日期（默认今天）")] = None,
    evidence: Annotated[UploadFile | None, File(description="证明材料（PDF、PNG、JPEG）")] = None,
) -> SelfCorrectionOut:
    from starlette.concurrency import run_in_threadpool

    given = None
    if evidence is not None and (evidence.filename or evidence.size):
        limit = get_limit()
        given = (evidence.filename or "证明材料", await evidence.read(limit + 1))

    def run() -> SelfCorrectionOut:
        c = leniency.record_correction(session, who, record_id=record_id, kind=kind, corrected_on=corrected_on,
                                       note=note, evidence=given, policy=policy.policy,
                                       request_id=audit.request_id, ip=audit.ip)
        session.commit()
        return SelfCorrectionOut.build(c, policy.policy)

    return await run_in_threadpool(run)


def get_limit() -> int:
    from xinyong.redress.service import files_limit_bytes

    return files_limit_bytes()


@router.get(
    "/self-corrections", tags=[TAG], response_model=CorrectionsOut, summary="一条记录的自我纠错登记",
    description="一条信用记录（`record_id`）的全部自我纠错登记（含已撤销的），及政策清单中的类型。信用办（本辖区）、"
                "记录的认定部门和信用主体本人可查阅；官员查阅自然人的记入审计日志。",
    responses=error_responses(401, 403, 404, 422),
)
def list_for_record(session: SessionDep, who: Reader, audit: AuditDep, policy: PolicyDep,
                    record_id: Annotated[int, Query(ge=1, le=MAX_ID, description="信用记录编号")]) -> CorrectionsOut:
    record = record_of(session, record_id)
    leniency.ensure_reads(who, record)
    log_read(audit, who, session, record, "self_corrections", record.id)
    return CorrectionsOut(record_id=record.id, kinds=leniency.kinds(policy.policy),
                          corrections=[SelfCorrectionOut.build(c, policy.policy)
                                       for c in leniency.of_record(session, record.id)])


@router.post(
    "/self-corrections/{id}/revoke", tags=[TAG], response_model=SelfCorrectionOut, summary="撤销自我纠错登记",
    description="撤销一项自我纠错登记（如纠错材料不实、登记有误），须写明理由；登记保留，此后核查不再据此从轻。"
                "记录所在地区的信用办或记录的认定部门可以撤销；已撤销的不能再次撤销（422）。",
    responses=error_responses(401, 403, 404, 422),
)
def revoke(session: SessionDep, who: Actor, audit: AuditDep, policy: PolicyDep, id: CorrectionId,
           body: RevokeCorrectionIn) -> SelfCorrectionOut:
    c = leniency.revoke(session, who, id, reasons=body.reasons, request_id=audit.request_id, ip=audit.ip)
    session.commit()
    return SelfCorrectionOut.build(c, policy.policy)


@router.get(
    "/self-corrections/{id}/evidence", tags=[TAG], summary="下载自我纠错的证明材料",
    description="一项自我纠错登记的证明材料（PDF、PNG 或 JPEG），下载前核对 SHA-256 校验和。信用办（本辖区）、"
                "记录的认定部门和信用主体本人可下载。",
    response_class=Response, responses=error_responses(401, 403, 404, 422),
)
def evidence(session: SessionDep, who: Reader, audit: AuditDep, id: CorrectionId) -> Response:
    c = leniency.get(session, id)
    record = record_of(session, c.record_id)
    leniency.ensure_reads(who, record)
    if not c.evidence_sha256:
        from xinyong.core.errors import NotFound

        raise NotFound("该登记没有证明材料", f"self-correction {c.id} has no evidence")
    data = files.read(c.evidence_sha256)
    log_read(audit, who, session, record, "self_correction_evidence", c.id)
    ext = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}.get(c.evidence_type or "", "bin")
    return Response(data, media_type=c.evidence_type or "application/octet-stream", headers={
        "Content-Disposition": f'attachment; filename="self-correction-{c.id}.{ext}"',
        "X-Content-SHA256": c.evidence_sha256,
    })
