"""``xinyong``: the command line. Each package adds its own commands here."""

from __future__ import annotations

import typer
from rich.console import Console

from xinyong.accounts.cli import app as users_app
from xinyong.audit.cli import app as audit_app
from xinyong.catalog.cli import app as policy_app
from xinyong.checks.cli import app as checks_app
from xinyong.checks.cli import check_command
from xinyong.commitments.cli import app as commitments_app
from xinyong.demo.cli import demo_command
from xinyong.disclosure.cli import report_command
from xinyong.evaluation.cli import app as evaluate_app
from xinyong.jobs.cli import app as jobs_app
from xinyong.lists.cli import app as lists_app
from xinyong.push.cli import app as push_app
from xinyong.records.cli import import_command, records_app, template_command
from xinyong.redress.cli import app as complaints_app
from xinyong.subjects.cli import app as keys_app
from xinyong.subjects.cli import designations_app
from xinyong.supervision.cli import app as supervision_app

app = typer.Typer(help="xinyong 公共信用信息平台 (public credit information platform)", no_args_is_help=True)
app.add_typer(policy_app, name="policy")
app.add_typer(users_app, name="users")
app.add_typer(audit_app, name="audit")
app.add_typer(keys_app, name="keys")
app.add_typer(designations_app, name="designations")
app.command("import")(import_command)
app.command("template")(template_command)
app.add_typer(records_app, name="records")
app.command("demo")(demo_command)
app.add_typer(lists_app, name="lists")
app.command("check")(check_command)
app.add_typer(checks_app, name="checks")
app.add_typer(push_app, name="push")
app.add_typer(jobs_app, name="jobs")
app.command("report")(report_command)
app.add_typer(supervision_app, name="supervision")
app.add_typer(evaluate_app, name="evaluate")
app.add_typer(commitments_app, name="commitments")
app.add_typer(complaints_app, name="complaints")
console = Console()


def _wire_accounts() -> None:
    """accounts cannot import subjects or catalog (they sit below it): give its CLI the look-ups."""
    from xinyong.accounts.cli import HOOKS

    def resolve_subject(session, ref: str) -> tuple[int, str]:
        from xinyong.subjects import service as subjects

        subject = subjects.get_by_ref(session, ref)
        return subject.id, subject.region_code

    def known_categories(session) -> set[str]:
        from xinyong.catalog.service import active_version

        return {c.code for c in active_version(session)[1].catalog.categories}

    HOOKS.resolve_subject = resolve_subject
    HOOKS.known_categories = known_categories


_wire_accounts()

# Commands that read or write identity numbers: they refuse to start when the database holds
# numbers under a key the ring lacks (init and serve check for themselves, keys status shows it).
READS_IDENTITIES = frozenset({"import", "worker", "check", "checks", "lists", "push", "demo", "users", "jobs",
                              "report", "commitments"})


@app.callback()
def _check_keys(ctx: typer.Context) -> None:
    if ctx.invoked_subcommand in READS_IDENTITIES and not ctx.resilient_parsing:
        from xinyong.subjects import keys

        keys.key_check(configured=keys.keyring_configured())


@app.command("init")
def init() -> None:
    """Create or upgrade the database (migrations) and load the default policy lists if none."""
    from xinyong.catalog import service
    from xinyong.core import migrate
    from xinyong.core.crypto import ensure_keyring
    from xinyong.core.db import get_engine, session_scope
    from xinyong.subjects import keys

    # a lost key file must not be replaced by a new ring while the database holds numbers
    # under the old one: refuse, and say how to restore it
    keys.key_check(configured=keys.keyring_configured())
    ring, created = ensure_keyring()  # before the migrations: they encrypt plain identity numbers
    keys.key_check(ring=ring)
    if created:
        console.print(f"[green]✓[/green] 已生成数据密钥 {ring.source}（权限 0600，请妥善备份）")
    engine = get_engine()
    migrate.upgrade(engine)
    with session_scope() as session:
        version = service.ensure_default(session, user="init")
        label, vid = version.label, version.id
    console.print(f"[green]✓[/green] 数据库就绪（{engine.url.render_as_string(hide_password=True)}），当前政策清单：{label}（版本 {vid}）")


