"""``xinyong keys …``: the data keys that protect identity numbers at rest (docs/privacy.md)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from xinyong.subjects import keys

app = typer.Typer(help="数据密钥：身份证号码加密存储 (data keys for identity numbers at rest)", no_args_is_help=True)
console = Console(soft_wrap=True)


@app.command("status")
def status() -> None:
    """Where the key ring comes from, the active key and how many ciphertexts each key holds."""
    st = keys.status()
    console.print(f"密钥来源 / source: {st.source}")
    console.print(f"当前加密密钥 / active key: {st.active} ({st.algorithm})")
    console.print(f"查询密钥 / look-up key: {st.hash_key} (HMAC-SM3)")
    for kid, n in sorted(st.usage.items()):
        console.print(f"  {kid}: {n} 个密文 / ciphertexts")
    if st.problem:
        console.print(f"[red]✗ {st.problem[0]}[/red]\n  {st.problem[1]}")
        raise typer.Exit(2)


@app.command("rotate")
def rotate(
    new_key: bool = typer.Option(True, "--new-key/--no-new-key",
                                 help="Add a new key first (default); --no-new-key re-encrypts under the active one"),
    chunk: int | None = typer.Option(None, min=100, help="Subjects per transaction (default XINYONG_KEY_ROTATE_CHUNK)"),
) -> None:
    """Re-encrypt every identity number under a new encryption key, chunk by chunk; old keys
    stay readable until it is done (then `xinyong keys prune`)."""
    def progress(n: int) -> None:
        if not console.is_terminal:
            console.print(f"已重新加密 {n} 个主体 / subjects re-encrypted")

    result = keys.rotate(new_key=new_key, chunk=chunk, progress=progress)
    console.print(f"[green]✓[/green] 当前密钥 {result.active}：重新加密 {result.ciphertexts} 个密文"
                  f"（{result.subjects} 个主体，{result.chunks} 个事务）")


@app.command("prune")
def prune() -> None:
    """Remove from the key file the old encryption keys that no ciphertext uses any more."""
    dropped = keys.prune()
    console.print(f"[green]✓[/green] 已删除 {len(dropped)} 个不再使用的密钥：{', '.join(dropped) or '无'}")


designations_app = typer.Typer(
    help="任职与登记身份：法定代表人、主要负责人、财务负责人 (posts and designations)", no_args_is_help=True)


@designations_app.command("template")
def designations_template(
    output: Path = typer.Option(..., "-o", "--output", help="Where to write the XLSX template"),
) -> None:
    """Write the XLSX template for posts and designations (Chinese headers, notes, drop-downs)."""
    from xinyong.subjects import designations

    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(designations.template_bytes())
    console.print(f"[green]✓[/green] 模板已写入 {output}")


@designations_app.command("import")
def designations_import(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="The filled-in XLSX"),
    user: str = typer.Option("cli", "--user", help="Who is importing (recorded in the audit log)"),
) -> None:
    """Import posts and designations from an XLSX file: bad rows are listed with row, column and
    reason and left out; the good rows are written in one transaction."""
    from xinyong.accounts.principal import cli_principal
    from xinyong.core.db import session_scope
    from xinyong.core.errors import XinyongError
    from xinyong.subjects import designations

    try:
        rows = designations.read_xlsx(file.read_bytes())
        with session_scope() as session:
            result = designations.import_rows(session, rows, who=cli_principal(user))
    except XinyongError as exc:
        console.print(f"[red]✗ {exc.zh}[/red]\n  {exc.en}")
        raise typer.Exit(2) from None
    console.print(f"共 {result.rows} 行：登记身份新增 {result.designations_new}、更新 {result.designations_updated}；"
                  f"任职记录新增 {result.posts_new}、更新 {result.posts_updated}；"
                  f"退回 [{'red' if result.rejected else 'green'}]{result.rejected}[/] 行")
    for e in result.errors[:20]:
        console.print(f"  第{e.row}行 {e.column}：{e.reason}")
    if len(result.errors) > 20:
        console.print(f"  …… 共 {len(result.errors)} 处错误")
    raise typer.Exit(1 if result.rejected else 0)
