"""The data keys: authenticated encryption (SM4-GCM) and a keyed hash (HMAC-SM3) for look-ups.

Two kinds of key, never the same bytes:

- **encryption keys** (SM4-GCM, GB/T 32907 in Galois/Counter mode, 128-bit keys, 96-bit random
  nonces, 128-bit tags). ``cryptography`` 50 offers SM4 only through its ``Cipher`` interface,
  and GCM is among the modes it accepts there (checked against the RFC 8998 test vector in
  ``tests/core/test_crypto.py``). Where the OpenSSL underneath lacks SM4 (some FIPS builds), a
  new key ring gets an AES-256-GCM key instead; each key names its algorithm, so both read.
  Every ciphertext carries the id of the key that made it (``<key id>$<base64url>``), so a
  rotation can re-encrypt in chunks while old ciphertexts stay readable, and the key id and a
  context label are bound in as associated data (a ciphertext moved to another column, or
  relabelled with another key id, does not decrypt).
- **the look-up key** (HMAC-SM3, 256-bit key): identity numbers are found by their keyed hash,
  so the table holds no plain number and nobody without the key can test guesses against it.

The key ring comes from ``XINYONG_DATA_KEY`` (JSON, the same shape as the file) or from the
file ``VAR_DIR/keys/data-keys.json``, created by ``xinyong init`` with mode 0600 (a key file
readable by group or others is refused). See docs/privacy.md.
"""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from xinyong.core.errors import XinyongError
from xinyong.core.settings import get_settings

SM4_GCM = "SM4-GCM"
AES_GCM = "AES-256-GCM"
HMAC_SM3 = "HMAC-SM3"
KEY_BYTES = {SM4_GCM: 16, AES_GCM: 32, HMAC_SM3: 32}
NONCE_BYTES = 12
TAG_BYTES = 16
FORMAT = 1
_KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


class KeyRingError(XinyongError):
    """A key ring that is missing, unreadable, too widely readable or lacks a needed key."""

    status_code = 500


class DecryptError(XinyongError):
    status_code = 500


# --- algorithms ----------------------------------------------------------------------------------


@cache
def sm4_gcm_available() -> bool:
    """Whether this OpenSSL offers SM4 in GCM mode (it does in the wheels of cryptography 50)."""
    try:
        enc = Cipher(algorithms.SM4(bytes(16)), modes.GCM(bytes(NONCE_BYTES))).encryptor()
        enc.update(b"x")
        enc.finalize()
        return True
    except Exception:  # UnsupportedAlgorithm, or a provider refusing it
        return False


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class DataKey:
    id: str
    alg: str
    key: bytes = field(repr=False)
    created: str = ""

    def __post_init__(self) -> None:
        if not _KEY_ID.match(self.id):
            raise KeyRingError(f"密钥编号“{self.id}”无效", f"invalid key id {self.id!r}")
        if self.alg not in KEY_BYTES:
            raise KeyRingError(f"不支持的算法 {self.alg}", f"unsupported algorithm {self.alg!r}")
        if len(self.key) != KEY_BYTES[self.alg]:
            raise KeyRingError(f"密钥 {self.id} 长度错误", f"key {self.id} must have {KEY_BYTES[self.alg]} bytes")

    def as_json(self) -> dict:
        return {"alg": self.alg, "key": _b64(self.key), "created": self.created}

    @classmethod
    def from_json(cls, key_id: str, data: dict) -> DataKey:
        try:
            return cls(key_id, data["alg"], _unb64(data["key"]), data.get("created", ""))
        except (KeyError, TypeError, ValueError) as exc:
            raise KeyRingError(f"密钥 {key_id} 格式错误", f"key {key_id} is malformed: {exc}") from None


def new_key(alg: str | None = None, *, key_id: str | None = None) -> DataKey:
    alg = alg or (SM4_GCM if sm4_gcm_available() else AES_GCM)
    now = datetime.now(UTC)
    kid = key_id or f"{'h' if alg == HMAC_SM3 else 'e'}{now:%Y%m%d}{secrets.token_hex(3)}"
    return DataKey(kid, alg, secrets.token_bytes(KEY_BYTES[alg]), now.isoformat(timespec="seconds"))


