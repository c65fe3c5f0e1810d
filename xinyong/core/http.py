"""What every capability's ``api.py`` and ``pages.py`` share: a database session per request
and the error body the API answers with.

These live in ``core`` (not in ``web``) because DESIGN.md's table is the dependency order: a
capability may import only the packages above it, and ``web``, which assembles the app, sits
below them all. FastAPI caches a dependency within one request, so a route that asks for the
session twice (directly and through another dependency) still opens one session.
"""

from __future__ import annotations

import weakref
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from xinyong.core.db import MAX_ID, get_engine, session_factory


def request_meta(request: Request) -> dict[str, str | None]:
    """What an audit entry records of the request a write came in: its id and the caller's
    address, as keyword arguments for a service call."""
    return {"request_id": getattr(request.state, "request_id", None),
            "ip": request.client.host if request.client else None}


async def get_session() -> AsyncIterator[Session]:
    """One session per request, closed (and so rolled back if uncommitted) afterwards.

    Asynchronous on purpose: making a session touches no database (it connects on first use,
    in the route's worker thread), and closing one that holds no transaction — the route
    committed — only hands its connection back to the pool. So neither needs a trip through
    the thread pool, which costs each request about half a millisecond per synchronous
    dependency on two cores. Closing a session that is still in a transaction rolls it back, a
    round trip to the database: that goes to the thread pool."""
    session = _sessions()()
    try:
        yield session
    finally:
        if session.in_transaction():
            await run_in_threadpool(session.close)
        else:
            session.close()


def _sessions():
    """The session factory of the settings' engine (made once per engine)."""
    engine = get_engine()
    factory = _factories.get(engine)
    if factory is None:
        factory = _factories[engine] = session_factory(engine)
    return factory


_factories: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # engines come and go in tests


SessionDep = Annotated[Session, Depends(get_session)]

# A path or query parameter that names a row (or an offset) is bounded by MAX_ID, so a huge
# number is a 422, not a driver error.
__all__ = ["MAX_ID", "XLSX", "ErrorBody", "ErrorDetail", "SessionDep", "error_responses", "get_session",
           "xlsx_response"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- the error body ----------------------------------------------------------------------------


class ErrorDetail(BaseModel):
    message: str = Field(description="中文说明，给办事人员看")
    message_en: str = Field(description="The same in English")
    field: str | None = Field(None, description="The parameter at fault, when one is")
    errors: list[dict[str, Any]] | None = Field(None, description="Validation errors (422 only)")


class ErrorBody(BaseModel):
    detail: ErrorDetail


def xlsx_response(description: str) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route that answers an XLSX file (with ``response_class=Response``),
    so that the OpenAPI document gives the file's content type, not JSON."""
    return {200: {"description": description,
                  "content": {XLSX: {"schema": {"type": "string", "format": "binary"}}}}}


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route: the error body under each status code."""
    text = {401: "未登录或登录已失效", 403: "无权访问或不予公开", 404: "不存在", 422: "参数有误", 429: "请求过于频繁"}
    return {code: {"model": ErrorBody, "description": text.get(code, "错误")} for code in codes}
