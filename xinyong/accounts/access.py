"""Access control for every route: who is asking, and may they.

Every route declares who may call it with :func:`allow`::

    @router.get("/things/{id}")
    def thing(who: Annotated[Principal, allow("checker", "admin")], ...): ...

    @router.get("/")                        # everyone, logged in or not
    def home(who: Annotated[Principal, allow(public=True)], ...): ...

The dependency resolves the caller once per request, from ``Authorization: Bearer <token>``
(API tokens of departments' systems) or from the session cookie (web pages), and answers 401
when not logged in (a page request is redirected to ``/login``) and 403 when the role is not
allowed. It also enforces, for every route:

- CSRF: an unsafe request (POST, PUT, PATCH, DELETE) authenticated by the session cookie must
  carry the session's CSRF token, in the ``X-CSRF-Token`` header (htmx, scripts) or the
  ``csrf_token`` form field (forms: ``{{ csrf_field() }}``); an anonymous page form (the login
  page) must carry the value of the ``xinyong_csrf`` cookie (double submit). Calls with an API
  token, and anonymous API calls that carry no cookie, have no ambient credentials to forge
  and are exempt.
- The second factor: an administrator's session is good for nothing but TOTP enrolment until a
  code has been confirmed (routes marked ``setup=True``); a password that was generated must
  be changed the same way.
- The API rate limit per token, and for callers not logged in a rate limit per address
  (``PUBLIC_RATE_PER_IP``); the address is the connection's, or the one a configured trusted
  proxy names (:class:`xinyong.web.security.ClientAddressMiddleware`).

The callable carries ``.rule`` (an :class:`AccessRule`), so a test can read each route's rule
from the app's route table (:func:`route_rules`): a route without one fails the suite.
Region scope is checked in the route, against the object it reads, with :func:`ensure_region`.
"""

from __future__ import annotations

import hmac
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from markupsafe import Markup, escape
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from xinyong.accounts import ratelimit, service, token_cache
from xinyong.accounts import secrets as keys
from xinyong.accounts.models import ApiToken, User, WebSession
from xinyong.accounts.principal import PUBLIC, Principal
from xinyong.accounts.roles import ROLES
from xinyong.core import templating as core_templating
from xinyong.core.db import utcnow
from xinyong.core.errors import Forbidden, TooManyRequests, Unauthorized
from xinyong.core.http import SessionDep
from xinyong.core.settings import get_settings

log = logging.getLogger("xinyong.accounts")

SESSION_COOKIE = "xinyong_session"
CSRF_COOKIE = "xinyong_csrf"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
API_PREFIX = "/api/"


@dataclass(frozen=True)
class AccessRule:
    """Who may call a route: these roles, or everyone (``public``: the anonymous visitor too)."""

    roles: frozenset[str]
    public: bool = False

    def admits(self, role: str | None) -> bool:
        return self.public or (role is not None and role in self.roles)


@dataclass
class Caller:
    """What a request resolved to (kept on ``request.state.caller``). A token answered from
    :mod:`xinyong.accounts.token_cache` comes with no database objects (``user`` and ``token``
    are None), only its expiry."""

    principal: Principal
    user: User | None = None
    web_session: WebSession | None = None
    token: ApiToken | None = None
    token_expires_at: datetime | None = None

    @property
    def stage(self) -> str | None:
        return self.web_session.stage if self.web_session is not None else None


class SecondFactorRequired(Forbidden):
    def __init__(self) -> None:
        super().__init__("管理员须先设置动态验证码（TOTP）", "administrators must enrol a second factor (TOTP) first",
                         redirect="/account/totp")


class PasswordChangeRequired(Forbidden):
    def __init__(self) -> None:
        super().__init__("请先修改初始密码", "change the initial password first", redirect="/account/password")


class CsrfFailed(Forbidden):
    def __init__(self) -> None:
        super().__init__("请求缺少有效的 CSRF 令牌，请刷新页面后重试", "missing or wrong CSRF token")


def _is_api(request: Request) -> bool:
    return request.url.path.startswith(API_PREFIX)


def client_ip(request: Request) -> str:
    """The caller's address: the connection's, which ``ClientAddressMiddleware`` has replaced by
    the one in X-Forwarded-For only when the connection came from a trusted proxy."""
    return request.client.host if request.client else "-"


