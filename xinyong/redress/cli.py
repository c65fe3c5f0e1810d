"""``xinyong complaints …``: the 12345-hotline work-order template and import (投诉举报)."""

from __future__ import annotations

import csv
from pathlib import Path

import typer
from rich.console import Console

app = typer.Typer(help="投诉举报：12345 热线工单模板和导入 (complaints about government dishonesty)",
                  no_args_is_help=True)
console = Console(soft_wrap=True)


@app.command("template")
def template(output: Path = typer.Option(..., "-o", "--output", help="Where to write the XLSX template")) -> None:
    """Write the 12345 work-order template (Chinese headers with notes, behaviours as a drop-down)."""
    from xinyong.core.db import session_scope
    from xinyong.redress import complaint_import, complaints

    with session_scope() as session:
        data = complaint_import.template_bytes(complaints.policy(session))
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(data)
    console.print(f"[green]✓[/green] 模板已写入 {output}")


@app.command("import")
def import_file(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="The filled-in XLSX of 12345 work orders"),
    codes: Path | None = typer.Option(None, "--codes", help="Write each filed row's tracking code to this CSV "
                                                              "(default: print them)"),
    user: str = typer.Option("cli", "--user", help="Who is importing (recorded in the audit log)"),
) -> None:
    """File the work orders of an XLSX: bad rows are listed with row, column and reason and left
    out; the good ones are filed in one transaction; a work order already filed is not filed twice."""
    from xinyong.accounts.principal import cli_principal
    from xinyong.core.clock import today
    from xinyong.core.db import session_scope
    from xinyong.core.errors import XinyongError
    from xinyong.redress import complaint_import

    try:
        rows = complaint_import.read_xlsx(file.read_bytes())
        with session_scope() as session:
            result = complaint_import.import_rows(session, cli_principal(user), rows, today=today())
    except XinyongError as exc:
        console.print(f"[red]✗ {exc.zh}[/red]\n  {exc.en}")
        raise typer.Exit(2) from None
    console.print(f"登记 {len(result.filed)} 件，已登记过 {result.unchanged} 件；"
                  f"退回 [{'red' if result.errors else 'green'}]{len(result.errors)}[/] 行")
    for e in result.errors[:20]:
        console.print(f"  第{e.row}行 {e.column}：{e.message}")
    if len(result.errors) > 20:
        console.print(f"  …… 共 {len(result.errors)} 处错误")
    if codes is not None:
        codes.parent.mkdir(parents=True, exist_ok=True)
        with codes.open("w", newline="", encoding="utf-8-sig") as f:
            w = csv.writer(f)
            w.writerow(["行号", "投诉编号", "查询码"])
            w.writerows(result.filed)
        console.print(f"查询码已写入 {codes}（只显示这一次，请告知来电人）")
    elif result.filed:
        console.print("查询码（只显示这一次，请告知来电人）：")
        for row, cid, code in result.filed:
            console.print(f"  第{row}行 投诉 {cid}：{code}")
    raise typer.Exit(1 if result.errors else 0)
