"""API tokens for departments' systems: issuing, resolving, listing and revoking them.

A token acts as its user (role and region) and is scoped to a department and the categories it
may report; only its SHA-256 is stored, with a short prefix kept in clear to recognise it. Split
from :mod:`xinyong.accounts.service` (which re-exports these names) so that the rules about who
may hold which token sit in one place. The caller commits.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session

from xinyong.accounts import secrets as keys
from xinyong.accounts.models import ApiToken, User
from xinyong.accounts.principal import Principal
from xinyong.core import regions
from xinyong.core.db import utcnow
from xinyong.core.errors import InvalidInput, NotFound, Unauthorized
from xinyong.core.settings import get_settings

if TYPE_CHECKING:
    from collections.abc import Sequence


TOKEN_PREFIX = "xy_"


@dataclass
class IssuedToken:
    token: str  # shown once, never stored
    row: ApiToken


def issue_token(
    db: Session,
    user: User,
    *,
    name: str,
    by: str,
    days: int | None = None,
    department_code: str | None = None,
    categories: Sequence[str] | None = None,
    actor: Principal | None = None,
    hours: int | None = None,
    totp_code: str | None = None,
) -> IssuedToken:
    """A new token acting as ``user`` (its role and region), for a department's system: scoped
    to the department (the user's unless given) and to categories it may report (all of the
    department's unless fewer are given). Valid ``days`` (default ``token_default_days``), or
    ``hours``.

    ``actor``, the administrator issuing it, must reach the user (``service.ensure_reach``: no
    token for a user of another region or above its own). A token acting as an administrator
    skips the second factor a session must pass, so it is held short and paid for: at most
    ``token_admin_max_hours`` (default, and the cap), and an issuer who signs in on the web must
    give a fresh code of its own TOTP (``totp_code``). Every refusal is an audit entry."""
    from xinyong.accounts import service

    s = get_settings()
    service.ensure_reach(db, actor, action="token_issue", entity="token", entity_id=user.id, role=user.role,
                         region_code=user.region_code)
    if user.role == "admin":
        validity = _admin_validity(db, user, actor, days=days, hours=hours, totp_code=totp_code)
    else:
        if hours is not None and days is None:
            days = max(1, -(-hours // 24))
        days = s.token_default_days if days is None else days
        if not 1 <= days <= s.token_max_days:
            raise InvalidInput(f"有效期应为 1–{s.token_max_days} 天", f"validity must be 1-{s.token_max_days} days",
                               field="days")
        validity = timedelta(days=days) if hours is None else timedelta(hours=hours)
    if not user.active:
        raise InvalidInput("停用的用户不能签发令牌", "the user is inactive", field="username")
    dept_code = department_code or user.department_code
    allowed: list[str] = []
    if dept_code:
        if user.department_code and dept_code != user.department_code:
            raise InvalidInput("令牌的部门须为用户所属部门", "the token's department must be the user's",
                               field="department")
        from xinyong.accounts.service import get_department

        allowed = list(get_department(db, dept_code).categories or [])
    if categories:
        extra = sorted(set(categories) - set(allowed)) if dept_code else []
        if extra:
            raise InvalidInput(f"部门无权报送这些类别：{'、'.join(extra)}",
                               f"the department may not report: {', '.join(extra)}", field="categories")
        chosen = sorted(set(categories))
    else:
        chosen = sorted(allowed)
    for _ in range(5):
        prefix = secrets.token_hex(4)
        if db.scalar(select(ApiToken.id).where(ApiToken.prefix == prefix)) is None:
            break
    raw = f"{TOKEN_PREFIX}{prefix}_{keys.random_token(32)}"
    row = ApiToken(
        user_id=user.id, name=name[:100], prefix=prefix, token_hash=keys.sha256_hex(raw),
        department_code=dept_code, categories=chosen, created_by=by,
        created_at=utcnow(), expires_at=utcnow() + validity,
    )
    db.add(row)
    db.flush()
    return IssuedToken(raw, row)


def _admin_validity(db: Session, user: User, actor: Principal | None, *, days: int | None, hours: int | None,
                    totp_code: str | None) -> timedelta:
    """How long a token acting as an administrator may be valid, or an audited refusal: at most
    ``token_admin_max_hours``; issued from the web only with a fresh code of the issuer's TOTP
    (the command line is the operator on the server and has no second factor to give)."""
    from xinyong.accounts import service

    cap = get_settings().token_admin_max_hours
    wanted = hours if hours is not None else (days * 24 if days is not None else cap)
    who: Principal | str = actor if actor is not None else "cli"
    if not 1 <= wanted <= cap:
        service.refuse(db, who, action="token_issue", entity="token", entity_id=user.id,
                       zh=f"管理员令牌的有效期最长 {cap} 小时（令牌调用不经动态验证码，须短期有效）",
                       en=f"an administrator's token is valid at most {cap} hours", error=InvalidInput, field="hours")
    if actor is not None and actor.via != "cli":
        issuer = db.get(User, actor.user_id) if actor.user_id is not None else None
        if issuer is None or not issuer.totp_enabled or not service.check_totp_code(issuer, totp_code or ""):
            db.flush()  # the code's step, once used, stays used
            service.refuse(db, who, action="token_issue", entity="token", entity_id=user.id,
                           zh="签发管理员令牌须输入您本人当前的动态验证码（不正确或已使用）",
                           en="issuing an administrator's token needs a fresh code of your own TOTP",
                           error=InvalidInput, field="totp_code")
    return timedelta(hours=wanted)


class TokenInvalid(Unauthorized):
    pass


@cache
def _token_stmt() -> Select:
    """Built once: every API request runs it, and building the expression costs more than the
    query (benchmarks/README.md, single checks)."""
    return (select(ApiToken, User).join(User, User.id == ApiToken.user_id)
            .where(ApiToken.token_hash == bindparam("token_hash")))


def resolve_token(db: Session, raw: str) -> tuple[ApiToken, User]:
    """The token and its user, or :class:`TokenInvalid` saying why (unknown, expired, revoked,
    user inactive or locked). Records ``last_used_at`` (at most once a minute)."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        raise TokenInvalid("API 令牌无效", "invalid API token")
    row = db.execute(_token_stmt(), {"token_hash": keys.sha256_hex(raw)}).first()
    if row is None:
        raise TokenInvalid("API 令牌无效", "invalid API token")
    token, user = row
    now = utcnow()
    if token.revoked_at is not None:
        raise TokenInvalid("API 令牌已吊销", "the API token has been revoked")
    if now >= token.expires_at:
        raise TokenInvalid("API 令牌已过期", "the API token has expired")
    from xinyong.accounts.service import is_locked

    if not user.active or is_locked(user, now):
        raise TokenInvalid("API 令牌所属用户已停用或锁定", "the token's user is inactive or locked")
    if token.last_used_at is None or now - token.last_used_at >= timedelta(minutes=1):
        token.last_used_at = now
        db.commit()
    return token, user


def get_token(db: Session, ref: str | int) -> ApiToken:
    """A token by id or by its prefix (``xy_ab12cd34`` or ``ab12cd34``)."""
    if isinstance(ref, int) or str(ref).isdigit():
        token = db.get(ApiToken, int(ref))
    else:
        prefix = str(ref).removeprefix(TOKEN_PREFIX).split("_")[0]
        token = db.scalar(select(ApiToken).where(ApiToken.prefix == prefix))
    if token is None:
        raise NotFound(f"令牌 {ref} 不存在", f"token {ref} does not exist", field="token")
    return token


def revoke_token(db: Session, token: ApiToken, *, by: str, actor: Principal | None = None) -> ApiToken:
    if actor is not None:
        from xinyong.accounts import service

        owner = db.get(User, token.user_id)
        service.ensure_reach(db, actor, action="token_revoke", entity="token", entity_id=token.id,
                             role=owner.role if owner else None, region_code=owner.region_code if owner else None)
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        token.revoked_by = by
        db.flush()
    return token


def list_tokens(db: Session, *, user: User | None = None, within: Principal | None = None) -> list[ApiToken]:
    q = select(ApiToken).join(User, User.id == ApiToken.user_id).order_by(ApiToken.id.desc())
    if user is not None:
        q = q.where(ApiToken.user_id == user.id)
    if within is not None and within.region_code is not None:
        q = q.where(User.region_code.like(regions.scope_prefix(within.region_code) + "%"))
    return list(db.scalars(q))


def token_state(token: ApiToken, now: datetime | None = None) -> str:
    now = now or utcnow()
    if token.revoked_at is not None:
        return "revoked"
    if now >= token.expires_at:
        return "expired"
    return "active"
