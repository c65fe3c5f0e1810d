"""API shapes for 限期整改 (in and out)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field


class EventOut(BaseModel):
    action: str
    action_name: str
    on: date
    by: str
    note: str | None = None
    evidence: str | None = None


class RectificationOut(BaseModel):
    id: int
    record_id: int
    body_id: int
    body_name: str
    region_code: str
    category_code: str
    category_name: str
    decision_no: str
    act_date: date
    opened_on: date
    due_on: date
    status: str
    status_name: str
    overdue: bool
    explanation: str | None = None
    explained_on: date | None = None
    closed_on: date | None = None
    escalated_on: date | None = None
    escalated_to: str | None = None
    escalated_region: str | None = None
    events: list[EventOut] = Field(default_factory=list)


class StepIn(BaseModel):
    step: str = Field(max_length=20, description="explain / progress / evidence / submit / return / close")
    note: str | None = Field(None, max_length=4000, description="书面说明、整改进展、退回理由或验收意见")
    evidence: str | None = Field(None, max_length=4000, description="整改佐证材料说明")


class BoardRowOut(BaseModel):
    region_code: str
    name: str
    counts: dict[str, int]
    total: int
    overdue: int
    escalated: int
