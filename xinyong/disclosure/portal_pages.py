"""Web pages of the public portal (信用公示): search, a subject's public page, 双公示 with the
departments' timeliness and its feeds (JSON and XLSX, paged), typical cases and the credit
office's marking of them, and the policy lists (信用行为、奖惩措施、应用清单; the 数据目录 is
``/policy``). No login: every page is for the public and shows natural persons nowhere — a
person is found only by full identity number and name (the form posts to ``/subjects/lookup``).
"""

from __future__ import annotations

import io
from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from sqlalchemy import select
from starlette.responses import Response

from xinyong.accounts.access import allow
from xinyong.accounts.principal import Principal
from xinyong.audit.deps import AuditDep
from xinyong.catalog import pages as catalog_pages
from xinyong.catalog.deps import PolicyDep
from xinyong.catalog.schemas import DISCLOSURE_NAMES, POLARITY_NAMES, SUBJECT_KIND_NAMES
from xinyong.core import regions
from xinyong.core.errors import NotFound
from xinyong.core.http import MAX_ID, SessionDep
from xinyong.core.settings import get_settings
from xinyong.core.templating import add_nav, render
from xinyong.disclosure import portal
from xinyong.disclosure import portal_cache as cache
from xinyong.disclosure.portal_models import TypicalCase
from xinyong.lists.service import standing_lines
from xinyong.records import credit_file as files
from xinyong.records.models import Record
from xinyong.records.service import displayed
from xinyong.subjects import service as subjects
from xinyong.subjects.models import Subject
from xinyong.subjects.schemas import masked_query, subject_code

router = APIRouter(include_in_schema=False)
add_nav("信用公示", "/portal", order=5)
add_nav("典型案例管理", "/portal/manage/cases", order=61)

Anyone = Annotated[Principal, allow(public=True)]
Admin = Annotated[Principal, allow("admin")]
KindP = Annotated[str, Path(pattern="^(licences|penalties)$", description="licences 行政许可 / penalties 行政处罚")]
Offset = Annotated[int, Query(ge=0, le=MAX_ID)]
DepartmentQ = Annotated[str, Query(max_length=18, pattern="^[0-9A-Z]*$")]
RegionQ = Annotated[str, Query(max_length=6, pattern=r"^(\d{6})?$")]
DateQ = Annotated[str, Query(max_length=10, description="决定日期 YYYY-MM-DD（空：不限）")]

LEVEL_NAMES = {
    "law": "法律", "administrative_regulation": "行政法规", "local_regulation": "地方性法规",
    "judicial_interpretation": "司法解释", "departmental_rule": "部门规章", "local_rule": "地方政府规章",
    "central_policy": "党中央、国务院政策文件", "normative_document": "规范性文件",
}
PORTAL_TABS = [
    ("信用公示", "/portal"), ("行政许可", "/portal/disclosures/licences"), ("行政处罚", "/portal/disclosures/penalties"),
    ("信用名单", "/lists"), ("信用承诺公示", "/commitments/public"), ("典型案例", "/portal/cases"),
]
POLICY_TABS = catalog_pages.POLICY_TABS


def _db_key() -> str:
    return get_settings().database_url


def _kept(session, key, fn):
    """``fn(session)``'s answer through the portal cache; once past its time, the old answer is
    given while ``fn`` counts again in the background in a session of its own (portal_cache)."""
    return cache.get(key, lambda: fn(session), again=cache.in_own_session(session, fn))


def _day(value: str, field: str) -> date | None:
    """A date filter: empty means none (a form sends its empty fields), else YYYY-MM-DD."""
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise portal.BadFilter(f"决定日期（{field}）格式应为 YYYY-MM-DD", f"{field} is not a date") from None


def _filters(department: str, region: str, date_from: str, date_to: str) -> portal.Filters:
    return portal.Filters(department=department, region=region, date_from=_day(date_from, "date_from"),
                          date_to=_day(date_to, "date_to")).check()


def _row_out(r: portal.DisclosureRow, policy) -> dict:
    """One 双公示 row as the public sees it: the legal person or body, the decision; the facts
    the catalog names, with any person's name or number in them masked."""
    from xinyong.subjects.schemas import mask_text

    shown = _fact_names(policy)
    facts = {shown[k]: mask_text(str((r.facts or {})[k])) for k in _SHOWN_FACTS
             if k in shown and (r.facts or {}).get(k) not in (None, "")}
    return {
        "record_id": r.record_id, "subject_name": r.subject_name, "subject_code": r.subject_code,
        "subject_kind": SUBJECT_KIND_NAMES.get(r.subject_kind, r.subject_kind),
        "region_code": r.region_code, "region_name": regions.name_of(r.region_code),
        "department_code": r.department_code, "department_name": r.department_name,
        "decision_no": r.decision_no, "decision_date": r.decision_date.isoformat(),
        "display_until": r.display_until.isoformat(), "facts": facts,
    }


