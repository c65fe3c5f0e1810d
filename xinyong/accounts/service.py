"""Use cases for accounts: users, departments, passwords, login and lockout, the second factor
(TOTP), web sessions and API tokens. Plain functions over a SQLAlchemy session; the caller
commits. No HTTP here: :mod:`xinyong.accounts.access` turns a cookie or a token into a
:class:`~xinyong.accounts.principal.Principal` with these functions.

Every limit (password policy, lockout, timeouts, token validity) is a setting in
:mod:`xinyong.core.settings` (``docs/settings.md``), never a constant here.
"""

from __future__ import annotations

import logging
import re
import secrets
import string
from collections.abc import Iterable
from datetime import datetime, timedelta

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.accounts import events
from xinyong.accounts import secrets as keys
from xinyong.accounts.models import ApiToken, Department, User, WebSession
from xinyong.accounts.principal import Principal
from xinyong.accounts.roles import OFFICIALS, ROLES, SECOND_FACTOR_ROLES, region_covers
from xinyong.core import regions
from xinyong.core.db import utcnow
from xinyong.core.errors import Forbidden, InvalidInput, NotFound, Unauthorized, XinyongError
from xinyong.core.settings import get_settings

log = logging.getLogger("xinyong.accounts")

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("xinyong-dummy-password-for-timing")
_USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-]{1,63}$")
FOREVER = datetime(9999, 12, 31)
TOUCH_EVERY = timedelta(seconds=30)  # how stale last_seen_at may get before it is written
TOTP_ISSUER = "xinyong 信用平台"


# --- passwords -----------------------------------------------------------------------------


def password_problems(password: str, username: str | None = None) -> list[str]:
    """What is wrong with a password under the policy (empty when it is acceptable)."""
    s = get_settings()
    problems = []
    if len(password) < s.password_min_length:
        problems.append(f"长度不少于 {s.password_min_length} 位")
    classes = sum((
        any(c.islower() for c in password),
        any(c.isupper() for c in password),
        any(c.isdigit() for c in password),
        any(not c.isalnum() for c in password),
    ))
    if classes < s.password_min_classes:
        problems.append(f"至少包含小写字母、大写字母、数字、其他符号中的 {s.password_min_classes} 类")
    if username and username.lower() in password.lower():
        problems.append("不得包含用户名")
    return problems


def check_password_policy(password: str, username: str | None = None) -> None:
    problems = password_problems(password, username)
    if problems:
        raise InvalidInput(
            "密码不符合要求：" + "；".join(problems),
            "the password does not meet the policy (length, character classes, not the username)",
            field="password",
        )


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def generate_password(length: int = 16) -> str:
    """A random password that meets the policy (for new users and resets, shown once)."""
    length = max(length, get_settings().password_min_length)
    alphabet = string.ascii_letters + string.digits + "-_.!@#%"
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(length))
        if not password_problems(candidate) and sum(
            (any(c.islower() for c in candidate), any(c.isupper() for c in candidate),
             any(c.isdigit() for c in candidate), any(not c.isalnum() for c in candidate))
        ) == 4:
            return candidate


def _verify(user: User | None, password: str) -> bool:
    try:
        return _hasher.verify(user.password_hash if user else _DUMMY_HASH, password) and user is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


# --- departments ---------------------------------------------------------------------------


def create_department(
    db: Session, *, code: str, name: str, region_code: str, categories: Iterable[str] = (),
    actor: Principal | None = None,
) -> Department:
    _check_region(region_code)
    ensure_reach(db, actor, action="create", entity="department", entity_id=code, region_code=region_code)
    if db.scalar(select(Department).where(Department.code == code)) is not None:
        raise InvalidInput(f"部门 {code} 已存在", f"department {code} already exists", field="code")
    dept = Department(code=code, name=name, region_code=region_code, categories=sorted(set(categories)))
    db.add(dept)
    db.flush()
    return dept


def get_department(db: Session, code: str) -> Department:
    dept = db.scalar(select(Department).where(Department.code == code))
    if dept is None:
        raise NotFound(f"部门 {code} 不存在", f"department {code} does not exist", field="department")
    return dept


