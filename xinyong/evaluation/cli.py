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


@app.command("review")
def review_cmd(
    run_id: int = typer.Argument(..., help="The evaluation run to review"),
    outcome_until: str = typer.Option(None, "--outcome-until",
                                      help="Outcomes (later serious dishonesty) known up to YYYY-MM-DD (default today)"),
    user: str = typer.Option("cli", help="Who makes the review (kept with it)"),
) -> None:
    """Review a run's model: distributions, grade shares per city, PSI against the previous run,
    AUC/KS of the expert score and of a fitted WOE + logistic regression; stored with the run."""
    from xinyong.core.clock import today
    from xinyong.core.errors import XinyongError
    from xinyong.evaluation import review

    day = date.fromisoformat(outcome_until) if outcome_until else today()
    try:
        with session_scope() as session:
            r = review.build_review(session, run_id, outcome_until=day, user=user)
            rep = r.report
            console.print(f"[green]✓[/green] 评价批次 {run_id} 的模型复核：{r.subjects} 个主体，"
                          f"结果观察至 {day.isoformat()}")
            console.print("等级分布：" + "，".join(f"{g['name']} {g['count']}（{100 * (g['share'] or 0):.1f}%）"
                                                  for g in reversed(rep["grades"])))
            if r.previous_run_id:
                console.print(f"稳定性（对比批次 {r.previous_run_id}）：PSI {r.psi:.4f}，{review.psi_words(r.psi)}")
            else:
                console.print("稳定性：没有上一批次可比")
            out = rep["outcome"]
            if r.auc is None:
                console.print(f"区分度：后续严重失信 {out['bad']} 个，不足 {review.MIN_OUTCOMES} 个，不计算")
            else:
                console.print(f"区分度：后续严重失信 {out['bad']} 个；专家权重 AUC {r.auc:.3f}，KS {r.ks:.3f}")
                if r.fitted_auc is not None:
                    f = out["fitted"]
                    console.print(f"数据拟合（WOE 分箱 + 逻辑回归，留出 {f['test']} 个）：AUC {r.fitted_auc:.3f}，"
                                  f"KS {r.fitted_ks:.3f}；同一留出样本上专家权重 AUC "
                                  f"{f['expert_on_test']['auc']:.3f}，KS {f['expert_on_test']['ks']:.3f}")
    except XinyongError as exc:
        console.print(f"[red]✗[/red] {exc.zh}")
        raise typer.Exit(1) from None
