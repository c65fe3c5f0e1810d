"""``xinyong users …``: create and manage users, departments and API tokens from the command
line. A generated password or a token is printed once; only its hash is kept.

accounts sits above subjects and catalog in the dependency order, so it cannot look a subject
or a category up itself: the top-level CLI (:mod:`xinyong.cli`) plugs in :data:`HOOKS` that do
(a subject by its code or number; the active catalog's category codes).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from xinyong.accounts import events, service
from xinyong.accounts.principal import cli_principal
from xinyong.accounts.roles import ROLES
from xinyong.core.db import session_scope
from xinyong.core.errors import InvalidInput

app = typer.Typer(help="用户、部门与 API 令牌 (users, departments, API tokens)", no_args_is_help=True)
departments_app = typer.Typer(help="报送部门及其可报送的类别 (departments and their categories)", no_args_is_help=True)
tokens_app = typer.Typer(help="API 令牌：签发、列出、吊销 (API tokens)", no_args_is_help=True)
app.add_typer(departments_app, name="departments")
app.add_typer(tokens_app, name="tokens")
console = Console()

ROLE_HELP = "角色 role: " + ", ".join(f"{k}（{v}）" for k, v in ROLES.items())


@dataclass
class Hooks:
    # (session, code or number) → (subject id, region code); raises NotFound
    resolve_subject: Callable[[Session, str], tuple[int, str]] | None = None
    # session → the category codes of the active catalog
    known_categories: Callable[[Session], set[str]] | None = None
    # session → the active catalog's categories, code → Chinese name (the web pages show names)
    category_names: Callable[[Session], dict[str, str]] | None = None
    # (session, subject ids) → id → the subject's region code (an administrator's list of subject users)
    subject_regions: Callable[[Session, set[int]], dict[int, str]] | None = None


HOOKS = Hooks()


def _categories(db: Session, text: str | None) -> list[str] | None:
    if text is None:
        return None
    codes = [c.strip() for c in text.replace("，", ",").split(",") if c.strip()]
    if HOOKS.known_categories is not None:
        unknown = sorted(set(codes) - HOOKS.known_categories(db))
        if unknown:
            raise InvalidInput(f"数据目录中没有这些类别：{'、'.join(unknown)}",
                               f"not in the catalog: {', '.join(unknown)}", field="categories")
    return codes


def _subject(db: Session, ref: str | None) -> tuple[int | None, str | None]:
    if not ref:
        return None, None
    if HOOKS.resolve_subject is None:
        if not ref.isdigit():
            raise InvalidInput("请给出信用主体编号", "give the subject's number")
        return int(ref), None
    return HOOKS.resolve_subject(db, ref)


def _event(db: Session, action: str, entity: str, entity_id: str | int | None, **kw) -> None:
    """One account event (the audit log), in this command's transaction, under the CLI's name."""
    events.emit(db, events.AccountEvent(who=cli_principal(), action=action, entity=entity,
                                        entity_id=entity_id, **kw))


def _once(label: str, value: str) -> None:
    console.print(f"{label}（只显示这一次 / shown once）：")
    console.print(value, style="bold", soft_wrap=True, highlight=False)


@app.command("create")
def create(
    username: str = typer.Argument(..., help="Login name"),
    role: str = typer.Option(..., "--role", help=ROLE_HELP),
    region: str | None = typer.Option(None, "--region", help="Region scope (GB/T 2260 code, e.g. 330100)"),
    department: str | None = typer.Option(None, "--department", help="Department USCC (reporters)"),
    subject: str | None = typer.Option(None, "--subject", help="The subject's code or number (role subject)"),
    name: str | None = typer.Option(None, "--name", help="Display name"),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from stdin instead of generating one"),
) -> None:
    """Create a user; a generated password is printed once and must be changed at first login."""
    password = None
    if password_stdin:
        password = typer.get_text_stream("stdin").readline().rstrip("\n")
    with session_scope() as db:
        subject_id, subject_region = _subject(db, subject)
        user, password = service.create_user(
            db, username=username, role=role, region_code=region or subject_region, display_name=name,
            department_code=department, subject_id=subject_id, password=password,
        )
        uid = user.id
        _event(db, "create", "user", uid, after=events.user_state(user))
    console.print(f"[green]✓[/green] 用户 {username}（{ROLES[role]}，编号 {uid}）已建立")
    if not password_stdin:
        _once("初始密码", password)


@app.command("list")
def list_users(
    role: str | None = typer.Option(None, "--role", help=ROLE_HELP),
    region: str | None = typer.Option(None, "--region", help="Only users inside this region"),
) -> None:
    """List users with role, region, department and state."""
    from xinyong.accounts.principal import Principal

    within = Principal(None, "cli", "admin", region, via="session") if region else None
    with session_scope() as db:
        users = service.list_users(db, role=role, within=within)
        table = Table("编号", "用户名", "姓名", "角色", "地区", "部门", "动态验证码", "状态")
        for u in users:
            state = "停用" if not u.active else "锁定" if service.is_locked(u) else "正常"
            table.add_row(str(u.id), u.username, u.display_name, ROLES.get(u.role, u.role), u.region_code or "—",
                          u.department_code or "—", "是" if u.totp_enabled else "否", state)
    console.print(table)


@app.command("set-role")
def set_role(
    username: str = typer.Argument(...),
    role: str | None = typer.Option(None, "--role", help=ROLE_HELP),
    region: str | None = typer.Option(None, "--region", help="New region scope"),
    department: str | None = typer.Option(None, "--department", help="New department (reporters)"),
    subject: str | None = typer.Option(None, "--subject", help="The subject's code or number (role subject)"),
) -> None:
    """Change a user's role, region scope, department or subject (its sessions end)."""
    with session_scope() as db:
        user = service.get_user(db, username)
        before = events.user_state(user)
        subject_id, subject_region = _subject(db, subject)
        service.set_role(db, user, role=role, region_code=region or subject_region, department_code=department,
                         subject_id=subject_id)
        _event(db, "update", "user", user.id, before=before, after=events.user_state(user))
        text = f"{ROLES[user.role]}，地区 {user.region_code or '—'}，部门 {user.department_code or '—'}"
    console.print(f"[green]✓[/green] {username}：{text}")