# The facts of a licence or penalty the portal shows (what 信用中国 shows of 双公示): the matter
# decided, never the persons a decision names (法定代表人 and other persons, their numbers) nor the
# narrative of the facts (违法事实, which may name anyone). Named as the catalog names them.
_SHOWN_FACTS = (
    "violation_type", "penalty_type", "penalty_content", "penalty_basis", "fine_amount", "confiscated_amount",
    "licence_revoked", "publish_until", "decision_doc_name", "licence_class", "licence_cert_name", "licence_no",
    "licence_content", "valid_from", "valid_to", "current_status",
)


def _fact_names(policy) -> dict[str, str]:
    names: dict[str, str] = {}
    for _kind, (code, _name) in portal.DISCLOSURE_KINDS.items():
        category = policy.category(code)
        for spec in category.facts if category else []:
            if spec.key in _SHOWN_FACTS and not getattr(spec, "personal", False):
                names[spec.key] = spec.name
    return names


# --- the portal's front page and search ---------------------------------------------------------


@router.get("/portal", response_class=HTMLResponse, summary="信用公示",
            description="公众入口（无需登录）：按名称或统一社会信用代码查询法人和非法人组织、政府机构；自然人只能按完整"
                        "身份证号码和姓名查询；双公示、信用名单、信用承诺、典型案例和政策清单的入口及数量"
                        "（缓存 XINYONG_PORTAL_CACHE_SECONDS 秒）。")
def portal_home(request: Request, session: SessionDep, policy: PolicyDep, who: Anyone) -> Response:
    counts = _kept(session, ("counts", _db_key()), portal.counts)
    kinds = [k for k in policy.policy.behaviours.list_kinds if k.publish]
    return render(request, "disclosure/portal_home.html", {
        "active": "/portal", "tabs": PORTAL_TABS, "tab": "/portal", "counts": counts, "list_kinds": kinds,
    })


@router.get("/portal/search", response_class=HTMLResponse, summary="信用公示：查询",
            description="按名称（包含）或统一社会信用代码查询法人和非法人组织、政府机构，分页；不列出自然人。"
                        "完整代码查到一个主体时转到其公示页。")
def portal_search(request: Request, session: SessionDep, who: Anyone,
                  q: Annotated[str, Query(max_length=100)] = "", offset: Offset = 0) -> Response:
    q = q.strip()
    result, has_more = [], False
    limit = get_settings().page_size
    if q:
        page = files.search(session, q, limit=limit, offset=offset, persons=False)
        hits = [h for h in page.hits if not h.subject.is_natural]  # never a person, whatever search returns
        if page.by_code and len(hits) == 1:
            return RedirectResponse(f"/portal/subjects/{subjects.ref_of(hits[0].subject)}", status_code=303)
        result, has_more = hits, page.has_more
    return render(request, "disclosure/portal_search.html", {
        "active": "/portal", "tabs": PORTAL_TABS, "tab": "/portal", "q": masked_query(q), "hits": result, "offset": offset,
        "limit": limit, "has_more": has_more, "kind_names": SUBJECT_KIND_NAMES, "ref_of": subjects.ref_of,
        "code_of": subject_code, "prev_url": "/portal/search?" + urlencode({"q": q, "offset": max(0, offset - limit)}),
        "next_url": "/portal/search?" + urlencode({"q": q, "offset": offset + limit}),
    })


# --- a subject's public page -----------------------------------------------------------------


@router.get("/portal/subjects/{ref}", response_class=HTMLResponse, summary="信用公示：主体公示页",
            description="一个法人和非法人组织或政府机构公开的、公示期内的信用记录（按类别），在列的公开名单（红名单、"
                        "严重失信主体名单、重点关注名单）和政策公开的信用评价等级；自然人没有公示页（404）。")