def limit_address(request: Request, bucket: str, limit: int, window: float) -> None:
    """429 (with Retry-After) when this address has used up ``limit`` hits of ``bucket`` within
    ``window`` seconds; else the hit is counted."""
    wait = ratelimit.api_limiter.hit(f"{bucket}:{client_ip(request)}", limit, window)
    if wait:
        raise TooManyRequests(f"请求过于频繁，请 {int(wait) + 1} 秒后再试",
                              f"rate limit reached: retry in {int(wait) + 1} s", retry_after=int(wait) + 1)


def login_url(request: Request) -> str:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return "/login?next=" + quote(target, safe="")


def _remember(request: Request, caller: Caller) -> Caller:
    request.state.caller = caller
    request.state.principal = caller.principal
    return caller


def resolve(request: Request, db) -> Caller:
    """The caller of this request (cached on the request)."""
    cached = getattr(request.state, "caller", None)
    if cached is not None:
        return cached
    return _remember(request, _resolve(request, db))


def resolve_without_database(request: Request) -> Caller | None:
    """The caller when it is known without a query — resolved earlier in this request, or an
    API token resolved in the last few seconds (:mod:`xinyong.accounts.token_cache`) — else
    None. Runs on the event loop: no thread, no database."""
    cached = getattr(request.state, "caller", None)
    if cached is not None:
        return cached
    raw = _bearer(request)
    if not raw:
        return None
    s = get_settings()
    hit = token_cache.tokens.get(s.effective_database_url, keys.sha256_hex(raw))
    if hit is None:
        return None
    if utcnow() >= hit.expires_at:
        raise service.TokenInvalid("API 令牌已过期", "the API token has expired")
    _rate_limit(hit.token_id)
    return _remember(request, Caller(hit.principal, token_expires_at=hit.expires_at))


def _bearer(request: Request) -> str | None:
    """The token of ``Authorization: Bearer <token>``; None without the header; 401 for a
    header of another form."""
    auth = request.headers.get("authorization")
    if not auth:
        return None
    scheme, _, raw = auth.partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        raise Unauthorized("Authorization 头应为 Bearer <令牌>", "Authorization must be 'Bearer <token>'")
    return raw.strip()


def _rate_limit(token_id: int) -> None:
    s = get_settings()
    wait = ratelimit.api_limiter.hit(f"token:{token_id}", s.api_rate_per_token, s.api_rate_window_seconds)
    if wait:
        raise TooManyRequests(f"请求过于频繁，请 {int(wait) + 1} 秒后再试",
                              f"rate limit reached: retry in {int(wait) + 1} s", retry_after=int(wait) + 1)


def _resolve(request: Request, db) -> Caller:
    raw = _bearer(request)
    if raw:
        token, user = service.resolve_token(db, raw)
        _rate_limit(token.id)
        principal = service.principal_of(db, user, via="token", token=token)
        s = get_settings()
        token_cache.tokens.put(s.effective_database_url, token.token_hash, principal, token.id, token.expires_at,
                               s.token_cache_seconds)
        return Caller(principal, user, None, token, token.expires_at)
    found = service.resolve_session(db, request.cookies.get(SESSION_COOKIE))
    if found is None:
        return Caller(PUBLIC)
    ws, user = found
    if ws.stage == "totp":  # the password was right; until the code comes, still the public
        return Caller(PUBLIC, user, ws)
    return Caller(service.principal_of(db, user, via="session"), user, ws)


async def _submitted_csrf(request: Request) -> str | None:
    """The CSRF token an unsafe request carries (header, or form field)."""
    if request.method in SAFE_METHODS:
        return None
    given = request.headers.get(CSRF_HEADER)
    if given:
        return given
    ctype = request.headers.get("content-type", "")
    if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        try:
            form = await request.form()  # Starlette keeps it: the route reads the same form
        except Exception:  # a malformed body: the route's own validation answers
            return None
        value = form.get(CSRF_FIELD)
        return value if isinstance(value, str) else None
    return None


SubmittedCsrf = Annotated[str | None, Depends(_submitted_csrf)]


