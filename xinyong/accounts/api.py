"""API: who the caller is (``GET /api/v1/me``) — for a department's system to check its token:
the user, role, region scope, department, the categories it may report and, with a token,
when the token expires."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from xinyong.accounts.access import allow
from xinyong.accounts.principal import Principal
from xinyong.accounts.roles import ROLES
from xinyong.core import regions
from xinyong.core.http import error_responses

router = APIRouter(tags=["账户"])


class MeOut(BaseModel):
    username: str
    role: str
    role_name: str
    region_code: str | None = Field(description="地区权限范围（行政区划代码）")
    region_name: str | None
    department_code: str | None = Field(description="所属部门（统一社会信用代码）")
    categories: list[str] = Field(description="可报送的数据目录类别")
    via: str = Field(description="session（网页会话）或 token（API 令牌）")
    token_expires_at: datetime | None = Field(None, description="令牌到期时间（UTC），仅令牌调用时给出")


@router.get(
    "/me",
    response_model=MeOut,
    summary="当前用户",
    description=(
        "调用者本人：用户名、角色、地区权限范围、所属部门和可报送的类别；用 API 令牌调用时给出令牌到期时间。"
        "未登录或令牌无效、过期、已吊销时返回 401。"
    ),
    responses=error_responses(401, 429),
)
def me(request: Request, who: Annotated[Principal, allow(*ROLES)]) -> MeOut:
    expires = request.state.caller.token_expires_at
    return MeOut(
        username=who.username, role=who.role or "", role_name=ROLES.get(who.role or "", ""),
        region_code=who.region_code, region_name=regions.name_of(who.region_code) if who.region_code else None,
        department_code=who.department_code, categories=sorted(who.categories), via=who.via,
        token_expires_at=expires,
    )
