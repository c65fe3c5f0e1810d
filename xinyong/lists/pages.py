"""Web pages: the published lists (public, masked, with XLSX export) and the credit office's
list management — listing by decision, proposed listings in their notice period, one entry with
its history, removal and the decision on a statement."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import and_, case, func, select
from starlette.responses import Response

from xinyong.accounts.access import allow, ensure_region
from xinyong.accounts.principal import Principal
from xinyong.audit.deps import AuditDep
from xinyong.catalog.deps import PolicyDep
from xinyong.core import clock, regions
from xinyong.core.errors import Forbidden, XinyongError
from xinyong.core.http import MAX_ID, SessionDep
from xinyong.core.settings import get_settings
from xinyong.core.templating import add_nav, render
from xinyong.lists import exports
from xinyong.lists import service as lists
from xinyong.lists.models import ListEntry
from xinyong.lists.schemas import EntryOut, PublishedEntryOut
from xinyong.subjects.models import Subject

router = APIRouter(include_in_schema=False)
add_nav("信用名单", "/lists", order=30)
add_nav("名单管理", "/lists/manage", order=60)
add_nav("我的名单记录", "/my/listings", order=42)
Anyone = Annotated[Principal, allow(public=True)]
Admin = Annotated[Principal, allow("admin")]
SubjectUser = Annotated[Principal, allow("subject")]


@router.get("/lists", response_class=HTMLResponse, summary="信用名单公示页",
            description="在列的红名单、严重失信主体名单、重点关注名单（脱敏），按名单和地区筛选，可导出 XLSX。")
def lists_page(request: Request, session: SessionDep, policy: PolicyDep, who: Anyone,
               list_kind: Annotated[str, Query(max_length=12)] = "", region: Annotated[str, Query(max_length=6)] = "",
               offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0) -> Response:
    limit = get_settings().page_size
    kinds = exports.public_kinds(policy.policy)
    rows, total = lists.published(session, list_kind=list_kind or None, region=region or None, limit=limit,
                                  offset=offset, kinds=kinds, persons=who.is_official)
    params = {k: v for k, v in (("list_kind", list_kind), ("region", region)) if v}
    return render(request, "lists/published.html", {
        "active": "/lists",
        "entries": [PublishedEntryOut.build(r.entry, r.subject, policy.policy) for r in rows],
        "total": total, "offset": offset, "limit": limit,
        "kinds": [k for k in policy.policy.behaviours.list_kinds if k.code in kinds],
        "counts": lists.counts(session), "list_kind": list_kind, "region": region, "cities": regions.cities(),
        "query": urlencode(params), "is_admin": who.role == "admin",
    })


def _entry_page(request, session, policy, who, entry: ListEntry, error: str | None = None, status_code: int = 200):
    out = EntryOut.full(entry, session.get(Subject, entry.subject_id), policy.policy, lists.history(session, entry.id))
    return render(request, "lists/entry.html", {"active": "/lists", "e": out, "error": error}, status_code=status_code)


@router.get("/lists/manage", response_class=HTMLResponse, summary="名单管理页",
            description="信用办管理员：先列待处理的陈述申辩和告知期内的拟列入名单（本辖区，附条数），再是按决定列入名单的表单。")
def manage_page(request: Request, session: SessionDep, policy: PolicyDep, who: Admin, error: str = "") -> Response:
    # what waits for the administrator's decision comes first: statements (陈述申辩) not yet
    # decided; then the proposed listings still in their notice period, soonest effective first
    scope = (ListEntry.status == "proposed",)
    if who.region_code:
        scope += (ListEntry.region_code.like(regions.scope_prefix(who.region_code) + "%"),)
    waiting = and_(ListEntry.statement.is_not(None), ListEntry.statement_result.is_(None))
    statement_count, notice_count = session.execute(
        select(func.count(case((waiting, 1))), func.count(case((~waiting, 1)))).where(*scope)
    ).one()
    q = select(ListEntry, Subject).join(Subject, Subject.id == ListEntry.subject_id).where(*scope)

    def shown(cond) -> list:
        rows = session.execute(q.where(cond).order_by(ListEntry.effective_from, ListEntry.id).limit(200))
        return [PublishedEntryOut.build(e, s, policy.policy) for e, s in rows]

    return render(request, "lists/manage.html", {
        "active": "/lists/manage", "kinds": policy.policy.behaviours.list_kinds, "error": error or None,
        "statements": shown(waiting), "proposed": shown(~waiting), "today": clock.today().isoformat(),
        "statement_count": statement_count, "notice_count": notice_count,
    })


@router.post("/lists/manage", response_class=HTMLResponse, summary="按决定列入名单（表单）",
             description="提交列入决定：主体代码、名单、决定文书号、决定机关和日期、事由、告知日期和陈述申辩。")
def include_form(
    request: Request, session: SessionDep, policy: PolicyDep, who: Admin, audit: AuditDep,
    code: Annotated[str, Form(max_length=40)], list_kind: Annotated[str, Form(max_length=12)],
    decision_no: Annotated[str, Form(max_length=200)], decided_by: Annotated[str, Form(max_length=200)],
    decided_on: Annotated[date, Form()], reason: Annotated[str, Form(max_length=500)],
    months: Annotated[int | None, Form(ge=1, le=120)] = None, notified_on: Annotated[date | None, Form()] = None,
    statement: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    try:
        entry = lists.include(session, code=code, list_kind=list_kind, decision_no=decision_no, decided_by=decided_by,
                              decided_on=decided_on, reason=reason, by=who.username, months=months,
                              notified_on=notified_on, statement=statement or None)
        ensure_region(who, entry.region_code)
        audit.event(action="create", entity="list_entry", entity_id=entry.id, subject_id=entry.subject_id,
                    after={"list_kind": entry.list_kind, "decision_no": entry.decision_no})
        session.commit()
    except Forbidden:
        session.rollback()
        raise
    except XinyongError as exc:
        session.rollback()
        return RedirectResponse("/lists/manage?" + urlencode({"error": exc.zh}), status_code=303)
    return RedirectResponse(f"/lists/entries/{entry.id}", status_code=303)


@router.get("/lists/entries/{entry_id}", response_class=HTMLResponse, summary="名单记录页",
            description="一条名单记录及其全部历史；可移出、处理陈述申辩（信用办管理员，本辖区）。")
def entry_page(request: Request, session: SessionDep, policy: PolicyDep, who: Admin,
               entry_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> Response:
    entry = lists.get_entry(session, entry_id)
    ensure_region(who, entry.region_code)
    return _entry_page(request, session, policy, who, entry)


@router.post("/lists/entries/{entry_id}/remove", response_class=HTMLResponse, summary="移出名单（表单）",
             description="按决定或因信用修复移出名单，须写明文书号。")
def remove_form(request: Request, session: SessionDep, policy: PolicyDep, who: Admin, audit: AuditDep,
                entry_id: Annotated[int, Path(ge=1, le=MAX_ID)], reason: Annotated[str, Form(max_length=12)],
                decision_no: Annotated[str, Form(max_length=200)], note: Annotated[str, Form(max_length=500)] = "") -> Response:
    entry = lists.get_entry(session, entry_id)
    ensure_region(who, entry.region_code)
    try:
        lists.remove(session, entry_id, reason=reason, by=who.username, decision_no=decision_no, note=note or None)
        audit.event(action="update", entity="list_entry", entity_id=entry.id, subject_id=entry.subject_id,
                    after={"status": "removed", "reason": reason, "decision_no": decision_no})
        session.commit()
    except XinyongError as exc:
        session.rollback()
        return _entry_page(request, session, policy, who, lists.get_entry(session, entry_id), exc.zh, exc.status_code)
    return RedirectResponse(f"/lists/entries/{entry_id}", status_code=303)


@router.post("/lists/entries/{entry_id}/statement-decision", response_class=HTMLResponse, summary="处理陈述申辩（表单）",
             description="陈述申辩成立的不予列入；不成立的，告知期满后列入生效。")
def statement_form(request: Request, session: SessionDep, policy: PolicyDep, who: Admin, audit: AuditDep,
                   entry_id: Annotated[int, Path(ge=1, le=MAX_ID)], accepted: Annotated[str, Form(max_length=5)],
                   note: Annotated[str, Form(max_length=500)] = "") -> Response:
    entry = lists.get_entry(session, entry_id)
    ensure_region(who, entry.region_code)
    try:
        lists.decide_statement(session, entry_id, accepted=accepted == "yes", by=who.username, note=note)
        audit.event(action="update", entity="list_entry", entity_id=entry.id, subject_id=entry.subject_id,
                    after={"statement_result": entry.statement_result})
        session.commit()
    except XinyongError as exc:
        session.rollback()
        return _entry_page(request, session, policy, who, lists.get_entry(session, entry_id), exc.zh, exc.status_code)
    return RedirectResponse(f"/lists/entries/{entry_id}", status_code=303)


# --- the subject's own listings: told before a listing, and may state its case ----------------


def _mine(request, session, policy, who: Principal, error: str | None = None, status_code: int = 200) -> Response:
    if who.subject_id is None:
        raise Forbidden("该账户未关联信用主体", "this account is not linked to a credit subject")
    subject = session.get(Subject, who.subject_id)
    entries = lists.entries_of(session, who.subject_id)
    events = lists.histories(session, [e.id for e in entries])
    shown = [EntryOut.full(e, subject, policy.policy, events[e.id]) for e in entries]
    return render(request, "lists/mine.html", {
        "active": "/my/listings", "entries": shown, "error": error,
        "raw": {e.id: e for e in entries},
    }, status_code=status_code)


@router.get("/my/listings", response_class=HTMLResponse, summary="我的名单记录",
            description="信用主体本人查看拟列入（告知期内）和已列入的名单记录、理由和依据，并在告知期内在线陈述申辩。")
def my_listings_page(request: Request, session: SessionDep, policy: PolicyDep, who: SubjectUser) -> Response:
    return _mine(request, session, policy, who)


@router.post("/my/listings/{entry_id}/statement", response_class=HTMLResponse, summary="陈述申辩（表单）",
             description="信用主体本人对拟列入的名单记录陈述申辩；信用办处理前名单不生效。")
def my_statement_form(request: Request, session: SessionDep, policy: PolicyDep, who: SubjectUser, audit: AuditDep,
                      entry_id: Annotated[int, Path(ge=1, le=MAX_ID)],
                      statement: Annotated[str, Form(max_length=5000)]) -> Response:
    entry = lists.get_entry(session, entry_id)
    if not who.owns(entry.subject_id):
        raise Forbidden("只能对本人的名单记录陈述申辩", "a subject states its case on its own listing only")
    if not statement.strip():
        return _mine(request, session, policy, who, "请填写陈述申辩的内容", 422)
    try:
        lists.state_case(session, entry_id, statement=statement.strip(), by=who.username)
        audit.event(action="update", entity="list_entry", entity_id=entry.id, subject_id=entry.subject_id,
                    after={"statement": True})
        session.commit()
    except XinyongError as exc:
        session.rollback()
        return _mine(request, session, policy, who, exc.zh, exc.status_code)
    return RedirectResponse("/my/listings", status_code=303)