def expected_csrf(request: Request, caller: Caller | None = None) -> str | None:
    """The token a form on this page must send back: the session's, or the CSRF cookie's."""
    caller = caller or getattr(request.state, "caller", None)
    if caller is not None and caller.web_session is not None:
        return caller.web_session.csrf_token
    return request.cookies.get(CSRF_COOKIE) or request.scope.get("state", {}).get("csrf_cookie")


def check_csrf(request: Request, caller: Caller, submitted: str | None) -> None:
    if request.method in SAFE_METHODS or caller.principal.via == "token":
        return
    if caller.web_session is None and _is_api(request) and not request.cookies:
        return  # an anonymous API call with no cookie has no ambient credentials to forge
    expected = expected_csrf(request, caller) if caller.web_session is not None else request.cookies.get(CSRF_COOKIE)
    if not expected or not submitted or not hmac.compare_digest(expected.encode(), submitted.encode()):
        raise CsrfFailed()


def allow(*roles: str, public: bool = False, setup: bool = False) -> Any:
    """A dependency admitting ``roles`` (or everyone, with ``public=True``), to be used as
    ``who: Annotated[Principal, allow(...)]`` or in ``dependencies=[allow(...)]``.
    ``setup=True`` marks an account set-up page (TOTP enrolment, password change) that stays
    reachable while an account must still do those."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles: {sorted(unknown)}")
    if not roles and not public:
        raise ValueError("allow() needs roles or public=True")
    rule = AccessRule(frozenset(roles), public)

    async def check_access(request: Request, db: SessionDep, submitted: SubmittedCsrf) -> Principal:
        # asynchronous: a caller known without a query is admitted on the event loop; only a
        # look-up goes through the thread pool (about half a millisecond a trip on two cores)
        caller = resolve_without_database(request)
        if caller is None:
            caller = await run_in_threadpool(resolve, request, db)
        check_csrf(request, caller, submitted)
        who = caller.principal
        if caller.web_session is not None and not setup and not who.is_public:
            if caller.stage == "enrol":
                raise SecondFactorRequired()
            if caller.user is not None and caller.user.must_change_password:
                raise PasswordChangeRequired()
        if who.is_public and not rule.public:
            raise Unauthorized(redirect=None if _is_api(request) else login_url(request))
        if who.is_public:
            s = get_settings()
            limit_address(request, "public", s.public_rate_per_ip, s.public_rate_window_seconds)
        if not rule.admits(who.role):
            raise Forbidden(f"角色“{ROLES.get(who.role or '', who.role)}”无权访问此功能",
                            f"role {who.role} may not use this")
        return who

    check_access.rule = rule  # type: ignore[attr-defined]
    check_access.setup = setup  # type: ignore[attr-defined]
    return Depends(check_access)


def ensure_region(who: Principal, region_code: str | None) -> None:
    """403 unless the principal's region scope covers ``region_code``."""
    if not who.covers(region_code):
        raise Forbidden("超出您的地区权限范围", f"region {region_code} is outside {who.label}'s scope")


def sees_in_full(who: Principal, subject_id: int, region_code: str | None) -> bool:
    """Whether ``who`` may read a subject's file in full (授权查询 and 政务共享 records too): the
    subject itself, or an official whose region scope covers the subject."""
    return who.owns(subject_id) or (who.is_official and who.covers(region_code))


# --- the route table -----------------------------------------------------------------------


def rule_of(route: Any) -> AccessRule | None:
    """The access rule an APIRoute declares (through its dependencies at any depth)."""
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return None
    stack = list(dependant.dependencies)
    while stack:
        dep = stack.pop()
        rule = getattr(dep.call, "rule", None)
        if isinstance(rule, AccessRule):
            return rule
        stack.extend(dep.dependencies)
    return None


# --- the CSRF cookie -----------------------------------------------------------------------