def set_department_categories(db: Session, dept: Department, categories: Iterable[str], *,
                              actor: Principal | None = None) -> Department:
    ensure_reach(db, actor, action="update", entity="department", entity_id=dept.code, region_code=dept.region_code)
    dept.categories = sorted(set(categories))
    db.flush()
    return dept


def set_department_authorities(db: Session, dept: Department, authorities: Iterable[tuple[str, str]], *,
                               actor: Principal | None = None) -> Department:
    """The deciding authorities (USCC, registered name) a department may report for besides
    itself, e.g. a bureau for its sub-offices; its reporters' rows naming any other authority
    are refused (docs/accounts.md). Replaces the list."""
    from xinyong.core.codes import CodeError, validate_uscc

    ensure_reach(db, actor, action="update", entity="department", entity_id=dept.code, region_code=dept.region_code)
    out = []
    for code, name in authorities:
        try:
            code = validate_uscc(code)
        except CodeError as exc:
            raise InvalidInput(f"决定机关代码 {code} 有误：{exc.zh}", f"authority code {code}: {exc.en}",
                               field="authorities") from None
        name = (name or "").strip()
        if not name:
            raise InvalidInput(f"决定机关 {code} 须有登记名称", f"authority {code} needs a name", field="authorities")
        out.append({"code": code, "name": name})
    dept.authorities = sorted(out, key=lambda a: a["code"])
    db.flush()
    return dept


def list_departments(db: Session) -> list[Department]:
    return list(db.scalars(select(Department).order_by(Department.region_code, Department.code)))


# --- who may manage whom (docs/accounts.md, 管理范围) ------------------------------------------


class OutsideReach(Forbidden):
    """An administrator acting on a user, role, region, department or token beyond its own reach."""


def refuse(db: Session, actor: Principal | str, *, action: str, entity: str, entity_id: str | int | None,
           zh: str, en: str, error: type[XinyongError] = OutsideReach, **error_kw) -> None:
    """Write the refused attempt to the audit log and raise. The entry is committed before the
    error is raised (the caller's transaction would roll it back with the refused change): every
    refusal of a management action stays on the record (等保 三级, 安全审计). Refusals happen
    before anything is written, so nothing else is committed with it."""
    events.emit(db, events.AccountEvent(who=actor, action="refused", entity=entity, entity_id=entity_id,
                                        after={"attempt": action, "reason": en}))
    db.commit()
    raise error(zh, en, **error_kw)


def _reach_name(code: str | None) -> str:
    return regions.name_of(code) if code and regions.is_known(code) else (code or "（无地区）")


def ensure_reach(
    db: Session, actor: Principal | None, *, action: str, entity: str = "user", entity_id: str | int | None = None,
    role: str | None = None, region_code: str | None = None,
) -> None:
    """Refuse (audited, 403) unless ``actor`` may act on something of ``role`` in ``region_code``.

    An administrator manages only within its own region scope: what it creates or changes must
    lie inside that scope, so nothing it makes reaches further than itself (a city administrator
    cannot make a province-wide auditor, nor an auditor, user, department or token of another
    city). ``actor`` None or the command line: the operator on the server, unrestricted (who can
    run the CLI can read the database anyway; docs/accounts.md)."""
    if actor is None or actor.via == "cli":
        return
    if actor.role != "admin":
        refuse(db, actor, action=action, entity=entity, entity_id=entity_id,
               zh="只有信用办管理员可以管理用户、部门和令牌", en="only administrators manage users, departments and tokens")
    if actor.covers(region_code):
        return
    mine = _reach_name(actor.region_code)
    if action in ("create", "update") and role == "auditor" and region_code and region_code.endswith("0000"):
        zh = f"全省范围的审计员只能由省级管理员建立；您的管理范围是{mine}"
        en = f"a province-wide auditor is created only by a province administrator; your scope is {actor.region_code}"
    else:
        zh = f"超出您的管理范围：您只能管理{mine}范围内的用户、部门和令牌（对象地区：{_reach_name(region_code)}）"
        en = f"outside your scope {actor.region_code}: the object's region is {region_code}"
    refuse(db, actor, action=action, entity=entity, entity_id=entity_id, zh=zh, en=en)


# --- users ---------------------------------------------------------------------------------


def _check_region(code: str | None) -> None:
    if not code or not re.fullmatch(r"\d{6}", code) or not regions.is_known(code):
        raise InvalidInput(f"行政区划代码 {code} 无效", f"unknown region code {code!r}", field="region")


