"""Hardening that applies to every response and request, whatever the route: security headers,
a cap on the size of a request body, the caller's address (X-Forwarded-For believed only from
configured proxies) and an access log without identity numbers.

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
import ipaddress
import json
import logging
import re

from starlette.datastructures import MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from xinyong.core.masking import mask_ids_in_text

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


# --- the caller's address --------------------------------------------------------------------

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(text: str) -> tuple[Network, ...]:
    """``TRUSTED_PROXIES`` (addresses or CIDR networks, comma-separated) as networks; a wrong
    entry stops start-up with its name rather than trusting something unintended."""
    out = []
    for item in (text or "").split(","):
        item = item.strip()
        if not item:
            continue
        try:
            out.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ValueError(f"XINYONG_TRUSTED_PROXIES: “{item}” is not an address or network") from None
    return tuple(out)


def _in(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in n for n in networks)


class ClientAddressMiddleware:
    """The caller's address for rate limits, sessions, the audit log and the access log.

    ``X-Forwarded-For`` is believed only when the connection comes from a configured trusted
    proxy, and then read from the right: each trusted proxy appends the address it saw, so the
    first address from the right that is not a trusted proxy is the caller; whatever a client
    wrote further left is its own claim and ignored. Without trusted proxies (the default) the
    header is never read, whoever connects — loopback included (uvicorn's own proxy handling,
    which trusts 127.0.0.1, is switched off in ``xinyong serve``)."""

    def __init__(self, app: ASGIApp, trusted: str) -> None:
        self.app = app
        self.networks = parse_networks(trusted)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.networks and scope["type"] in ("http", "websocket"):
            client = scope.get("client")
            if client and _in(client[0], self.networks):
                chain = [
                    a.strip() for key, value in scope.get("headers", ()) if key == b"x-forwarded-for"
                    for a in value.decode("latin-1").split(",") if a.strip()
                ]
                for address in reversed(chain):
                    if not _in(address, self.networks):
                        scope["client"] = (address, 0)
                        break
        await self.app(scope, receive, send)


# --- the access log ------------------------------------------------------------------------


class MaskIdentityNumbers(logging.Filter):
    """Masks identity numbers in the access log's request lines (``GET /api/v1/subjects/3301…``):
    an official may look a person up by number in a URL, and a log file is kept longer and read
    by more people than the audit log, which never holds a whole number (docs/privacy.md)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and record.args:
            record.args = tuple(mask_ids_in_text(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.msg, str):
            record.msg = mask_ids_in_text(record.msg)
        return True


ACCESS_LOGGERS = ("uvicorn.access", "uvicorn.error", "gunicorn.access")


def mask_access_logs() -> None:
    """Installs :class:`MaskIdentityNumbers` on the servers' loggers (once)."""
    for name in ACCESS_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, MaskIdentityNumbers) for f in logger.filters):
            logger.addFilter(MaskIdentityNumbers())