@app.command("lock")
def lock(
    username: str = typer.Argument(...),
    minutes: int | None = typer.Option(None, "--minutes", min=1, help="Lock for this long (default: until unlocked)"),
) -> None:
    """Lock an account and end its sessions."""
    with session_scope() as db:
        user = service.get_user(db, username)
        before = events.user_state(user)
        service.lock(db, user, minutes)
        _event(db, "lock", "user", user.id, before=before, after=events.user_state(user))
    console.print(f"[green]✓[/green] {username} 已锁定")


@app.command("unlock")
def unlock(username: str = typer.Argument(...)) -> None:
    """Unlock an account and clear its failed-login count."""
    with session_scope() as db:
        user = service.get_user(db, username)
        before = events.user_state(user)
        service.unlock(db, user)
        _event(db, "unlock", "user", user.id, before=before, after=events.user_state(user))
    console.print(f"[green]✓[/green] {username} 已解锁")


@app.command("reset-password")
def reset_password(username: str = typer.Argument(...)) -> None:
    """Generate a new password (printed once, to be changed at next login); ends its sessions."""
    with session_scope() as db:
        user = service.get_user(db, username)
        password = service.reset_password(db, user)
        _event(db, "password_reset", "user", user.id)
    console.print(f"[green]✓[/green] {username} 的密码已重置")
    _once("新密码", password)


@app.command("reset-totp")
def reset_totp(username: str = typer.Argument(...)) -> None:
    """Forget a user's TOTP (a lost phone); the next login enrols again."""
    with session_scope() as db:
        user = service.get_user(db, username)
        service.reset_totp(db, user)
        _event(db, "totp_reset", "user", user.id)
    console.print(f"[green]✓[/green] {username} 的动态验证码已清除，下次登录时重新设置")


# --- departments ---------------------------------------------------------------------------


@departments_app.command("add")
def department_add(
    code: str = typer.Argument(..., help="The department's USCC"),
    name: str = typer.Option(..., "--name"),
    region: str = typer.Option(..., "--region", help="Region code"),
    categories: str = typer.Option("", "--categories", help="Catalog category codes it may report, comma-separated"),
) -> None:
    """Add a reporting department with the catalog categories it may report."""
    with session_scope() as db:
        dept = service.create_department(db, code=code, name=name, region_code=region,
                                         categories=_categories(db, categories) or [])
        _event(db, "create", "department", dept.code, after={"name": dept.name, "region_code": dept.region_code,
                                                            "categories": list(dept.categories)})
        cats = "、".join(dept.categories) or "—"
    console.print(f"[green]✓[/green] 部门 {name}（{code}）已建立，可报送：{cats}")


@departments_app.command("list")
def department_list() -> None:
    """List departments and their categories."""
    with session_scope() as db:
        table = Table("代码", "名称", "地区", "可报送类别")
        for d in service.list_departments(db):
            table.add_row(d.code, d.name, d.region_code, "、".join(d.categories or []) or "—")
    console.print(table)


