"""How list entries are shown and written: the public (masked) form, the full form with its
history for the credit office, and the bodies of decisions."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field, field_validator

from xinyong.catalog.schemas import PolicySet, kind_label
from xinyong.core import regions
from xinyong.core.db import MAX_ID
from xinyong.lists.models import (
    BASES,
    ENTRY_EVENT_ACTIONS,
    ENTRY_STATUSES,
    REMOVAL_REASONS,
    ListEntry,
    ListEntryEvent,
)
from xinyong.subjects import schemas as shown
from xinyong.subjects.models import Subject


class PublishedEntryOut(BaseModel):
    id: int
    list_kind: str
    list_name: str
    subject_name: str = Field(description="自然人姓名脱敏（张*丰）")
    subject_code: str = Field(description="统一社会信用代码；身份证号码脱敏（330106************）")
    subject_kind: str
    subject_kind_name: str
    region_code: str
    region_name: str
    reason: str
    basis: str
    decision_no: str | None
    decided_by: str | None
    listed_from: date
    listed_until: date | None

    @classmethod
    def build(cls, e: ListEntry, s: Subject, policy: PolicySet) -> PublishedEntryOut:
        spec = policy.behaviours.list_kind(e.list_kind)
        return cls(
            id=e.id, list_kind=e.list_kind, list_name=spec.name if spec else e.list_kind,
            subject_name=shown.subject_name(s), subject_code=shown.subject_code(s), subject_kind=s.kind,
            subject_kind_name=kind_label(s.kind, s.code), region_code=e.region_code,
            region_name=regions.name_of(e.region_code), reason=shown.mask_text(e.reason, s.name if s.is_natural else None),
            basis=BASES.get(e.basis, e.basis), decision_no=e.decision_no, decided_by=e.decided_by,
            listed_from=e.effective_from, listed_until=e.listed_until,
        )


class PublishedPage(BaseModel):
    total: int
    limit: int
    offset: int
    entries: list[PublishedEntryOut]


class EventOut(BaseModel):
    action: str
    action_name: str
    on: date
    by: str
    note: str | None
    decision_no: str | None

    @classmethod
    def build(cls, ev: ListEntryEvent) -> EventOut:
        return cls(action=ev.action, action_name=ENTRY_EVENT_ACTIONS.get(ev.action, "其他"), on=ev.on, by=ev.by,
                   note=ev.note, decision_no=ev.decision_no)


class EntryOut(PublishedEntryOut):
    status: str
    status_name: str
    subject_id: int
    record_id: int | None
    behaviour_code: str | None
    notified_on: date | None
    statement: str | None
    statement_on: date | None
    statement_result: str | None
    removed_on: date | None
    removal_reason: str | None
    removal_reason_name: str | None
    removal_decision_no: str | None
    policy_version_id: int
    history: list[EventOut]

    @classmethod
    def full(cls, e: ListEntry, s: Subject, policy: PolicySet, events: list[ListEntryEvent]) -> EntryOut:
        base = PublishedEntryOut.build(e, s, policy).model_dump()
        return cls(
            **base, status=e.status, status_name=ENTRY_STATUSES.get(e.status, e.status), subject_id=s.id,
            record_id=e.record_id, behaviour_code=e.behaviour_code, notified_on=e.notified_on,
            statement=e.statement, statement_on=e.statement_on, statement_result=e.statement_result,
            removed_on=e.removed_on, removal_reason=e.removal_reason,
            removal_reason_name=REMOVAL_REASONS.get(e.removal_reason or "", None),
            removal_decision_no=e.removal_decision_no, policy_version_id=e.policy_version_id,
            history=[EventOut.build(ev) for ev in events],
        )


class IncludeIn(BaseModel):
    code: str = Field(max_length=40, description="统一社会信用代码或公民身份号码")
    list_kind: str = Field(description="blacklist / redlist / watchlist")
    decision_no: str = Field(min_length=1, max_length=200, description="列入决定文书号")
    decided_by: str = Field(min_length=1, max_length=200, description="作出决定的机关")
    decided_on: date
    reason: str = Field(min_length=1, max_length=500)
    months: int | None = Field(None, ge=1, le=120)
    until: date | None = None
    notified_on: date | None = Field(None, description="告知主体列入理由和依据的日期（惩戒类名单必填）")
    statement: str | None = Field(None, max_length=5000, description="主体的陈述申辩（已听取的）")
    record_id: int | None = Field(None, ge=1, le=MAX_ID)
    behaviour_code: str | None = Field(None, max_length=60)

    @field_validator("decided_on", "until", "notified_on")
    @classmethod
    def _plausible(cls, day: date | None) -> date | None:
        if day is not None and not (date(1990, 1, 1) <= day <= date(2100, 12, 31)):
            raise ValueError("date out of range 1990–2100")
        return day


class RemoveIn(BaseModel):
    reason: str = Field(description="decision（决定移出）或 repair（信用修复）", pattern="^(decision|repair)$")
    decision_no: str = Field(min_length=1, max_length=200)
    note: str | None = Field(None, max_length=500)


class StatementIn(BaseModel):
    statement: str = Field(min_length=1, max_length=5000)


class StatementDecisionIn(BaseModel):
    accepted: bool
    note: str = Field("", max_length=500)


class RefreshOut(BaseModel):
    proposed: int
    included: int
    activated: int
    removed: dict[str, int]
