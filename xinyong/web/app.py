"""The FastAPI application: every capability's API router and pages, static files, errors.

Each capability that has an ``api.py`` or ``pages.py`` with a ``router`` is included, in the
order of DESIGN.md's table, so a new capability plugs in by adding those files. Errors are one
shape everywhere: a :class:`XinyongError` becomes ``{"detail": {"message", "message_en"}}`` with
its status under ``/api`` and an error page in Chinese elsewhere. Every response carries an
``X-Request-ID`` (the caller's, when it sent a sensible one).
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Annotated

from fastapi import FastAPI, Request, routing
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import DataError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import xinyong
from xinyong.accounts.access import CsrfCookieMiddleware, allow
from xinyong.accounts.principal import Principal
from xinyong.core import gc_thresholds
from xinyong.core.errors import XinyongError
from xinyong.core.settings import get_settings
from xinyong.web import templating
from xinyong.web.security import (
    BodySizeLimitMiddleware,
    ClientAddressMiddleware,
    SecurityHeadersMiddleware,
    allow_inline_scripts,
    mask_access_logs,
)
from xinyong.web.templating import STATIC_DIR, VENDOR_DIRS, render, vendor_available

log = logging.getLogger("xinyong.web")

API_PREFIX = "/api/v1"
# Capabilities in dependency order (DESIGN.md); those without api.py / pages.py are skipped.
# Except that push comes before checks: its pages live under /checks/push, which the checks'
# /checks/{check_id} would otherwise take (routes match in the order they are included).
CAPABILITIES = (
    "accounts", "audit", "subjects", "catalog", "records", "commitments", "lists", "push", "checks",
    "redress", "supervision", "evaluation", "monitoring", "disclosure", "exchange", "jobs",
)
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")

HTTP_MESSAGES = {
    404: ("页面或资源不存在", "not found"),
    405: ("不支持该请求方式", "method not allowed"),
    500: ("系统内部错误，请稍后重试", "internal server error"),
}


class RequestIdMiddleware:
    """Sets ``X-Request-ID`` on every response (a new uuid4 unless the request brought one) and
    keeps it on ``request.state.request_id`` for logs and the change log."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = None
        for key, value in scope.get("headers", ()):
            if key == b"x-request-id":
                given = value.decode("latin-1")
                break
        request_id = given if given and _REQUEST_ID.match(given) else str(uuid.uuid4())
        scope.setdefault("state", {})["request_id"] = request_id
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                MutableHeaders(scope=message)["X-Request-ID"] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            log.exception("unhandled error (request %s)", request_id)
            if not started:  # answer here, so the 500 carries the request id too
                response = _error_response(Request(scope), 500, *HTTP_MESSAGES[500])
                await response(scope, receive, send_with_id)
            raise


def _is_api(request: Request) -> bool:
    return request.url.path == API_PREFIX or request.url.path.startswith(API_PREFIX + "/")


def _error_response(request: Request, status: int, zh: str, en: str, extra: dict | None = None) -> Response:
    if _is_api(request):
        return JSONResponse({"detail": {"message": zh, "message_en": en, **(extra or {})}}, status_code=status)
    try:
        return render(request, "error.html", {"status": status, "message": zh, "message_en": en}, status_code=status)
    except Exception:  # the error page itself failed: plain text, never a second traceback
        log.exception("error page failed")
        return HTMLResponse(f"<h1>{status}</h1><p>{zh}</p>", status_code=status)


async def _xinyong_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, XinyongError)
    redirect = getattr(exc, "redirect", None)  # accounts: a page asking for login or TOTP enrolment
    if _is_api(request):
        response: Response = JSONResponse({"detail": exc.as_dict()}, status_code=exc.status_code)
    elif redirect and request.method in ("GET", "HEAD"):
        response = RedirectResponse(redirect, status_code=303)
    else:
        response = _error_response(request, exc.status_code, exc.zh, exc.en)
    response.headers.update(getattr(exc, "headers", None) or {})  # e.g. Retry-After on 429
    return response


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = jsonable_encoder(exc.errors(), exclude={"input", "url", "ctx"})
    fields = "、".join(str(e["loc"][-1]) for e in errors if e.get("loc")) or "请求"
    return _error_response(
        request, 422, f"参数有误：{fields}", f"invalid request parameters: {fields}", {"errors": errors}
    )


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    zh, en = HTTP_MESSAGES.get(exc.status_code, (str(exc.detail), str(exc.detail)))
    response = _error_response(request, exc.status_code, zh, en)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


