"""Login through an OpenID Connect identity provider (the province's single sign-on).

The authorization-code flow with PKCE (RFC 7636, ``S256``): :func:`begin` makes a random
``state``, ``nonce`` and ``code_verifier``, keeps them in ``oidc_logins`` (the state only as its
hash) and returns the provider's authorization URL; the provider sends the browser back to
``/login/oidc/callback`` with ``code`` and ``state``; :func:`finish` takes the stored login
once (unknown, used or older than ``OIDC_LOGIN_TTL_SECONDS``: refused), exchanges the code at
the token endpoint (client secret by HTTP Basic, and the verifier), and verifies the ID token
with joserfc: its signature against the provider's published keys (JWKS, RS256/ES256 only —
never ``none`` or a shared-secret algorithm), ``iss`` equal to ``OIDC_ISSUER``, ``aud``
holding ``OIDC_CLIENT_ID`` (and ``azp`` when there are several audiences), ``exp``/``iat`` on
the platform's clock, and ``nonce`` equal to the one stored. The identity-number claim
(``OIDC_IDENTITY_CLAIM``) names the person: the subject user linked to the subject with that
identity number logs in; nobody else does — a provider's word makes no user and no subject.

The provider's documents (discovery, JWKS) are fetched with httpx; :data:`HTTP` makes the
client, so a test can hand in one that talks to a provider running in the test process.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import httpx
from joserfc import jwt
from joserfc.errors import ExpiredTokenError, JoseError
from joserfc.jwk import KeySet
from joserfc.jwt import JWTClaimsRegistry
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from xinyong.accounts.models import User
from xinyong.core.codes import CodeError, validate_ric
from xinyong.core.db import utcnow
from xinyong.core.errors import InvalidInput, Unauthorized
from xinyong.core.settings import get_settings
from xinyong.disclosure.authorization_models import OidcLogin
from xinyong.subjects.identity import lookup_key
from xinyong.subjects.models import Subject

ALGORITHMS = ["RS256", "ES256"]
HTTP: Callable[[], httpx.Client] = lambda: httpx.Client(timeout=get_settings().oidc_http_timeout_seconds)  # noqa: E731


class OidcRefused(Unauthorized):
    """The provider's answer was not accepted (401, the reason in Chinese)."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(f"统一身份认证登录失败：{zh}", en)


@dataclass(frozen=True)
class Config:
    issuer: str
    client_id: str
    client_secret: str | None
    redirect_url: str
    scopes: str
    claim: str


def config() -> Config:
    s = get_settings()
    if not (s.oidc_enabled and s.oidc_issuer and s.oidc_client_id):
        raise InvalidInput("本平台未启用统一身份认证登录", "OpenID Connect login is not configured")
    secret = s.oidc_client_secret.get_secret_value() if s.oidc_client_secret else None
    return Config(s.oidc_issuer, s.oidc_client_id, secret or None, s.oidc_redirect_url, s.oidc_scopes, s.oidc_identity_claim)


def enabled() -> bool:
    s = get_settings()
    return bool(s.oidc_enabled and s.oidc_issuer and s.oidc_client_id)


def _get_json(client: httpx.Client, url: str, what: str) -> dict:
    try:
        r = client.get(url)
        r.raise_for_status()
        data = r.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise OidcRefused(f"无法读取身份认证服务的{what}", f"cannot read the provider's {what}: {exc}") from None
    if not isinstance(data, dict):
        raise OidcRefused(f"身份认证服务的{what}格式不正确", f"the provider's {what} is not an object")
    return data


def discover(client: httpx.Client, cfg: Config) -> dict:
    """The provider's metadata; its ``issuer`` must be the configured one (OpenID Connect
    Discovery 1.0 §4.3), so a look-alike document cannot redirect the flow."""
    meta = _get_json(client, cfg.issuer.rstrip("/") + "/.well-known/openid-configuration", "配置信息")
    if meta.get("issuer") != cfg.issuer:
        raise OidcRefused("身份认证服务的标识与配置不符", "the discovery document names another issuer")
    for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not isinstance(meta.get(key), str):
            raise OidcRefused("身份认证服务的配置信息不完整", f"the discovery document lacks {key}")
    return meta


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def challenge_of(verifier: str) -> str:
    return _b64(hashlib.sha256(verifier.encode()).digest())


