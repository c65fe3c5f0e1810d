"""What a check answers and takes: the result (masked), feedback, batches, statistics."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from xinyong.catalog.schemas import PolicySet, kind_label
from xinyong.checks.models import BATCH_STATUSES, FEEDBACK_ACTIONS, MATCHES, CheckBatch
from xinyong.checks.service import CheckResult, Stats
from xinyong.core import regions
from xinyong.subjects import schemas as shown


class CheckIn(BaseModel):
    scenario: str = Field(max_length=60, description="应用场景代码，如 civil_servant_recruitment")
    purpose: str = Field(min_length=1, max_length=500, description="核查事由（记入日志）")
    code: str = Field(max_length=40, description="统一社会信用代码或公民身份号码")


class HitOut(BaseModel):
    measure_code: str
    measure_name: str
    type: str = Field(description="punish 惩戒 / reward 激励")
    mandatory: bool
    content: str
    outcome: str | None = Field(None, description="措施对本事项的处理，用依据文件的原话（如 取消录用资格 / 取消报考资格）")
    legal_basis: list[str]
    department: str
    via: str = Field(description="record 信用记录 / list 名单 / grade 评价等级 / clean_years 无不良记录年限")
    source: str
    under_objection: bool = Field(False, description="命中所依据的信用记录异议处理中：仍予报告，请注意异议结果")
    leniency: str | None = Field(None, description="因登记的自我纠错从轻、减轻或免于实施的，写明如何从轻及依据")
    waived: bool = Field(False, description="免于实施（或缩短后已届满）：列出以说明，不再适用，不计入命中")
    through: str | None = Field(None, description="经由的机构或企业（作为其责任人）")
    role: str | None = None
    role_name: str | None = None


class ReachedOut(BaseModel):
    role: str
    role_name: str
    name: str
    code: str
    measures: list[str]


class CheckOut(BaseModel):
    id: int
    scenario: str
    scenario_name: str
    purpose: str
    policy_version_id: int
    policy_label: str
    subject_found: bool
    subject_name: str | None
    subject_code: str | None
    subject_kind: str | None
    match: str
    match_name: str
    outcome_kind: str
    outcome: str = Field(description="建议结论（场景自己的用语）")
    mandatory: list[HitOut]
    hits: list[HitOut]
    reaches: list[ReachedOut] = Field(description="核查机构、企业时：措施延伸到的责任人")
    created_at: datetime
    feedback_action: str | None
    feedback_note: str | None

    @classmethod
    def build(cls, r: CheckResult, policy: PolicySet) -> CheckOut:
        roles = {x.role: x.name for x in policy.measures.responsible}
        hits = []
        for h in r.hits:
            through = None
            if h.role is not None:
                through = f"{shown.subject_name(h.target)}（{shown.subject_code(h.target)}）"
            hits.append(HitOut(
                measure_code=h.measure.code, measure_name=h.measure.name, type=h.measure.type,
                mandatory=h.mandatory, content=h.measure.content, outcome=h.measure.outcome,
                legal_basis=[f"{b.title}{b.article}" for b in h.measure.legal_basis],
                department=h.measure.department, via=h.via,
                source=shown.mask_text(h.source, r.subject.name if r.subject and r.subject.is_natural else None),
                under_objection=h.under_objection, leniency=h.leniency, waived=h.waived, through=through, role=h.role, role_name=roles.get(h.role) if h.role else None,
            ))
        c = r.check
        s = r.subject
        return cls(
            id=c.id, scenario=r.scenario.code, scenario_name=r.scenario.name, purpose=c.purpose,
            policy_version_id=c.policy_version_id, policy_label=r.policy_label, subject_found=s is not None,
            subject_name=shown.subject_name(s) if s else None, subject_code=shown.subject_code(s) if s else None,
            subject_kind=kind_label(s.kind, s.code) if s else None, match=c.match,
            match_name=MATCHES.get(c.match, c.match), outcome_kind=c.outcome_kind, outcome=c.outcome,
            mandatory=[h for h in hits if h.type == "punish" and h.mandatory and not h.waived], hits=hits,
            reaches=[ReachedOut(**vars(x)) for x in r.reached], created_at=c.created_at,
            feedback_action=c.feedback_action, feedback_note=c.feedback_note,
        )


class FeedbackIn(BaseModel):
    action: str = Field(description="applied 已执行 / partly 部分执行 / not_applied 未执行",
                        pattern="^(" + "|".join(FEEDBACK_ACTIONS) + ")$")
    note: str = Field("", max_length=2000, description="未执行或部分执行的理由")
    measures: dict[str, bool] | None = Field(None, description="部分执行时：措施代码 → 是否执行")


class BatchOut(BaseModel):
    id: int
    scenario: str
    purpose: str
    file_name: str
    status: str
    status_name: str
    stage: str | None
    total: int
    done: int
    percent: int
    with_hits: int
    possible_matches: int
    error: str | None
    created_at: datetime
    finished_at: datetime | None
    result_url: str | None

    @classmethod
    def build(cls, b: CheckBatch) -> BatchOut:
        pct = 100 if b.status == "done" else (int(100 * b.done / b.total) if b.total else 0)
        return cls(
            id=b.id, scenario=b.scenario_code, purpose=b.purpose, file_name=b.file_name, status=b.status,
            status_name=BATCH_STATUSES.get(b.status, b.status), stage=b.stage, total=b.total, done=b.done,
            percent=min(pct, 100), with_hits=b.hits, possible_matches=b.possible, error=b.error,
            created_at=b.created_at, finished_at=b.finished_at,
            result_url=f"/api/v1/checks/batches/{b.id}/result.xlsx" if b.status == "done" else None,
        )


class CountOut(BaseModel):
    key: str
    name: str
    checks: int
    with_hits: int


class StatsOut(BaseModel):
    total: int
    with_hits: int
    with_feedback: int
    hit_rate: float
    feedback_rate: float
    by_scenario: list[CountOut]
    by_department: list[CountOut]
    by_region: list[CountOut]
    by_month: list[CountOut]
    measures_applied: list[dict]
    since: date | None = None
    until: date | None = None

    @classmethod
    def build(cls, s: Stats, policy: PolicySet) -> StatsOut:
        scen = {x.code: x.name for x in policy.scenarios.scenarios}
        names = {m.code: m.name for m in policy.measures.measures}
        return cls(
            total=s.total, with_hits=s.with_hits, with_feedback=s.with_feedback, hit_rate=round(s.hit_rate, 4),
            feedback_rate=round(s.feedback_rate, 4),
            by_scenario=[CountOut(key=c, name=scen.get(c, c), checks=n, with_hits=h) for c, n, h, _ in s.by_scenario],
            by_department=[CountOut(key=c, name=c or "（命令行/未登记部门）", checks=n, with_hits=h) for c, n, h in s.by_department],
            by_region=[CountOut(key=c, name=regions.name_of(c), checks=n, with_hits=h) for c, n, h in s.by_region],
            by_month=[CountOut(key=c, name=c, checks=n, with_hits=h) for c, n, h in s.by_month],
            measures_applied=[{"measure_code": c, "measure_name": names.get(c, c), "hits": n, "applied": a}
                              for c, n, a in s.measures_applied],
        )
