"""``xinyong commitments …``: the commitment register from the command line — the template, an
import, the daily breach run and the fulfilment rates."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer
from rich.console import Console

app = typer.Typer(help="信用承诺 (commitments): template, import, daily breaches, rates", no_args_is_help=True)
console = Console(soft_wrap=True)


@app.command("template")
def template(output: Path = typer.Option(..., "-o", "--output", help="Where to write the XLSX template")) -> None:
    """Write the XLSX template for commitments (Chinese headers, notes, drop-downs of the kinds)."""
    from xinyong.commitments import service
    from xinyong.core.db import session_scope

    with session_scope() as session:
        data = service.template_bytes(service.kind_list(session))
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(data)
    console.print(f"[green]✓[/green] 模板已写入 {output}")


@app.command("import")
def import_(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="The filled-in XLSX"),
    user: str = typer.Option("cli", "--user", help="Who is importing (recorded in the audit log)"),
) -> None:
    """Import commitments from an XLSX file: bad rows are listed with row, column and reason and
    left out; the good rows are written in one transaction."""
    from xinyong.accounts.principal import cli_principal
    from xinyong.commitments import service
    from xinyong.core.clock import today
    from xinyong.core.db import session_scope
    from xinyong.core.errors import XinyongError

    try:
        rows = service.read_xlsx(file.read_bytes())
        with session_scope() as session:
            result = service.import_rows(session, rows, who=cli_principal(user), today=today())
    except XinyongError as exc:
        console.print(f"[red]✗ {exc.zh}[/red]\n  {exc.en}")
        raise typer.Exit(2) from None
    console.print(f"共 {result.rows} 行：登记 {result.created} 项；退回 [{'red' if result.rejected else 'green'}]"
                  f"{result.rejected}[/] 行")
    for e in result.errors[:20]:
        console.print(f"  第{e.row}行 {e.column}：{e.reason}")
    if len(result.errors) > 20:
        console.print(f"  …… 共 {len(result.errors)} 处错误")
    raise typer.Exit(1 if result.rejected else 0)


@app.command("breaches")
def breaches(on: str = typer.Option("", "--date", help="Run as of this day (YYYY-MM-DD); default today in Beijing")) -> None:
    """Turn commitments past their due date (and reported breaches still without a record) into
    违背信用承诺 records, once; the same work the daily run does."""
    from xinyong.commitments import service
    from xinyong.core.clock import today
    from xinyong.core.db import session_scope

    day = date.fromisoformat(on) if on else today()
    with session_scope() as session:
        counts = service.daily_breaches(session, day)
    for key, label in service.DAILY_COUNTS.items():
        console.print(f"{label}：{counts.get(key, 0)}")


@app.command("rates")
def rates(by: str = typer.Option("region", "--by", help="region (per county) or body (per government body)")) -> None:
    """Print the fulfilment rate per county or per government body."""
    from xinyong.accounts.principal import cli_principal
    from xinyong.commitments import service
    from xinyong.core.db import session_scope

    with session_scope() as session:
        found = service.rates_by_body(session, cli_principal()) if by == "body" else \
            service.rates_by_region(session, cli_principal())
    for r in found:
        rate = "—" if r.rate is None else f"{r.rate * 100:.1f}%"
        console.print(f"{r.name}\t共 {r.total}\t已履行 {r.fulfilled}\t已违诺 {r.breached}\t履行中 {r.in_force}\t履约率 {rate}")


from xinyong.commitments.obligations.cli import app as _obligations_app  # noqa: E402

app.add_typer(_obligations_app, name="obligations")
