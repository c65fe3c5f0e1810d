"""``xinyong jobs …``: run the daily jobs, list them, and show what the past runs changed."""

from __future__ import annotations

from datetime import date

import typer
from rich.console import Console
from rich.table import Table

from xinyong.core.errors import InvalidInput

app = typer.Typer(help="每日任务：名单更新、到期处理、审计锚定等 (the daily jobs)", no_args_is_help=True)
console = Console()

STYLE = {"done": "green", "failed": "red", "skipped": "dim", "busy": "yellow"}


def _day(value: str | None) -> date:
    from xinyong.core.clock import today

    if not value:
        return today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"日期“{value}”格式应为 YYYY-MM-DD", f"invalid date {value!r}", field="date") from None


@app.command("daily")
def daily_command(
    on: str = typer.Option(None, "--date", help="The day to run for (YYYY-MM-DD, default today in Beijing)"),
    force: bool = typer.Option(False, "--force", help="Run the jobs already done for that day again"),
    job: list[str] = typer.Option(None, "--job", help="Only this job (repeatable; see `xinyong jobs list`)"),
) -> None:
    """Run every capability's daily work once for the day (idempotent: a job done that day is
    skipped). Exit 1 when a job failed; the others still ran."""
    from xinyong.jobs import service

    day = _day(on)
    table = Table(title=f"每日任务 {day.isoformat()}")
    for col in ("任务", "名称", "结果", "变更", "用时（秒）"):
        table.add_column(col, justify="right" if col in ("变更", "用时（秒）") else "left")
    result = service.run_daily(day, by="cli", force=force, only=list(job or []) or None)
    for o in result.outcomes:
        what = o.error if o.state == "failed" else service.describe(o.summary, o.counts)
        if o.state == "skipped":
            what = f"（此前：{what}）"
        table.add_row(o.name, o.label, f"[{STYLE[o.state]}]{service.STATE_NAMES[o.state]}[/]", what or "",
                      f"{o.seconds:.2f}")
    console.print(table)
    if result.busy:
        console.print("[yellow]另一进程正在运行每日任务，本次未运行[/yellow]")
        raise typer.Exit(1)
    if result.failed:
        console.print(f"[red]✗ {len(result.failed)} 项任务失败，其余已完成；失败的任务在下次运行时重试[/red]")
        raise typer.Exit(1)
    console.print(f"[green]✓[/green] 共变更 {result.changed} 项")


@app.command("list")
def list_command() -> None:
    """The registered daily jobs, in the order they run."""
    from xinyong.jobs import service

    table = Table(title="每日任务")
    table.add_column("顺序", justify="right")
    table.add_column("任务")
    table.add_column("名称")
    table.add_column("")
    skip = service.left_out()
    for j in service.load_jobs():
        table.add_row(str(j.order), j.name, j.label, "已关闭（XINYONG_DAILY_SKIP）" if j.name in skip else "")
    console.print(table)


@app.command("history")
def history_command(
    on: str = typer.Option(None, "--date", help="Only this day (YYYY-MM-DD)"),
    failed: bool = typer.Option(False, "--failed", help="Only failed runs"),
    limit: int = typer.Option(30, "--limit", min=1, max=1000, help="At most this many runs"),
) -> None:
    """The past runs, newest day first (failed ones first within a day), with what each changed."""
    from xinyong.core.db import session_scope
    from xinyong.jobs import service

    jobs = service.labels()
    table = Table(title="每日任务记录")
    for col in ("日期", "任务", "次", "结果", "变更", "执行者", "完成时间（UTC）"):
        table.add_column(col)
    with session_scope() as session:
        rows = service.history(session, day=date.fromisoformat(on) if on else None,
                               state="failed" if failed else None, limit=limit)
        for r in rows:
            job = jobs.get(r.job)
            what = r.error if r.state == "failed" else service.describe(r.summary, dict(job.counts) if job else {})
            table.add_row(r.day.isoformat(), f"{job.label if job else r.job}", str(r.attempt),
                          f"[{STYLE[r.state]}]{service.STATE_NAMES[r.state]}[/]", what or "", r.by,
                          r.finished_at.isoformat(timespec="seconds") if r.finished_at else "")
    console.print(table if rows else "还没有运行记录")
