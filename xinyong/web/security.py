"""Hardening that applies to every response and request, whatever the route: security headers
and a cap on the size of a request body.

Both are plain ASGI middleware rather than FastAPI dependencies so that they also cover static
files, error pages and routes that fail before a dependency runs. The body cap counts bytes as
they arrive, so a client that sends no ``Content-Length`` (chunked) is stopped as early as one
that announces too much; an upload route may not lower its guard because of it — it checks type
and size of the file it keeps (see ``records.uploads``).

The content security policy allows scripts only from this server: the pages load htmx, ECharts
and their own ``/static`` scripts and carry no inline script. Styles allow ``'unsafe-inline'``
because htmx adds its indicator style at run time and ECharts positions its tooltips with style
attributes; inline style cannot run code.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re

from starlette.datastructures import MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])

HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
}
# Pages and API answers may carry personal data: no shared cache may keep them.
NO_STORE = "no-store"
CACHEABLE_PREFIXES = ("/static/", "/vendor/")


class SecurityHeadersMiddleware:
    """Adds :data:`HEADERS` to every response, and ``Cache-Control: no-store`` to everything
    but static files (a response that set its own Cache-Control keeps it)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cacheable = scope.get("path", "").startswith(CACHEABLE_PREFIXES)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for key, value in HEADERS.items():
                    if key not in headers:
                        headers[key] = value
                if not cacheable and "cache-control" not in headers:
                    headers["Cache-Control"] = NO_STORE
            await send(message)

        await self.app(scope, receive, send_with_headers)


_INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.S)


def allow_inline_scripts(response: Response) -> Response:
    """Lets a page we did not write (Swagger UI's start-up script) run its own inline scripts,
    by hash: exactly those scripts, nothing injected later."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(body).digest()).decode() + "'"
        for body in _INLINE_SCRIPT.findall(response.body)
    )
    response.headers["Content-Security-Policy"] = CSP.replace("script-src 'self'", f"script-src 'self' {hashes}")
    return response


class BodyTooLarge(Exception):
    pass


class BodySizeLimitMiddleware:
    """Refuses a request body larger than ``max_bytes`` with 413 and a clear message, whether
    the client announced its length or not. Nothing is stored: the route never sees the body."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        for key, value in scope.get("headers", ()):
            if key == b"content-length":
                try:
                    announced = int(value)
                except ValueError:
                    announced = 0
                if announced > self.max_bytes:
                    await self._refuse(scope, send)
                    return
                break
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await self._refuse(scope, send)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        mb = self.max_bytes / 1024 / 1024
        zh = f"提交的内容超过 {mb:g} MB 上限，请拆分后分批提交"
        en = f"request body larger than {mb:g} MB: split it into smaller batches"
        path = scope.get("path", "")
        if path.startswith("/api/"):
            body = json.dumps({"detail": {"message": zh, "message_en": en}}, ensure_ascii=False).encode()
            ctype = b"application/json"
        else:
            body = f"<!doctype html><meta charset=utf-8><h1>413</h1><p>{zh}</p>".encode()
            ctype = b"text/html; charset=utf-8"
        await send({"type": "http.response.start", "status": 413, "headers": [
            (b"content-type", ctype), (b"content-length", str(len(body)).encode()), (b"connection", b"close"),
        ]})
        await send({"type": "http.response.body", "body": body})
