"""审计日志 pages: the auditor's view of the log, and a subject's 谁查询了我的信用档案."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.responses import Response

from xinyong.accounts.access import allow
from xinyong.accounts.principal import Principal
from xinyong.accounts.roles import ROLES
from xinyong.audit import anchors, service
from xinyong.audit.schemas import ACTION_NAMES, VIA_NAMES, WHAT_NAMES
from xinyong.core.crypto import get_keyring
from xinyong.core.errors import Forbidden, InvalidInput, XinyongError
from xinyong.core.http import MAX_ID, SessionDep
from xinyong.core.masking import mask_ids_in_text
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


# The 信用主体 filter when it holds an identity number travels sealed (encrypted under the data key,
# bound to this use), never in plain in a URL, a paging link or the input's value.
_SEALED = "audit.subject_filter"


def _seal(text: str) -> str:
    return get_keyring().encrypt(text, _SEALED)


def _unseal(token: str) -> str:
    try:
        return get_keyring().decrypt(token, _SEALED)
    except XinyongError:
        raise InvalidInput("信用主体筛选条件已失效，请重新输入", "the sealed subject filter does not decrypt",
                           field="subject_ref") from None


def _holds_id(text: str) -> bool:
    """Whether a filter text holds an identity number (a USCC or a name is shown as typed)."""
    return mask_ids_in_text(text) != text


def _log_url(filters: dict[str, str], *, offset: int = 0) -> str:
    """The log's URL for these filters (``subject`` sealed into ``subject_ref`` where it holds an
    identity number)."""
    q = {k: v for k, v in filters.items() if v and k != "subject"}
    subject = filters.get("subject", "")
    if subject:
        q["subject_ref" if _holds_id(subject) else "subject"] = _seal(subject) if _holds_id(subject) else subject
    if offset:
        q["offset"] = str(offset)
    return "/audit" + ("?" + urlencode(q) if q else "")


@router.get(
    "/audit",
    response_class=HTMLResponse,
    summary="审计日志页",
    description="审计员查阅审计日志：按用户、信用主体（名称或统一社会信用代码、身份证号码）、操作和日期筛选，新的在前，分页。"
                "身份证号码不出现在地址、分页链接和输入框中（筛选表单以 POST 提交，号码加密后随分页链接传递）。",
)
def audit_page(
    request: Request,
    session: SessionDep,
    who: Auditor,
    user: Annotated[str, Query(max_length=100)] = "",
    subject: Annotated[str, Query(max_length=100)] = "",
    subject_ref: Annotated[str, Query(max_length=400)] = "",
    action: Annotated[str, Query(max_length=20)] = "",
    date_from: Annotated[str, Query(alias="from", max_length=10)] = "",
    date_to: Annotated[str, Query(alias="to", max_length=10)] = "",
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> Response:
    filters = {"user": user, "subject": subject.strip(), "action": action, "from": date_from, "to": date_to}
    if _holds_id(filters["subject"]):  # a typed or old link: out of the address bar at once
        return RedirectResponse(_log_url(filters, offset=offset), status_code=303)
    if subject_ref and not filters["subject"]:
        filters["subject"] = _unseal(subject_ref)
    limit = get_settings().page_size
    named = filters["subject"]
    f = service.EntryFilter(
        username=user.strip() or None, action=action or None, date_from=_day(date_from, "from"),
        date_to=_day(date_to, "to"), subject_ids=tuple(_subjects_named(session, named)) if named else None,
        within=service.scope_of(who),
    )
    rows = service.entries(session, f, limit=limit + 1, offset=offset)
    shown = rows[:limit]
    links = service.linked_subjects(session, [e.seq for e in shown])
    ids = {e.subject_id for e in shown if e.subject_id} | {i for v in links.values() for i in v[:3]}
    labels = LOOKUPS.subject_labels(session, ids) if LOOKUPS.subject_labels and ids else {}
    return render(request, "audit/log.html", {
        "active": "/audit", "entries": shown, "has_more": len(rows) > limit, "offset": offset,
        "limit": limit, "filters": {**filters, "subject": mask_ids_in_text(named)},
        "subject_ref": _seal(named) if _holds_id(named) else "",
        "actions": ACTION_NAMES, "roles": ROLES, "what_names": WHAT_NAMES, "via_names": VIA_NAMES,
        "objects": _object_labels(session, shown), "subject_labels": labels, "links": links,
        "prev_url": _log_url(filters, offset=max(0, offset - limit)), "next_url": _log_url(filters, offset=offset + limit),
    })


@router.post(
    "/audit",
    response_class=HTMLResponse,
    summary="审计日志筛选",
    description="审计日志的筛选表单（POST，使身份证号码不进入地址栏和访问日志），转到筛选后的审计日志页。",
)
def audit_filter(
    session: SessionDep,
    who: Auditor,
    user: Annotated[str, Form(max_length=100)] = "",
    subject: Annotated[str, Form(max_length=100)] = "",
    subject_ref: Annotated[str, Form(max_length=400)] = "",
    action: Annotated[str, Form(max_length=20)] = "",
    date_from: Annotated[str, Form(alias="from", max_length=10)] = "",
    date_to: Annotated[str, Form(alias="to", max_length=10)] = "",
) -> Response:
    named = subject.strip()
    if subject_ref:  # the page showed a sealed number masked: unchanged, it still means that number
        sealed = _unseal(subject_ref)
        if named == mask_ids_in_text(sealed):
            named = sealed
    filters = {"user": user, "subject": named, "action": action, "from": date_from, "to": date_to}
    return RedirectResponse(_log_url(filters), status_code=303)


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
    description="信用主体本人查看谁在何时、出于什么目的查阅、核查了自己的信用档案和信用记录或查看了完整身份证号码。",
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
        "limit": limit, "roles": ROLES, "what_names": WHAT_NAMES, "actions": ACTION_NAMES,
    })
