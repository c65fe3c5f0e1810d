"""Web pages: 下载信用报告 (a form on the way from a credit file to its PDF) and the public
report verification page (核验信用报告: number and code, or an uploaded PDF)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse
from starlette.responses import Response

from xinyong.accounts.access import allow
from xinyong.accounts.principal import Principal
from xinyong.accounts.roles import ROLES
from xinyong.audit.deps import AuditDep
from xinyong.catalog.deps import PolicyDep
from xinyong.core.http import SessionDep
from xinyong.core.settings import get_settings
from xinyong.core.templating import add_nav, render
from xinyong.disclosure import service
from xinyong.disclosure.api import issue_for, limit_verifications, pdf_response, read_upload
from xinyong.disclosure.portal_pages import router as portal_router
from xinyong.records.api import ensure_browsable, sees_in_full
from xinyong.subjects import service as subjects
from xinyong.subjects.schemas import subject_name

router = APIRouter(include_in_schema=False)
add_nav("报告核验", "/reports/verify", order=35)
router.include_router(portal_router)  # 信用公示: xinyong.disclosure.portal_pages

LoggedIn = Annotated[Principal, allow(*ROLES)]
Anyone = Annotated[Principal, allow(public=True)]
PURPOSES = ("信用审查", "行政审批", "评优评先", "公共资源交易", "监督考核", "本人查询")


@router.get(
    "/reports/new",
    response_class=HTMLResponse,
    summary="下载信用报告",
    description="为一个信用主体出具信用报告的表单（查询目的；信用主体本人和管理员可选择显示完整身份信息），提交后下载 PDF。",
)
def new_report_page(request: Request, session: SessionDep, who: LoggedIn,
                    subject: Annotated[str, Query(max_length=40)]) -> Response:
    s = subjects.get_by_ref(session, subject)
    ensure_browsable(who, s)
    full = sees_in_full(who, s)
    return render(request, "disclosure/new.html", {
        "active": "/subjects", "ref": subjects.ref_of(s), "name": subject_name(s), "full": full,
        "may_reveal": s.is_natural and (who.owns(s.id) or who.role == "admin"),
        "purposes": PURPOSES, "default_purpose": "本人查询" if who.owns(s.id) else "",
    })


@router.post(
    "/reports",
    summary="出具并下载信用报告",
    description="表单：`subject`、`purpose`、`reveal`、`csrf_token`；答复为信用报告 PDF（同 `POST /api/v1/reports`）。",
)
def create_report_form(
    request: Request, session: SessionDep, policy: PolicyDep, who: LoggedIn, audit: AuditDep,
    subject: Annotated[str, Form(max_length=40)], purpose: Annotated[str, Form(max_length=200)],
    reveal: Annotated[bool, Form()] = False,
) -> Response:
    s = subjects.get_by_ref(session, subject)
    return pdf_response(issue_for(session, policy, who, audit, s, purpose, reveal))


def _verify_page(request: Request, result: service.Verification | None, number: str = "", code: str = "",
                 status_code: int = 200) -> Response:
    return render(request, "disclosure/verify.html", {
        "active": "/reports/verify", "result": result, "number": number, "code": code,
        "verify_url": get_settings().report_verify_url,
    }, status_code=status_code)


@router.get(
    "/reports/verify",
    response_class=HTMLResponse,
    summary="核验信用报告",
    description="公开页面：输入报告编号和验证码（或扫描报告上的二维码）核验报告是否由平台出具；也可上传 PDF 核验内容是否被改动。",
)
def verify_page(
    request: Request, session: SessionDep, who: Anyone,
    number: Annotated[str, Query(max_length=32)] = "", code: Annotated[str, Query(max_length=16)] = "",
) -> Response:
    result = None
    if number or code:
        limit_verifications(request, who)
        result = service.verify_code(session, number, code)
    return _verify_page(request, result, number.strip(), code.strip())


@router.post(
    "/reports/verify",
    response_class=HTMLResponse,
    summary="上传 PDF 核验信用报告",
    description="表单（multipart）：`file`、`csrf_token`；答复为核验结论页。",
)
def verify_upload_page(request: Request, session: SessionDep, who: Anyone,
                       file: Annotated[UploadFile, File()]) -> Response:
    limit_verifications(request, who)
    result = service.verify_pdf(session, read_upload(file))
    return _verify_page(request, result)


from xinyong.disclosure.authorization_pages import router as _authorization_router  # noqa: E402
from xinyong.disclosure.oidc_pages import router as _oidc_router  # noqa: E402

router.include_router(_authorization_router)  # 授权查询: xinyong.disclosure.authorization_pages
router.include_router(_oidc_router)  # 统一身份认证登录: xinyong.disclosure.oidc_pages
