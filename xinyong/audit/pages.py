"""审计日志 pages: the auditor's view of the log, and a subject's 谁查询了我的信用档案."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from starlette.responses import Response

from xinyong.accounts.access import allow
from xinyong.accounts.principal import Principal
from xinyong.accounts.roles import ROLES
from xinyong.audit import service
from xinyong.audit.schemas import ACTION_NAMES, WHAT_NAMES
from xinyong.core.errors import Forbidden, InvalidInput
from xinyong.core.http import MAX_ID, SessionDep
from xinyong.core.settings import get_settings
from xinyong.core.templating import add_nav, render

router = APIRouter(include_in_schema=False)
add_nav("审计日志", "/audit", order=40)
add_nav("谁查询了我", "/my/readers", order=44)

Auditor = Annotated[Principal, allow("auditor")]
SubjectUser = Annotated[Principal, allow("subject")]


def _day(value: str, field: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"日期“{value}”格式应为 YYYY-MM-DD", f"invalid date {value!r}", field=field) from None


@router.get(
    "/audit",
    response_class=HTMLResponse,
    summary="审计日志页",
    description="审计员查阅审计日志：按用户、信用主体编号、操作和日期筛选，新的在前，分页。",
)
def audit_page(
    request: Request,
    session: SessionDep,
    who: Auditor,
    user: Annotated[str, Query(max_length=100)] = "",
    subject: Annotated[str, Query(max_length=12, pattern=r"^\d*$")] = "",
    action: Annotated[str, Query(max_length=20)] = "",
    date_from: Annotated[str, Query(alias="from", max_length=10)] = "",
    date_to: Annotated[str, Query(alias="to", max_length=10)] = "",
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> Response:
    f = service.EntryFilter(
        username=user.strip() or None, subject_id=int(subject) if subject else None, action=action or None,
        date_from=_day(date_from, "from"), date_to=_day(date_to, "to"),
    )
    limit = get_settings().page_size
    rows = service.entries(session, f, limit=limit + 1, offset=offset)
    params = {k: v for k, v in (("user", user), ("subject", subject), ("action", action), ("from", date_from),
                                ("to", date_to)) if v}

    def page_url(at: int) -> str:
        q = {**params, **({"offset": str(at)} if at else {})}
        return "/audit" + ("?" + urlencode(q) if q else "")

    return render(request, "audit/log.html", {
        "active": "/audit", "entries": rows[:limit], "has_more": len(rows) > limit, "offset": offset,
        "limit": limit, "filters": {"user": user, "subject": subject, "action": action, "from": date_from,
                                    "to": date_to},
        "actions": ACTION_NAMES, "roles": ROLES, "what_names": WHAT_NAMES,
        "prev_url": page_url(max(0, offset - limit)), "next_url": page_url(offset + limit),
    })


@router.get(
    "/audit/verify",
    response_class=HTMLResponse,
    summary="审计日志校验页",
    description="逐条校验审计日志的 SM3 哈希链，指出第一个被篡改或删除的条目。",
)
def verify_page(request: Request, session: SessionDep, who: Auditor) -> Response:
    verdict = service.verify(session)
    return render(request, "audit/verify.html", {"active": "/audit", "verdict": verdict})


@router.get(
    "/my/readers",
    response_class=HTMLResponse,
    summary="谁查询了我的信用档案",
    description="信用主体本人查看谁在何时、出于什么目的查阅了自己的信用档案和信用记录。",
)
def my_readers_page(
    request: Request,
    session: SessionDep,
    who: SubjectUser,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> Response:
    if who.subject_id is None:
        raise Forbidden("该账户未关联信用主体", "this account is not linked to a credit subject")
    limit = get_settings().page_size
    rows = service.readers_of(session, who.subject_id, limit=limit + 1, offset=offset)
    return render(request, "audit/readers.html", {
        "active": "/my/readers", "reads": rows[:limit], "has_more": len(rows) > limit, "offset": offset,
        "limit": limit, "roles": ROLES, "what_names": WHAT_NAMES,
    })