async def _data_error(request: Request, exc: Exception) -> Response:
    """PostgreSQL refuses a text with a NUL character (``\\x00``) that SQLite stores: such input
    is the caller's error, a 422 on both databases, never a 500. Any other data error is not
    the caller's to fix and stays a 500."""
    if "NUL (0x00)" in str(getattr(exc, "orig", exc)):
        return _error_response(request, 422, "请求中含有空字符（NUL），请删除后重试",
                               "the request holds a NUL character")
    raise exc


def _routers(module_name: str):
    for capability in CAPABILITIES:
        name = f"xinyong.{capability}.{module_name}"
        try:
            found = importlib.util.find_spec(name)
        except ModuleNotFoundError:
            found = None
        if found is None:
            continue
        router = getattr(importlib.import_module(name), "router", None)
        if router is not None:
            yield router


@dataclass(frozen=True)
class RouteInfo:
    path: str
    methods: frozenset[str]
    summary: str | None
    description: str | None
    in_schema: bool
    mount: bool = False


def route_table(app: FastAPI) -> list[RouteInfo]:
    """Every route of the app with its full path. FastAPI ≥ 0.16x keeps included routers
    nested (``app.routes`` holds one entry per router), so walk them the way it does."""
    out = []
    for ctx in routing.iter_route_contexts(app.routes):
        original = ctx.original_route
        if isinstance(original, Mount):
            out.append(RouteInfo(original.path, frozenset(), None, None, False, mount=True))
            continue
        path = ctx.path
        if path is None:
            continue
        out.append(RouteInfo(
            path=path,
            methods=frozenset(ctx.methods or ()),
            summary=getattr(original, "summary", None),
            description=getattr(original, "description", None),
            in_schema=bool(getattr(original, "include_in_schema", False)),
        ))
    return out


# What any operation may answer besides its own responses, from the layers in front of every
# route: a body that is not JSON (400), a missing or bad token (401), the access rules (403), a
# body over XINYONG_MAX_REQUEST_MB (413, operations that take a body), parameters that do not
# validate (422), a rate limit (429). Each with the one error body.
COMMON_ERRORS = {
    "400": "请求格式有误（如请求体不是有效的 JSON）",
    "401": "未登录、令牌无效或已失效",
    "403": "无权访问或不予公开",
    "413": "请求体超过上限",
    "422": "参数有误",
    "429": "请求过于频繁",
}


def document_common_errors(schema: dict) -> dict:
    """Add :data:`COMMON_ERRORS` to every operation of an OpenAPI document that does not
    document them already, so that every answer the API can give is in its document."""
    ref = {"$ref": "#/components/schemas/ErrorBody"}
    for ops in schema.get("paths", {}).values():
        for op in ops.values():
            responses = op.setdefault("responses", {})
            for code, text in COMMON_ERRORS.items():
                if code == "413" and "requestBody" not in op:
                    continue
                responses.setdefault(code, {"description": text, "content": {"application/json": {"schema": ref}}})
    return schema


def sweep_orphans() -> None:
    """Uploads a stopped process left behind (raw identity numbers, possibly megabytes) are
    deleted when a web process starts, and the check batches they fed are marked failed; files
    another live process is working on are held and stay (:mod:`xinyong.core.spool`)."""
    from xinyong.checks import jobs
    from xinyong.records import uploads

    for sweep in (uploads.sweep_orphans, jobs.sweep_orphans):
        try:
            sweep()
        except Exception:  # a sweep that fails must not keep the platform from starting
            log.exception("start-up sweep of orphaned uploads failed")


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    await run_in_threadpool(sweep_orphans)
    gc_thresholds.freeze_once()  # full collections walk only what requests make (gc_thresholds)
    yield


def wire_accounts() -> None:
    """accounts sits above subjects and catalog: give its pages (as :mod:`xinyong.cli` gives its
    command line) the look-ups of a subject by code and of the catalog's categories."""
    from xinyong.accounts.cli import HOOKS
    from xinyong.catalog.service import active_version
    from xinyong.subjects import service as subjects

    def resolve_subject(session, ref: str) -> tuple[int, str]:
        subject = subjects.get_by_ref(session, ref)
        return subject.id, subject.region_code

    def category_names(session) -> dict[str, str]:
        return {c.code: c.name for c in active_version(session)[1].catalog.categories}

    def subject_regions(session, ids: set[int]) -> dict[int, str]:
        from sqlalchemy import select

        from xinyong.subjects.models import Subject

        if not ids:
            return {}
        return dict(session.execute(select(Subject.id, Subject.region_code).where(Subject.id.in_(ids))).all())

    HOOKS.resolve_subject = HOOKS.resolve_subject or resolve_subject
    HOOKS.subject_regions = HOOKS.subject_regions or subject_regions
    _wire_audit()
    HOOKS.known_categories = HOOKS.known_categories or (lambda session: set(category_names(session)))
    HOOKS.category_names = HOOKS.category_names or category_names


