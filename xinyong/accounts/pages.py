"""Web pages: login (password, then the TOTP code where one is needed), logout, my account
(password change, TOTP enrolment with a QR code), and the administrators' pages to list,
create, lock and unlock users, reset passwords and second factors, and issue and revoke API
tokens (a token and a generated password are shown once, never again).

Every form carries the CSRF token (``{{ csrf_field() }}``); :func:`xinyong.accounts.access.allow`
checks it. Login attempts are rate limited per address and per username
(:mod:`xinyong.accounts.ratelimit`); failed logins lock the account (:mod:`xinyong.accounts.service`).
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

import segno
from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.responses import Response

from xinyong.accounts import access, events, ratelimit, service
from xinyong.accounts.access import allow, ensure_region
from xinyong.accounts.cli import HOOKS
from xinyong.accounts.models import ApiToken, Department, User
from xinyong.accounts.principal import Principal
from xinyong.accounts.roles import OFFICIALS, ROLES
from xinyong.core import regions
from xinyong.core.errors import Forbidden, InvalidInput, NotFound, TooManyRequests, XinyongError
from xinyong.core.http import MAX_ID, SessionDep
from xinyong.core.settings import get_settings
from xinyong.core.templating import add_nav, render

router = APIRouter(include_in_schema=False)
add_nav("系统管理", "/admin/users", order=90)

Anyone = Annotated[Principal, allow(public=True)]
AnyoneSetup = Annotated[Principal, allow(public=True, setup=True)]
LoggedIn = Annotated[Principal, allow(*ROLES)]
LoggedInSetup = Annotated[Principal, allow(*ROLES, setup=True)]
Admin = Annotated[Principal, allow("admin")]
Text = Annotated[str, Form(max_length=200)]


def _safe_next(target: str | None) -> str:
    """Only a path on this site (never ``//host`` or a URL): no open redirect after login."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def _limit(key: str, limit: int) -> None:
    s = get_settings()
    wait = ratelimit.login_limiter.hit(key, limit, s.login_rate_window_seconds)
    if wait:
        raise TooManyRequests(f"登录尝试过于频繁，请 {int(wait) + 1} 秒后再试",
                              f"too many login attempts: retry in {int(wait) + 1} s", retry_after=int(wait) + 1)


def _caller(request: Request) -> access.Caller:
    return request.state.caller


def _event(db: Session, request: Request, who: Principal | str, action: str, entity: str,
           entity_id: str | int | None = None, **kw) -> None:
    """One account event (the audit log and the application log), in this transaction."""
    events.emit(db, events.AccountEvent(
        who=who, action=action, entity=entity, entity_id=entity_id, ip=access.client_ip(request),
        request_id=getattr(request.state, "request_id", None), **kw,
    ))


# --- login and logout ----------------------------------------------------------------------


@router.get("/login", response_class=HTMLResponse, summary="登录页",
            description="用户名和密码登录；已启用动态验证码的用户随后输入验证码。")
def login_page(request: Request, who: Anyone, next: Annotated[str, Query(max_length=500)] = "/") -> Response:
    return render(request, "accounts/login.html", {"next": _safe_next(next), "error": None})


@router.post("/login", response_class=HTMLResponse, summary="登录",
             description="校验用户名和密码（按地址和用户名限制尝试频率，连续失败锁定账户），建立会话。")
def login(
    request: Request,
    db: SessionDep,
    who: Anyone,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=256)],
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    target = _safe_next(next)
    s = get_settings()
    try:
        _limit(f"ip:{access.client_ip(request)}", s.login_rate_per_ip)
        _limit(f"user:{username.strip().lower()}", s.login_rate_per_username)
        try:
            user = service.authenticate(db, username.strip(), password)
        finally:
            db.commit()  # a failure's count and lock are kept
    except XinyongError as exc:
        tried = username.strip()[:64]
        _event(db, request, Principal(None, tried, None, None, via="public"), "login_failed", "user", tried,
               after={"reason": exc.en})
        db.commit()
        return render(request, "accounts/login.html", {"next": target, "error": exc.zh, "username": username},
                      status_code=exc.status_code, headers=getattr(exc, "headers", None))
    raw, ws = service.start_session(db, user, ip=access.client_ip(request),
                                    user_agent=request.headers.get("user-agent"))
    _event(db, request, service.principal_of(db, user, via="session"), "login", "user", user.id,
           after={"stage": ws.stage})
    db.commit()
    if ws.stage == "totp":
        dest = "/login/totp?next=" + quote(target, safe="")
    elif ws.stage == "enrol":
        dest = "/account/totp"
    elif user.must_change_password:
        dest = "/account/password"
    else:
        dest = target
    response = RedirectResponse(dest, status_code=303)
    access.set_session_cookie(response, raw, request)
    return response


