"""``xinyong report CODE --purpose P -o report.pdf`` writes a subject's credit report, and
``xinyong report verify report.pdf`` says whether a report is genuine and unaltered (exit 0)
or not (exit 1). The report is issued as the command line's operator (an administrator of the
whole platform, :func:`xinyong.accounts.principal.cli_principal`), audited like any other."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

console = Console()


def report_command(
    target: str = typer.Argument(..., help="The subject's USCC, identity number or number (ref); or `verify`"),
    file: Path = typer.Argument(None, help="With `verify`: the report PDF to verify"),
    purpose: str = typer.Option(None, "--purpose", help="查询目的 (printed on the report, audited)"),
    output: Path = typer.Option(None, "-o", "--output", help="Where to write the PDF (default 信用报告-<编号>.pdf)"),
    reveal: bool = typer.Option(False, "--reveal", help="Show a person's name and identity number whole (audited)"),
    user: str = typer.Option("cli", "--user", help="The operator's name in the audit log"),
) -> None:
    """Write a subject's credit report (PDF), or `verify FILE`: is it genuine (exit 0) or not (1)?"""
    if target == "verify":
        raise typer.Exit(_verify(file))
    if file is not None:
        raise typer.BadParameter("出具报告只需一个信用主体代码；核验请用 `xinyong report verify FILE`")
    if not (purpose or "").strip():
        raise typer.BadParameter("请用 --purpose 说明查询目的", param_hint="--purpose")
    from xinyong.accounts.principal import cli_principal
    from xinyong.catalog.service import active_version
    from xinyong.core.db import session_scope
    from xinyong.disclosure import service
    from xinyong.records.api import sees_in_full
    from xinyong.subjects import service as subjects

    who = cli_principal(user)
    with session_scope() as session:
        version_id, policy = active_version(session)
        subject = subjects.get_by_ref(session, target)
        issued = service.issue(session, policy, version_id, who, subject, purpose=purpose,
                               full=sees_in_full(who, subject), reveal=reveal)
        number, digest, data, name = issued.report.number, issued.report.sha256, issued.pdf, issued.filename
    path = output or Path(name)
    path.write_bytes(data)
    console.print(f"[green]✓[/green] 已出具信用报告 {number}：{path}（{len(data):,} 字节，SHA-256 {digest[:16]}…）")


def _verify(file: Path | None) -> int:
    from xinyong.core.db import session_scope
    from xinyong.disclosure import service

    if file is None:
        raise typer.BadParameter("请给出要核验的报告文件：xinyong report verify FILE")
    if not file.is_file():
        console.print(f"[red]✗ 文件不存在：{file}[/red]")
        return 1
    with session_scope() as session:
        v = service.verify_pdf(session, file.read_bytes())
        lines = [v.zh] + ([f"报告编号 {v.number}，出具时间 {v.issued_at_cst}，信用主体 {v.subject_name}"] if v.number else [])
    mark = "[green]✓ 真实[/green]" if v.genuine else "[red]✗ 未通过核验[/red]"
    console.print(f"{mark} {lines[0]}")
    for line in lines[1:]:
        console.print(f"  {line}")
    return 0 if v.genuine else 1
