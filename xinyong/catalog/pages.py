"""Web page: the policy version in use and its 数据目录 categories."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.responses import Response

from xinyong.accounts.access import allow
from xinyong.accounts.principal import Principal
from xinyong.catalog import service
from xinyong.catalog.api import policy_out
from xinyong.catalog.deps import PolicyDep
from xinyong.catalog.schemas import DISCLOSURE_NAMES
from xinyong.core.http import SessionDep
from xinyong.core.templating import render

router = APIRouter(include_in_schema=False)
# The four policy lists as tabs: the 数据目录 here, the others on the public portal
# (xinyong/disclosure/portal_pages.py), which sits below catalog and so is only linked.
POLICY_TABS = [
    ("数据目录清单", "/policy"), ("信用行为清单", "/portal/policy/behaviours"),
    ("奖惩措施清单", "/portal/policy/measures"), ("应用清单", "/portal/policy/scenarios"),
]


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
        "policy_tabs": POLICY_TABS, "tab": "/policy",
    })


@router.get(
    "/policy/versions",
    response_class=HTMLResponse,
    summary="政策清单版本",
    description="信用办管理员查看已加载的各版政策清单（标签、标题、加载时间、加载人、是否为当前版本），新的在前。",
)
def versions_page(
    request: Request, session: SessionDep, who: Annotated[Principal, allow("admin")]
) -> Response:
    return render(request, "catalog/versions.html", {
        "active": "/admin/users", "tab": "versions", "versions": service.list_versions(session),
    })