def _encrypt(key: DataKey, plaintext: bytes, aad: bytes) -> bytes:
    nonce = secrets.token_bytes(NONCE_BYTES)
    if key.alg == SM4_GCM:
        enc = Cipher(algorithms.SM4(key.key), modes.GCM(nonce)).encryptor()
        enc.authenticate_additional_data(aad)
        body = enc.update(plaintext) + enc.finalize()
        return nonce + body + enc.tag
    return nonce + AESGCM(key.key).encrypt(nonce, plaintext, aad)


def _decrypt(key: DataKey, blob: bytes, aad: bytes) -> bytes:
    nonce, rest = blob[:NONCE_BYTES], blob[NONCE_BYTES:]
    if key.alg == SM4_GCM:
        body, tag = rest[:-TAG_BYTES], rest[-TAG_BYTES:]
        dec = Cipher(algorithms.SM4(key.key), modes.GCM(nonce, tag)).decryptor()
        dec.authenticate_additional_data(aad)
        return dec.update(body) + dec.finalize()
    return AESGCM(key.key).decrypt(nonce, rest, aad)


# --- the key ring ---------------------------------------------------------------------------------


@dataclass
class Keyring:
    active: str  # the encryption key new ciphertexts use
    keys: dict[str, DataKey]  # every encryption key still needed to read
    hash_key: DataKey
    source: str = ""  # "env" or the file's path

    def __post_init__(self) -> None:
        if self.active not in self.keys:
            raise KeyRingError(f"当前加密密钥 {self.active} 不在密钥环中", f"active key {self.active} is not in the ring")
        if self.hash_key.alg != HMAC_SM3:
            raise KeyRingError("查询密钥须为 HMAC-SM3", "the look-up key must be HMAC-SM3")
        if any(k.key == self.hash_key.key for k in self.keys.values()):
            raise KeyRingError("查询密钥不得与加密密钥相同", "the look-up key must differ from every encryption key")
        self._hmac = hmac.HMAC(self.hash_key.key, hashes.SM3())

    # -- keyed hash --

    @property
    def hmac_base(self) -> hmac.HMAC:
        """The keyed HMAC-SM3 state to ``copy()`` per value (the key schedule done once)."""
        return self._hmac

    def keyed_hash(self, value: str) -> str:
        """HMAC-SM3 of ``value`` (UTF-8), 64 hex digits."""
        h = self._hmac.copy()
        h.update(value.encode())
        return h.finalize().hex()

    def keyed_hashes(self, values: Iterable[str]) -> list[str]:
        base = self._hmac
        out = []
        for v in values:
            h = base.copy()
            h.update(v.encode())
            out.append(h.finalize().hex())
        return out

    # -- encryption --

    def encrypt(self, plaintext: str, context: str) -> str:
        """``<key id>$<base64url(nonce ‖ ciphertext ‖ tag)>`` under the active key."""
        key = self.keys[self.active]
        blob = _encrypt(key, plaintext.encode(), f"{context}|{key.id}".encode())
        return f"{key.id}${_b64(blob)}"

    def decrypt(self, token: str, context: str) -> str:
        kid, sep, body = token.partition("$")
        key = self.keys.get(kid)
        if not sep or key is None:
            raise DecryptError(f"缺少密钥 {kid}，无法解密", f"no key {kid!r} in the key ring to decrypt with")
        try:
            return _decrypt(key, _unb64(body), f"{context}|{kid}".encode()).decode()
        except (InvalidTag, ValueError) as exc:
            raise DecryptError("密文校验失败（被篡改或密钥不符）", "ciphertext failed authentication") from exc

    @staticmethod
    def key_id_of(token: str) -> str:
        return token.partition("$")[0]

    # -- storage --

    def as_json(self) -> dict:
        return {
            "format": FORMAT,
            "encryption": {"active": self.active, "keys": {k: v.as_json() for k, v in self.keys.items()}},
            "hash": {"id": self.hash_key.id, **self.hash_key.as_json()},
        }

    @classmethod
    def from_json(cls, data: dict, source: str = "") -> Keyring:
        try:
            enc, h = data["encryption"], data["hash"]
            keys = {kid: DataKey.from_json(kid, k) for kid, k in enc["keys"].items()}
            return cls(enc["active"], keys, DataKey.from_json(h["id"], h), source)
        except (KeyError, TypeError, AttributeError) as exc:
            raise KeyRingError("密钥环格式错误", f"the key ring is malformed: missing {exc}") from None


