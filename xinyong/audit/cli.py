"""``xinyong audit …``: verify the hash chain (against its anchors), anchor its head outside the database,
list entries."""

from __future__ import annotations

import json
from datetime import date

import typer
from rich.console import Console
from rich.table import Table

from xinyong.audit import anchors, service
from xinyong.core.db import session_scope

app = typer.Typer(help="审计日志：校验哈希链、查询记录 (audit log: verify, list)", no_args_is_help=True)
console = Console(soft_wrap=True)


@app.command("verify")
def verify(
    chunk: int = typer.Option(5000, min=100, help="Entries read per query"),
) -> None:
    """Walk the whole hash chain and compare it with every anchor in the anchor file. Exit 0:
    intact; 1: names the first entry altered or removed (or the anchor line that was edited)."""
    with session_scope() as session:
        verdict = anchors.verify(session, chunk=chunk)
    if verdict.ok:
        console.print(f"[green]✓[/green] {verdict.zh} / {verdict.en}")
        return
    console.print(f"[red]✗ {verdict.zh}[/red]\n  {verdict.en}")
    if verdict.first_bad_seq is None:
        raise typer.Exit(1)
    console.print(f"  first bad entry / 首个异常条目: seq={verdict.first_bad_seq} ({verdict.problem}); "
                  f"{verdict.checked} entries verified before it")
    raise typer.Exit(1)


@app.command("anchor")
def anchor() -> None:
    """Append the chain's last entry (number and hash), signed, to the anchor file outside the
    database; run it periodically (cron) as a user the database's users are not."""
    with session_scope() as session:
        written = anchors.write_anchor(session)
    if written is None:
        console.print("审计日志为空，未写锚点 / the audit log is empty: no anchor written")
        return
    console.print(f"[green]✓[/green] 锚点：第 {written.seq} 条 {written.hash[:16]}… → {anchors.anchor_file()}")


@app.command("log")
def log(
    user: str | None = typer.Option(None, "--user", help="Only this user name"),
    subject: int | None = typer.Option(None, "--subject", help="Only entries about this subject (its number)"),
    action: str | None = typer.Option(None, "--action", help="read, create, update, delete, import, reveal, ..."),
    entity: str | None = typer.Option(None, "--entity", help="What was acted on: credit_file, record, ..."),
    date_from: str | None = typer.Option(None, "--from", help="From this day (YYYY-MM-DD)"),
    date_to: str | None = typer.Option(None, "--to", help="To this day, inclusive (YYYY-MM-DD)"),
    limit: int = typer.Option(50, min=1, max=100_000, help="At most this many entries, newest first"),
    as_json: bool = typer.Option(False, "--json", help="One JSON object per line instead of a table"),
) -> None:
    """List audit entries, newest first, filtered by who, subject, action and date."""
    try:
        f = service.EntryFilter(
            username=user, subject_id=subject, action=action, entity=entity,
            date_from=date.fromisoformat(date_from) if date_from else None,
            date_to=date.fromisoformat(date_to) if date_to else None,
        )
    except ValueError as exc:
        console.print(f"[red]✗ 日期格式应为 YYYY-MM-DD[/red]\n  {exc}")
        raise typer.Exit(2) from None
    with session_scope() as session:
        rows = service.entries(session, f, limit=limit)
    if as_json:
        for e in rows:
            print(json.dumps(service.entry_dict(e), ensure_ascii=False, default=str))
        return
    table = Table("序号", "时间 (UTC)", "用户", "角色", "操作", "对象", "主体", "目的", "来源")
    for e in rows:
        table.add_row(
            str(e.seq), e.at.isoformat(sep=" ", timespec="seconds"), e.username, e.role or "", e.action,
            f"{e.entity}{'#' + e.entity_id if e.entity_id else ''}", str(e.subject_id or ""), e.purpose or "",
            e.ip or e.via or "",
        )
    out = console if console.is_terminal else Console(width=200)  # piped: no wrapping at 80
    out.print(table)
    out.print(f"{len(rows)} 条 / entries")