def subject_page(request: Request, session: SessionDep, policy: PolicyDep, who: Anyone,
                 ref: Annotated[str, Path(max_length=40)]) -> Response:
    subject = subjects.get_by_ref(session, ref)
    if subject.is_natural:
        raise subjects.not_found()
    rows = session.execute(
        select(Record).where(Record.subject_id == subject.id, Record.disclosure == "public", displayed())
        .order_by(Record.category_code, Record.decision_date.desc(), Record.id.desc()).limit(500)
    ).scalars().all()
    by_category: dict[str, list[Record]] = {}
    for r in rows:
        by_category.setdefault(r.category_code, []).append(r)
    categories = [(policy.policy.category(c).name if policy.policy.category(c) else c, rs)
                  for c, rs in by_category.items()]
    standing = standing_lines(session, subject, False, policy.policy)
    grade = portal.public_grade(session, subject, policy.policy)
    cases = set(session.scalars(select(TypicalCase.record_id).where(
        TypicalCase.record_id.in_([r.id for r in rows]), TypicalCase.withdrawn_at.is_(None)))) if rows else set()
    return render(request, "disclosure/portal_subject.html", {
        "active": "/portal", "tabs": PORTAL_TABS, "tab": "/portal", "s": subject, "ref": subjects.ref_of(subject),
        "code": subject_code(subject), "kind_name": SUBJECT_KIND_NAMES.get(subject.kind, subject.kind), "region_name": regions.name_of(subject.region_code),
        "categories": categories, "standing": [t for label, t in standing if label == "名单"], "grade": grade,
        "polarity_names": POLARITY_NAMES, "cases": cases, "total": len(rows),
    })


# --- 双公示 ------------------------------------------------------------------------------------


def _disclosure_context(session, policy, kind: str, f: portal.Filters, offset: int, limit: int) -> dict:
    key = (_db_key(), kind, f, offset, limit)
    # timeliness first: its departments' counts add up to the listing's total (the same rows),
    # so the listing needs no count of its own
    timeliness = _kept(session, ("timeliness", _db_key(), kind, f), lambda s: portal.timeliness(s, kind, f))
    rows, total = _kept(session, ("disclosures", *key), lambda s: portal.disclosures(
        s, kind, f, limit=limit, offset=offset, total=sum(t.total for t in timeliness)))
    return {
        "rows": [_row_out(r, policy.policy) for r in rows], "total": total,
        "departments": _kept(session, ("departments", _db_key(), kind), lambda s: portal.departments(s, kind)),
        "timeliness": timeliness,
    }


@router.get("/portal/disclosures/{kind}", response_class=HTMLResponse, summary="双公示（行政许可、行政处罚）",
            description="法人和非法人组织、政府机构公示期内的行政许可（licences）或行政处罚（penalties）信息，按决定部门"
                        "（department，统一社会信用代码）、地区（region，含下级）和决定日期（date_from、date_to）筛选，分页；"
                        "各部门的及时率：决定后 7 个工作日内报送平台的比例（按工作日历计算）。")
def disclosures_page(request: Request, session: SessionDep, policy: PolicyDep, who: Anyone, kind: KindP,
                     department: DepartmentQ = "", region: RegionQ = "", date_from: DateQ = "",
                     date_to: DateQ = "", offset: Offset = 0) -> Response:
    f = _filters(department, region, date_from, date_to)
    limit = get_settings().page_size
    ctx = _disclosure_context(session, policy, kind, f, offset, limit)
    query = urlencode(f.params())
    return render(request, "disclosure/portal_disclosures.html", {
        "active": "/portal", "tabs": PORTAL_TABS, "tab": f"/portal/disclosures/{kind}", "kind": kind,
        "kind_name": portal.DISCLOSURE_KINDS[kind][1], "f": f, "cities": regions.cities(), "query": query,
        "offset": offset, "limit": limit, **ctx,
    })


def _feed_page(session, kind: str, f: portal.Filters, limit: int, offset: int, policy):
    rows, total = _kept(session, ("feed", _db_key(), kind, f, limit, offset),
                        lambda s: portal.disclosures(s, kind, f, limit=limit, offset=offset))
    return [_row_out(r, policy.policy) for r in rows], total


FeedLimit = Annotated[int, Query(ge=1, le=portal.FEED_MAX, description="每页条数（最多 1000）")]


@router.get("/portal/feeds/{kind}.json", summary="双公示数据（JSON，分页）",
            description="与双公示页相同的筛选（department、region、date_from、date_to），limit/offset 分页；"
                        "答复含 total、limit、offset、next（下一页地址，没有时为 null）和 items。")
