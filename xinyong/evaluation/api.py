"""API: evaluation runs, grade distributions, governments' rankings and one subject's score with
its explanation (:mod:`xinyong.evaluation.results`; who may read what: :mod:`xinyong.evaluation.access`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from xinyong.accounts.access import allow
from xinyong.accounts.principal import Principal
from xinyong.catalog.service import active_version
from xinyong.core.errors import NotFound
from xinyong.core.http import MAX_ID, SessionDep, error_responses
from xinyong.core.masking import mask_name
from xinyong.evaluation import access, results, service
from xinyong.evaluation.schemas import (
    DistributionOut,
    GradeShareOut,
    RankedOut,
    RankingsOut,
    RunOut,
    SubjectScoreOut,
    SubjectScoresOut,
)

router = APIRouter()
TAG = "信用评价"
Official = Annotated[Principal, allow(*access.OFFICIALS)]
Anyone = Annotated[Principal, allow(public=True)]
System = Annotated[str, Path(pattern="^[a-z][a-z0-9_]*$", max_length=50, description="指标体系代码（government、personal…）")]
Level = Annotated[str, Query(pattern="^(city|county)$", description="city 设区市 / county 县（市、区）")]


@router.get("/evaluation/runs", tags=[TAG], response_model=list[RunOut], summary="评价批次",
            description="各指标体系的评价批次，最新的在前：版本、数据截止日、引擎、主体数和等级变化数。",
            responses=error_responses(401, 403, 422))
def runs(session: SessionDep, who: Official,
         limit: Annotated[int, Query(ge=1, le=500)] = 50) -> list[RunOut]:
    return [RunOut.build(r) for r in service.list_runs(session, limit)]


@router.get("/evaluation/{system}/grades", tags=[TAG], response_model=DistributionOut, summary="等级分布",
            description="该体系最近一次评价各等级的主体数和占比；结果公开的体系任何人可查，其余限信用办、督导和审计人员。",
            responses=error_responses(401, 403, 404, 422))
def grades(session: SessionDep, who: Anyone, system: System) -> DistributionOut:
    _, policy = active_version(session)
    spec = access.system_or_404(policy.evaluation.systems, system)
    access.ensure_system(who, spec)
    run = results.latest_run(session, spec.code)
    shares = results.distribution(session, run, spec) if run else []
    return DistributionOut(run=RunOut.build(run) if run else None,
                           grades=[GradeShareOut(code=g.code, name=g.name, count=g.count, share=g.share) for g in shares])


@router.get("/evaluation/{system}/rankings", tags=[TAG], response_model=RankingsOut, summary="政府信用排名",
            description="设区市或县（市、区）人民政府按最近一次评价得分排名（同分同名次）；结果公开的体系为全省排名，"
                        "否则限本地区。",
            responses=error_responses(401, 403, 404, 422))
def rankings(session: SessionDep, who: Anyone, system: System, level: Level = "county") -> RankingsOut:
    _, policy = active_version(session)
    spec = access.system_or_404(policy.evaluation.systems, system)
    access.ensure_system(who, spec)
    if "gov_body" not in spec.subject_kinds:
        raise NotFound(f"指标体系 {spec.name} 不评价政府机构，没有政府排名", "the system does not score government bodies")
    run = results.latest_run(session, spec.code)
    items = results.rankings(session, run, spec, level, access.scope_for(who, spec)) if run else []
    return RankingsOut(run=RunOut.build(run) if run else None, level=level,
                       items=[RankedOut(**r.__dict__) for r in items])


@router.get("/evaluation/subjects/{subject_id}", tags=[TAG], response_model=SubjectScoresOut,
            summary="主体的信用评价得分",
            description="该主体在各适用指标体系最近一次评价中的得分、等级、维度得分和逐项说明。政府机构的结果按政策公开；"
                        "自然人和公务人员的得分仅信用办可查，姓名脱敏，每次查阅记入审计日志。",
            responses=error_responses(401, 403, 404, 422))
def subject_scores(request: Request, session: SessionDep, who: Anyone,
                   subject_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> SubjectScoresOut:
    subject, systems, natural = access.open_subject(
        session, who, subject_id, request_id=getattr(request.state, "request_id", None),
        ip=request.client.host if request.client else None)
    out = []
    for spec in systems:
        e = results.explain(session, subject.id, spec)
        if e is None:
            continue
        out.append(SubjectScoreOut(system_code=spec.code, system_name=spec.name, run=RunOut.build(e.run),
                                   score=e.score, grade=e.grade, grade_name=e.grade_name,
                                   dimensions={n: v for _, n, v in e.dimensions}, explanation=e.sentences))
    return SubjectScoresOut(subject_id=subject.id, name=mask_name(subject.name) if natural else subject.name,
                            kind=subject.kind, scores=out)
