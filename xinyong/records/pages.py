"""Web page: one credit record with its facts and version history."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse
from starlette.responses import Response

from xinyong.records.api import detail_out
from xinyong.web.deps import PolicyDep, SessionDep
from xinyong.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get(
    "/records/{id}",
    response_class=HTMLResponse,
    summary="信用记录页",
    description="一条信用记录的全部信息、按数据目录命名的事实项和历史版本。",
)
def record_page(
    request: Request, session: SessionDep, policy: PolicyDep, id: Annotated[int, Path(ge=1)]
) -> Response:
    record = detail_out(session, policy, id)
    return render(request, "records/record.html", {"active": "/subjects", "r": record})
