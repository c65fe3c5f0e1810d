"""Web page: the policy version in use and its 数据目录 categories."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.responses import Response

from xinyong.accounts.access import allow
from xinyong.accounts.principal import Principal
from xinyong.catalog.api import policy_out
from xinyong.catalog.deps import PolicyDep
from xinyong.catalog.schemas import DISCLOSURE_NAMES
from xinyong.core.templating import render

router = APIRouter(include_in_schema=False)


@router.get(
    "/policy",
    response_class=HTMLResponse,
    summary="政策清单页",
    description="正在使用的政策清单版本，以及数据目录各类信息的性质、适用主体、公示期、保存期和公开方式。",
)
def policy_page(
    request: Request, policy: PolicyDep, who: Annotated[Principal, allow(public=True)]
) -> Response:
    out = policy_out(policy.version_id, policy.policy)
    groups: dict[str, list] = {}
    for c in out.categories:
        groups.setdefault(c.group, []).append(c)
    return render(request, "catalog/policy.html", {
        "active": "/policy", "p": out, "groups": groups, "disclosure_names": DISCLOSURE_NAMES,
    })