def _pending(request: Request) -> tuple[access.Caller, User] | None:
    caller = _caller(request)
    if caller.stage == "totp" and caller.user is not None:
        return caller, caller.user
    return None


@router.get("/login/totp", response_class=HTMLResponse, summary="动态验证码页",
            description="密码正确后输入身份验证器上的六位动态验证码。")
def login_totp_page(request: Request, who: Anyone, next: Annotated[str, Query(max_length=500)] = "/") -> Response:
    if _pending(request) is None:
        return RedirectResponse("/login", status_code=303)
    return render(request, "accounts/login_totp.html", {"next": _safe_next(next), "error": None})


@router.post("/login/totp", response_class=HTMLResponse, summary="校验动态验证码",
             description="校验动态验证码（同一验证码只能用一次，错误计入失败次数），通过后会话生效。")
def login_totp(
    request: Request,
    db: SessionDep,
    who: Anyone,
    code: Annotated[str, Form(max_length=12)],
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    pending = _pending(request)
    if pending is None:
        return RedirectResponse("/login", status_code=303)
    caller, user = pending
    target = _safe_next(next)
    try:
        _limit(f"user:{user.username.lower()}", get_settings().login_rate_per_username)
        try:
            service.verify_totp(db, user, code)
        finally:
            db.commit()
    except XinyongError as exc:
        _event(db, request, Principal(user.id, user.username, None, None, via="public"), "login_failed", "user",
               user.id, after={"reason": exc.en, "step": "totp"})
        db.commit()
        return render(request, "accounts/login_totp.html", {"next": target, "error": exc.zh},
                      status_code=exc.status_code, headers=getattr(exc, "headers", None))
    raw = service.rotate_session(db, caller.web_session, "full")
    _event(db, request, service.principal_of(db, user, via="session"), "login", "user", user.id,
           after={"stage": "full", "step": "totp"})
    db.commit()
    response = RedirectResponse("/account/password" if user.must_change_password else target, status_code=303)
    access.set_session_cookie(response, raw, request)
    return response


@router.post("/logout", summary="退出登录", description="结束当前会话。")
def logout(request: Request, db: SessionDep, who: AnyoneSetup) -> Response:
    service.end_session(db, request.cookies.get(access.SESSION_COOKIE))
    if not who.is_public:
        _event(db, request, who, "logout", "user", who.user_id)
    db.commit()
    response = RedirectResponse("/", status_code=303)
    access.clear_session_cookie(response)
    return response


# --- my account ----------------------------------------------------------------------------


def _me(db: Session, who: Principal) -> User:
    return service.user_by_id(db, who.user_id)


@router.get("/account", response_class=HTMLResponse, summary="我的账户",
            description="本人的角色、地区范围、所属部门、动态验证码状态和本人的 API 令牌。")
def account_page(request: Request, db: SessionDep, who: LoggedIn) -> Response:
    user = _me(db, who)
    tokens = service.list_tokens(db, user=user)
    return render(request, "accounts/account.html", {
        "active": "/account", "user": user, "tokens": tokens, "state": service.token_state,
        "category_names": _category_names(db),
        "dept": db.scalar(select(Department).where(Department.code == user.department_code))
        if user.department_code else None,
    })


@router.get("/account/password", response_class=HTMLResponse, summary="修改密码页",
            description="修改本人密码（至少 12 位，含三类字符，不得包含用户名）。")
def password_page(request: Request, db: SessionDep, who: LoggedInSetup) -> Response:
    return render(request, "accounts/password.html", {"user": _me(db, who), "error": None, "done": False})


@router.post("/account/password", response_class=HTMLResponse, summary="修改密码",
             description="校验原密码和密码规则后修改密码；本人的其他会话随即结束。")
def change_password(
    request: Request,
    db: SessionDep,
    who: LoggedInSetup,
    old_password: Annotated[str, Form(max_length=256)],
    new_password: Annotated[str, Form(max_length=256)],
    new_password2: Annotated[str, Form(max_length=256)],
) -> Response:
    user = _me(db, who)
    try:
        if new_password != new_password2:
            raise InvalidInput("两次输入的新密码不一致", "the new passwords differ", field="new_password2")
        service.change_password(db, user, old_password, new_password, keep_session=_caller(request).web_session)
        _event(db, request, who, "password_changed", "user", user.id)
        db.commit()
    except XinyongError as exc:
        db.rollback()
        return render(request, "accounts/password.html", {"user": user, "error": exc.zh, "done": False},
                      status_code=exc.status_code)
    return render(request, "accounts/password.html", {"user": user, "error": None, "done": True})


def _qr_svg(uri: str) -> Markup:
    return Markup(segno.make(uri, error="m").svg_inline(scale=5, dark="#000", light="#fff"))


@router.get("/account/totp", response_class=HTMLResponse, summary="动态验证码设置页",
            description="用身份验证器扫描二维码，输入验证码后启用；管理员在启用前不能使用其他功能。")
def totp_page(request: Request, db: SessionDep, who: LoggedInSetup) -> Response:
    user = _me(db, who)
    context: dict = {"user": user, "error": None, "required": _caller(request).stage == "enrol"}
    if not user.totp_enabled:
        secret = service.totp_secret(user) or service.begin_totp(db, user)
        db.commit()
        context.update(secret=secret, qr=_qr_svg(service.totp_uri(user, secret)))
    return render(request, "accounts/totp.html", context)


@router.post("/account/totp", response_class=HTMLResponse, summary="启用动态验证码",
             description="输入身份验证器上的验证码，确认后启用；管理员的会话随即可用。")
def totp_confirm(
    request: Request, db: SessionDep, who: LoggedInSetup, code: Annotated[str, Form(max_length=12)]
) -> Response:
    user = _me(db, who)
    caller = _caller(request)
    try:
        if user.totp_enabled:
            raise InvalidInput("动态验证码已启用", "TOTP is already enabled")
        service.confirm_totp(db, user, code)
        _event(db, request, who, "totp_enrolled", "user", user.id)
        db.commit()
    except XinyongError as exc:
        db.rollback()
        secret = service.totp_secret(user)
        return render(request, "accounts/totp.html", {
            "user": user, "error": exc.zh, "required": caller.stage == "enrol", "secret": secret,
            "qr": _qr_svg(service.totp_uri(user, secret)) if secret else None,
        }, status_code=exc.status_code)
    response = RedirectResponse("/account/password" if user.must_change_password else "/account", status_code=303)
    if caller.stage == "enrol":
        raw = service.rotate_session(db, caller.web_session, "full")
        db.commit()
        access.set_session_cookie(response, raw, request)
    return response


# --- administrators: users and tokens ------------------------------------------------------


def _managed_user(db: Session, who: Principal, user_id: int) -> User:
    user = service.user_by_id(db, user_id)
    ensure_region(who, user.region_code)
    return user


def _departments_within(db: Session, who: Principal) -> list[Department]:
    return [d for d in service.list_departments(db) if who.covers(d.region_code)]


@router.get("/admin/users", response_class=HTMLResponse, summary="用户管理",
            description="管理员地区范围内的用户：角色、地区、部门、状态（锁定、停用）。")
def users_page(request: Request, db: SessionDep, who: Admin, role: str = "") -> Response:
    users = service.list_users(db, role=role or None, within=who)
    return render(request, "accounts/users.html", {
        "active": "/admin/users", "tab": "users", "users": users, "role": role, "is_locked": service.is_locked,
        "department_names": {d.code: d.name for d in service.list_departments(db)},
    })


def _new_user_context(db: Session, who: Principal, **extra) -> dict:
    scope = who.region_code or "330000"
    choices = [r for r in regions.all_regions() if who.covers(r.code)] if who.region_code else []
    return {"active": "/admin/users", "tab": "users", "roles": {k: v for k, v in ROLES.items() if k in OFFICIALS},
            "departments": _departments_within(db, who), "scope": scope, "region_choices": choices,
            "error": None, "form": {}, **extra}


@router.get("/admin/users/new", response_class=HTMLResponse, summary="新建用户页",
            description="新建公职人员用户（信用主体用户在“信用主体用户”页建立）。")
def new_user_page(request: Request, db: SessionDep, who: Admin) -> Response:
    return render(request, "accounts/user_new.html", _new_user_context(db, who))


@router.post("/admin/users", response_class=HTMLResponse, summary="新建用户",
             description="在管理员地区范围内新建用户；初始密码只显示一次，首次登录须修改。")
def create_user(
    request: Request,
    db: SessionDep,
    who: Admin,
    username: Annotated[str, Form(max_length=64)],
    role: Annotated[str, Form(max_length=20)],
    region_code: Annotated[str, Form(max_length=6)],
    display_name: Annotated[str, Form(max_length=100)] = "",
    department_code: Annotated[str, Form(max_length=18)] = "",
) -> Response:
    form = {"username": username, "role": role, "region_code": region_code, "display_name": display_name,
            "department_code": department_code}
    try:
        if role not in OFFICIALS:
            raise InvalidInput("网页上只能新建公职人员用户", "only officials are created here", field="role")
        user, password = service.create_user(  # refuses beyond the administrator's reach
            db, username=username.strip(), role=role, region_code=region_code,
            display_name=display_name.strip() or None, department_code=department_code or None, actor=who,
        )
        _event(db, request, who, "create", "user", user.id, after=events.user_state(user))
        db.commit()
    except XinyongError as exc:
        db.rollback()
        return render(request, "accounts/user_new.html", _new_user_context(db, who, error=exc.zh, form=form),
                      status_code=exc.status_code)
    return render(request, "accounts/shown_once.html", {
        "active": "/admin/users", "title": "用户已建立", "what": f"用户 {user.username} 的初始密码",
        "value": password, "back": f"/admin/users/{user.id}",
    }, status_code=201)


@router.get("/admin/users/{user_id}", response_class=HTMLResponse, summary="用户详情",
            description="一个用户的信息、状态和 API 令牌，以及锁定、解锁、重置密码、重置动态验证码、签发和吊销令牌。")
def user_page(request: Request, db: SessionDep, who: Admin, user_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> Response:
    user = _managed_user(db, who, user_id)
    dept = db.scalar(select(Department).where(Department.code == user.department_code)) if user.department_code else None
    return render(request, "accounts/user.html", {
        "active": "/admin/users", "tab": "users", "user": user, "dept": dept,
        "tokens": service.list_tokens(db, user=user), "category_names": _category_names(db),
        "state": service.token_state, "locked": service.is_locked(user),
        "default_days": get_settings().token_default_days, "max_days": get_settings().token_max_days,
        "admin_max_hours": get_settings().token_admin_max_hours,
    })


def _token_state(token: ApiToken) -> dict:
    """What the change log keeps of a token: never the token, nor its hash."""
    return {"prefix": token.prefix, "name": token.name, "user_id": token.user_id,
            "department_code": token.department_code, "categories": list(token.categories or []),
            "expires_at": token.expires_at.isoformat(),
            "revoked_at": token.revoked_at.isoformat() if token.revoked_at else None}


def _not_self(who: Principal, user: User) -> None:
    if who.user_id == user.id:
        raise Forbidden("不能对本人账户执行此操作", "not on your own account")


def _back(user: User) -> Response:
    return RedirectResponse(f"/admin/users/{user.id}", status_code=303)


@router.post("/admin/users/{user_id}/lock", summary="锁定用户", description="锁定账户（直至解锁）并结束其会话。")
def lock_user(request: Request, db: SessionDep, who: Admin, user_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> Response:
    user = _managed_user(db, who, user_id)
    _not_self(who, user)
    before = events.user_state(user)
    service.lock(db, user, actor=who)
    _event(db, request, who, "lock", "user", user.id, before=before, after=events.user_state(user))
    db.commit()
    return _back(user)


@router.post("/admin/users/{user_id}/unlock", summary="解锁用户", description="解除锁定，清零失败次数。")
def unlock_user(request: Request, db: SessionDep, who: Admin, user_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> Response:
    user = _managed_user(db, who, user_id)
    before = events.user_state(user)
    service.unlock(db, user, actor=who)
    _event(db, request, who, "unlock", "user", user.id, before=before, after=events.user_state(user))
    db.commit()
    return _back(user)


@router.post("/admin/users/{user_id}/password", response_class=HTMLResponse, summary="重置密码",
             description="生成新的初始密码（只显示一次，首次登录须修改），结束该用户的会话。")
def reset_password(request: Request, db: SessionDep, who: Admin, user_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> Response:
    user = _managed_user(db, who, user_id)
    _not_self(who, user)
    password = service.reset_password(db, user, actor=who)
    _event(db, request, who, "password_reset", "user", user.id)
    db.commit()
    return render(request, "accounts/shown_once.html", {
        "active": "/admin/users", "title": "密码已重置", "what": f"用户 {user.username} 的新初始密码",
        "value": password, "back": f"/admin/users/{user.id}",
    })


@router.post("/admin/users/{user_id}/totp-reset", summary="重置动态验证码",
             description="清除该用户的动态验证码（手机丢失时），下次登录重新设置。")
def reset_totp(request: Request, db: SessionDep, who: Admin, user_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> Response:
    user = _managed_user(db, who, user_id)
    _not_self(who, user)
    service.reset_totp(db, user, actor=who)
    _event(db, request, who, "totp_reset", "user", user.id)
    db.commit()
    return _back(user)


@router.post("/admin/users/{user_id}/tokens", response_class=HTMLResponse, summary="签发 API 令牌",
             description="为该用户（通常是部门系统的报送账户）签发令牌：限定部门和可报送的类别，有效期；令牌只显示一次。")
def issue_token(
    request: Request,
    db: SessionDep,
    who: Admin,
    user_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    name: Annotated[str, Form(max_length=100)] = "api",
    days: Annotated[int | None, Form(ge=1, le=3650)] = None,
    categories: Annotated[list[str] | None, Form()] = None,
    hours: Annotated[int | None, Form(ge=1, le=24 * 3650)] = None,
    totp_code: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    user = _managed_user(db, who, user_id)
    chosen = [c for c in (categories or []) if c.strip()]
    issued = service.issue_token(db, user, name=name.strip() or "api", by=who.username, days=days, hours=hours,
                                 categories=chosen or None, actor=who, totp_code=totp_code.strip() or None)
    _event(db, request, who, "token_issued", "token", issued.row.id, after=_token_state(issued.row))
    db.commit()
    return render(request, "accounts/shown_once.html", {
        "active": "/admin/users", "title": "API 令牌已签发",
        "what": f"令牌 {issued.row.name}（{service.TOKEN_PREFIX}{issued.row.prefix}…，{issued.row.expires_at:%Y-%m-%d} 到期）",
        "value": issued.token, "back": f"/admin/users/{user.id}",
    }, status_code=201)


@router.post("/admin/tokens/{token_id}/revoke", summary="吊销 API 令牌", description="立即吊销令牌，此后使用即返回 401。")
def revoke_token(request: Request, db: SessionDep, who: Admin, token_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> Response:
    token = db.get(ApiToken, token_id)
    if token is None:
        raise NotFound(f"令牌 {token_id} 不存在", f"token {token_id} does not exist")
    user = _managed_user(db, who, token.user_id)
    service.revoke_token(db, token, by=who.username, actor=who)
    _event(db, request, who, "token_revoked", "token", token.id, after=_token_state(token))
    db.commit()
    return _back(user)


# --- administrators: departments and subject users -------------------------------------------


def _category_names(db: Session) -> dict[str, str]:
    """The active catalog's categories by code (accounts cannot read the catalog itself: the app
    plugs the look-up into :data:`xinyong.accounts.cli.HOOKS`)."""
    return HOOKS.category_names(db) if HOOKS.category_names is not None else {}


def _departments_context(db: Session, who: Principal, **extra) -> dict:
    choices = [r for r in regions.all_regions() if who.covers(r.code)] if who.region_code else []
    return {"active": "/admin/users", "tab": "departments", "departments": _departments_within(db, who),
            "category_names": _category_names(db), "scope": who.region_code or "330000",
            "region_choices": choices, "error": None, "form": {}, "done": None, **extra}


@router.get("/admin/departments", response_class=HTMLResponse, summary="部门管理",
            description="管理员地区范围内的报送部门及其可报送的信用记录类别；新建部门、修改可报送类别。")
def departments_page(request: Request, db: SessionDep, who: Admin) -> Response:
    return render(request, "accounts/departments.html", _departments_context(db, who))


@router.post("/admin/departments", response_class=HTMLResponse, summary="新建部门",
             description="新建报送部门（统一社会信用代码、名称、地区、可报送类别）。")
def create_department(
    request: Request,
    db: SessionDep,
    who: Admin,
    code: Annotated[str, Form(max_length=18)],
    name: Annotated[str, Form(max_length=200)],
    region_code: Annotated[str, Form(max_length=6)],
    categories: Annotated[list[str] | None, Form()] = None,
) -> Response:
    form = {"code": code, "name": name, "region_code": region_code, "categories": categories or []}
    try:
        names = _category_names(db)
        unknown = sorted(set(categories or []) - set(names)) if names else []
        if unknown:
            raise InvalidInput("数据目录中没有所选类别", "unknown categories", field="categories")
        if not name.strip():
            raise InvalidInput("请填写部门名称", "the department's name is missing", field="name")
        ensure_region(who, region_code)
        dept = service.create_department(db, code=code.strip().upper(), name=name.strip(), region_code=region_code,
                                         categories=categories or [], actor=who)
        _event(db, request, who, "create", "department", dept.code,
               after={"name": dept.name, "region_code": dept.region_code, "categories": list(dept.categories)})
        db.commit()
    except XinyongError as exc:
        db.rollback()
        return render(request, "accounts/departments.html", _departments_context(db, who, error=exc.zh, form=form),
                      status_code=exc.status_code)
    return render(request, "accounts/departments.html", _departments_context(db, who, done=f"部门“{dept.name}”已建立"),
                  status_code=201)


@router.post("/admin/departments/{code}/categories", response_class=HTMLResponse, summary="修改部门可报送类别",
             description="替换一个部门可报送的信用记录类别。")
def set_department_categories(
    request: Request,
    db: SessionDep,
    who: Admin,
    code: Annotated[str, Path(max_length=18)],
    categories: Annotated[list[str] | None, Form()] = None,
) -> Response:
    dept = service.get_department(db, code)
    ensure_region(who, dept.region_code)
    names = _category_names(db)
    chosen = [c for c in (categories or []) if not names or c in names]
    before = {"categories": list(dept.categories or [])}
    service.set_department_categories(db, dept, chosen, actor=who)
    _event(db, request, who, "update", "department", dept.code, before=before, after={"categories": list(dept.categories)})
    db.commit()
    return render(request, "accounts/departments.html",
                  _departments_context(db, who, done=f"部门“{dept.name}”的可报送类别已更新"))


def _subject_users_context(db: Session, who: Principal, **extra) -> dict:
    users = service.list_users(db, role="subject")  # a subject's account carries no region scope: its subject's
    if who.region_code is not None and HOOKS.subject_regions is not None:
        where = HOOKS.subject_regions(db, {u.subject_id for u in users if u.subject_id is not None})
        users = [u for u in users if who.covers(where.get(u.subject_id))]
    elif who.region_code is not None:
        users = []  # no way to place them: show none rather than the whole province's
    return {"active": "/admin/users", "tab": "subject_users", "users": users, "is_locked": service.is_locked,
            "error": None, "form": {}, **extra}


@router.get("/admin/subject-users", response_class=HTMLResponse, summary="信用主体用户",
            description="信用主体（个人、企业、机关）查看本人信用档案的账户；按统一社会信用代码或身份证号码新建。")
def subject_users_page(request: Request, db: SessionDep, who: Admin) -> Response:
    return render(request, "accounts/subject_users.html", _subject_users_context(db, who))


@router.post("/admin/subject-users", response_class=HTMLResponse, summary="新建信用主体用户",
             description="为一个信用主体（管理员地区范围内）建立账户；初始密码只显示一次，首次登录须修改。")
def create_subject_user(
    request: Request,
    db: SessionDep,
    who: Admin,
    username: Annotated[str, Form(max_length=64)],
    subject_code: Annotated[str, Form(max_length=18)],
    display_name: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    form = {"username": username, "display_name": display_name}  # the code is not echoed back
    try:
        if HOOKS.resolve_subject is None or not subject_code.strip():
            raise InvalidInput("请填写信用主体的统一社会信用代码或身份证号码", "give the subject's code",
                               field="subject")
        subject_id, subject_region = HOOKS.resolve_subject(db, subject_code.strip().upper())
        ensure_region(who, subject_region)
        user, password = service.create_user(
            db, username=username.strip(), role="subject", display_name=display_name.strip() or None,
            subject_id=subject_id, actor=who, subject_region=subject_region,
        )
        _event(db, request, who, "create", "user", user.id, after=events.user_state(user))
        db.commit()
    except XinyongError as exc:
        db.rollback()
        return render(request, "accounts/subject_users.html", _subject_users_context(db, who, error=exc.zh, form=form),
                      status_code=exc.status_code)
    return render(request, "accounts/shown_once.html", {
        "active": "/admin/users", "title": "信用主体用户已建立", "what": f"用户 {user.username} 的初始密码",
        "value": password, "back": "/admin/subject-users",
    }, status_code=201)
