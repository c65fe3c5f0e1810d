"""The credit-repair API's bodies and answers (pydantic). A natural person's name is masked in
every answer, as everywhere (:mod:`xinyong.subjects.schemas`)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from xinyong.redress import repair_rules as rules
from xinyong.redress.models import Repair, RepairAttachment, RepairEvent
from xinyong.redress.schemas import DueOut, EventOut
from xinyong.subjects import schemas as shown
from xinyong.subjects import service as subjects
from xinyong.subjects.models import Subject


class RepairStepIn(BaseModel):
    reasons: str | None = Field(None, max_length=2000, description="理由或说明（不予受理、不予修复、撤销修复时必填）")


class ConditionOut(BaseModel):
    code: str = Field(description="条件代码：repairable, published, in_force, no_open, min_period, no_repeat, not_listed, "
                                  "performance, payment, training, report, commitment")
    name: str
    by: str = Field(description="data：由平台数据判断；proof：由申请人提供证明或签署")
    met: bool
    detail: str
    blocks: bool = Field(description="不满足且无法通过补充材料满足（如不可修复的类别、重复失信）")


class ConditionsOut(BaseModel):
    record_id: int
    category_code: str
    severity: str | None
    repairable: bool
    may_apply: bool = Field(description="平台数据判断的条件均已满足：提交所需证明和信用承诺后即可申请")
    proofs: list[str] = Field(description="须上传的证明材料类别")
    commitment: bool = Field(description="须签署信用承诺")
    commitment_text: str
    conditions: list[ConditionOut]

    @classmethod
    def build(cls, record, ev: rules.Evaluation) -> ConditionsOut:
        return cls(record_id=record.id, category_code=record.category_code, severity=record.severity,
                   repairable=ev.repairable, may_apply=ev.may_apply, proofs=ev.proofs, commitment=ev.commitment,
                   commitment_text=rules.COMMITMENT_TEXT,
                   conditions=[ConditionOut(code=c.code, name=c.name, by=c.by, met=c.met, detail=c.detail,
                                            blocks=c.blocks) for c in ev.conditions])


class RepairEventOut(EventOut):
    @classmethod
    def of(cls, e: RepairEvent) -> RepairEventOut:  # type: ignore[override]
        return cls(action=e.action, action_name=rules.ACTIONS.get(e.action, e.action), on=e.on, by=e.by, note=e.note)


class RepairAttachmentOut(BaseModel):
    id: int
    kind: str
    kind_name: str
    file_name: str
    media_type: str
    size: int
    sha256: str
    at: datetime
    url: str

    @classmethod
    def of(cls, a: RepairAttachment) -> RepairAttachmentOut:
        return cls(id=a.id, kind=a.kind, kind_name=rules.ATTACHMENT_KINDS.get(a.kind, a.kind), file_name=a.file_name,
                   media_type=a.media_type, size=a.size, sha256=a.sha256, at=a.at,
                   url=f"/api/v1/repairs/{a.repair_id}/attachments/{a.id}")


class RepairOut(BaseModel):
    id: int
    status: str
    status_name: str
    subject_ref: str
    subject_name: str
    record_id: int
    category_code: str
    severity: str | None
    region_code: str
    department_name: str | None
    reasons: str
    filed_by: str
    on_behalf: bool
    filed_on: date
    conditions: list[dict] = Field(description="申请时的条件评估（平台数据判断的和申请人证明的）")
    commitment_signed_on: date
    commitment_kind: str = Field(description="信用承诺的类型（信用修复）")
    commitment_id: int | None = Field(description="信用承诺记录编号（由信用承诺功能生成后填写）")
    accept_due: date
    accepted_on: date | None
    decide_due: date | None
    sent_on: date | None = Field(None, description="转认定部门核实的日期")
    sent_due: date | None = Field(None, description="认定部门答复期限（工作日，redress.yaml repair_sent）")
    sent_overdue: bool = Field(False, description="认定部门尚未答复且已超过答复期限")
    dept_answer: str | None = Field(None, description="认定部门的答复：confirm 确认 / dispute 有异议")
    dept_answer_name: str | None = None
    dept_reasons: str | None = None
    dept_answered_on: date | None = None
    decided_on: date | None
    decided_by: str | None
    outcome_reasons: str | None
    ended_entries: list[int] = Field(description="准予修复时随之移出的名单记录")
    revoked_on: date | None
    revoke_reasons: str | None
    next: DueOut
    steps: list[str]
    events: list[RepairEventOut] = Field(default_factory=list)
    attachments: list[RepairAttachmentOut] = Field(default_factory=list)

    @classmethod
    def build(cls, case: Repair, subject: Subject, today: date, *, events: list[RepairEvent] | None = None,
              attachments: list[RepairAttachment] | None = None) -> RepairOut:
        d = rules.current_due(case.status, case.accept_due, case.decide_due, today)
        return cls(
            id=case.id, status=case.status, status_name=rules.STATUSES.get(case.status, case.status),
            subject_ref=subjects.ref_of(subject), subject_name=shown.subject_name(subject), record_id=case.record_id,
            category_code=case.category_code, severity=case.severity, region_code=case.region_code,
            department_name=case.department_name, reasons=case.reasons, filed_by=case.filed_by,
            on_behalf=case.on_behalf, filed_on=case.filed_on, conditions=list(case.conditions or []),
            commitment_signed_on=case.commitment_signed_on, commitment_kind=rules.COMMITMENT_KIND,
            commitment_id=case.commitment_id, accept_due=case.accept_due, accepted_on=case.accepted_on,
            decide_due=case.decide_due, sent_on=case.sent_on, sent_due=case.sent_due,
            sent_overdue=case.status == "sent" and case.sent_due is not None and today > case.sent_due,
            dept_answer=case.dept_answer, dept_answer_name=rules.ANSWERS.get(case.dept_answer or ""),
            dept_reasons=case.dept_reasons, dept_answered_on=case.dept_answered_on, decided_on=case.decided_on, decided_by=case.decided_by,
            outcome_reasons=case.outcome_reasons, ended_entries=list(case.ended_entries or []),
            revoked_on=case.revoked_on, revoke_reasons=case.revoke_reasons,
            next=DueOut(what=d.what, due=d.due, overdue=d.overdue, provisional=bool(case.due_provisional and d.due)),
            steps=[s for s in rules.allowed_steps(case.status) if s not in rules.DEPARTMENT_STEPS],
            events=[RepairEventOut.of(e) for e in events or []],
            attachments=[RepairAttachmentOut.of(a) for a in attachments or []],
        )


class AnswerIn(BaseModel):
    answer: str = Field(description="confirm 确认（核实属实）/ dispute 有异议")
    reasons: str | None = Field(None, max_length=2000, description="核实情况；有异议的必填")


class RepairQueueOut(BaseModel):
    counts: dict[str, int] = Field(description="按状态的件数；overdue 为已超过期限的未办结件数，open 为未办结件数")
    repairs: list[RepairOut]