def fresh_keyring() -> Keyring:
    """A new ring: one encryption key (SM4-GCM where available) and one look-up key."""
    enc = new_key()
    return Keyring(enc.id, {enc.id: enc}, new_key(HMAC_SM3))


def key_file(var_dir: Path | None = None) -> Path:
    return (var_dir or get_settings().var_dir) / "keys" / "data-keys.json"


def write_key_file(ring: Keyring, path: Path, *, create: bool = False) -> None:
    """Write the ring with mode 0600: ``create`` fails if the file exists (two processes racing
    to make it keep the first); otherwise it is replaced atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.chmod(path.parent, 0o700)
    except OSError:  # pragma: no cover - a folder we do not own
        pass
    data = (json.dumps(ring.as_json(), indent=2) + "\n").encode()
    if create:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        return
    tmp = path.with_name(path.name + f".{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _read_file(path: Path) -> Keyring:
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        raise KeyRingError(
            f"密钥文件 {path} 的权限为 {mode:o}，其他用户可读；请执行 chmod 600",
            f"key file {path} has mode {mode:o}: readable by others, refused (chmod 600 it)",
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise KeyRingError(f"无法读取密钥文件 {path}", f"cannot read key file {path}: {exc}") from None
    return Keyring.from_json(data, str(path))


_cache: dict[tuple, Keyring] = {}


def get_keyring() -> Keyring:
    """The key ring from ``XINYONG_DATA_KEY`` or the key file; :class:`KeyRingError` when there is
    none (run ``xinyong init``). Cached, and read again when the file changes."""
    settings = get_settings()
    if settings.data_key is not None and settings.data_key.get_secret_value().strip():
        text = settings.data_key.get_secret_value()
        ident: tuple = ("env", text)
        ring = _cache.get(ident)
        if ring is None:
            try:
                data = json.loads(text)
            except ValueError:
                raise KeyRingError("XINYONG_DATA_KEY 不是有效的 JSON", "XINYONG_DATA_KEY is not valid JSON") from None
            ring = Keyring.from_json(data, "env")
            _cache.clear()
            _cache[ident] = ring
        return ring
    path = key_file(settings.var_dir)
    try:
        st = path.stat()
    except FileNotFoundError:
        raise KeyRingError(
            f"没有数据密钥：请先执行 xinyong init（生成 {path}），或设置 XINYONG_DATA_KEY",
            f"no data key: run `xinyong init` (creates {path}) or set XINYONG_DATA_KEY",
        ) from None
    ident = ("file", str(path.resolve()), st.st_mtime_ns, st.st_size, st.st_ino)
    ring = _cache.get(ident)
    if ring is None:
        ring = _read_file(path)
        _cache.clear()
        _cache[ident] = ring
    return ring


def ensure_keyring() -> tuple[Keyring, bool]:
    """The key ring, made (mode 0600) when neither the environment nor the file has one.
    Returns (ring, created)."""
    settings = get_settings()
    if settings.data_key is not None and settings.data_key.get_secret_value().strip():
        return get_keyring(), False
    path = key_file(settings.var_dir)
    if path.exists():
        return get_keyring(), False
    try:
        write_key_file(fresh_keyring(), path, create=True)
    except FileExistsError:
        return get_keyring(), False
    return get_keyring(), True


def reset_keyring_cache() -> None:
    _cache.clear()