class CsrfCookieMiddleware:
    """Gives every browser a random ``xinyong_csrf`` cookie (SameSite=Strict, HttpOnly) on its
    first page, so that anonymous forms (the login page) can be checked by double submit. The
    new value is on ``request.state.csrf_cookie`` for the page that sets it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or path.startswith(("/api/", "/static/", "/vendor/")):
            await self.app(scope, receive, send)
            return
        for key, value in scope.get("headers", ()):
            if key == b"cookie" and f"{CSRF_COOKIE}=".encode() in value:
                await self.app(scope, receive, send)
                return
        token = keys.random_token(24)
        scope.setdefault("state", {})["csrf_cookie"] = token
        secure = "; Secure" if cookie_secure(scope) else ""
        cookie = f"{CSRF_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict{secure}"

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).append("Set-Cookie", cookie)
            await send(message)

        await self.app(scope, receive, send_with_cookie)


_LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})
_PROXY_HEADERS = frozenset({b"x-forwarded-for", b"x-forwarded-proto", b"x-forwarded-host", b"forwarded"})


def cookie_secure(scope: Scope) -> bool:
    """Whether the session and CSRF cookies are marked ``Secure`` (``XINYONG_COOKIE_SECURE``).
    ``auto`` (the default): always, except for a browser on the server itself over plain http —
    the connection's client and server both loopback, no proxy header on the request — which is
    the demo on 127.0.0.1. A reverse proxy on the same machine adds X-Forwarded-For (or is a
    trusted proxy whose forwarded address replaced the client), so production is Secure even
    when the server listens on loopback behind it (docs/deployment.md)."""
    mode = get_settings().cookie_secure
    if mode != "auto":
        return mode == "true"
    if scope.get("scheme") == "https":
        return True
    client, server = scope.get("client") or ("", 0), scope.get("server") or ("", 0)
    if client[0] not in _LOOPBACK or server[0] not in _LOOPBACK:
        return True
    return any(key in _PROXY_HEADERS for key, _ in scope.get("headers", ()))


def set_session_cookie(response: Any, raw: str, request: Request | None = None) -> None:
    s = get_settings()
    secure = cookie_secure(request.scope) if request is not None else s.cookie_secure != "false"
    response.set_cookie(
        SESSION_COOKIE, raw, max_age=s.session_max_hours * 3600, httponly=True, samesite="lax",
        secure=secure, path="/",
    )


def clear_session_cookie(response: Any) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")


# --- what every page knows about its reader ------------------------------------------------


def _page_context(request: Request) -> dict[str, Any]:
    """``csrf_token`` and ``csrf_field()`` for forms, ``me`` (the Principal) and ``role_names``
    for the navigation."""
    caller = getattr(request.state, "caller", None)
    token = expected_csrf(request, caller) or ""

    def csrf_field() -> Markup:
        return Markup(f'<input type="hidden" name="{CSRF_FIELD}" value="{escape(token)}">')

    me = caller.principal if caller is not None else PUBLIC
    return {
        "csrf_token": token,
        "csrf_field": csrf_field,
        "me": me,
        "role_names": ROLES,
        "nav": nav_for(request, me),
        "may_open": lambda href: may_open(request, me, href),
    }


def _page_rules(app: Any) -> dict[str, AccessRule]:
    """The access rule of every GET page of ``app`` by its path (kept on the app: the routes do
    not change once it serves)."""
    rules = getattr(app.state, "page_rules", None)
    if rules is None:
        from fastapi import routing

        rules = {}
        for ctx in routing.iter_route_contexts(app.routes):
            rule = rule_of(ctx.original_route)
            if ctx.path and rule is not None and "GET" in (ctx.methods or ()):
                rules.setdefault(ctx.path, rule)
        app.state.page_rules = rules
    return rules


def may_open(request: Request, who: Principal, href: str) -> bool:
    """Whether the page at ``href`` (a path without parameters) admits ``who``: a page links to
    another (a breadcrumb, a see-also) only where the reader may open it."""
    app = request.scope.get("app")
    rule = _page_rules(app).get(href.partition("?")[0]) if app is not None else None
    return rule is not None and (rule.public or (not who.is_public and rule.admits(who.role)))


def nav_for(request: Request, who: Principal) -> list[tuple[str, str]]:
    """The top navigation as ``who`` sees it: the entries whose page admits its role, read from
    each page's own access rule, so the menu cannot offer a page that answers 403 — nor, to the
    public, one that only sends it to the login page."""
    app = request.scope.get("app")
    if app is None:
        return [(label, href) for label, href in core_templating.NAV if href == "/"]
    rules = _page_rules(app)
    shown = []
    for label, href in core_templating.NAV:
        rule = rules.get(href.partition("?")[0])
        if rule is not None and (rule.public or (not who.is_public and rule.admits(who.role))):
            shown.append((label, href))
    return shown


core_templating.add_context_processor(_page_context)
