"""``xinyong commitments obligations …``: the registers of government obligations from the
command line — a template, an import, an export, and the daily work run by hand."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer
from rich.console import Console

app = typer.Typer(help="政府履约 (obligations): templates, import, export, daily work", no_args_is_help=True)
console = Console(soft_wrap=True)
REGISTER_HELP = "agreements, contracts, ppp, ppp_holders, ppp_breaches, judgments or debts"


@app.command("template")
def template(register: str = typer.Argument(..., help=REGISTER_HELP),
             output: Path = typer.Option(..., "-o", "--output", help="Where to write the XLSX template")) -> None:
    """Write a register's XLSX template (Chinese headers, required ones in red, a note per column)."""
    from xinyong.commitments.obligations import service
    from xinyong.core.errors import XinyongError

    try:
        data = service.template_bytes(service.register(register))
    except XinyongError as exc:
        console.print(f"[red]✗ {exc.zh}[/red]")
        raise typer.Exit(2) from None
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(data)
    console.print(f"[green]✓[/green] 模板已写入 {output}")


@app.command("import")
def import_(register: str = typer.Argument(..., help=REGISTER_HELP),
            file: Path = typer.Argument(..., exists=True, dir_okay=False, help="The filled-in XLSX"),
            user: str = typer.Option("cli", "--user", help="Who is importing (recorded in the audit log)")) -> None:
    """Import a register from XLSX: bad rows are listed with row, column and reason and left out."""
    from xinyong.accounts.principal import cli_principal
    from xinyong.commitments.obligations import service
    from xinyong.core.clock import today
    from xinyong.core.db import session_scope
    from xinyong.core.errors import XinyongError

    try:
        rows = service.read_xlsx(service.register(register), file.read_bytes())
        with session_scope() as session:
            result = service.import_rows(session, register, rows, who=cli_principal(user), today=today())
    except XinyongError as exc:
        console.print(f"[red]✗ {exc.zh}[/red]\n  {exc.en}")
        raise typer.Exit(2) from None
    console.print(f"共 {result.rows} 行：登记 {result.created} 条；退回 {result.rejected} 行")
    for e in result.errors[:20]:
        console.print(f"  第{e.row}行 {e.column}：{e.reason}")
    raise typer.Exit(1 if result.rejected else 0)


@app.command("export")
def export(register: str = typer.Argument(..., help="agreements, contracts, ppp, judgments or debts"),
           output: Path = typer.Option(..., "-o", "--output", help="Where to write the XLSX")) -> None:
    """Export a register as XLSX (a download entry in the audit log)."""
    from xinyong.accounts.principal import cli_principal
    from xinyong.commitments.obligations import service
    from xinyong.core.db import session_scope

    with session_scope() as session:
        data = service.export_bytes(session, register, cli_principal())
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(data)
    console.print(f"[green]✓[/green] 已导出到 {output}")


@app.command("daily")
def daily(on: str = typer.Option("", "--date", help="Run as of this day (YYYY-MM-DD); default today in Beijing")) -> None:
    """Run the obligations' daily work now: arrears, debt warning levels, judgments, PPP breaches
    (what `xinyong jobs daily` runs; a second run the same day changes nothing)."""
    from xinyong.commitments.obligations import _COUNTS, service
    from xinyong.core.clock import today
    from xinyong.core.db import session_scope

    day = date.fromisoformat(on) if on else today()
    jobs = {"arrears": service.daily_arrears, "debt": service.daily_debt_levels,
            "judgments": service.daily_judgments, "ppp": service.daily_ppp_breaches}
    with session_scope() as session:
        for name, run in jobs.items():
            counts = run(session, day)
            console.print("；".join(f"{label}：{counts.get(k, 0)}" for k, label in _COUNTS[name].items()))
