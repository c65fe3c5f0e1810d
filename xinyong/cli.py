"""``xinyong``: the command line. Each package adds its own commands here."""

from __future__ import annotations

import typer
from rich.console import Console

from xinyong.catalog.cli import app as policy_app
from xinyong.demo.cli import demo_command
from xinyong.records.cli import import_command, template_command

app = typer.Typer(help="xinyong 公共信用信息平台 (public credit information platform)", no_args_is_help=True)
app.add_typer(policy_app, name="policy")
app.command("import")(import_command)
app.command("template")(template_command)
app.command("demo")(demo_command)
console = Console()


@app.command("init")
def init() -> None:
    """Create or upgrade the database (migrations) and load the default policy lists if none."""
    from xinyong.catalog import service
    from xinyong.core import migrate
    from xinyong.core.db import get_engine, session_scope

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
) -> None:
    """Run the web pages and the API."""
    import uvicorn

    from xinyong.core.settings import get_settings

    settings = get_settings()
    uvicorn.run("xinyong.web.app:create_app", factory=True, host=host or settings.host, port=port or settings.port)


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
