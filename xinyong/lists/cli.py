"""``xinyong lists …``: refresh the rule-based listings, list by decision, remove, show, export,
load grades."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from xinyong.core.db import session_scope

app = typer.Typer(help="信用名单：按规则更新、按决定列入、移出、导出 (red/black/watch lists)", no_args_is_help=True)
console = Console()


@app.command("refresh")
def refresh(on: str = typer.Option(None, "--date", help="The day to refresh for (YYYY-MM-DD, default today)")) -> None:
    """Bring the rule-based listings up to date (set-based, idempotent)."""
    from xinyong.audit.service import log_event
    from xinyong.lists import service

    with session_scope() as session:
        result = service.refresh(session, date.fromisoformat(on) if on else None, by="cli")
        log_event(session, who="cli", action="update", entity="lists", after=result.summary())
    removed = "，".join(f"{k} {v}" for k, v in (result.removed or {}).items()) or "0"
    console.print(f"[green]✓[/green] 拟列入 {result.proposed}，直接列入 {result.included}，告知期满生效 {result.activated}，移出 {removed}")


@app.command("include")
def include(
    code: str = typer.Argument(..., help="USCC or identity number"),
    list_kind: str = typer.Option(..., "--list", help="blacklist / redlist / watchlist"),
    decision_no: str = typer.Option(..., "--decision-no", help="The decision's document number"),
    decided_by: str = typer.Option(..., "--decided-by", help="The body that decided"),
    reason: str = typer.Option(..., "--reason", help="Why (列入事由)"),
    decided_on: str = typer.Option(None, "--decided-on", help="Decision date (default today)"),
    notified_on: str = typer.Option(None, "--notified-on", help="Date the subject was told (punishment lists)"),
    statement: str = typer.Option(None, "--statement", help="The subject's statement, when heard"),
    months: int = typer.Option(None, "--months", help="Months on the list (default: until removed)"),
) -> None:
    """List a subject by a decision (with its document number)."""
    from xinyong.audit.service import log_event
    from xinyong.core.clock import today
    from xinyong.lists import service

    with session_scope() as session:
        entry = service.include(
            session, code=code, list_kind=list_kind, decision_no=decision_no, decided_by=decided_by,
            decided_on=date.fromisoformat(decided_on) if decided_on else today(), reason=reason, by="cli",
            months=months, notified_on=date.fromisoformat(notified_on) if notified_on else None, statement=statement,
        )
        log_event(session, who="cli", action="create", entity="list_entry", entity_id=entry.id,
                  subject_id=entry.subject_id, after={"list_kind": list_kind, "decision_no": decision_no})
        eid = entry.id
    console.print(f"[green]✓[/green] 已列入（名单记录 {eid}）")


@app.command("remove")
def remove(
    entry_id: int = typer.Argument(..., help="List entry number"),
    reason: str = typer.Option("decision", "--reason", help="decision or repair"),
    decision_no: str = typer.Option(..., "--decision-no", help="The document number"),
    note: str = typer.Option(None, "--note"),
) -> None:
    """Take an entry off its list by a decision or on repair."""
    from xinyong.audit.service import log_event
    from xinyong.lists import service

    with session_scope() as session:
        entry = service.remove(session, entry_id, reason=reason, by="cli", decision_no=decision_no, note=note)
        log_event(session, who="cli", action="update", entity="list_entry", entity_id=entry.id,
                  subject_id=entry.subject_id, after={"status": "removed", "reason": reason})
    console.print(f"[green]✓[/green] 名单记录 {entry_id} 已移出")


@app.command("show")
def show(
    list_kind: str = typer.Option(None, "--list", help="blacklist / redlist / watchlist"),
    region: str = typer.Option(None, "--region", help="Region code (with those below it)"),
    limit: int = typer.Option(50, "--limit"),
) -> None:
    """Show the entries in force (masked, as published)."""
    from xinyong.catalog.service import active_version
    from xinyong.lists import service
    from xinyong.lists.schemas import PublishedEntryOut

    with session_scope() as session:
        _, policy = active_version(session)
        rows, total = service.published(session, list_kind=list_kind, region=region, limit=limit)
        table = Table("编号", "名单", "主体", "代码", "地区", "事由", "文书号", "自", "至", title=f"在列 {total} 条")
        for r in rows:
            o = PublishedEntryOut.build(r.entry, r.subject, policy)
            table.add_row(str(o.id), o.list_name, o.subject_name, o.subject_code, o.region_name, o.reason,
                          o.decision_no or "", str(o.listed_from), str(o.listed_until or "移出"))
    console.print(table)


@app.command("export")
def export(
    output: Path = typer.Option(..., "-o", "--output", help="XLSX file to write"),
    list_kind: str = typer.Option(None, "--list"),
    region: str = typer.Option(None, "--region"),
) -> None:
    """Export the published lists (masked) to XLSX."""
    from xinyong.catalog.service import active_version
    from xinyong.lists import exports

    with session_scope() as session:
        _, policy = active_version(session)
        n = exports.write_xlsx(session, policy, output, list_kind=list_kind, region=region)
    console.print(f"[green]✓[/green] 已导出 {n} 条 → {output}")


@app.command("grades")
def grades(file: Path = typer.Argument(..., help="XLSX or CSV: code, 评价等级, 评价日期[, 评价分数]")) -> None:
    """Load evaluation grades (what grade triggers read) from the credit office's results."""
    from xinyong.lists import service

    with session_scope() as session:
        out = service.load_grades(session, file, by="cli")
    console.print(f"[green]✓[/green] {out.rows} 行，载入 {out.loaded}，代码无对应主体 {out.unknown}")
    for e in (out.errors or [])[:20]:
        console.print(f"  [yellow]{e}[/yellow]")
