"""Rotating the encryption key: ``xinyong keys rotate``.

A rotation adds a new encryption key to the ring and makes it the active one (the old keys stay
in the ring, so every ciphertext remains readable throughout), then re-encrypts every identity
number still under another key, a chunk of subjects per transaction (one SELECT and one batched
UPDATE each; ``XINYONG_KEY_ROTATE_CHUNK`` subjects). It may be stopped and run again at any
point: a second run re-encrypts what the first left. Afterwards ``xinyong keys prune`` drops the
keys no ciphertext uses any more.

The look-up key (HMAC-SM3) is not rotated by this command: see docs/privacy.md for why and for
what to do if it is ever exposed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.engine import Engine

from xinyong.accounts.principal import Principal, cli_principal
from xinyong.core import crypto
from xinyong.core.crypto import Keyring, KeyRingError, get_keyring
from xinyong.core.db import session_scope
from xinyong.core.settings import get_settings
from xinyong.subjects import identity
from xinyong.subjects.identity import RotationResult


def _is_env(ring: Keyring) -> bool:
    return ring.source == "env"


def add_key() -> Keyring:
    """Add a new encryption key to the key file and make it active (old keys kept)."""
    ring = get_keyring()
    if _is_env(ring):
        raise KeyRingError(
            "密钥来自环境变量 XINYONG_DATA_KEY：请在其中加入新密钥并设为 active，再执行 xinyong keys rotate --no-new-key",
            "the key ring comes from XINYONG_DATA_KEY: add a new key there, make it active, then run "
            "`xinyong keys rotate --no-new-key`",
        )
    new = crypto.new_key()
    crypto.write_key_file(Keyring(new.id, {**ring.keys, new.id: new}, ring.hash_key), crypto.key_file())
    return get_keyring()


def rotate(
    engine: Engine | None = None,
    *,
    new_key: bool = True,
    chunk: int | None = None,
    progress: Callable[[int], None] | None = None,
    who: Principal | None = None,
) -> RotationResult:
    """Re-encrypt every identity number under the active key (a new one unless ``new_key`` is
    false), one transaction per chunk; passes again until a pass finds nothing left (subjects
    added during the rotation under the old key are caught by the next pass)."""
    from xinyong.audit.service import log_event

    ring = add_key() if new_key else get_keyring()
    chunk = chunk or get_settings().key_rotate_chunk
    result = RotationResult(active=ring.active)
    for _pass in range(5):
        last, found = 0, 0
        while True:
            with session_scope(engine) as session:
                last, rows, n = identity.reencrypt_chunk(session, ring, last, chunk)
            if not rows:
                break
            found += rows
            result.subjects += rows
            result.ciphertexts += n
            result.chunks += 1
            if progress:
                progress(result.subjects)
        if not found:
            break
    with session_scope(engine) as session:
        log_event(session, who=who or cli_principal(), action="rotate", entity="data_key", entity_id=ring.active,
                  after={"subjects": result.subjects, "ciphertexts": result.ciphertexts, "chunks": result.chunks})
    return result


@dataclass
class KeyStatus:
    source: str
    active: str
    algorithm: str
    hash_key: str
    usage: dict[str, int]  # ciphertexts per key id


def status(engine: Engine | None = None) -> KeyStatus:
    ring = get_keyring()
    with session_scope(engine) as session:
        usage = identity.key_usage(session, ring)
    return KeyStatus(ring.source, ring.active, ring.keys[ring.active].alg, ring.hash_key.id, usage)


def prune(engine: Engine | None = None) -> list[str]:
    """Drop from the key file the encryption keys no ciphertext uses; the dropped ids."""
    ring = get_keyring()
    if _is_env(ring):
        raise KeyRingError("密钥来自环境变量 XINYONG_DATA_KEY，请直接在其中删除旧密钥",
                           "the key ring comes from XINYONG_DATA_KEY: remove old keys there")
    with session_scope(engine) as session:
        usage = identity.key_usage(session, ring)
    if usage.get("other"):
        raise KeyRingError(f"有 {usage['other']} 个密文所用的密钥不在密钥环中，未作删除",
                           f"{usage['other']} ciphertexts use keys missing from the ring; nothing pruned")
    unused = [k for k in ring.keys if k != ring.active and not usage.get(k)]
    if unused:
        keep = {k: v for k, v in ring.keys.items() if k not in unused}
        crypto.write_key_file(Keyring(ring.active, keep, ring.hash_key), crypto.key_file())
    return unused
