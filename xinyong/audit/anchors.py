"""Anchors of the audit chain kept outside the database.

The chain head (``audit_chain_head``) reveals entries cut from the end of the log only while it
is intact; whoever can delete the last entries can also set the head back, and then the chain
verifies. So the head is also written, from time to time, outside the database: ``xinyong audit
anchor`` appends one line — the last entry's number and hash and the time — to an anchor file,
signed with HMAC-SM3 under a key that is not in the database either. ``xinyong audit verify``
reads every anchor and requires that the chain still holds each anchored entry with the anchored
hash: a log cut back (or rebuilt) behind an anchor fails, naming the anchored entry.

The file and its key must be where the database's users cannot write: run the anchor command as
an operating-system user of its own, owning the file (``chattr +a`` makes it append-only), or
send the line to the auditor or the upper platform as well (docs/audit.md). A line that does not
carry a valid signature is itself a finding: the file was edited.
"""

from __future__ import annotations

import hmac
import json
import os
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.audit.models import AuditEntry
from xinyong.core.db import utcnow
from xinyong.core.errors import InvalidInput
from xinyong.core.settings import get_settings


@dataclass(frozen=True)
class Anchor:
    seq: int
    hash: str
    at: str  # when it was taken (UTC, ISO 8601)
    line: int = 0  # its line in the file, for messages


class AnchorFileTampered(InvalidInput):
    """A line of the anchor file is not as the anchor command wrote it."""


def anchor_file() -> Path:
    s = get_settings()
    return s.audit_anchor_file or s.var_dir / "audit" / "anchors.jsonl"


def _key_file() -> Path:
    return get_settings().var_dir / "keys" / "audit-anchor.key"


def anchor_key(*, create: bool = False) -> bytes | None:
    """The signing key: ``XINYONG_AUDIT_ANCHOR_KEY`` (hex), else the key file, made (owner-only)
    by the first anchor. ``None`` when there is none yet and ``create`` is false."""
    configured = get_settings().audit_anchor_key
    if configured is not None:
        try:
            return bytes.fromhex(configured.get_secret_value())
        except ValueError:
            raise InvalidInput("XINYONG_AUDIT_ANCHOR_KEY 应为十六进制", "XINYONG_AUDIT_ANCHOR_KEY is not hex") from None
    path = _key_file()
    if path.is_file():
        return bytes.fromhex(path.read_text().strip())
    if not create:
        return None
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = secrets.token_bytes(32)
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key.hex() + "\n")
    return key


def _signature(key: bytes, seq: int, hash_: str, at: str) -> str:
    mac = crypto_hmac.HMAC(key, hashes.SM3())
    mac.update(json.dumps({"at": at, "hash": hash_, "seq": seq}, sort_keys=True, separators=(",", ":")).encode())
    return mac.finalize().hex()


def write_anchor(session: Session, *, now: datetime | None = None) -> Anchor | None:
    """Append the chain's last entry (number, hash) to the anchor file, signed. ``None`` when
    the log is still empty. The line is written with one ``write`` to a file opened for
    appending, so a crash leaves the line whole or absent."""
    last = session.execute(select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)).first()
    if last is None:
        return None
    key = anchor_key(create=True)
    assert key is not None
    at = (now or utcnow()).isoformat(timespec="seconds")
    seq, hash_ = int(last[0]), str(last[1])
    line = json.dumps({"seq": seq, "hash": hash_, "at": at, "sig": _signature(key, seq, hash_, at)},
                      sort_keys=True) + "\n"
    path = anchor_file()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line.encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    return Anchor(seq, hash_, at)


def daily_anchor(session: Session) -> dict:
    """The daily job's anchor: the head anchored unless the file's last anchor already holds
    it (nothing was logged since). What it changed, as the daily runner reports it."""
    last = session.execute(select(AuditEntry.seq).order_by(AuditEntry.seq.desc()).limit(1)).scalar()
    if last is None:
        return {"anchors": 0, "note": "审计日志为空"}
    found = read_anchors()
    if found and found[-1].seq >= last:
        return {"anchors": 0, "note": f"第 {last} 条已锚定"}
    written = write_anchor(session)
    assert written is not None
    return {"anchors": 1, "note": f"第 {written.seq} 条 {written.hash[:16]}…"}


def read_anchors(path: Path | None = None) -> list[Anchor]:
    """Every anchor of the file (none when there is no file), each checked against its
    signature; raises :class:`AnchorFileTampered` naming the first line that fails."""
    path = path or anchor_file()
    if not path.is_file():
        return []
    key = anchor_key()
    out: list[Anchor] = []
    with open(path, encoding="utf-8") as fh:
        for n, text in enumerate(fh, start=1):
            if not text.strip():
                continue
            try:
                data = json.loads(text)
                seq, hash_, at, sig = int(data["seq"]), str(data["hash"]), str(data["at"]), str(data["sig"])
            except (ValueError, KeyError, TypeError):
                raise AnchorFileTampered(f"审计锚点文件第 {n} 行格式有误（文件被改动）",
                                         f"anchor file line {n} is malformed (the file was edited)") from None
            if key is None or not hmac.compare_digest(sig, _signature(key, seq, hash_, at)):
                raise AnchorFileTampered(f"审计锚点文件第 {n} 行签名不符（文件或密钥被改动）",
                                         f"anchor file line {n} does not carry a valid signature") from None
            out.append(Anchor(seq, hash_, at, n))
    return out


def verify(session: Session, *, chunk: int = 5000):
    """The chain verified against every anchor of the anchor file (an edited anchor line is a
    failed verdict of its own), for the command, the API and the page alike."""
    from xinyong.audit import service

    try:
        found = read_anchors()
    except AnchorFileTampered as exc:
        return service.Verdict(False, 0, None, "anchor_file", exc.zh, exc.en)
    return service.verify(session, chunk=chunk, anchors=found)