@app.command("serve")
def serve(
    host: str | None = typer.Option(None, help="Address to listen on (default XINYONG_HOST)"),
    port: int | None = typer.Option(None, help="Port (default XINYONG_PORT)"),
    workers: int = typer.Option(1, min=1, max=64, help="Web processes (PostgreSQL only; docs/deployment.md)"),
) -> None:
    """Run the web pages and the API (and XINYONG_JOBS_WORKERS job workers beside them)."""
    from xinyong.core.settings import get_settings
    from xinyong.subjects import keys

    settings = get_settings()
    if workers > 1 and not settings.effective_database_url.startswith("postgresql"):
        console.print("[red]✗ 多进程（--workers）须使用 PostgreSQL（XINYONG_DATABASE_URL）；SQLite 只运行一个进程[/red]")
        raise typer.Exit(2)
    from sqlalchemy.exc import OperationalError

    try:  # data under a key the ring lacks: refuse to serve look-ups that would miss
        keys.key_check(configured=keys.keyring_configured())
    except OperationalError:
        pass  # the database is not reachable yet: the server reports that itself
    # the daily jobs, once a day from XINYONG_DAILY_AT (one thread in this process, whatever the
    # number of workers; several servers are safe: xinyong.jobs.scheduler)
    from xinyong.jobs.scheduler import start_if_enabled

    scheduler = start_if_enabled()
    if scheduler is not None:
        console.print(f"每日任务：每天 {settings.daily_at.strftime('%H:%M')}（北京时间）后运行（XINYONG_DAILY_ENABLED=false 可关闭）")
    procs = _start_job_workers(settings.jobs_workers)
    try:
        _serve(settings, host, port, workers)
    finally:
        if scheduler is not None:
            scheduler.stop()
        for p in procs:  # the workers this server started end with it
            p.terminate()
        for p in procs:
            p.wait(timeout=30)


def _start_job_workers(count: int) -> list:
    """``XINYONG_JOBS_WORKERS`` job worker processes beside the web server: uploaded files are
    imported there, never in a web request (0: the deployment runs ``xinyong worker`` itself)."""
    import subprocess
    import sys

    return [subprocess.Popen([sys.executable, "-m", "xinyong", "worker"]) for _ in range(count)]


def _serve(settings, host, port, workers) -> None:
    import uvicorn

    # proxy_headers off: uvicorn would believe X-Forwarded-For from 127.0.0.1; the app reads it
    # only from XINYONG_TRUSTED_PROXIES (xinyong.web.security.ClientAddressMiddleware)
    uvicorn.run("xinyong.web.app:create_app", factory=True, host=host or settings.host,
                port=port or settings.port, workers=workers, proxy_headers=False)


@app.command("worker")
def worker(
    once: bool = typer.Option(False, "--once", help="Run the jobs queued now, then stop"),
    poll: float | None = typer.Option(None, "--poll", min=0.1, help="Seconds between looks at an empty queue "
                                      "(default XINYONG_JOBS_POLL_SECONDS)"),
) -> None:
    """Run queued jobs (uploaded-file imports) outside the web server; docs/deployment.md."""
    from xinyong.core import work

    ran = work.work(once=once, poll=poll)
    if once:
        console.print(f"[green]✓[/green] 已处理 {ran} 个任务")


def main() -> None:
    """Entry point: a domain error is a clear message and exit status 2, never a traceback."""
    from xinyong.catalog.service import PolicyProblems
    from xinyong.core.errors import XinyongError

    try:
        app()
    except PolicyProblems as exc:
        for p in exc.problems:
            console.print(f"[red]✗[/red] {p}")
        console.print(f"[red]{exc.zh}[/red]")
        raise SystemExit(2) from None
    except XinyongError as exc:
        console.print(f"[red]✗ {exc.zh}[/red]\n  {exc.en}")
        raise SystemExit(2) from None
