"""Web pages: 信用主体查询 (search, with an htmx fragment for live results), the credit file
(信用档案) and one credit record with its facts and version history."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response

from xinyong.accounts.access import allow
from xinyong.accounts.principal import Principal
from xinyong.audit.deps import AuditDep
from xinyong.catalog.deps import PolicyDep
from xinyong.catalog.schemas import SUBJECT_KIND_NAMES
from xinyong.core import regions
from xinyong.core.errors import NotFound
from xinyong.core.http import MAX_ID, SessionDep
from xinyong.core.settings import get_settings
from xinyong.core.templating import add_nav, is_htmx, render
from xinyong.records import credit_file as files
from xinyong.records import hooks as record_hooks
from xinyong.records.api import (
    DEFAULT_PURPOSE,
    detail_out,
    ensure_browsable,
    limit_person_lookups,
    lists_persons,
    lookup_person,
    read_file,
    sees_in_full,
)
from xinyong.records.schemas import SearchResult
from xinyong.records.upload_pages import router as upload_router
from xinyong.subjects import service as subjects
from xinyong.subjects.models import NATURAL_KINDS
from xinyong.subjects.schemas import masked_query

router = APIRouter(include_in_schema=False)
add_nav("数据报送", "/records/upload", order=40)
add_nav("我的信用档案", "/my/file", order=41)
router.include_router(upload_router)  # 数据报送: xinyong.records.upload_pages

Anyone = Annotated[Principal, allow(public=True)]


def _url(q: str, kind: str | None, region: str | None, offset: int) -> str:
    params = {k: v for k, v in (("q", q), ("kind", kind), ("region", region)) if v}
    if offset:
        params["offset"] = str(offset)
    return "/subjects" + ("?" + urlencode(params) if params else "")


@router.get(
    "/subjects",
    response_class=HTMLResponse,
    summary="信用主体查询页",
    description="按名称或代码查询信用主体，可按主体类别和地区（市）筛选，分页；htmx 请求只返回结果部分。",
)
def search_page(
    request: Request,
    session: SessionDep,
    policy: PolicyDep,
    who: Anyone,
    q: Annotated[str, Query(max_length=100)] = "",
    kind: str = "",
    region: str = "",
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> Response:
    q = q.strip()
    result = None
    if q or kind or region:
        limit = get_settings().page_size
        page = files.search(session, q, region=region or None, kind=kind or None, limit=limit, offset=offset,
                            persons=lists_persons(who))
        if page.by_code and len(page.hits) == 1 and not is_htmx(request):
            # A full code finds one subject: go straight to its file (by number for persons,
            # so that no identity number sits in a URL).
            return RedirectResponse(f"/subjects/{subjects.ref_of(page.hits[0].subject)}", status_code=303)
        result = SearchResult.build(page)
    return _search_page(request, who, q, kind, region, offset, result)


def _search_page(request: Request, who: Principal, q: str, kind: str, region: str, offset: int,
                 result: SearchResult | None, status_code: int = 200, **extra) -> Response:
    shown_q = masked_query(q)
    context = {
        "active": "/subjects",
        "q": shown_q,
        "kind": kind,
        "region": region,
        "kind_names": {k: v for k, v in SUBJECT_KIND_NAMES.items() if lists_persons(who) or k not in NATURAL_KINDS},
        "cities": regions.cities(),
        "result": result,
        "prev_url": _url(shown_q, kind, region, max(0, offset - (result.limit if result else 0))),
        "next_url": _url(shown_q, kind, region, offset + (result.limit if result else 0)),
        "lists_persons": lists_persons(who),
        **extra,
    }
    headers = {"Vary": "HX-Request"}
    if is_htmx(request):
        return render(request, "records/_results.html", context, headers=headers, status_code=status_code)
    return render(request, "records/search.html", context, headers=headers, status_code=status_code)


@router.post(
    "/subjects/lookup",
    response_class=HTMLResponse,
    summary="按身份证号码和姓名查询自然人",
    description=(
        "公众查询自然人信用档案的表单：完整身份证号码和姓名都相符、且有公开信用记录时显示其信用档案；"
        "否则回到查询页，提示未找到（不透露号码是否存在）。未登录时每个地址限次（XINYONG_PERSON_LOOKUP_PER_IP）。"
    ),
)
def lookup_page(
    request: Request, session: SessionDep, policy: PolicyDep, who: Anyone, audit: AuditDep,
    code: Annotated[str, Form(max_length=40)], name: Annotated[str, Form(max_length=50)],
) -> Response:
    limit_person_lookups(request, who)
    try:
        subject = lookup_person(session, who, code, name)
    except NotFound as exc:
        return _search_page(request, who, "", "", "", 0, None, status_code=404, lookup_error=exc.zh,
                            lookup_name=name)
    return _file_page(request, session, policy, who, audit, subject, False, DEFAULT_PURPOSE, "/subjects", "", 1,
                      browsable=False)


@router.get(
    "/subjects/{code}",
    response_class=HTMLResponse,
    summary="信用档案页",
    description=(
        "一个信用主体的信用档案；`?archive=1` 显示含已过公示期记录的档案。记录按类别分页显示（`?category=` 类别代码，"
        "`?page=` 页码，每页 XINYONG_PAGE_SIZE 条，按决定日期从新到旧）；计数总是全档案的。信用主体本人和地区权限范围内的"
        "公职人员看到全部记录（公职人员查阅自然人档案记入审计日志）；范围外的公职人员查阅自然人档案为 403。"
    ),
)
def credit_file_page(
    request: Request,
    session: SessionDep,
    policy: PolicyDep,
    who: Anyone,
    audit: AuditDep,
    code: Annotated[str, Path(max_length=40)],
    archive: bool = False,
    purpose: Annotated[str, Query(max_length=200)] = DEFAULT_PURPOSE,
    category: Annotated[str, Query(max_length=100)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    subject = subjects.get_by_ref(session, code)
    ensure_browsable(who, subject)
    return _file_page(request, session, policy, who, audit, subject, archive, purpose, "/subjects", category, page)


def _file_page(request, session, policy, who, audit, subject, archive: bool, purpose: str, active: str,
               category: str, page: int, *, browsable: bool = True) -> Response:
    """A credit file page. Not ``browsable`` (a person the public found by number and name): the
    whole file on one page, with no links to pages the public may not open (record pages, the
    archive, categories by address)."""
    full = sees_in_full(who, subject)
    size = get_settings().page_size if browsable else None
    out = read_file(session, policy, who, audit, subject, archive=archive, purpose=purpose,
                    category=category or None, limit=size, offset=(page - 1) * size if size else 0)
    pages = max(1, -(-out.total // size)) if size else 1
    base = f"/subjects/{out.subject.ref}" if active == "/subjects" else active

    def link(**change) -> str:
        params = {"archive": "1" if archive else "", "category": category, "page": page, **change}
        query = urlencode({k: v for k, v in params.items() if v and not (k == "page" and v == 1)})
        return base + (f"?{query}" if query else "")

    lines = record_hooks.standing(session, subject, full, policy.policy)
    return render(request, "records/file.html", {
        "active": active, "file": out, "standing": lines, "browsable": browsable, "page": page, "pages": pages, "link": link,
        "category_name": next((c.name for c in out.by_category if c.code == category), category),
    })


@router.get(
    "/my/file",
    response_class=HTMLResponse,
    summary="我的信用档案",
    description="信用主体用户本人的信用档案（全部记录；`?archive=1` 含已过公示期的记录；`category`、`page` 分类分页）。",
)
def my_file_page(
    request: Request, session: SessionDep, policy: PolicyDep, who: Annotated[Principal, allow("subject")],
    audit: AuditDep, archive: bool = False,
    category: Annotated[str, Query(max_length=100)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    if who.subject_id is None:
        raise NotFound("您的账户没有关联信用主体，请联系信用办", "this account has no subject")
    subject = subjects.get_by_ref(session, str(who.subject_id))
    return _file_page(request, session, policy, who, audit, subject, archive, "本人查询", "/my/file",
                      category, page)


@router.get(
    "/records/{id}",
    response_class=HTMLResponse,
    summary="信用记录页",
    description="一条信用记录的全部信息、按数据目录命名的事实项和历史版本。",
)
def record_page(
    request: Request, session: SessionDep, policy: PolicyDep, who: Anyone, audit: AuditDep,
    id: Annotated[int, Path(ge=1, le=MAX_ID)], purpose: Annotated[str, Query(max_length=200)] = DEFAULT_PURPOSE,
) -> Response:
    record = detail_out(session, policy, id, who, audit, purpose)
    return render(request, "records/record.html", {"active": "/subjects", "r": record})
