"""``xinyong import`` and ``xinyong template``: files in from departments, templates out."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from xinyong.catalog import service as catalog_service
from xinyong.core.db import session_scope
from xinyong.core.errors import XinyongError
from xinyong.records.ingest import import_file
from xinyong.records.readers import FileUnusable
from xinyong.records.report import report_path_for, write_report
from xinyong.records.template import write_template
from xinyong.records.validation import Defaults

console = Console(stderr=True, soft_wrap=True)


def import_command(
    file: Path = typer.Argument(..., help="CSV (UTF-8 or GB18030), XLSX or JSON Lines file"),
    category: str | None = typer.Option(None, "--category", "-c", help="Record category code or Chinese name"),
    department_code: str | None = typer.Option(None, "--department-code", help="Reporting department's USCC, when the file has none"),
    department_name: str | None = typer.Option(None, "--department-name", help="Reporting department's name, when the file has none"),
    report: Path | None = typer.Option(None, "--report", help="Where to write the error report (default: FILE.errors.xlsx)"),
    user: str = typer.Option("cli", help="Who imports (kept with every record)"),
) -> None:
    """Import credit records. Exit 0: all rows accepted; 1: some rejected (report written);
    2: the file itself is unusable (nothing stored)."""
    try:
        with Progress(
            TextColumn("[bold]导入[/bold] {task.fields[name]}"), BarColumn(), TextColumn("{task.fields[rows]} 行"),
            TimeElapsedColumn(), console=console, transient=True,
        ) as bar:
            task = bar.add_task("import", total=None, name=file.name, rows=0)

            def progress(rows: int) -> None:
                bar.update(task, rows=rows)
                if not console.is_terminal:  # batch jobs and logs get a plain line per chunk
                    console.print(f"已处理 {rows} 行 / {rows} rows read", soft_wrap=True)

            with session_scope() as session:
                result = import_file(
                    session, file, category=category, user=user,
                    defaults=Defaults(department_code=department_code, department_name=department_name),
                    progress=progress,
                )
    except FileUnusable as exc:
        console.print(f"[red]✗ 文件无法导入，未存入任何数据：{exc.zh}[/red]\n  {exc.en}")
        raise typer.Exit(2) from None
    except XinyongError as exc:
        console.print(f"[red]✗ {exc.zh}[/red]\n  {exc.en}")
        raise typer.Exit(2) from None
    console.print(
        f"批次 {result.batch_id}：共 {result.total} 行，新增 {result.new}，更新 {result.updated}，"
        f"未变化 {result.unchanged}，退回 [{'red' if result.rejected else 'green'}]{result.rejected}[/]"
    )
    if result.ignored_columns:
        console.print(f"[yellow]未识别而忽略的列：{'、'.join(result.ignored_columns)}[/yellow]")
    if result.rejected:
        path = write_report(result, report or report_path_for(file))
        console.print(f"[yellow]错误报告（行号、列名、原因）：{path}[/yellow]")
        for e in result.errors[:10]:
            console.print(f"  第{e.row}行 {e.field}：{e.zh}")
        if result.error_count > 10:
            console.print(f"  …… 共 {result.error_count} 处错误，详见错误报告")
    raise typer.Exit(result.exit_code)


def template_command(
    category: str = typer.Argument(..., help="Record category code or Chinese name"),
    output: Path = typer.Option(..., "-o", "--output", help="Where to write the XLSX template"),
) -> None:
    """Write an XLSX template with Chinese headers for one record category."""
    with session_scope() as session:
        vid, policy = catalog_service.active_version(session)
    cat = policy.category(category) or next((c for c in policy.catalog.categories if c.name == category), None)
    if cat is None:
        console.print(f"[red]未知的记录类别“{category}”[/red]，可选：")
        for c in policy.catalog.categories:
            console.print(f"  {c.code}  {c.name}")
        raise typer.Exit(2)
    write_template(policy, cat, output)
    console.print(f"[green]✓[/green] 已生成《{cat.name}》导入模板：{output}")


records_app = typer.Typer(help="Stored records: recompute their periods after a policy change.", no_args_is_help=True)


@records_app.command("recompute")
def recompute_command(
    dry_run: bool = typer.Option(False, "--dry-run", help="Only say which records would change; write nothing"),
    category: list[str] = typer.Option([], "--category", "-c", help="Only this category (code); may repeat"),
    user: str = typer.Option("cli", help="Who recomputes (kept on every changed record)"),
) -> None:
    """Recompute every stored record's display period, repair date and retention under the
    active policy (set-based). Changed records keep their old state as a version; the lists
    are then brought up to date for today. Exit 0: done (or nothing to change); 2: bad input."""
    from rich.table import Table

    from xinyong.core import clock, daily
    from xinyong.records.recompute import recompute

    try:
        with session_scope() as session:
            result = recompute(session, dry_run=dry_run, by=user, categories=category or None)
            listed = None
            if not dry_run and result.changed:
                job = next((j for j in daily.registered() if j.name == "lists.refresh"), None)
                listed = job.run(session, clock.today()) if job else None
            if dry_run:
                session.rollback()
    except ValueError as exc:
        console.print(f"[red]✗ 没有这个记录类别：{exc}[/red]")
        raise typer.Exit(2) from None
    table = Table(title=f"按政策版本 {result.policy_version_id} 重算公示期" + ("（试算，未写入）" if dry_run else ""))
    for col in ("类别", "严重程度", "记录数", "需改" if dry_run else "已改"):
        table.add_column(col, justify="right" if col in ("记录数", "需改", "已改") else "left")
    for g in result.groups:
        if g.records:
            table.add_row(g.category_name, g.severity, str(g.records), str(g.changed))
    Console(soft_wrap=True).print(table)
    for g in result.groups:
        for s in g.samples:
            console.print(f"  记录 {s['record_id']}（{g.category_name}）：公示截止 {s['display_until'][0]} → "
                          f"{s['display_until'][1]}，可修复 {s['repair_from'][0]} → {s['repair_from'][1]}，"
                          f"保存至 {s['retention_until'][0]} → {s['retention_until'][1]}")
    for key, n in result.unknown_categories.items():
        console.print(f"[yellow]现行政策没有 {key} 的公示期规则：{n} 条记录未改动[/yellow]")
    verb = "需改" if dry_run else "已改"
    console.print(f"共 {result.records} 条记录，{verb} {result.changed} 条。")
    if listed is not None:
        console.print(f"名单已按今日更新：{dict(listed)}")