def _wire_audit() -> None:
    """audit sits above subjects: give its log page the subject look-ups (by name or code, and
    how a subject is shown, masked)."""
    from sqlalchemy import select

    from xinyong.audit.pages import LOOKUPS
    from xinyong.core.errors import XinyongError as Error
    from xinyong.subjects import schemas as shown
    from xinyong.subjects import service as subjects
    from xinyong.subjects.models import Subject

    def find_subjects(session, text: str) -> list[int]:
        if len(text) == 18 and text.isalnum():
            try:
                return [subjects.get_by_code(session, text.upper()).id]
            except Error:
                return []
        return list(session.scalars(select(Subject.id).where(Subject.name == text).order_by(Subject.id).limit(50)))

    def subject_labels(session, ids: set[int]) -> dict[int, str]:
        if not ids:
            return {}
        rows = session.scalars(select(Subject).where(Subject.id.in_(ids)))
        return {s.id: f"{shown.subject_name(s)}（{shown.subject_code(s)}）" for s in rows}

    LOOKUPS.find_subjects = LOOKUPS.find_subjects or find_subjects
    LOOKUPS.subject_labels = LOOKUPS.subject_labels or subject_labels


def create_app() -> FastAPI:
    wire_accounts()
    app = FastAPI(
        lifespan=_lifespan,
        title="xinyong 公共信用信息平台",
        version=xinyong.__version__,
        description=(
            "浙江省公共信用信息平台的接口：信用主体、信用记录与政策清单。"
            "身份证号码与自然人姓名一律脱敏；自然人的授权查询、政务共享信息只给出条数。"
        ),
        openapi_url=None,  # served below, with an access rule like every route
        docs_url=None,  # served below from /vendor: the server may have no internet
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
    )
    app.openapi_url = f"{API_PREFIX}/openapi.json"  # where the route below serves it
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=get_settings().max_request_mb * 1024 * 1024)
    app.add_middleware(RequestIdMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(CsrfCookieMiddleware)  # accounts: the double-submit cookie for anonymous forms
    app.add_middleware(ClientAddressMiddleware, trusted=get_settings().trusted_proxies)  # outermost: first to run
    mask_access_logs()
    app.add_exception_handler(XinyongError, _xinyong_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(DataError, _data_error)

    for router in _routers("api"):
        app.include_router(router, prefix=API_PREFIX)
    from xinyong.web.pages import router as home_router

    app.include_router(home_router)
    for router in _routers("pages"):
        app.include_router(router)
    app.include_router(importlib.import_module("xinyong.evaluation.review_pages").router)  # 模型复核

    @app.get(
        f"{API_PREFIX}/openapi.json",
        include_in_schema=False,
        summary="OpenAPI 文档",
        description="The OpenAPI document of the API (public: it describes the interface, not data).",
    )
    def openapi_document(who: Annotated[Principal, allow(public=True)]) -> JSONResponse:
        return JSONResponse(app.openapi())

    plain_openapi = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            app.openapi_schema = document_common_errors(plain_openapi())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]

    @app.get(
        f"{API_PREFIX}/docs",
        include_in_schema=False,
        summary="接口文档（Swagger UI）",
        description="The interactive API documentation, served from the npm package, not from a CDN.",
    )
    def api_docs(who: Annotated[Principal, allow(public=True)]) -> HTMLResponse:
        return allow_inline_scripts(get_swagger_ui_html(
            openapi_url=f"{API_PREFIX}/openapi.json",
            title="xinyong 接口文档",
            swagger_js_url="/vendor/swagger/swagger-ui-bundle.js",
            swagger_css_url="/vendor/swagger/swagger-ui.css",
            swagger_favicon_url="/vendor/swagger/favicon-32x32.png",
        ))

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    vendor_available.cache_clear()
    for name, directory in VENDOR_DIRS.items():
        if directory.is_dir():
            app.mount(f"/vendor/{name}", StaticFiles(directory=directory), name=f"vendor-{name}")
    if not all(vendor_available().values()):
        log.warning("npm packages missing under %s: run `npm install` for charts and live search",
                    templating.NODE_MODULES)
    return app
