"""Login through the province's single sign-on (OpenID Connect): ``/login/oidc`` sends the
browser to the provider, ``/login/oidc/callback`` takes it back, verifies the ID token
(:mod:`xinyong.disclosure.oidc`) and starts the person's session. The provider's login stands
for the password and the second factor: the session starts complete (stage ``full``).
Shown on the login page only while ``XINYONG_OIDC_ENABLED`` is set."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response

from xinyong.accounts import access, events
from xinyong.accounts import service as accounts
from xinyong.accounts.access import allow
from xinyong.accounts.principal import Principal
from xinyong.core.errors import XinyongError
from xinyong.core.http import SessionDep
from xinyong.core.settings import get_settings
from xinyong.core.templating import add_context_processor, render
from xinyong.disclosure import oidc

router = APIRouter(include_in_schema=False)
Anyone = Annotated[Principal, allow(public=True)]


def _login_button(request: Request) -> dict:
    return {"oidc_login": get_settings().oidc_display_name if oidc.enabled() else None}


add_context_processor(_login_button)


def _safe_next(target: str | None) -> str:
    return target if target and target.startswith("/") and not target.startswith("//") and "\\" not in target else "/"


def _refused(request: Request, exc: XinyongError) -> Response:
    return render(request, "disclosure/auth_oidc_error.html", {"error": exc.zh}, status_code=exc.status_code)


@router.get("/login/oidc", summary="统一身份认证登录",
            description="转到统一身份认证服务（OpenID Connect，授权码模式加 PKCE）登录；未启用时为说明页（422）。")
def oidc_start(request: Request, session: SessionDep, who: Anyone,
               next: Annotated[str, Query(max_length=500)] = "/") -> Response:
    access.limit_address(request, "oidc-login", get_settings().login_rate_per_ip,
                         get_settings().login_rate_window_seconds)
    try:
        url = oidc.begin(session, _safe_next(next))
    except XinyongError as exc:
        return _refused(request, exc)
    session.commit()
    return RedirectResponse(url, status_code=303)


@router.get("/login/oidc/callback", response_class=HTMLResponse, summary="统一身份认证登录回调",
            description="统一身份认证服务带 `code` 和 `state` 返回；校验身份令牌（签名、签发方、受众、有效期、nonce）后，"
                        "按公民身份号码找到信用主体本人的账户并登录；否则为说明原因的页面（401）。")
def oidc_callback(request: Request, session: SessionDep, who: Anyone,
                  code: Annotated[str, Query(max_length=2000)] = "", state: Annotated[str, Query(max_length=200)] = "",
                  error: Annotated[str, Query(max_length=200)] = "") -> Response:
    access.limit_address(request, "oidc-login", get_settings().login_rate_per_ip,
                         get_settings().login_rate_window_seconds)
    try:
        if error:
            raise oidc.OidcRefused("身份认证服务未完成登录", f"the provider answered {error}")
        done = oidc.finish(session, code=code, state=state)
        if accounts.is_locked(done.user):
            raise oidc.OidcRefused("账户已被锁定，请稍后再试或联系管理员", "the account is locked")
    except XinyongError as exc:
        session.commit()  # the state stays used
        events.emit(session, events.AccountEvent(
            who=Principal(None, "oidc", None, None, via="oidc"), action="login_failed", entity="user", entity_id=None,
            after={"reason": exc.en, "step": "oidc"}, ip=access.client_ip(request),
            request_id=getattr(request.state, "request_id", None)))
        session.commit()
        return _refused(request, exc)
    raw, ws = accounts.start_session(session, done.user, ip=access.client_ip(request),
                                     user_agent=request.headers.get("user-agent"))
    if ws.stage != "full":
        raw = accounts.rotate_session(session, ws, "full")
    principal = accounts.principal_of(session, done.user, via="session")
    events.emit(session, events.AccountEvent(
        who=principal, action="login", entity="user", entity_id=str(done.user.id),
        after={"stage": "full", "step": "oidc", "sub": str(done.claims.get("sub"))[:100]},
        ip=access.client_ip(request), request_id=getattr(request.state, "request_id", None)))
    session.commit()
    response = RedirectResponse(_safe_next(done.next_url), status_code=303)
    access.set_session_cookie(response, raw, request)
    return response
