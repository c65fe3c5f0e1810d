"""``xinyong policy …``: check, load and list versions of the policy lists."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from xinyong.accounts.principal import cli_principal
from xinyong.audit.service import log_event
from xinyong.catalog import service
from xinyong.catalog.loader import DEFAULT_DIR, load_dir
from xinyong.core.db import session_scope

app = typer.Typer(help="政策清单：检查、加载、查看版本 (policy lists: check, load, versions)", no_args_is_help=True)
console = Console()


@app.command("check")
def check(directory: Path = typer.Argument(DEFAULT_DIR, help="Folder of policy YAML files")) -> None:
    """Validate a folder of policy lists; print every problem with its file and line."""
    policy, problems = load_dir(directory)
    if problems:
        for p in problems:
            console.print(f"[red]✗[/red] {p}")
        console.print(f"[red]{len(problems)} 处错误 / problem(s)[/red]")
        raise typer.Exit(1)
    assert policy is not None
    console.print(
        f"[green]✓[/green] {policy.meta.label}：{len(policy.catalog.categories)} 类信用记录，"
        f"{len(policy.behaviours.behaviours)} 项行为，{len(policy.measures.measures)} 项措施，"
        f"{len(policy.scenarios.scenarios)} 个应用场景"
        + (f"，{len(policy.evaluation.systems)} 套评价指标体系" if policy.evaluation.systems else "")
    )


@app.command("load")
def load(
    directory: Path = typer.Argument(..., help="Folder of policy YAML files"),
    user: str = typer.Option("cli", help="Who loads it (kept with the version)"),
) -> None:
    """Store a checked set of lists as a new version and make it the active one."""
    policy, problems = load_dir(directory)
    if problems:
        for p in problems:
            console.print(f"[red]✗[/red] {p}")
        raise typer.Exit(1)
    with session_scope() as session:
        version, created = service.load_from_dir(session, directory, user=user)
        vid, label = version.id, version.label
        log_event(session, who=cli_principal(user), action="create" if created else "update",
                  entity="policy_version", entity_id=vid,
                  after={"label": label, "content_hash": version.content_hash, "source": str(directory),
                         "active": True})
    word = "新版本" if created else "与已有版本相同，已设为当前版本"
    console.print(f"[green]✓[/green] 政策清单 {label}（版本 {vid}）{word}")


@app.command("versions")
def versions() -> None:
    """List the stored versions of the policy lists, newest first."""
    with session_scope() as session:
        rows = service.list_versions(session)
        table = Table("版本", "标签", "加载时间", "加载人", "当前")
        for v in rows:
            table.add_row(str(v.id), v.label, f"{v.loaded_at:%Y-%m-%d %H:%M}", v.loaded_by, "✓" if v.active else "")
    console.print(table)