def _check_assignment(
    db: Session, role: str, region_code: str | None, department_code: str | None, subject_id: int | None
) -> None:
    if role not in ROLES:
        raise InvalidInput(f"角色 {role} 不存在", f"unknown role {role!r}; one of {', '.join(ROLES)}", field="role")
    if role in OFFICIALS:
        _check_region(region_code)
    if role == "reporter":
        if not department_code:
            raise InvalidInput("部门报送员须指定所属部门", "a reporter needs a department", field="department")
        dept = get_department(db, department_code)
        if region_code and not region_covers(region_code, dept.region_code):
            raise InvalidInput(
                "报送员的地区须包含所属部门的地区", "a reporter's region must cover its department's", field="region"
            )
    elif department_code:
        get_department(db, department_code)
    if role == "subject":
        if subject_id is None:
            raise InvalidInput("信用主体用户须关联一个信用主体", "a subject user needs a subject", field="subject")
    elif subject_id is not None:
        raise InvalidInput("只有信用主体用户可以关联信用主体", "only a subject user links a subject", field="subject")


def create_user(
    db: Session,
    *,
    username: str,
    role: str,
    region_code: str | None = None,
    display_name: str | None = None,
    department_code: str | None = None,
    subject_id: int | None = None,
    password: str | None = None,
    actor: Principal | None = None,
    subject_region: str | None = None,
) -> tuple[User, str]:
    """A new user; returns the user and its password (generated when not given, to be shown
    once and changed at first login). ``actor``: the administrator creating it, refused beyond
    its reach (:func:`ensure_reach`; a subject user lies in ``subject_region``, its subject's)."""
    ensure_reach(db, actor, action="create", entity="user", entity_id=username, role=role,
                 region_code=subject_region if role == "subject" else region_code)
    if not _USERNAME.match(username or ""):
        raise InvalidInput(
            "用户名为 2–64 位字母、数字、点、下划线或连字符", "username: 2-64 letters, digits, . _ -", field="username"
        )
    if db.scalar(select(User.id).where(User.username == username)) is not None:
        raise InvalidInput(f"用户名 {username} 已被使用", f"username {username} is taken", field="username")
    if role == "subject":
        region_code = region_code or None
    _check_assignment(db, role, region_code, department_code, subject_id)
    generated = password is None
    if password is None:
        password = generate_password()
    else:
        check_password_policy(password, username)
    user = User(
        username=username, display_name=display_name or username, role=role, region_code=region_code,
        department_code=department_code, subject_id=subject_id, password_hash=hash_password(password),
        must_change_password=generated, failed_logins=0, active=True, totp_enabled=False,
    )
    db.add(user)
    db.flush()
    return user, password


def get_user(db: Session, username: str) -> User:
    user = db.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"用户 {username} 不存在", f"user {username} does not exist", field="username")
    return user


def user_by_id(db: Session, user_id: int) -> User:
    user = db.get(User, user_id)
    if user is None:
        raise NotFound(f"用户 {user_id} 不存在", f"user {user_id} does not exist")
    return user


def list_users(
    db: Session, *, role: str | None = None, within: Principal | None = None
) -> list[User]:
    """Users, optionally of one role; ``within`` keeps those whose region the principal covers
    (a city administrator sees its city's and counties' users)."""
    q = select(User).order_by(User.region_code, User.username)
    if role:
        q = q.where(User.role == role)
    if within is not None and within.region_code is not None:
        prefix = regions.scope_prefix(within.region_code)
        q = q.where(User.region_code.like(prefix + "%"))
    return list(db.scalars(q))


