"""The objection API's bodies and answers (pydantic). A natural person's name is masked in
every answer, as everywhere (:mod:`xinyong.subjects.schemas`)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from xinyong.redress import rules
from xinyong.redress.models import Objection, ObjectionAttachment, ObjectionEvent
from xinyong.redress.service import ATTACHMENT_KINDS
from xinyong.subjects import schemas as shown
from xinyong.subjects import service as subjects
from xinyong.subjects.models import Subject


class StepIn(BaseModel):
    reasons: str | None = Field(None, max_length=2000, description="理由或说明（不予受理时必填）")


class RefuseIn(BaseModel):
    reasons: str = Field(min_length=1, max_length=2000, description="不予受理的理由")


class CorrectionIn(BaseModel):
    decision_no: str | None = Field(None, max_length=200, description="更正后的决定文书号")
    subject_name: str | None = Field(None, max_length=200, description="更正后的主体名称")
    facts: dict[str, str] | None = Field(None, description="更正后的事实项：项目代码 → 内容（只改写列出的项目）")


class DecideIn(BaseModel):
    outcome: str = Field(pattern="^(corrected|revoked|kept)$",
                         description="corrected 更正（形成新版本）/ revoked 撤销 / kept 维持")
    reasons: str = Field(min_length=1, max_length=2000, description="处理理由")
    corrections: CorrectionIn | None = Field(None, description="更正时必填：更正后的内容")


class EventOut(BaseModel):
    action: str
    action_name: str
    on: date
    by: str
    note: str | None

    @classmethod
    def of(cls, e: ObjectionEvent) -> EventOut:
        return cls(action=e.action, action_name=rules.ACTIONS.get(e.action, e.action), on=e.on, by=e.by, note=e.note)


class AttachmentOut(BaseModel):
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
    def of(cls, a: ObjectionAttachment) -> AttachmentOut:
        return cls(id=a.id, kind=a.kind, kind_name=ATTACHMENT_KINDS.get(a.kind, a.kind), file_name=a.file_name,
                   media_type=a.media_type, size=a.size, sha256=a.sha256, at=a.at,
                   url=f"/api/v1/objections/{a.objection_id}/attachments/{a.id}")


class DueOut(BaseModel):
    what: str = Field(description="现在等待的步骤：受理 / 作出处理决定；已处理完毕为空")
    due: date | None
    overdue: bool
    provisional: bool = Field(description="期限所在年份的节假日安排尚未公布，暂按周末推算")


class ObjectionOut(BaseModel):
    id: int
    status: str
    status_name: str
    subject_ref: str
    subject_name: str
    record_id: int | None
    entry_id: int | None
    region_code: str
    department_name: str | None
    grounds: str
    grounds_name: str
    reasons: str
    new_facts: str | None
    filed_by: str
    on_behalf: bool = Field(description="信用办代为提出（附书面申请扫描件）")
    filed_on: date
    accept_due: date
    accepted_on: date | None
    decide_due: date | None
    sent_on: date | None
    decided_on: date | None
    decided_by: str | None
    outcome: str | None
    outcome_name: str | None
    outcome_reasons: str | None
    closed_on: date | None
    earlier_id: int | None = Field(description="同一记录、同一理由的前一次异议")
    next: DueOut
    steps: list[str] = Field(description="现在可以进行的处理步骤")
    events: list[EventOut] = Field(default_factory=list, description="处理经过（异议处理档案）")
    attachments: list[AttachmentOut] = Field(default_factory=list)

    @classmethod
    def build(cls, case: Objection, subject: Subject, today: date, *, events: list[ObjectionEvent] | None = None,
              attachments: list[ObjectionAttachment] | None = None) -> ObjectionOut:
        d = rules.current_due(case.status, case.accept_due, case.decide_due, today)
        outcome_name = "不予受理" if case.outcome == "refused" else rules.OUTCOMES.get(case.outcome or "")
        return cls(
            id=case.id, status=case.status, status_name=rules.STATUSES.get(case.status, case.status),
            subject_ref=subjects.ref_of(subject), subject_name=shown.subject_name(subject),
            record_id=case.record_id, entry_id=case.entry_id, region_code=case.region_code,
            department_name=case.department_name, grounds=case.grounds,
            grounds_name=rules.GROUNDS.get(case.grounds, case.grounds), reasons=case.reasons, new_facts=case.new_facts,
            filed_by=case.filed_by, on_behalf=case.on_behalf, filed_on=case.filed_on, accept_due=case.accept_due,
            accepted_on=case.accepted_on, decide_due=case.decide_due, sent_on=case.sent_on,
            decided_on=case.decided_on, decided_by=case.decided_by, outcome=case.outcome, outcome_name=outcome_name,
            outcome_reasons=case.outcome_reasons, closed_on=case.closed_on, earlier_id=case.earlier_id,
            next=DueOut(what=d.what, due=d.due, overdue=d.overdue, provisional=bool(case.due_provisional and d.due)),
            steps=rules.allowed_steps(case.status),
            events=[EventOut.of(e) for e in events or []],
            attachments=[AttachmentOut.of(a) for a in attachments or []],
        )


class QueueOut(BaseModel):
    counts: dict[str, int] = Field(description="按状态的件数；overdue 为已超过期限的未办结件数，open 为未办结件数")
    objections: list[ObjectionOut]
