"""Web page: the home page with the platform's counts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from xinyong.accounts.access import allow
from xinyong.accounts.principal import Principal
from xinyong.catalog.deps import PolicyDep
from xinyong.catalog.schemas import SUBJECT_KIND_NAMES
from xinyong.core import regions
from xinyong.core.http import SessionDep
from xinyong.evaluation.results import home_map
from xinyong.records.home_counts import cache as home_counts
from xinyong.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get(
    "/",
    response_class=HTMLResponse,
    summary="首页",
    description="信用主体按类别的数量、公示期内信用记录按类别和按市的数量（含图表；每分钟左右统计一次），"
                "以及政府公共信用评价的县级等级地图（结果公开时）。",
)
def home(
    request: Request, session: SessionDep, policy: PolicyDep, who: Annotated[Principal, allow(public=True)]
) -> HTMLResponse:
    counts = home_counts.get(session)
    categories = []
    for code, n in counts.records_by_category:
        category = policy.policy.category(code)
        categories.append((category.name if category else code, n))
    cities = [(code, regions.name_of(code), n) for code, n in counts.records_by_city]
    grade_map = home_map(session, policy.policy.evaluation.systems)
    return render(request, "home.html", {
        "active": "/",
        "counts": counts,
        "kind_names": SUBJECT_KIND_NAMES,
        "categories": categories,
        "cities": cities,
        "grade_map": grade_map,
        "category_chart": {"labels": [c for c, _ in categories], "values": [n for _, n in categories],
                           "name": "记录数", "horizontal": True},
        "city_chart": {"labels": [name for _, name, _ in cities], "values": [n for *_, n in cities],
                       "name": "记录数"},
    })