def set_role(
    db: Session,
    user: User,
    *,
    role: str | None = None,
    region_code: str | None = None,
    department_code: str | None = None,
    subject_id: int | None = None,
    actor: Principal | None = None,
) -> User:
    """Change a user's role, region scope, department or subject; ends its sessions so the new
    scope applies at once. ``actor`` must reach both the user as it is and as it becomes."""
    ensure_reach(db, actor, action="update", entity_id=user.id, role=user.role, region_code=user.region_code)
    new_role = role or user.role
    new_region = region_code if region_code is not None else user.region_code
    new_dept = department_code if department_code is not None else (
        user.department_code if new_role == "reporter" or role is None else None)
    new_subject = subject_id if subject_id is not None else (user.subject_id if new_role == "subject" else None)
    if new_role == "subject" and region_code is None:
        new_region = None
    _check_assignment(db, new_role, new_region, new_dept, new_subject)
    ensure_reach(db, actor, action="update", entity_id=user.id, role=new_role, region_code=new_region)
    user.role, user.region_code, user.department_code, user.subject_id = new_role, new_region, new_dept, new_subject
    end_sessions(db, user)
    db.flush()
    return user


def is_locked(user: User, now: datetime | None = None) -> bool:
    return user.locked_until is not None and user.locked_until > (now or utcnow())


def lock(db: Session, user: User, minutes: int | None = None, *, actor: Principal | None = None) -> User:
    """Lock an account (for ``minutes``, or until unlocked) and end its sessions."""
    ensure_reach(db, actor, action="lock", entity_id=user.id, role=user.role, region_code=user.region_code)
    user.locked_until = utcnow() + timedelta(minutes=minutes) if minutes else FOREVER
    end_sessions(db, user)
    db.flush()
    return user


def unlock(db: Session, user: User, *, actor: Principal | None = None) -> User:
    ensure_reach(db, actor, action="unlock", entity_id=user.id, role=user.role, region_code=user.region_code)
    user.locked_until = None
    user.failed_logins = 0
    db.flush()
    return user


def set_active(db: Session, user: User, active: bool, *, actor: Principal | None = None) -> User:
    ensure_reach(db, actor, action="update", entity_id=user.id, role=user.role, region_code=user.region_code)
    user.active = active
    if not active:
        end_sessions(db, user)
    db.flush()
    return user


def reset_password(db: Session, user: User, password: str | None = None, *, actor: Principal | None = None) -> str:
    """A new password (generated unless given), to be changed at next login; ends the user's
    sessions and clears a lock."""
    ensure_reach(db, actor, action="password_reset", entity_id=user.id, role=user.role, region_code=user.region_code)
    if password is None:
        password = generate_password()
        user.must_change_password = True
    else:
        check_password_policy(password, user.username)
        user.must_change_password = False
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    user.failed_logins = 0
    user.locked_until = None
    end_sessions(db, user)
    db.flush()
    return password


def change_password(db: Session, user: User, old: str, new: str, *, keep_session: WebSession | None = None) -> None:
    """The user's own change: the old password must be right; other sessions end."""
    if not _verify(user, old):
        raise InvalidInput("原密码不正确", "the current password is wrong", field="old_password")
    if old == new:
        raise InvalidInput("新密码不能与原密码相同", "the new password equals the old one", field="new_password")
    check_password_policy(new, user.username)
    user.password_hash = hash_password(new)
    user.password_changed_at = utcnow()
    user.must_change_password = False
    end_sessions(db, user, except_id=keep_session.id if keep_session else None)
    db.flush()


# --- login and lockout ---------------------------------------------------------------------


class LoginFailed(Unauthorized):
    def __init__(self) -> None:
        super().__init__("用户名或密码错误", "wrong username or password")


