"""Secrets at rest for accounts: TOTP secrets encrypted with SM4-GCM (国密, as DESIGN.md asks
where a choice is open), random tokens and their hashes.

The SM4 key is ``XINYONG_TOTP_KEY`` (32 hex digits) or, when that is empty, the file
``VAR_DIR/keys/totp.key``, created with mode 0600 on first use. Every process of a deployment
must see the same key: losing it means every administrator enrols TOTP again (``xinyong users
reset-totp``), nothing worse. Session ids and API tokens are 256-bit random values, so a plain
SHA-256 of them is enough to store (a slow hash such as argon2 protects guessable passwords,
not random keys).
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
from functools import cache
from pathlib import Path

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from xinyong.core.errors import XinyongError
from xinyong.core.settings import get_settings

_VERSION = "sm4gcm1"


def random_token(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def _key_file() -> Path:
    return get_settings().var_dir / "keys" / "totp.key"


@cache
def _key_for(configured: str | None, path: str) -> bytes:
    if configured:
        try:
            key = bytes.fromhex(configured)
        except ValueError as exc:
            raise XinyongError("XINYONG_TOTP_KEY 不是十六进制", "XINYONG_TOTP_KEY is not hex") from exc
        if len(key) != 16:
            raise XinyongError("XINYONG_TOTP_KEY 应为 32 位十六进制", "XINYONG_TOTP_KEY must be 32 hex digits")
        return key
    file = Path(path)
    if file.is_file():
        return bytes.fromhex(file.read_text(encoding="ascii").strip())
    file.parent.mkdir(parents=True, exist_ok=True)
    key = os.urandom(16)
    fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(key.hex())
    return key


def _key() -> bytes:
    settings = get_settings()
    return _key_for(settings.totp_key, str(_key_file().resolve()))


def encrypt(plain: str) -> str:
    nonce = os.urandom(12)
    enc = Cipher(algorithms.SM4(_key()), modes.GCM(nonce)).encryptor()
    body = enc.update(plain.encode("utf-8")) + enc.finalize()
    return f"{_VERSION}:" + base64.b64encode(nonce + enc.tag + body).decode("ascii")


def decrypt(stored: str) -> str:
    version, _, data = stored.partition(":")
    if version != _VERSION:
        raise XinyongError("无法读取的密钥格式", f"unknown secret format {version!r}")
    raw = base64.b64decode(data)
    nonce, tag, body = raw[:12], raw[12:28], raw[28:]
    dec = Cipher(algorithms.SM4(_key()), modes.GCM(nonce, tag)).decryptor()
    return (dec.update(body) + dec.finalize()).decode("utf-8")
