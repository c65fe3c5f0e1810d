"""Web pages of authorized queries (授权查询) and of the person's own whole file.

For the person (a subject user, logged in with his second factor or the single sign-on):
- 我的完整信用信息 (``/my/credit``): every section of his file, all disclosure levels, audited,
  with the download of his credit report;
- 授权查询 (``/my/authorizations``): his codes with reads used and state, a form to grant one
  (the code shown once), and revocation.
For the third party (no account): 授权码查询 (``/authorized-query``) — the code, who reads and
why; the answer is the part of the file the code opens, or a Chinese refusal.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response

from xinyong.accounts.access import allow
from xinyong.accounts.principal import Principal
from xinyong.audit.deps import AuditDep
from xinyong.catalog.deps import PolicyDep
from xinyong.core import clock
from xinyong.core.errors import InvalidInput, XinyongError
from xinyong.core.http import MAX_ID, SessionDep
from xinyong.core.templating import add_nav, render
from xinyong.disclosure import authorization
from xinyong.disclosure.api import pdf_response
from xinyong.disclosure.authorization_api import limit_queries
from xinyong.disclosure.sections import ReportContext, fill
from xinyong.records import credit_file as files
from xinyong.records.schemas import CreditFileOut
from xinyong.subjects.models import Subject
from xinyong.subjects.service import ref_of

router = APIRouter(include_in_schema=False)
add_nav("我的完整信用信息", "/my/credit", order=42)
add_nav("授权查询", "/my/authorizations", order=43)
add_nav("授权码查询", "/authorized-query", order=36)

SubjectUser = Annotated[Principal, allow("subject")]
Anyone = Annotated[Principal, allow(public=True)]


@router.get("/my/credit", response_class=HTMLResponse, summary="我的完整信用信息",
            description="信用主体本人查看本人的全部信用信息（公开、授权查询、政务共享各级别），按信用报告标准章节排列；"
                        "每次查看记入审计日志；可下载本人的信用报告。")
def my_credit_page(request: Request, session: SessionDep, policy: PolicyDep, who: SubjectUser,
                   audit: AuditDep) -> Response:
    subject = session.get(Subject, who.subject_id)
    day = clock.today()
    out = CreditFileOut.build(files.credit_file(session, subject, public=False, on=day), policy.policy,
                              policy.version_id)
    ctx = ReportContext(session=session, subject=subject, file=out, full=True, policy=policy.policy, who=who, on=day,
                        identity=authorization.masked_identity(subject))
    sections = fill(ctx)
    authorization.log_own_file(session, who, request_id=audit.request_id, ip=audit.ip)
    session.commit()
    return render(request, "disclosure/auth_my_credit.html", {
        "active": "/my/credit", "sections": sections, "identity": ctx.identity, "ref": ref_of(subject),
    })


def _my_page(request: Request, session, policy, who: Principal, *, granted: authorization.Granted | None = None,
             error: str | None = None, form: dict | None = None, status_code: int = 200) -> Response:
    now = clock.utcnow()
    rows = authorization.codes_of(session, who)
    parts = authorization.scope_parts(policy.policy)
    today = clock.today()
    return render(request, "disclosure/auth_my.html", {
        "active": "/my/authorizations", "rows": [{
            "row": r, "state": authorization.state(r, now), "state_name": authorization.STATE_NAMES[authorization.state(r, now)],
            "scope": authorization.scope_names(policy.policy, r.scope), "until": authorization.shown_until(r),
        } for r in rows],
        "parts": parts, "granted": granted, "error": error, "form": form or {},
        "granted_until": authorization.shown_until(granted.row) if granted else None,
        "today": today.isoformat(), "default_until": date.fromordinal(today.toordinal() + 30).isoformat(),
        "max_until": date.fromordinal(today.toordinal() + authorization.get_settings().authorization_max_days).isoformat(),
        "max_reads": authorization.get_settings().authorization_max_reads,
    }, status_code=status_code)


@router.get("/my/authorizations", response_class=HTMLResponse, summary="授权查询",
            description="信用主体本人的授权码：被授权方、用途、范围、期限、已用和可用查询次数、状态；授予新的授权码，提前撤销。")
def my_authorizations_page(request: Request, session: SessionDep, policy: PolicyDep, who: SubjectUser) -> Response:
    return _my_page(request, session, policy, who)


@router.post("/my/authorizations", response_class=HTMLResponse, summary="授予授权码",
             description="表单：`recipient`、`purpose`、`scope`（可多选）、`valid_until`（YYYY-MM-DD）、`max_reads`、"
                         "`csrf_token`；授权码只在答复页显示一次，平台只保存其摘要。")
def grant_code(
    request: Request, session: SessionDep, policy: PolicyDep, who: SubjectUser, audit: AuditDep,
    recipient: Annotated[str, Form(max_length=200)] = "", purpose: Annotated[str, Form(max_length=400)] = "",
    scope: Annotated[list[str] | None, Form(max_length=40)] = None,
    valid_until: Annotated[str, Form(max_length=20)] = "", max_reads: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    form = {"recipient": recipient, "purpose": purpose, "scope": scope or [], "valid_until": valid_until,
            "max_reads": max_reads}
    try:
        try:
            until = date.fromisoformat(valid_until.strip())
        except ValueError:
            raise InvalidInput("授权截止日期格式应为 YYYY-MM-DD", "bad date", field="valid_until") from None
        if not max_reads.strip().isdigit():
            raise InvalidInput("查询次数应为正整数", "reads must be a whole number", field="max_reads")
        granted = authorization.grant(session, policy.policy, who, recipient=recipient, purpose=purpose,
                                      scope=scope or [], valid_until=until, max_reads=int(max_reads),
                                      request_id=audit.request_id, ip=audit.ip)
    except XinyongError as exc:
        return _my_page(request, session, policy, who, error=exc.zh, form=form, status_code=exc.status_code)
    session.commit()
    return _my_page(request, session, policy, who, granted=granted)


@router.post("/my/authorizations/{code_id}/revoke", summary="撤销授权码",
             description="表单：`csrf_token`。提前撤销本人的一个授权码，此后凭该码的查询一律被拒。")
def revoke_code(request: Request, session: SessionDep, who: SubjectUser, audit: AuditDep,
                code_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> Response:
    authorization.revoke(session, who, code_id, request_id=audit.request_id, ip=audit.ip)
    session.commit()
    return RedirectResponse("/my/authorizations", status_code=303)


def _query_page(request: Request, policy, *, reading=None, error: str | None = None, form: dict | None = None,
                status_code: int = 200) -> Response:
    return render(request, "disclosure/auth_query.html", {
        "active": "/authorized-query", "reading": reading, "error": error, "form": form or {},
        "scope": authorization.scope_names(policy.policy, reading.row.scope) if reading else [],
        "until": authorization.shown_until(reading.row) if reading else None,
    }, status_code=status_code)


@router.get("/authorized-query", response_class=HTMLResponse, summary="授权码查询",
            description="公开页面：第三方凭信用主体本人授予的授权码查询其信用信息（无须账户）。")
def query_page(request: Request, policy: PolicyDep, who: Anyone) -> Response:
    return _query_page(request, policy)


@router.post("/authorized-query", response_class=HTMLResponse, summary="凭授权码查询",
             description="表单：`code`、`reader`（查询方名称）、`purpose`（可空）、`csrf_token`；答复为授权范围内的信用信息，"
                         "或说明授权码无效、已过期、已撤销、次数已用完的页面（403）。每个地址限次。")
def query(request: Request, session: SessionDep, policy: PolicyDep, who: Anyone, audit: AuditDep,
          code: Annotated[str, Form(max_length=40)] = "", reader: Annotated[str, Form(max_length=200)] = "",
          purpose: Annotated[str, Form(max_length=400)] = "") -> Response:
    limit_queries(request)
    form = {"code": code, "reader": reader, "purpose": purpose}
    try:
        reading = authorization.read(session, policy.policy, policy.version_id, code, reader_name=reader,
                                     purpose=purpose, request_id=audit.request_id, ip=audit.ip)
    except XinyongError as exc:
        return _query_page(request, policy, error=exc.zh, form=form, status_code=exc.status_code)
    page = _query_page(request, policy, reading=reading, form=form)
    session.commit()
    return page


@router.post("/authorized-query/report", summary="凭授权码下载信用报告",
             description="表单：`code`、`reader`、`purpose`、`csrf_token`；授权范围含“下载信用报告”时答复为 PDF（扣减一次"
                         "查询次数，记入审计日志），否则为说明原因的页面。")
def query_report(request: Request, session: SessionDep, policy: PolicyDep, who: Anyone, audit: AuditDep,
                 code: Annotated[str, Form(max_length=40)] = "", reader: Annotated[str, Form(max_length=200)] = "",
                 purpose: Annotated[str, Form(max_length=400)] = "") -> Response:
    limit_queries(request)
    try:
        issued = authorization.issue_report(session, policy.policy, policy.version_id, code, reader_name=reader,
                                            purpose=purpose, request_id=audit.request_id, ip=audit.ip)
    except XinyongError as exc:
        return _query_page(request, policy, error=exc.zh, form={"code": code, "reader": reader, "purpose": purpose},
                           status_code=exc.status_code)
    session.commit()
    return pdf_response(issued)
