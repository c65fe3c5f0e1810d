"""Attachments of redress cases: a scanned written application, evidence.

Only PDF, PNG and JPEG are taken, told apart by their first bytes (a name or a declared type
proves nothing), and no larger than ``XINYONG_REDRESS_ATTACHMENT_MAX_MB``. A file is stored once
under the data folder (``<var_dir>/redress/<sha256[:2]>/<sha256>``), named by its SHA-256, which
the database keeps beside the name it came with; reading it back checks the sum again, so a file
changed on disk is refused rather than shown.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from xinyong.core.errors import InvalidInput, NotFound
from xinyong.core.settings import get_settings

MAGIC = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)
MAX_FILES = 10


@dataclass(frozen=True)
class Stored:
    file_name: str
    media_type: str
    size: int
    sha256: str


def media_type_of(head: bytes) -> str | None:
    return next((kind for magic, kind in MAGIC if head.startswith(magic)), None)


def _folder() -> Path:
    return get_settings().var_dir / "redress"


def path_of(sha256: str) -> Path:
    return _folder() / sha256[:2] / sha256


def check(file_name: str, data: bytes) -> str:
    """The file's media type, or :class:`InvalidInput` in words the applicant can act on."""
    name = (file_name or "").strip() or "附件"
    limit = get_settings().redress_attachment_max_mb
    if len(data) > limit * 1024 * 1024:
        raise InvalidInput(f"附件“{name}”超过大小上限 {limit} MB，请压缩后或分成几个文件上传",
                           f"attachment {name!r} is larger than {limit} MB", field="files")
    if not data:
        raise InvalidInput(f"附件“{name}”是空文件", f"attachment {name!r} is empty", field="files")
    kind = media_type_of(data[:16])
    if kind is None:
        raise InvalidInput(f"附件“{name}”不是 PDF、PNG 或 JPEG 文件，请上传书面材料的扫描件（PDF）或照片（PNG、JPEG）",
                           f"attachment {name!r} is not a PDF, PNG or JPEG file", field="files")
    return kind


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def store(file_name: str, data: bytes) -> Stored:
    """Check and keep one file; the same content is kept once."""
    kind = check(file_name, data)
    digest = sha256_of(data)
    target = path_of(digest)
    if not target.is_file():
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = target.with_name(f".{digest}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.chmod(tmp, 0o600)
        os.replace(tmp, target)
    return Stored(Path(file_name or "附件").name[:255], kind, len(data), digest)


def read(sha256: str) -> bytes:
    target = path_of(sha256)
    if not target.is_file():
        raise NotFound("附件文件不存在", "attachment file missing")
    data = target.read_bytes()
    if hashlib.sha256(data).hexdigest() != sha256:
        raise InvalidInput("附件文件校验和不符，可能已被改动，请联系信用办", "attachment checksum mismatch")
    return data
