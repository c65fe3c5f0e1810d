"""``xinyong keys …``: the data keys that protect identity numbers at rest (docs/privacy.md)."""

from __future__ import annotations

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
