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


def mismatch_message(m: identity.KeyMismatch) -> tuple[str, str]:
    """What to tell the operator: the data is under a key this ring lacks, and how to restore it."""
    where = "XINYONG_DATA_KEY" if get_settings().data_key is not None else str(crypto.key_file())
    parts_zh, parts_en = [], []
    if m.missing:
        ids = "、".join(m.key_ids) or "未知"
        parts_zh.append(f"数据库中有 {m.missing} 个身份证号码密文所用的加密密钥（{ids}）不在当前密钥环中")
        parts_en.append(f"{m.missing} identity-number ciphertexts use encryption keys not in the ring ({', '.join(m.key_ids)})")
    if m.lookup_key_differs:
        parts_zh.append("当前密钥环的查询密钥与数据库中身份证号码的查询密钥不同")
        parts_en.append("the ring's look-up key is not the one the stored look-up keys were made with")
    zh = ("；".join(parts_zh) + f"。请从备份恢复原密钥环到 {where}（与数据库同时备份的 data-keys.json），"
          "切勿重新生成：用新密钥查不到已有的身份证号码，黑名单上的人会核查为“无信用档案”，重新导入会产生重复主体。"
          "恢复后执行 xinyong keys status 确认（docs/privacy.md，密钥）。")
    en = ("; ".join(parts_en) + f". Restore the original key ring to {where} from the backup taken with the database; "
          "do not create a new one (docs/privacy.md, Keys).")
    return zh, en


def key_check(engine: Engine | None = None, *, ring: Keyring | None = None, configured: bool = True) -> None:
    """Refuses (:class:`KeyRingError`) when the database holds identity numbers under a key the
    ring lacks — a lost or replaced key file — so that no command runs on, answering look-ups
    with "not found" and importing duplicates. ``configured=False``: there is no ring yet (init
    before it would create one). A database without the subjects table passes."""
    from sqlalchemy import inspect

    from xinyong.core.db import get_engine

    eng = engine or get_engine()
    columns = {c["name"] for c in inspect(eng).get_columns("subjects")} if inspect(eng).has_table("subjects") else set()
    if "code_cipher" not in columns:
        return
    if configured and ring is None:
        ring = get_keyring()
    with session_scope(engine) as session:
        m = identity.key_mismatch(session, ring)
    if m is not None:
        raise KeyRingError(*mismatch_message(m))


def keyring_configured() -> bool:
    """Whether a key ring exists (the environment or the key file), without creating one."""
    s = get_settings()
    return (s.data_key is not None and bool(s.data_key.get_secret_value().strip())) or crypto.key_file().exists()


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

    key_check(engine)  # never re-encrypt under a ring that cannot read what is stored
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
    problem: tuple[str, str] | None = None  # the stored data is under another ring: what to do


def status(engine: Engine | None = None) -> KeyStatus:
    ring = get_keyring()
    with session_scope(engine) as session:
        usage = identity.key_usage(session, ring)
        m = identity.key_mismatch(session, ring)
    return KeyStatus(ring.source, ring.active, ring.keys[ring.active].alg, ring.hash_key.id, usage,
                     mismatch_message(m) if m else None)


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
