"""``xinyong supervision …``: templates, imports and the board of the supervision inputs."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(help="政务诚信监督：督查考核、建议提案、司法建议、万人评议、第三方评价 (supervision inputs)",
                  no_args_is_help=True)
console = Console(soft_wrap=True)
KIND_HELP = "inspections (督查考核) / proposals (建议提案) / judicial (司法建议) / appraisals (万人评议) / ratings (第三方评价)"


def _kind(kind: str) -> str:
    from xinyong.supervision.models import KINDS

    if kind not in KINDS:
        console.print(f"[red]✗ 没有“{kind}”这类监督信息，可选：{', '.join(KINDS)}[/red]")
        raise typer.Exit(2)
    return kind


@app.command("template")
def template(
    kind: str = typer.Argument(..., help=KIND_HELP),
    output: Path = typer.Option(..., "-o", "--output", help="Where to write the XLSX template"),
) -> None:
    """Write the XLSX template of one supervision input (Chinese headers, notes, drop-downs)."""
    from xinyong.supervision import service

    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(service.template_bytes(_kind(kind)))
    console.print(f"[green]✓[/green] 模板已写入 {output}")


@app.command("import")
def import_file(
    kind: str = typer.Argument(..., help=KIND_HELP),
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="The filled-in XLSX"),
    user: str = typer.Option("cli", "--user", help="Who is importing (recorded in the audit log)"),
) -> None:
    """Import one supervision input from an XLSX file: bad rows are listed with row, column and
    reason and left out; the good rows are written in one transaction."""
    from xinyong.accounts.principal import cli_principal
    from xinyong.core.clock import today
    from xinyong.core.db import session_scope
    from xinyong.core.errors import XinyongError
    from xinyong.supervision import service

    kind = _kind(kind)
    try:
        rows = service.read_xlsx(kind, file.read_bytes())
        with session_scope() as session:
            result = service.import_rows(session, kind, rows, who=cli_principal(user), today=today())
    except XinyongError as exc:
        console.print(f"[red]✗ {exc.zh}[/red]\n  {exc.en}")
        raise typer.Exit(2) from None
    console.print(f"共 {result.rows} 行：新增 {result.created}、更新 {result.updated}、未变 {result.unchanged}；"
                  f"退回 [{'red' if result.rejected else 'green'}]{result.rejected}[/] 行")
    for e in result.errors[:20]:
        console.print(f"  第{e.row}行 {e.column}：{e.reason}")
    if len(result.errors) > 20:
        console.print(f"  …… 共 {len(result.errors)} 处错误")
    raise typer.Exit(1 if result.rejected else 0)


@app.command("board")
def board(
    year: int | None = typer.Option(None, "--year", help="Year (default: this year)"),
    region: str | None = typer.Option(None, "--region", help="Region code (default: the whole platform)"),
) -> None:
    """Print the supervisor's board: inputs per region, overdue judicial-suggestion replies,
    NPC/CPPCC handling rates."""
    from xinyong.core.clock import today
    from xinyong.core.db import session_scope
    from xinyong.supervision import service
    from xinyong.supervision.models import SHORT_NAMES

    day = today()
    with session_scope() as session:
        b = service.board(session, region=region, year=year or day.year, today=day)
    table = Table(title=f"督查看板 {b.year}年（逾期按 {day.isoformat()} 计）")
    for head in ("地区", *SHORT_NAMES.values(), "逾期未答复", "按时办结率", "采纳率", "满意率"):
        table.add_column(head)

    def pct(v):
        return "—" if v is None else f"{100 * v:.1f}%"

    for r in b.regions:
        table.add_row(r.region_name, *(str(r.counts[k]) for k in SHORT_NAMES), str(r.overdue),
                      pct(r.on_time_rate), pct(r.adopted_rate), pct(r.satisfied_rate))
    console.print(table)
    for o in b.overdue[:20]:
        console.print(f"[red]逾期 {o.days} 天[/red] {o.body_name} {o.source or ''} {o.ref_no or ''}（答复期限 {o.deadline}）")
