"""Pydantic in/out of self-corrections (自我纠错) for leniency."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from xinyong.catalog.schemas import PolicySet
from xinyong.redress.models import SelfCorrection


class RevokeCorrectionIn(BaseModel):
    reasons: str = Field(min_length=1, max_length=2000, description="撤销理由（如纠错材料不实、登记有误）")


class SelfCorrectionOut(BaseModel):
    id: int
    record_id: int
    kind: str
    kind_name: str
    corrected_on: date
    note: str
    recorded_by: str
    recorded_as: str = Field(description="office 信用办 / department 认定部门")
    recorded_at: datetime
    evidence_name: str | None
    evidence_sha256: str | None
    revoked_on: date | None
    revoked_by: str | None
    revoke_reasons: str | None
    in_force: bool = Field(description="未撤销：核查按措施清单从轻、减轻或免于实施")

    @classmethod
    def build(cls, c: SelfCorrection, policy: PolicySet) -> SelfCorrectionOut:
        k = policy.redress.kind(c.kind)
        return cls(id=c.id, record_id=c.record_id, kind=c.kind, kind_name=k.name if k else c.kind,
                   corrected_on=c.corrected_on, note=c.note, recorded_by=c.recorded_by, recorded_as=c.recorded_as,
                   recorded_at=c.recorded_at, evidence_name=c.evidence_name, evidence_sha256=c.evidence_sha256,
                   revoked_on=c.revoked_on, revoked_by=c.revoked_by, revoke_reasons=c.revoke_reasons,
                   in_force=c.revoked_on is None)


class CorrectionsOut(BaseModel):
    record_id: int
    kinds: dict[str, str] = Field(description="政策清单（redress.yaml）中的自我纠错类型：代码 → 名称")
    corrections: list[SelfCorrectionOut]
