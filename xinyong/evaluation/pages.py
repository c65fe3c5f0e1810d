"""Web pages: 信用评价 — a system's latest results (grade distribution; for governments the grade
map of Zhejiang by county and the rankings by city and county), the runs, and one subject's
score with a radar chart of its dimensions and the contributions in plain Chinese.

Who sees what is :mod:`xinyong.evaluation.access`: the page itself is open to everyone, who sees
the systems whose results are published (政府公共信用评价); the credit office, supervisors and
auditors see every system; persons' scores only the credit office, masked and audited.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse
from starlette.responses import Response

from xinyong.accounts.access import allow
from xinyong.accounts.principal import Principal
from xinyong.catalog.service import active_version
from xinyong.core.errors import NotFound
from xinyong.core.http import MAX_ID, SessionDep
from xinyong.core.masking import mask_name
from xinyong.core.templating import add_nav, render
from xinyong.evaluation import access, results, service
from xinyong.evaluation.models import RUN_STATUSES

router = APIRouter(include_in_schema=False)
add_nav("信用评价", "/evaluation", order=34)

Official = Annotated[Principal, allow(*access.OFFICIALS)]
Anyone = Annotated[Principal, allow(public=True)]
RANKED = 20  # rows of each ranking on the overview (the API gives them all)
ENGINE_WORDS = {"duckdb": "嵌入式引擎", "spark": "分布式引擎"}  # the engines' own names are in docs/evaluation.md


def grade_chart(shares: list[results.GradeShare], name: str) -> dict:
    return {"labels": [g.name for g in shares], "values": [g.count for g in shares], "name": name}


@router.get("/evaluation", response_class=HTMLResponse, summary="信用评价",
            description="某指标体系最近一次评价的等级分布；政府公共信用评价另有浙江省县级等级地图和设区市、县（市、区）"
                        "人民政府排名。公开的体系任何人可看，其余限信用办、督导和审计人员。")
def overview(request: Request, session: SessionDep, who: Anyone,
             system: Annotated[str | None, Query(pattern="^[a-z][a-z0-9_]*$", max_length=50,
                                                 description="指标体系代码")] = None) -> Response:
    _, policy = active_version(session)
    systems = access.visible_systems(who, policy.evaluation.systems)
    if not systems:
        raise NotFound("暂无可查看的信用评价结果", "no evaluation results to show")
    default = next((s for s in systems if "gov_body" in s.subject_kinds), systems[0])
    spec = access.system_or_404(systems, system) if system else default
    run = results.latest_run(session, spec.code)
    ctx = {"active": "/evaluation", "tab": "overview", "systems": systems, "spec": spec, "run": run,
           "official": access.is_official(who), "engines": ENGINE_WORDS, "shares": [], "cities": [], "counties": [],
           "map": None, "ranked": RANKED}
    if run:
        shares = results.distribution(session, run, spec)
        ctx.update(shares=shares, chart=grade_chart(shares, "主体数"))
        if "gov_body" in spec.subject_kinds:
            scope = access.scope_for(who, spec)
            cities = results.rankings(session, run, spec, "city", scope)
            counties = results.rankings(session, run, spec, "county", scope)
            ctx.update(cities=cities, counties=counties, map=results.map_data(cities, counties, spec))
    return render(request, "evaluation/overview.html", ctx)


@router.get("/evaluation/runs", response_class=HTMLResponse, summary="评价批次",
            description="各指标体系的评价批次：版本、数据截止日、引擎、状态、主体数和等级变化数。")
def runs_page(request: Request, session: SessionDep, who: Official) -> Response:
    return render(request, "evaluation/runs.html", {
        "active": "/evaluation", "tab": "runs", "runs": service.list_runs(session, 100), "engines": ENGINE_WORDS,
        "statuses": RUN_STATUSES, "official": True})


@router.get("/evaluation/subjects/{subject_id}", response_class=HTMLResponse, summary="主体的信用评价",
            description="主体在各适用指标体系最近一次评价中的得分、等级、维度雷达图和逐项得分说明，以及历次评价。")
def subject_page(request: Request, session: SessionDep, who: Anyone,
                 subject_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> Response:
    subject, systems, natural = access.open_subject(
        session, who, subject_id, request_id=getattr(request.state, "request_id", None),
        ip=request.client.host if request.client else None)
    explained = [e for e in (results.explain(session, subject.id, s) for s in systems) if e is not None]
    return render(request, "evaluation/subject.html", {
        "active": "/evaluation", "tab": None, "subject_id": subject.id,
        "name": mask_name(subject.name) if natural else subject.name, "natural": natural,
        "region_code": subject.region_code, "explained": explained, "official": access.is_official(who)})
