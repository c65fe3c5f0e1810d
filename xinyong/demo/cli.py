"""``xinyong demo``: build the synthetic province into the configured database."""

from __future__ import annotations

import time
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from xinyong.catalog.schemas import SUBJECT_KIND_NAMES

console = Console()

BODY_NAMES = {
    "governments": "人民政府", "departments": "政府部门", "institutions": "事业单位",
    "villages": "村（居）民委员会", "social_organisations": "社会组织（慈善总会）",
}


def demo_command(
    scale: float = typer.Option(1.0, "--scale", min=0.0001, help="Multiplies every count (0.01 for a quick try, 10 for a big one)"),
    seed: int = typer.Option(2016, "--seed", help="Same seed, same data"),
    reset: bool = typer.Option(False, "--reset", help="Drop everything in the database first (SQLite: delete the file)"),
    if_empty: bool = typer.Option(False, "--if-empty", help="Do nothing when the database already holds subjects"),
) -> None:
    """Build a synthetic Zhejiang province (governments, departments, public servants, persons,
    enterprises and their credit records) for trying the platform out."""
    from sqlalchemy import func, inspect, select

    from xinyong.catalog import service as catalog_service
    from xinyong.core import db, migrate
    from xinyong.core.settings import get_settings
    from xinyong.demo.generator import PHASE_NAMES, PHASES, DemoRejected, build_demo
    from xinyong.subjects.models import Subject

    url = get_settings().effective_database_url
    engine = db.get_engine(url)
    if inspect(engine).has_table(Subject.__tablename__):
        with engine.connect() as conn:
            count = conn.execute(select(func.count()).select_from(Subject.__table__)).scalar_one()
        if count and not reset:
            if if_empty:
                console.print(f"数据库中已有 {count} 个信用主体，跳过演示数据生成。")
                _print_samples(engine)
                return
            console.print(
                f"[red]✗ 数据库中已有 {count} 个信用主体，演示数据只写入空库。[/red]\n"
                "  使用 --reset 清空数据库后重建（会删除全部数据），或设置 XINYONG_DATABASE_URL 指向另一个库。"
            )
            raise typer.Exit(2)
    if reset:
        engine = _reset(url)
        console.print(f"[yellow]已清空数据库[/yellow]（{engine.url.render_as_string(hide_password=True)}）")

    from xinyong.core.crypto import ensure_keyring

    ensure_keyring()  # identity numbers are stored encrypted (as `xinyong init` does)
    migrate.upgrade(engine)
    with db.session_scope(engine) as session:
        version = catalog_service.ensure_default(session, user="demo")
        label, vid = version.label, version.id
    console.print(f"[green]✓[/green] 数据库就绪，政策清单：{label}（版本 {vid}）")

    started = time.perf_counter()
    session = db.session_factory(engine)()
    try:
        with Progress(
            TextColumn("[bold]{task.description}[/bold]"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            console=console,
        ) as bar:
            tasks = {p: bar.add_task(PHASE_NAMES[p], total=None) for p in PHASES}

            def progress(phase: str, done: int, total: int) -> None:
                bar.update(tasks[phase], completed=done, total=total)

            summary = build_demo(session, scale=scale, seed=seed, progress=progress, commit=True)
        session.commit()
        from xinyong.demo.users import create_demo_users

        logins = create_demo_users(session)  # one user per role; passwords printed once below
        session.commit()
    except DemoRejected as exc:
        session.rollback()
        console.print(f"[red]✗ {exc.rejected} 行演示数据未通过校验（生成器与当前政策清单不一致）：[/red]")
        for e in exc.errors[:20]:
            console.print(f"  第{e.row}行 {e.field}={e.value!r}：{e.zh}")
        raise typer.Exit(1) from None
    finally:
        session.close()
    _print_summary(summary, time.perf_counter() - started)
    _print_logins(logins)
    _print_samples(engine)


def _reset(url: str):
    """Drop the whole database: delete the SQLite file, or every table (with alembic_version)."""
    from sqlalchemy import MetaData

    from xinyong.core import db

    if url.startswith("sqlite"):
        db.reset_engines()
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(path + suffix).unlink(missing_ok=True)
        return db.get_engine(url)
    engine = db.get_engine(url)
    meta = MetaData()
    meta.reflect(bind=engine)
    meta.drop_all(bind=engine)
    return engine


def _print_summary(summary, seconds: float) -> None:
    table = Table(title=f"演示数据（seed {summary.seed}，scale {summary.scale:g}）", show_lines=False)
    table.add_column("类别")
    table.add_column("数量", justify="right")
    for kind, n in summary.subjects.items():
        table.add_row(SUBJECT_KIND_NAMES[kind], f"{n:,}")
        for key, m in summary.bodies.items():
            if (key == "social_organisations") == (kind == "enterprise") and kind in ("gov_body", "enterprise"):
                table.add_row(f"  其中 {BODY_NAMES.get(key, key)}", f"{m:,}")
        if kind == "public_servant":
            table.add_row("  任职记录", f"{summary.posts:,}")
            table.add_row("  法定代表人、主要负责人登记", f"{summary.designations:,}")
    table.add_section()
    for code, n in summary.records.items():
        table.add_row(f"{summary.category_names.get(code, code)}（{code}）", f"{n:,}")
    table.add_section()
    table.add_row("信用记录合计", f"{sum(summary.records.values()):,}")
    table.add_row("导入批次（按报送部门）", f"{summary.batches:,}")
    table.add_row("退回行数", f"[{'red' if summary.rejected else 'green'}]{summary.rejected}[/]")
    if summary.joint:
        table.add_section()
        j = summary.joint
        table.add_row("名单（按规则 / 按决定）", f"{j.get('rule_listings', 0):,} / {j.get('decisions', 0):,}")
        table.add_row("信用评价等级", f"{j.get('grades', 0):,}")
        table.add_row("核查（含反馈）", f"{j.get('checks', 0):,}")
    if summary.oversight:
        table.add_section()
        o = summary.oversight
        table.add_row("政务诚信监督信息", f"{sum(v for k, v in o.items() if k.startswith('supervision_')):,}")
        table.add_row("信用评价（政府 / 个人）",
                      f"{o.get('evaluation_government', 0):,} / {o.get('evaluation_personal', 0):,}")
    console.print(table)
    phases = "，".join(f"{k} {v:.1f}s" for k, v in summary.phase_seconds.items())
    console.print(f"用时 {seconds:.1f} 秒（{phases}）")
    if summary.generic_facts:
        console.print("[yellow]以下字段没有专门的示例词表，按字段类型和名称生成：[/yellow]")
        for code, keys in summary.generic_facts.items():
            console.print(f"  {code}: {', '.join(keys)}")


def _print_samples(engine) -> None:
    """Subjects to try a check on, one per outcome, with their full (synthetic) codes."""
    from xinyong.core import db
    from xinyong.demo.samples import sample_subjects

    try:
        with db.session_scope(engine) as session:
            samples = sample_subjects(session)
    except Exception as exc:  # a database of another shape (not a demo): say so, do not fail
        console.print(f"[yellow]无法列出核查示例：{exc}[/yellow]")
        return
    if not samples:
        return
    from xinyong.core import regions

    console.print("[bold]核查示例[/bold]（演示数据中的合成主体，可在“联合奖惩核查”页输入代码）：")
    for s in samples:
        where = regions.name_of(s.region_code)
        who = f"{s.name}（{s.kind_name}，{where}" + (f"，出生日期 {s.birth_date}" if s.birth_date else "") + "）"
        console.print(f"  {s.outcome}：{who}", soft_wrap=True, highlight=False)
        console.print(f"    {s.code or '不填代码'}　{s.hint}", soft_wrap=True, highlight=False)


def _print_logins(logins) -> None:
    """The demo users' logins: shown this once (only password hashes are stored)."""
    if not logins:
        return
    from xinyong.accounts.roles import ROLES

    table = Table(title="演示用户（密码只显示这一次 / passwords shown once）")
    for col in ("用户名", "角色", "地区", "密码", "说明"):
        table.add_column(col, no_wrap=col in ("用户名", "密码"))
    for u in logins:
        table.add_row(u.username, ROLES[u.role], u.region_code or "—", u.password, u.note)
    console.print(table)
    for u in logins:
        if u.totp_secret:
            console.print(f"{u.username} 须使用动态验证码（TOTP）。把密钥加入身份验证器：[bold]{u.totp_secret}[/bold]")
            console.print(f"  {u.totp_uri}", soft_wrap=True, highlight=False)
