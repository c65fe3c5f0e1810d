"""Webhooks: a department's endpoint, the signature, and the deliverer that POSTs messages."""

from __future__ import annotations

import json
import secrets
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import (
    and_,
    exists,
    or_,
    select,
)
from sqlalchemy.orm import Session

from xinyong.accounts.models import Department
from xinyong.core.crypto import get_keyring
from xinyong.core.db import utcnow
from xinyong.core.errors import InvalidInput
from xinyong.core.settings import get_settings
from xinyong.push.common import SECRET_CONTEXT, SIGNATURE_HEADER
from xinyong.push.inbox import deliver, message_dict, subjects_of
from xinyong.push.models import PushEndpoint, PushMessage

# --- webhooks --------------------------------------------------------------------------------------


def sign(secret: str, body: bytes) -> str:
    """HMAC-SM3 of ``body`` under the endpoint's secret, as hex: the receiver recomputes it over
    the raw body and compares in constant time."""
    from cryptography.hazmat.primitives import hashes, hmac

    h = hmac.HMAC(secret.encode(), hashes.SM3())
    h.update(body)
    return h.finalize().hex()


def verify_signature(secret: str, body: bytes, header: str | None) -> bool:
    import hmac as std_hmac

    scheme, _, value = (header or "").partition("=")
    return scheme == "hmac-sm3" and std_hmac.compare_digest(value, sign(secret, body))


def set_endpoint(session: Session, department: Department, url: str, *, by: str, secret: str | None = None,
                 active: bool = True) -> tuple[PushEndpoint, str]:
    """Set the department's webhook; returns it and the secret (a new random one unless given),
    which is shown once and stored encrypted."""
    url = (url or "").strip()
    if not url.startswith(("http://", "https://")) or len(url) > 500:
        raise InvalidInput("推送地址须为 http:// 或 https:// 开头的网址（至多500字符）", "the URL must be http(s)",
                           field="url")
    secret = secret or secrets.token_urlsafe(32)
    if len(secret) < 16:
        raise InvalidInput("签名密钥至少16个字符", "the secret needs at least 16 characters", field="secret")
    cipher = get_keyring().encrypt(secret, SECRET_CONTEXT)
    ep = session.scalar(select(PushEndpoint).where(PushEndpoint.department_code == department.code))
    if ep is None:
        ep = PushEndpoint(department_code=department.code, url=url, secret_cipher=cipher, active=active,
                          updated_by=by, updated_at=utcnow())
        session.add(ep)
    else:
        ep.url, ep.secret_cipher, ep.active, ep.updated_by, ep.updated_at = url, cipher, active, by, utcnow()
    session.flush()
    return ep, secret


def endpoint_of(session: Session, department: Department) -> PushEndpoint | None:
    return session.scalar(select(PushEndpoint).where(PushEndpoint.department_code == department.code))


@dataclass
class Delivery:
    sent: int = 0  # messages delivered
    failed: int = 0  # messages whose POST failed (retried later, or given up)
    given_up: int = 0
    posts: int = 0
    errors: list[str] = field(default_factory=list)


Poster = Callable[[str, bytes, dict[str, str], float], int]


def http_post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
    """POST with the standard library; the HTTP status (an error status is returned, not raised)."""
    req = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 (http(s) only: set_endpoint)
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _backoff(attempts: int) -> timedelta:
    base = get_settings().push_retry_seconds
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 86_400))


def deliver_once(session: Session, *, limit: int = 100, post: Poster = http_post,
                 now: datetime | None = None) -> Delivery:
    """POST every due undelivered message to its department's active webhook, a department at
    a time, up to ``limit`` messages a POST, signed (``X-Xinyong-Signature: hmac-sm3=<hex>``
    over the body). A 2xx marks them delivered; anything else — an error status, a refused
    connection, a timeout — counts an attempt, keeps the error and waits ``push_retry_seconds``
    doubled per attempt; after ``push_max_attempts`` the deliverer gives up on the message (it
    stays for the pull API). Commits per POST. On PostgreSQL the rows are locked with SKIP
    LOCKED, so several deliverers never send the same message twice at once."""
    s = get_settings()
    now = now or utcnow()
    out = Delivery()
    due = and_(PushMessage.delivered_at.is_(None), PushMessage.attempts < s.push_max_attempts,
               or_(PushMessage.next_attempt_at.is_(None), PushMessage.next_attempt_at <= now))
    depts = list(session.scalars(
        select(PushEndpoint.department_code).where(PushEndpoint.active == True,  # noqa: E712
                                                    exists().where(PushMessage.department_code == PushEndpoint.department_code, due))))
    ring = get_keyring()
    for code in depts:
        ep = session.scalar(select(PushEndpoint).where(PushEndpoint.department_code == code))
        rows = list(session.scalars(
            select(PushMessage).where(PushMessage.department_code == code, due).order_by(PushMessage.id).limit(limit)
            .with_for_update(skip_locked=True)))
        if ep is None or not rows:
            session.rollback()
            continue
        shown = subjects_of(session, rows)
        body = json.dumps({"department": code, "messages": [message_dict(m, shown.get(m.subject_id)) for m in rows]},
                          ensure_ascii=False, separators=(",", ":")).encode()
        secret = ring.decrypt(ep.secret_cipher, SECRET_CONTEXT)
        headers = {"Content-Type": "application/json; charset=utf-8", SIGNATURE_HEADER: f"hmac-sm3={sign(secret, body)}",
                   "X-Xinyong-Delivery": secrets.token_hex(8), "User-Agent": "xinyong-push"}
        out.posts += 1
        try:
            status, error = post(ep.url, body, headers, s.push_webhook_timeout_seconds), None
            if not 200 <= status < 300:
                error = f"HTTP {status}"
        except Exception as exc:  # refused, timed out, DNS: all count as a failed attempt
            error = f"{type(exc).__name__}: {exc}"[:500]
        if error is None:
            deliver(session, rows, "push-webhook", channel="webhook", shown=shown)
            out.sent += len(rows)
        else:
            for m in rows:
                m.attempts += 1
                m.last_error = error
                if m.attempts >= s.push_max_attempts:
                    m.next_attempt_at = None
                    out.given_up += 1
                else:
                    m.next_attempt_at = now + _backoff(m.attempts)
            out.failed += len(rows)
            out.errors.append(f"{code}: {error}")
        session.commit()
    return out
