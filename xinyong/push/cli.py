"""``xinyong push``: deliver the outbox to departments' webhooks, subscribe a department to
subjects, set a department's webhook, and the push statistics (实时推送)."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from xinyong.core.db import session_factory, session_scope

console = Console()
app = typer.Typer(help="实时推送：Webhook 投递、订阅、统计 (real-time push to departments)", no_args_is_help=True)


def _department(session, code: str):
    from xinyong.accounts.principal import cli_principal
    from xinyong.push import service as push

    return push.department_of(session, cli_principal(), code)


@app.command("deliver")
def deliver(
    once: bool = typer.Option(False, "--once", help="One pass over the due messages, then exit (the default)"),
    loop: bool = typer.Option(False, "--loop", help="Keep delivering, every --interval seconds, until stopped"),
    interval: float = typer.Option(None, "--interval", help="Seconds between passes with --loop (default XINYONG_PUSH_POLL_SECONDS)"),
    passes: int = typer.Option(0, "--passes", help="With --loop: stop after this many passes (0: never)"),
) -> None:
    """POST undelivered messages to the departments' webhooks, signed with HMAC-SM3
    (X-Xinyong-Signature), backing off exponentially after a failure."""
    from xinyong.core.settings import get_settings
    from xinyong.push import service as push

    if once and loop:
        console.print("[red]✗ --once 与 --loop 只能选一个[/red]")
        raise typer.Exit(2)
    wait = interval if interval is not None else get_settings().push_poll_seconds
    n = 0
    while True:
        session = session_factory()()
        try:
            r = push.deliver_once(session)
        finally:
            session.close()
        n += 1
        if r.posts or not loop:
            console.print(f"投递 {r.posts} 次：送达 {r.sent} 条，失败 {r.failed} 条（其中停止重试 {r.given_up} 条）")
            for e in r.errors:
                console.print(f"  [yellow]![/yellow] {e}")
        if not loop or (passes and n >= passes):
            break
        time.sleep(max(wait, 0.1))


@app.command("subscribe")
def subscribe(
    department: str = typer.Argument(..., help="The department's USCC"),
    codes: list[str] = typer.Argument(None, help="USCCs or identity numbers of the subjects"),
    file: Path = typer.Option(None, "--file", "-f", help="XLSX or CSV with a code column (or codes in the first)"),
    until: str = typer.Option(None, "--until", help="Subscription ends on this day (YYYY-MM-DD)"),
    user: str = typer.Option("cli", "--user", help="Who subscribes (logged)"),
) -> None:
    """Subscribe a department to subjects by code (exact match): their listings, removals and
    records are pushed to it."""
    from xinyong.audit.service import log_event
    from xinyong.push import service as push

    given = list(codes or [])
    if file is not None:
        given += push.read_codes("", file.name, file.read_bytes())
    if not given:
        console.print("[red]✗ 请给出代码，或用 --file 指定文件[/red]")
        raise typer.Exit(2)
    with session_scope() as session:
        dept = _department(session, department)
        r = push.subscribe(session, dept, given, by=user, ends_on=date.fromisoformat(until) if until else None)
        log_event(session, who=user, action="create", entity="push_subscription", entity_id=dept.code,
                  after={"added": len(r.added), "existing": len(r.existing), "unknown": len(r.unknown),
                         "invalid": len(r.invalid)})
    console.print(f"[green]✓[/green] {dept.name}：新订阅 {len(r.added)}，已订阅 {len(r.existing)}，"
                  f"平台无此主体 {len(r.unknown)}，校验不通过 {len(r.invalid)}")
    for c in r.invalid[:20]:
        console.print(f"  [yellow]![/yellow] 校验不通过：{c}")


@app.command("unsubscribe")
def unsubscribe(
    department: str = typer.Argument(..., help="The department's USCC"),
    codes: list[str] = typer.Argument(..., help="USCCs or identity numbers"),
) -> None:
    """End a department's subscriptions to these subjects."""
    from xinyong.push import service as push

    with session_scope() as session:
        r = push.unsubscribe(session, _department(session, department), codes=codes)
    console.print(f"[green]✓[/green] 取消订阅 {r.removed} 个")


@app.command("endpoint")
def endpoint(
    department: str = typer.Argument(..., help="The department's USCC"),
    url: str = typer.Argument(..., help="Where its business system receives the push (http:// or https://)"),
    secret: str = typer.Option(None, "--secret", help="Signing secret (16+ characters); generated when left out"),
    off: bool = typer.Option(False, "--off", help="Keep the endpoint but stop delivering to it"),
    user: str = typer.Option("cli", "--user"),
) -> None:
    """Set a department's webhook; prints the signing secret once (it is stored encrypted)."""
    from xinyong.push import service as push

    with session_scope() as session:
        ep, plain = push.set_endpoint(session, _department(session, department), url, by=user, secret=secret,
                                      active=not off)
        shown = (ep.url, ep.active)
    console.print(f"[green]✓[/green] 推送地址 {shown[0]}（{'启用' if shown[1] else '停用'}）")
    console.print(f"  签名密钥（仅显示这一次）：{plain}")


@app.command("stats")
def stats(output: Path = typer.Option(None, "-o", "--output", help="Write the statistics to this XLSX")) -> None:
    """Messages by day, event and department; delivered and acknowledged rates; the median
    time to an acknowledgement."""
    from xinyong.push import service as push
    from xinyong.push.models import PUSH_EVENTS

    with session_scope() as session:
        s = push.statistics(session)
    if output:
        push.statistics_xlsx(s, output)
    median = f"{s.median_ack_seconds:.0f} 秒" if s.median_ack_seconds is not None else "—"
    console.print(f"推送消息 {s.total:,} 条，送达 {s.delivered:,}（{100 * s.delivered_rate:.1f}%），"
                  f"确认 {s.acked:,}（{100 * s.acked_rate:.1f}%），确认用时中位数 {median}，订阅 {s.subscriptions:,}")
    table = Table("部门", "消息", "送达", "确认")
    for r in s.by_department:
        table.add_row(f"{r['name']}（{r['code']}）", str(r["total"]), str(r["delivered"]), str(r["acked"]))
    console.print(table)
    if s.by_day:
        days = Table("日期", *PUSH_EVENTS.values())
        for d, c in s.by_day[-14:]:
            days.add_row(d, *(str(c.get(k, 0)) for k in PUSH_EVENTS))
        console.print(days)
    if output:
        console.print(f"[green]✓[/green] → {output}")