@departments_app.command("set-categories")
def department_set_categories(
    code: str = typer.Argument(...),
    categories: str = typer.Argument(..., help="Category codes, comma-separated (replaces the list)"),
) -> None:
    """Replace the categories a department may report."""
    with session_scope() as db:
        dept = service.get_department(db, code)
        before = {"categories": list(dept.categories or [])}
        service.set_department_categories(db, dept, _categories(db, categories))
        _event(db, "update", "department", dept.code, before=before, after={"categories": list(dept.categories)})
        cats = "、".join(dept.categories) or "—"
    console.print(f"[green]✓[/green] {code} 可报送：{cats}")


@departments_app.command("set-authorities")
def department_set_authorities(
    code: str = typer.Argument(...),
    authorities: list[str] = typer.Argument(None, help="USCC=登记名称 of each deciding authority (replaces the list; none clears it)"),
) -> None:
    """Register the deciding authorities (处罚机关, 许可机关) a department may report for besides
    itself; its reporters' rows naming any other authority are refused."""
    pairs = []
    for item in authorities or []:
        auth_code, sep, name = item.partition("=")
        if not sep:
            raise typer.BadParameter(f"“{item}”应写成 统一社会信用代码=名称", param_hint="AUTHORITIES")
        pairs.append((auth_code.strip(), name.strip()))
    with session_scope() as db:
        dept = service.get_department(db, code)
        before = {"authorities": list(dept.authorities or [])}
        service.set_department_authorities(db, dept, pairs)
        _event(db, "update", "department", dept.code, before=before, after={"authorities": list(dept.authorities)})
        names = "、".join(f"{a['name']}（{a['code']}）" for a in dept.authorities) or "仅本部门"
    console.print(f"[green]✓[/green] {code} 可报送的决定机关：{names}")


# --- tokens --------------------------------------------------------------------------------


@tokens_app.command("issue")
def token_issue(
    username: str = typer.Argument(..., help="The user the token acts as (its role and region)"),
    name: str = typer.Option("api", "--name", help="What the token is for (the department's system)"),
    days: int | None = typer.Option(None, "--days", min=1, help="Validity in days (default XINYONG_TOKEN_DEFAULT_DAYS)"),
    categories: str | None = typer.Option(None, "--categories", help="Fewer categories than the department's, comma-separated"),
    hours: int | None = typer.Option(None, "--hours", min=1,
                                     help="Validity in hours (an administrator's token: at most XINYONG_TOKEN_ADMIN_MAX_HOURS)"),
) -> None:
    """Issue an API token; it is printed once and only its hash is kept. A token acting as an
    administrator is valid at most XINYONG_TOKEN_ADMIN_MAX_HOURS (its default)."""
    with session_scope() as db:
        user = service.get_user(db, username)
        issued = service.issue_token(db, user, name=name, by=cli_principal().username, days=days, hours=hours,
                                     categories=_categories(db, categories), actor=cli_principal())
        row = issued.row
        _event(db, "token_issued", "token", row.id, after={"prefix": row.prefix, "user": username,
               "department_code": row.department_code, "categories": list(row.categories),
               "expires_at": row.expires_at.isoformat()})
        text = (f"令牌 {service.TOKEN_PREFIX}{row.prefix}…（{name}）用户 {username}，部门 {row.department_code or '—'}，"
                f"类别 {'、'.join(row.categories) or '—'}，{row.expires_at:%Y-%m-%d %H:%M} UTC 到期")
    console.print(f"[green]✓[/green] {text}")
    _once("令牌 / token", issued.token)


@tokens_app.command("list")
def token_list(username: str | None = typer.Argument(None, help="Only this user's tokens")) -> None:
    """List tokens (prefix, user, department, categories, expiry, state, last use)."""
    with session_scope() as db:
        user = service.get_user(db, username) if username else None
        table = Table("编号", "前缀", "名称", "用户", "部门", "类别", "到期", "状态", "最近使用")
        for t in service.list_tokens(db, user=user):
            table.add_row(str(t.id), f"{service.TOKEN_PREFIX}{t.prefix}", t.name, t.user.username,
                          t.department_code or "—", "、".join(t.categories or []) or "—",
                          f"{t.expires_at:%Y-%m-%d}", service.token_state(t),
                          f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "—")
    console.print(table)


@tokens_app.command("revoke")
def token_revoke(token: str = typer.Argument(..., help="The token's number or prefix (xy_ab12cd34)")) -> None:
    """Revoke a token at once."""
    with session_scope() as db:
        row = service.revoke_token(db, service.get_token(db, token), by=cli_principal().username)
        prefix = row.prefix
        _event(db, "token_revoked", "token", row.id, after={"prefix": prefix})
    console.print(f"[green]✓[/green] 令牌 {service.TOKEN_PREFIX}{prefix} 已吊销")