def feed_json(request: Request, session: SessionDep, policy: PolicyDep, who: Anyone, kind: KindP,
              department: DepartmentQ = "", region: RegionQ = "", date_from: DateQ = "",
              date_to: DateQ = "", limit: FeedLimit = 100, offset: Offset = 0) -> Response:
    f = _filters(department, region, date_from, date_to)
    items, total = _feed_page(session, kind, f, limit, offset, policy)
    nxt = None
    if offset + limit < total:
        nxt = f"/portal/feeds/{kind}.json?" + urlencode({**f.params(), "limit": limit, "offset": offset + limit})
    return JSONResponse({"kind": kind, "kind_name": portal.DISCLOSURE_KINDS[kind][1], "total": total, "limit": limit,
                         "offset": offset, "next": nxt, "items": items})


XLSX_HEADERS = ["主体名称", "统一社会信用代码", "主体类别", "地区", "决定部门", "决定文书号", "决定日期", "公示截止", "内容"]


@router.get("/portal/feeds/{kind}.xlsx", summary="双公示数据（XLSX，分页）",
            description="与 JSON 数据相同的内容和分页（limit 最多 1000 行一页），写成 XLSX。")
def feed_xlsx(request: Request, session: SessionDep, policy: PolicyDep, who: Anyone, kind: KindP,
              department: DepartmentQ = "", region: RegionQ = "", date_from: DateQ = "",
              date_to: DateQ = "", limit: FeedLimit = portal.FEED_MAX, offset: Offset = 0) -> Response:
    from openpyxl import Workbook

    f = _filters(department, region, date_from, date_to)
    items, total = _feed_page(session, kind, f, limit, offset, policy)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(portal.DISCLOSURE_KINDS[kind][1])
    ws.append(XLSX_HEADERS)
    for i in items:
        content = "；".join(f"{k}：{v}" for k, v in i["facts"].items())
        ws.append([i["subject_name"], i["subject_code"], i["subject_kind"], i["region_name"], i["department_name"],
                   i["decision_no"], i["decision_date"], i["display_until"], content])
    buf = io.BytesIO()
    wb.save(buf)
    name = f"{kind}-{offset + 1}-{offset + len(items)}.xlsx"
    return Response(buf.getvalue(), media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{name}"', "X-Total-Count": str(total)})


# --- typical cases -----------------------------------------------------------------------------


@router.get("/portal/cases", response_class=HTMLResponse, summary="典型案例",
            description="信用办标为典型案例的公开信用记录（法人和非法人组织、政府机构，公示期内），新标的在前，分页。")
def cases_page(request: Request, session: SessionDep, policy: PolicyDep, who: Anyone, offset: Offset = 0) -> Response:
    limit = get_settings().page_size
    rows, total = _kept(session, ("cases", _db_key(), offset, limit),
                        lambda s: portal.typical_cases(s, limit=limit, offset=offset))
    return render(request, "disclosure/portal_cases.html", {
        "active": "/portal", "tabs": PORTAL_TABS, "tab": "/portal/cases", "rows": rows, "total": total,
        "offset": offset, "limit": limit, "category_name": _category_name(policy), "ref_of": subjects.ref_of,
    })


def _category_name(policy):
    def name(code: str) -> str:
        c = policy.policy.category(code)
        return c.name if c else code
    return name


@router.get("/portal/cases/{case_id}", response_class=HTMLResponse, summary="典型案例页",
            description="一个典型案例：案例标题、评析、所涉主体（法人和非法人组织、政府机构）和信用记录的公开内容。")
def case_page(request: Request, session: SessionDep, policy: PolicyDep, who: Anyone,
              case_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> Response:
    row = portal.get_case(session, case_id)
    out = _row_out(portal.DisclosureRow(
        row.record.id, row.subject.id, row.subject.kind, row.subject.name, row.subject.code, row.record.region_code,
        row.record.department_code, row.record.department_name, row.record.decision_no, row.record.decision_date,
        row.record.display_until, row.record.facts), policy.policy)
    return render(request, "disclosure/portal_case.html", {
        "active": "/portal", "tabs": PORTAL_TABS, "tab": "/portal/cases", "c": row.case, "r": out,
        "ref": subjects.ref_of(row.subject), "category": _category_name(policy)(row.record.category_code),
    })


def _manage(request, session, policy, error: str | None = None, status_code: int = 200, record_id: str = "",
            title: str = "", note: str = "") -> Response:
    rows = session.execute(
        select(TypicalCase, Record, Subject).join(Record, Record.id == TypicalCase.record_id)
        .join(Subject, Subject.id == Record.subject_id).order_by(TypicalCase.marked_at.desc(), TypicalCase.id.desc())
        .limit(200)
    ).all()
    return render(request, "disclosure/portal_manage.html", {
        "active": "/portal/manage/cases", "rows": rows, "error": error, "record_id": record_id, "title": title,
        "note": note, "category_name": _category_name(policy),
    }, status_code=status_code)


@router.get("/portal/manage/cases", response_class=HTMLResponse, summary="典型案例管理",
            description="信用办管理员：把一条公开的、公示期内的法人或政府机构信用记录标为典型案例（标题、评析），撤下已标的案例。")
def manage_cases_page(request: Request, session: SessionDep, policy: PolicyDep, who: Admin) -> Response:
    return _manage(request, session, policy)


@router.post("/portal/manage/cases", response_class=HTMLResponse, summary="标为典型案例",
             description="表单：`record_id`、`title`、`note`、`csrf_token`；记入审计日志，清除门户缓存，回到管理页。")
def mark_case(request: Request, session: SessionDep, policy: PolicyDep, who: Admin, audit: AuditDep,
              record_id: Annotated[str, Form(max_length=20)], title: Annotated[str, Form(max_length=200)],
              note: Annotated[str, Form(max_length=4000)] = "") -> Response:
    rid = record_id.strip()
    if not rid.isascii() or not rid.isdigit() or not 0 < int(rid) <= MAX_ID:
        return _manage(request, session, policy, "信用记录编号（record_id）须为正整数", 422, record_id, title, note)
    try:
        c, before = portal.mark_case(session, int(rid), title, note, who.username)
    except (portal.BadFilter, NotFound) as exc:
        session.rollback()
        return _manage(request, session, policy, exc.zh, exc.status_code, record_id, title, note)
    audit.event(action="create" if before is None else "update", entity="typical_case", entity_id=c.id,
                before=before, after=portal.case_state(c))
    session.commit()
    cache.clear()
    return RedirectResponse("/portal/manage/cases", status_code=303)


@router.post("/portal/manage/cases/{case_id}/withdraw", response_class=HTMLResponse, summary="撤下典型案例",
             description="表单：`csrf_token`；记入审计日志，清除门户缓存，回到管理页。")
def withdraw_case(request: Request, session: SessionDep, who: Admin, audit: AuditDep,
                  case_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> Response:
    c, before = portal.withdraw_case(session, case_id, who.username)
    audit.event(action="update", entity="typical_case", entity_id=c.id, before=before, after=portal.case_state(c))
    session.commit()
    cache.clear()
    return RedirectResponse("/portal/manage/cases", status_code=303)


# --- the policy lists --------------------------------------------------------------------------


def _policy_page(request, policy, template: str, tab: str, **extra) -> Response:
    return render(request, f"disclosure/{template}", {
        "active": "/policy", "policy_tabs": POLICY_TABS, "tab": tab, "meta": policy.policy.meta,
        "version_id": policy.version_id, "polarity_names": POLARITY_NAMES, "kind_names": SUBJECT_KIND_NAMES,
        "disclosure_names": DISCLOSURE_NAMES, "category_name": _category_name(policy), **extra,
    })


@router.get("/portal/policy/behaviours", response_class=HTMLResponse, summary="信用行为清单",
            description="正在使用的政策版本的信用行为清单：每种守信、失信行为的类别、性质、严重程度、列入的名单及期限、依据。")
def behaviours_page(request: Request, policy: PolicyDep, who: Anyone) -> Response:
    b = policy.policy.behaviours
    return _policy_page(request, policy, "portal_behaviours.html", "/portal/policy/behaviours",
                        behaviours=b.behaviours, list_names={k.code: k.name for k in b.list_kinds},
                        severity_names=policy.policy.severity_names())


@router.get("/portal/policy/measures", response_class=HTMLResponse, summary="奖惩措施清单",
            description="正在使用的政策版本的奖惩措施清单：每项激励或惩戒措施的内容、实施部门、是否必须执行、适用主体和法律依据（名称、效力层级、条款）。")
def measures_page(request: Request, policy: PolicyDep, who: Anyone) -> Response:
    return _policy_page(request, policy, "portal_measures.html", "/portal/policy/measures",
                        measures=policy.policy.measures.measures, level_names=LEVEL_NAMES)


@router.get("/portal/policy/scenarios", response_class=HTMLResponse, summary="应用清单",
            description="正在使用的政策版本的应用清单：应查必查的行政事项、实施部门、适用主体、查看的措施和核查结论的表述。")
def scenarios_page(request: Request, policy: PolicyDep, who: Anyone) -> Response:
    names = {m.code: m.name for m in policy.policy.measures.measures}
    return _policy_page(request, policy, "portal_scenarios.html", "/portal/policy/scenarios",
                        scenarios=policy.policy.scenarios.scenarios, measure_names=names)
