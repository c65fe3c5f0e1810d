"""``xinyong check``: check subjects in a scenario, one by one or a batch file; ``xinyong checks
stats``: the statistics."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from xinyong.core.db import session_scope

console = Console()
app = typer.Typer(help="联合奖惩核查：统计 (checks: statistics)", no_args_is_help=True)


def check_command(
    codes: list[str] = typer.Argument(None, help="USCCs or identity numbers to check"),
    scenario: str = typer.Option(..., "--scenario", "-s", help="Scenario code, e.g. civil_servant_recruitment"),
    purpose: str = typer.Option("命令行核查", "--purpose", help="Why (logged with every check)"),
    batch: Path = typer.Option(None, "--batch", help="XLSX or CSV of candidates (up to 100,000)"),
    output: Path = typer.Option(None, "-o", "--output", help="Result XLSX for --batch"),
    user: str = typer.Option("cli", "--user", help="Who checks (logged)"),
) -> None:
    """Check subjects in a scenario: the records and list entries that hit, the measures that
    apply (mandatory or not, to whom) and the suggested outcome."""
    from xinyong.accounts.principal import cli_principal
    from xinyong.checks import service

    who = cli_principal(user)
    if batch is not None:
        if output is None:
            console.print("[red]✗ 批量核查请用 -o 指定结果文件[/red]")
            raise typer.Exit(2)
        with session_scope() as session:
            b = service.create_batch(session, scenario=scenario, purpose=purpose, who=who, file_name=batch.name)
            bid = b.id
        from xinyong.core.db import session_factory

        session = session_factory()()
        try:
            with Progress(TextColumn("[bold]{task.description}[/bold]"), BarColumn(), MofNCompleteColumn(),
                          TimeElapsedColumn(), console=console) as bar:
                task = bar.add_task("读取名单", total=None)

                def progress(stage: str, done: int, total: int) -> None:
                    bar.update(task, description=stage, completed=done, total=total or None)

                b = service.run_batch(session, bid, batch, output, who, progress=progress)
            console.print(f"[green]✓[/green] 核查 {b.total:,} 人，命中 {b.hits:,} 人，疑似匹配 {b.possible:,} 人 → {output}")
        finally:
            session.close()
        return
    if not codes:
        console.print("[red]✗ 请给出要核查的代码，或用 --batch 指定名单文件[/red]")
        raise typer.Exit(2)
    with session_scope() as session:
        for code in codes:
            r = service.check_one(session, scenario=scenario, code=code, purpose=purpose, who=who)
            _print(r)


def _print(r) -> None:
    from xinyong.subjects import schemas as shown

    who = f"{shown.subject_name(r.subject)} {shown.subject_code(r.subject)}" if r.subject else "（平台无信用档案）"
    console.print(f"[bold]核查 {r.check.id}[/bold] {r.scenario.name}：{who} → [bold]{r.check.outcome}[/bold]")
    if r.hits:
        table = Table("措施", "强制", "依据", "对象")
        for h in r.hits:
            obj = f"作为 {h.role}：{shown.subject_name(h.target)}" if h.role else "本主体"
            why = f"\n{h.leniency}" if h.leniency else ""
            table.add_row(h.measure.name, "不适用" if h.waived else ("是" if h.mandatory else ""),
                          shown.mask_text(h.source) + why, obj)
        console.print(table)
    for p in r.reached:
        console.print(f"  措施延伸：{p.role_name} {p.name} {p.code}")


@app.command("stats")
def stats(output: Path = typer.Option(None, "-o", "--output", help="Write the statistics to this XLSX")) -> None:
    """Checks by scenario, department, region and month; hit and feedback rates."""
    from xinyong.catalog.service import active_version
    from xinyong.checks import service

    with session_scope() as session:
        _, policy = active_version(session)
        s = service.statistics(session)
        if output:
            service.statistics_xlsx(s, policy, output)
    console.print(f"核查 {s.total:,} 次，命中 {s.with_hits:,}（{100 * s.hit_rate:.1f}%），"
                  f"命中后已反馈 {s.with_feedback:,}（{100 * s.feedback_rate:.1f}%）")
    table = Table("场景", "核查", "命中", "已反馈")
    for code, n, h, f in s.by_scenario:
        table.add_row(code, str(n), str(h), str(f))
    console.print(table)
    if output:
        console.print(f"[green]✓[/green] → {output}")


@app.command("feedback")
def feedback(
    check_id: int = typer.Argument(...),
    action: str = typer.Option(..., "--action", help="applied / partly / not_applied"),
    note: str = typer.Option("", "--note", help="Why, when not applied"),
    user: str = typer.Option("cli", "--user"),
) -> None:
    """Report what was done after a check (反馈)."""
    from xinyong.accounts.principal import cli_principal
    from xinyong.checks import service

    with session_scope() as session:
        service.feedback(session, check_id, action=action, note=note, who=cli_principal(user))
    console.print(f"[green]✓[/green] 核查 {check_id} 已反馈")