def _hash(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()


def begin(session: Session, next_url: str = "/") -> str:
    """Start a login: the URL to send the browser to (the caller commits the stored state)."""
    cfg = config()
    with HTTP() as client:
        meta = discover(client, cfg)
    state, nonce, verifier = secrets.token_urlsafe(32), secrets.token_urlsafe(32), secrets.token_urlsafe(64)
    session.add(OidcLogin(state_hash=_hash(state), nonce=nonce, code_verifier=verifier, next_url=next_url[:500],
                          created_at=utcnow()))
    session.flush()
    query = urlencode({
        "response_type": "code", "client_id": cfg.client_id, "redirect_uri": cfg.redirect_url, "scope": cfg.scopes,
        "state": state, "nonce": nonce, "code_challenge": challenge_of(verifier), "code_challenge_method": "S256",
    })
    sep = "&" if "?" in meta["authorization_endpoint"] else "?"
    return f"{meta['authorization_endpoint']}{sep}{query}"


@dataclass
class Finished:
    user: User
    next_url: str
    claims: dict


def _take_login(session: Session, state: str, now: datetime) -> OidcLogin:
    """The stored login for ``state``, marked used in the same statement (a state works once)."""
    ttl = timedelta(seconds=get_settings().oidc_login_ttl_seconds)
    row = session.scalar(select(OidcLogin).where(OidcLogin.state_hash == _hash(state or "")))
    if row is None:
        raise OidcRefused("登录请求无效（state 不符），请重新登录", "unknown state")
    taken = session.execute(update(OidcLogin).where(OidcLogin.id == row.id, OidcLogin.used_at.is_(None))
                            .values(used_at=now).execution_options(synchronize_session=False)).rowcount
    if not taken:
        raise OidcRefused("该登录请求已使用过，请重新登录", "the state was used already")
    if now - row.created_at > ttl:
        raise OidcRefused("登录请求已超时，请重新登录", "the login took too long")
    return row


def verify_id_token(id_token: str, keys: dict, cfg: Config, nonce: str, now: datetime) -> dict:
    """The ID token's claims after every check in the module's description; else :class:`OidcRefused`."""
    try:
        key_set = KeySet.import_key_set(keys)
        token = jwt.decode(id_token, key_set, algorithms=ALGORITHMS)
    except (JoseError, ValueError, TypeError, KeyError) as exc:
        raise OidcRefused("身份令牌签名无效", f"the ID token's signature does not verify: {exc}") from None
    claims = token.claims
    registry = JWTClaimsRegistry(
        now=int((now if now.tzinfo else now.replace(tzinfo=UTC)).timestamp()),
        leeway=60,
        iss={"essential": True, "value": cfg.issuer},
        aud={"essential": True, "value": cfg.client_id},
        exp={"essential": True},
        iat={"essential": True},
        sub={"essential": True},
    )
    try:
        registry.validate(claims)
    except JoseError as exc:
        field = "exp" if isinstance(exc, ExpiredTokenError) else getattr(exc, "claim", "") or ""
        zh = {"iss": "身份令牌的签发方不符", "aud": "身份令牌不是签发给本平台的", "exp": "身份令牌已过期",
              "iat": "身份令牌的签发时间不正确"}.get(field, "身份令牌内容不符合要求")
        raise OidcRefused(zh, f"the ID token's claims do not validate: {exc}") from None
    aud = claims.get("aud")
    if isinstance(aud, list) and len(aud) > 1 and claims.get("azp") != cfg.client_id:
        raise OidcRefused("身份令牌不是签发给本平台的", "several audiences and azp is not this client")
    if not isinstance(claims.get("nonce"), str) or not secrets.compare_digest(claims["nonce"], nonce):
        raise OidcRefused("身份令牌与本次登录不符（nonce 不符），请重新登录", "the nonce does not match")
    return claims


def user_of(session: Session, claims: dict, cfg: Config) -> User:
    """The subject user linked to the person the identity-number claim names."""
    raw = claims.get(cfg.claim)
    if not isinstance(raw, str) or not raw.strip():
        raise OidcRefused("身份令牌中没有公民身份号码", f"the ID token has no {cfg.claim} claim")
    try:
        ric = validate_ric(raw.strip().upper()).ric
    except CodeError:
        raise OidcRefused("身份令牌中的公民身份号码格式不正确", "the identity number is malformed") from None
    subject = session.scalar(select(Subject).where(Subject.code == lookup_key(ric)))
    user = None
    if subject is not None and subject.is_natural:
        user = session.scalar(select(User).where(User.subject_id == subject.id, User.role == "subject",
                                                 User.active.is_(True)).order_by(User.id).limit(1))
    if user is None:
        raise OidcRefused("本平台没有与该身份对应的信用主体账户，请到信用办开通", "no subject user for this person")
    return user


def finish(session: Session, *, code: str, state: str, now: datetime | None = None) -> Finished:
    """Complete a login from the callback's ``code`` and ``state`` (the caller commits and starts
    the session)."""
    cfg = config()
    now = now or utcnow()
    login = _take_login(session, state, now)
    if not code:
        raise OidcRefused("身份认证服务未返回授权码", "no code in the callback")
    with HTTP() as client:
        meta = discover(client, cfg)
        auth = (cfg.client_id, cfg.client_secret) if cfg.client_secret else None
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": cfg.redirect_url,
                "code_verifier": login.code_verifier}
        if auth is None:
            form["client_id"] = cfg.client_id
        try:
            r = client.post(meta["token_endpoint"], data=form, auth=auth, headers={"Accept": "application/json"})
            tokens = r.json() if r.content else {}
        except (httpx.HTTPError, ValueError, json.JSONDecodeError):
            raise OidcRefused("无法向身份认证服务换取令牌", "the token request failed") from None
        if r.status_code != 200 or not isinstance(tokens, dict) or not isinstance(tokens.get("id_token"), str):
            raise OidcRefused("身份认证服务拒绝了本次登录", f"token endpoint answered {r.status_code}")
        keys = _get_json(client, meta["jwks_uri"], "公钥")
    claims = verify_id_token(tokens["id_token"], keys, cfg, login.nonce, now)
    return Finished(user_of(session, claims, cfg), login.next_url, claims)
