"""审计日志 pages: the auditor's view of the log, and a subject's 谁查询了我的信用档案."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.responses import Response

from xinyong.accounts.access import allow
from xinyong.accounts.principal import Principal
from xinyong.accounts.roles import ROLES
from xinyong.audit import anchors, service
from xinyong.audit.schemas import ACTION_NAMES, VIA_NAMES, WHAT_NAMES
from xinyong.core.errors import Forbidden, InvalidInput
from xinyong.core.http import MAX_ID, SessionDep
from xinyong.core.settings import get_settings
from xinyong.core.templating import add_nav, render

router = APIRouter(include_in_schema=False)
add_nav("审计日志", "/audit", order=40)
add_nav("谁查询了我", "/my/readers", order=44)

@dataclass
class Lookups:
    """What the log's page must read from packages below audit (subjects), plugged in by the
    app: subjects by name or code (the filter), and how a subject is shown (masked)."""

    # (session, name or code) → the ids of the subjects it names (at most a page of them)
    find_subjects: Callable[[Session, str], list[int]] | None = None
    # (session, ids) → id → "name（code）", masked as on every page
    subject_labels: Callable[[Session, set[int]], dict[int, str]] | None = None


LOOKUPS = Lookups()

Auditor = Annotated[Principal, allow("auditor")]
SubjectUser = Annotated[Principal, allow("subject")]


def _day(value: str, field: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"日期“{value}”格式应为 YYYY-MM-DD", f"invalid date {value!r}", field=field) from None


def _subjects_named(session: Session, text: str) -> list[int]:
    """The subjects a filter names: by code (USCC or identity number) or by name."""
    if not text or LOOKUPS.find_subjects is None:
        return []
    return LOOKUPS.find_subjects(session, text)[:50]


def _object_labels(session: Session, entries: list) -> dict[int, str]:
    """What each entry acted on, as an auditor reads it: a user by its name, a department by its
    name, anything else by its Chinese kind and number (批量核查 2)."""
    from xinyong.accounts.models import Department, User

    user_ids = {int(e.entity_id) for e in entries if e.entity == "user" and (e.entity_id or "").isdigit()}
    dept_codes = {e.entity_id for e in entries if e.entity == "department" and e.entity_id}
    users = dict(session.execute(select(User.id, User.display_name).where(User.id.in_(user_ids))).all()) if user_ids else {}
    depts = dict(session.execute(select(Department.code, Department.name).where(Department.code.in_(dept_codes))).all()) \
        if dept_codes else {}
    out = {}
    for e in entries:
        kind = WHAT_NAMES.get(e.entity, "其他")
        if e.entity == "user" and (e.entity_id or "").isdigit() and int(e.entity_id) in users:
            out[e.seq] = f"用户 {users[int(e.entity_id)]}"
        elif e.entity == "department" and e.entity_id in depts:
            out[e.seq] = f"部门 {depts[e.entity_id]}"
        elif e.entity_id and "," in e.entity_id:
            out[e.seq] = f"{kind} {e.entity_id.count(',') + 1} 条"
        else:
            out[e.seq] = f"{kind} {e.entity_id}" if e.entity_id else kind
    return out


@router.get(
    "/audit",
    response_class=HTMLResponse,
    summary="审计日志页",
    description="审计员查阅审计日志：按用户、信用主体（名称或统一社会信用代码、身份证号码）、操作和日期筛选，新的在前，分页。",
)
def audit_page(
    request: Request,
    session: SessionDep,
    who: Auditor,
    user: Annotated[str, Query(max_length=100)] = "",
    subject: Annotated[str, Query(max_length=100)] = "",
    action: Annotated[str, Query(max_length=20)] = "",
    date_from: Annotated[str, Query(alias="from", max_length=10)] = "",
    date_to: Annotated[str, Query(alias="to", max_length=10)] = "",
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> Response:
    limit = get_settings().page_size
    named = subject.strip()

    def filtered(subject_id: int | None) -> service.EntryFilter:
        return service.EntryFilter(
            username=user.strip() or None, subject_id=subject_id, action=action or None,
            date_from=_day(date_from, "from"), date_to=_day(date_to, "to"), within=service.scope_of(who),
        )

    if not named:
        rows = service.entries(session, filtered(None), limit=limit + 1, offset=offset)
    else:  # a name may fit a few subjects: their entries together, newest first
        rows = []
        for sid in _subjects_named(session, named):
            rows += service.entries(session, filtered(sid), limit=offset + limit + 1, offset=0)
        rows = sorted(rows, key=lambda e: e.seq, reverse=True)[offset:]
    params = {k: v for k, v in (("user", user), ("subject", subject), ("action", action), ("from", date_from),
                                ("to", date_to)) if v}

    def page_url(at: int) -> str:
        q = {**params, **({"offset": str(at)} if at else {})}
        return "/audit" + ("?" + urlencode(q) if q else "")

    return render(request, "audit/log.html", {
        "active": "/audit", "entries": rows[:limit], "has_more": len(rows) > limit, "offset": offset,
        "limit": limit, "filters": {"user": user, "subject": subject, "action": action, "from": date_from,
                                    "to": date_to},
        "actions": ACTION_NAMES, "roles": ROLES, "what_names": WHAT_NAMES, "via_names": VIA_NAMES,
        "objects": _object_labels(session, rows[:limit]),
        "subject_labels": (LOOKUPS.subject_labels(session, {e.subject_id for e in rows[:limit] if e.subject_id})
                           if LOOKUPS.subject_labels else {}),
        "prev_url": page_url(max(0, offset - limit)), "next_url": page_url(offset + limit),
    })


@router.get(
    "/audit/verify",
    response_class=HTMLResponse,
    summary="审计日志校验页",
    description="逐条校验审计日志的 SM3 哈希链并与库外的签名锚点比对，指出第一个被篡改或删除的条目（含从末尾截断的）。",
)
def verify_page(request: Request, session: SessionDep, who: Auditor) -> Response:
    verdict = anchors.verify(session)
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