class AccountLocked(Forbidden):
    def __init__(self, until: datetime) -> None:
        if until >= FOREVER - timedelta(days=1):
            zh, en = "账户已被锁定，请联系信用办管理员", "the account is locked; ask an administrator"
        else:
            minutes = max(1, int((until - utcnow()).total_seconds() // 60) + 1)
            zh, en = (f"登录失败次数过多，账户已锁定，请 {minutes} 分钟后再试",
                      f"too many failed logins: the account is locked for {minutes} more minutes")
        super().__init__(zh, en)


def authenticate(db: Session, username: str, password: str) -> User:
    """The user whose password this is, or :class:`LoginFailed` / :class:`AccountLocked`.
    Failures are counted on the user; at ``lockout_threshold`` in a row the account is locked
    for ``lockout_minutes``. The caller commits (also on failure, so the count is kept)."""
    s = get_settings()
    user = db.scalar(select(User).where(User.username == username))
    now = utcnow()
    if user is not None and is_locked(user, now):
        raise AccountLocked(user.locked_until)
    ok = _verify(user, password)
    if user is None or not user.active:
        raise LoginFailed()
    if not ok:
        user.failed_logins = (user.failed_logins or 0) + 1
        if user.failed_logins >= s.lockout_threshold:
            user.locked_until = now + timedelta(minutes=s.lockout_minutes)
            user.failed_logins = 0
            db.flush()
            log.warning("account %s locked after %d failed logins", username, s.lockout_threshold)
            raise AccountLocked(user.locked_until)
        db.flush()
        raise LoginFailed()
    user.failed_logins = 0
    user.locked_until = None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    db.flush()
    return user


# --- web sessions --------------------------------------------------------------------------


def needs_second_factor(user: User) -> bool:
    return user.role in SECOND_FACTOR_ROLES or user.totp_enabled


def start_session(db: Session, user: User, *, ip: str | None = None, user_agent: str | None = None) -> tuple[str, WebSession]:
    """A new server-side session after a right password; returns the cookie value (shown to the
    browser only) and the row. Its stage is ``totp`` when a code is still to come, ``enrol``
    for an administrator who has no TOTP yet, else ``full``."""
    s = get_settings()
    now = utcnow()
    raw = keys.random_token()
    if user.totp_enabled:
        stage = "totp"
    elif user.role in SECOND_FACTOR_ROLES:
        stage = "enrol"
    else:
        stage = "full"
    ws = WebSession(
        token_hash=keys.sha256_hex(raw), user_id=user.id, stage=stage, csrf_token=keys.random_token(24),
        created_at=now, last_seen_at=now, expires_at=now + timedelta(hours=s.session_max_hours),
        ip=(ip or None), user_agent=(user_agent or "")[:200] or None,
    )
    db.add(ws)
    if stage == "full":
        user.last_login_at = now
    db.flush()
    return raw, ws


def resolve_session(db: Session, raw: str | None) -> tuple[WebSession, User] | None:
    """The live session behind a cookie value, or None (unknown, ended, idle too long, past
    its absolute expiry, or its user inactive or locked). Refreshes ``last_seen_at`` (at most
    every 30 seconds, so that reading pages does not write on every request)."""
    if not raw or len(raw) > 200:
        return None
    row = db.execute(
        select(WebSession, User).join(User, User.id == WebSession.user_id)
        .where(WebSession.token_hash == keys.sha256_hex(raw))
    ).first()
    if row is None:
        return None
    ws, user = row
    now = utcnow()
    idle = timedelta(minutes=get_settings().session_idle_minutes)
    if ws.ended_at is not None or now >= ws.expires_at or now - ws.last_seen_at >= idle:
        if ws.ended_at is None:
            ws.ended_at = now
            db.commit()
        return None
    if not user.active or is_locked(user, now):
        return None
    if now - ws.last_seen_at >= TOUCH_EVERY:
        ws.last_seen_at = now
        db.commit()
    return ws, user


def rotate_session(db: Session, ws: WebSession, stage: str = "full") -> str:
    """A new cookie value for the same session (after the second factor: no fixation)."""
    raw = keys.random_token()
    ws.token_hash = keys.sha256_hex(raw)
    ws.stage = stage
    ws.csrf_token = keys.random_token(24)
    ws.last_seen_at = utcnow()
    db.flush()
    return raw


def end_session(db: Session, raw: str | None) -> None:
    if not raw:
        return
    ws = db.scalar(select(WebSession).where(WebSession.token_hash == keys.sha256_hex(raw)))
    if ws is not None and ws.ended_at is None:
        ws.ended_at = utcnow()
        db.flush()


def end_sessions(db: Session, user: User, *, except_id: int | None = None) -> int:
    q = select(WebSession).where(WebSession.user_id == user.id, WebSession.ended_at.is_(None))
    n = 0
    for ws in db.scalars(q):
        if ws.id != except_id:
            ws.ended_at = utcnow()
            n += 1
    db.flush()
    return n


# --- the second factor (TOTP) --------------------------------------------------------------


def begin_totp(db: Session, user: User) -> str:
    """A new TOTP secret for the user to scan (stored encrypted, not yet in force)."""
    secret = pyotp.random_base32()
    user.totp_secret = keys.encrypt(secret)
    user.totp_enabled = False
    user.totp_last_step = None
    db.flush()
    return secret


def totp_secret(user: User) -> str | None:
    return keys.decrypt(user.totp_secret) if user.totp_secret else None


def totp_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=TOTP_ISSUER)


def _check_code(user: User, code: str, now: datetime | None = None) -> bool:
    secret = totp_secret(user)
    code = (code or "").strip().replace(" ", "")
    if not secret or not re.fullmatch(r"\d{6}", code):
        return False
    totp = pyotp.TOTP(secret)
    at = now or datetime.now()
    for drift in (0, -1, 1):  # one step of clock drift either way
        moment = at + timedelta(seconds=30 * drift)
        step = totp.timecode(moment)
        if secrets.compare_digest(totp.at(moment), code):
            if user.totp_last_step is not None and step <= user.totp_last_step:
                return False  # a code is good once
            user.totp_last_step = step
            return True
    return False


def check_totp_code(user: User, code: str) -> bool:
    """Whether ``code`` is a fresh code of the user's TOTP (used once: the caller flushes)."""
    return bool(user.totp_enabled) and _check_code(user, code)


class WrongCode(InvalidInput):
    def __init__(self) -> None:
        super().__init__("动态验证码不正确或已使用", "wrong or already used one-time code", field="code")


def confirm_totp(db: Session, user: User, code: str) -> None:
    """Put the enrolled secret in force once the user shows a code from it."""
    if not user.totp_secret:
        raise XinyongError("请先生成动态验证码密钥", "begin TOTP enrolment first")
    if not _check_code(user, code):
        raise WrongCode()
    user.totp_enabled = True
    db.flush()


def verify_totp(db: Session, user: User, code: str) -> None:
    """A login's second step. A wrong code counts as a failed login (lockout applies)."""
    s = get_settings()
    if is_locked(user):
        raise AccountLocked(user.locked_until)
    if not user.totp_enabled or not _check_code(user, code):
        user.failed_logins = (user.failed_logins or 0) + 1
        if user.failed_logins >= s.lockout_threshold:
            user.locked_until = utcnow() + timedelta(minutes=s.lockout_minutes)
            user.failed_logins = 0
            db.flush()
            raise AccountLocked(user.locked_until)
        db.flush()
        raise WrongCode()
    user.failed_logins = 0
    user.last_login_at = utcnow()
    db.flush()


def reset_totp(db: Session, user: User, *, actor: Principal | None = None) -> None:
    """Forget the user's TOTP (lost phone); an administrator enrols again at next login."""
    ensure_reach(db, actor, action="totp_reset", entity_id=user.id, role=user.role, region_code=user.region_code)
    user.totp_secret = None
    user.totp_enabled = False
    user.totp_last_step = None
    end_sessions(db, user)
    db.flush()


# --- principals ----------------------------------------------------------------------------


def principal_of(db: Session, user: User, *, via: str, token: ApiToken | None = None) -> Principal:
    """The :class:`Principal` a user acts as: through a token, the token's department and
    categories (narrowed to what the department may report now); in a session, its own
    department's categories."""
    department = token.department_code if token is not None else user.department_code
    categories: frozenset[str] = frozenset()
    if department:
        dept = db.scalar(select(Department).where(Department.code == department))
        categories = frozenset(dept.categories or ()) if dept is not None and dept.active else frozenset()
    if token is not None and department:
        # what the token was issued for, and still only what the department may report today
        categories = frozenset(token.categories or ()) & categories
    elif token is not None:
        categories = frozenset(token.categories or ())
    return Principal(
        user_id=user.id, username=user.username, role=user.role, region_code=user.region_code,
        department_code=department, categories=categories, subject_id=user.subject_id, via=via,
    )


# API tokens live in xinyong.accounts.tokens; re-exported here for the callers that import them
# from the service (pages, CLI, access, tests).
from xinyong.accounts.tokens import (  # noqa: E402
    TOKEN_PREFIX,
    IssuedToken,
    TokenInvalid,
    _token_stmt,
    get_token,
    issue_token,
    list_tokens,
    resolve_token,
    revoke_token,
    token_state,
)

__all__ = ["TOKEN_PREFIX", "IssuedToken", "TokenInvalid", "_token_stmt", "get_token", "issue_token", "list_tokens",
           "resolve_token", "revoke_token", "token_state"]
