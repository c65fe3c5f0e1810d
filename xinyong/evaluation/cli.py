"""``xinyong evaluate …``: score an indicator system over the platform's data, list the runs."""

from __future__ import annotations

from datetime import date

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from xinyong.core.db import session_scope

app = typer.Typer(help="信用评价：按指标体系批量评分、查看评价批次 (credit evaluation)", no_args_is_help=True)
console = Console()

STAGES = {"load": "读取平台数据", "store": "保存评分"}


@app.command("run")
def run(
    system: str = typer.Option(..., "--system", help="Indicator system code (personal, government, …)"),
    engine: str = typer.Option("duckdb", "--engine", help="duckdb (default) or spark"),
    as_of: str = typer.Option(None, "--as-of", help="Data cut-off date YYYY-MM-DD (default today)"),
    user: str = typer.Option("cli", help="Who runs it (kept with the run)"),
) -> None:
    """Score every subject the system covers, store the scores and record grade changes."""
    from xinyong.core.clock import today
    from xinyong.core.errors import XinyongError
    from xinyong.evaluation import service

    day = date.fromisoformat(as_of) if as_of else today()
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console) as bar:
        tasks: dict[str, int] = {}

        def progress(stage: str, advance: int, total: int | None) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(STAGES.get(stage, stage), total=total)
            elif total is not None:
                bar.update(tasks[stage], total=total)
            bar.advance(tasks[stage], advance)

        try:
            with session_scope() as session:
                result = service.run_evaluation(session, system, as_of=day, engine=engine, user=user,
                                                progress=progress)
        except XinyongError as exc:
            console.print(f"[red]✗[/red] {exc.zh}")
            raise typer.Exit(1) from None
    shares = "，".join(f"{k} {v}" for k, v in sorted(result.grades.items())) or "无"
    console.print(f"[green]✓[/green] 评价批次 {result.run_id}：{result.subjects} 个主体（{shares}），"
                  f"等级变化 {result.grade_changes} 个")


@app.command("runs")
def runs(limit: int = typer.Option(20, help="How many of the newest runs")) -> None:
    """List the evaluation runs, newest first."""
    from xinyong.evaluation import service
    from xinyong.evaluation.models import RUN_STATUSES

    with session_scope() as session:
        table = Table("批次", "指标体系", "版本", "数据截止日", "引擎", "状态", "主体数", "等级变化", "开始", "结束")
        for r in service.list_runs(session, limit):
            table.add_row(str(r.id), f"{r.system_name}（{r.system_code}）", r.system_version, r.as_of.isoformat(),
                          r.engine, RUN_STATUSES.get(r.status, r.status), str(r.subjects), str(r.grade_changes),
                          f"{r.started_at:%Y-%m-%d %H:%M:%S}",
                          f"{r.finished_at:%Y-%m-%d %H:%M:%S}" if r.finished_at else "")
    console.print(table)
