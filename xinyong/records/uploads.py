"""Records sent by a department reporter, through the write API or a file uploaded on the web.

Both go through :func:`xinyong.records.ingest.import_source`, the path the command line uses, so
a row is validated, stored, versioned and rejected the same way whichever door it came in by;
what this module adds is the reporter's scope (its department, the categories the department may
report, its region: :class:`~xinyong.records.validation.ReporterScope`) and the care an uploaded
file needs before it is read: a kept type, a size cap counted while the bytes arrive, a name of
our own on disk, and the error report kept where the reporter can download it later.
"""

from __future__ import annotations

import logging
import os
import secrets
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.accounts.principal import Principal
from xinyong.catalog import service as catalog_service
from xinyong.core import spool
from xinyong.core.errors import Forbidden, InvalidInput, NotFound
from xinyong.core.masking import mask_ids_in_text
from xinyong.core.settings import get_settings
from xinyong.records.ingest import ImportResult, import_file, import_source
from xinyong.records.models import ImportBatch
from xinyong.records.readers import rows_from_dicts
from xinyong.records.report import SHEET, write_report
from xinyong.records.validation import Defaults, ReporterScope

log = logging.getLogger(__name__)
ALLOWED_SUFFIXES = {".csv": "CSV", ".xlsx": "XLSX", ".jsonl": "JSON Lines"}
_ZIP_MAGIC = b"PK\x03\x04"
_CHUNK = 1024 * 1024


def upload_dir() -> Path:
    return get_settings().var_dir / "uploads"


def report_dir() -> Path:
    return get_settings().var_dir / "reports"


def report_file(batch_id: int) -> Path:
    return report_dir() / f"batch-{batch_id}.errors.xlsx"


def first_errors(batch_id: int, limit: int = 20) -> list[tuple]:
    """The first ``limit`` lines of a batch's error report (row, column, value, reason), for the
    batch page, identity numbers in the values masked as on every page (the downloaded report
    keeps them as sent: it goes back to the department that sent them). Nothing when there is no
    report, or when it cannot be read."""
    path = report_file(batch_id)
    if not path.is_file():
        return []
    try:
        wb = load_workbook(path, read_only=True)
    except (OSError, zipfile.BadZipFile, InvalidFileException):  # the page still shows the batch
        log.warning("the error report of batch %s cannot be read", batch_id, exc_info=True)
        return []
    try:
        if SHEET not in wb.sheetnames:
            return []
        lines = wb[SHEET].iter_rows(min_row=2, max_row=limit + 1, max_col=4, values_only=True)
        return [(row, column, mask_ids_in_text(str(value)) if value is not None else "", reason)
                for row, column, value, reason in (tuple(line) + (None,) * (4 - len(line)) for line in lines)]
    finally:
        wb.close()


def rows_in_report(path: Path) -> int:
    """How many rows a batch's error report names (each names at most one person): the count its
    download's audit entry records. 0 when it cannot be read."""
    try:
        wb = load_workbook(path, read_only=True)
    except (OSError, zipfile.BadZipFile, InvalidFileException):
        return 0
    try:
        if SHEET not in wb.sheetnames:
            return 0
        return len({line[0] for line in wb[SHEET].iter_rows(min_row=2, max_col=1, values_only=True) if line[0]})
    finally:
        wb.close()


def save_upload(stream: BinaryIO, filename: str, *, max_bytes: int | None = None) -> Path:
    """Copy an uploaded file to a private folder under a random name, refusing a type we do not
    read, a file over the size cap (counted as it is copied) and a file whose bytes are not what
    its name says. Returns the saved path, held (:mod:`xinyong.core.spool`) until the caller
    deletes it with :func:`discard_upload`."""
    suffix = Path(filename or "").suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        kinds = "、".join(ALLOWED_SUFFIXES.values())
        raise InvalidInput(f"只接受 {kinds} 文件（扩展名 .csv、.xlsx、.jsonl），收到的是“{filename}”",
                           f"only .csv, .xlsx and .jsonl files are accepted, got {filename!r}", field="file")
    cap = max_bytes if max_bytes is not None else get_settings().max_request_mb * 1024 * 1024
    folder = upload_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / f"{secrets.token_hex(16)}{suffix}"
    size = 0
    head = b""
    fd = spool.create(path)  # held while the import runs; a crash leaves it to the start-up sweep
    try:
        with os.fdopen(os.dup(fd), "wb") as out:
            while chunk := stream.read(_CHUNK):
                size += len(chunk)
                if size > cap:
                    raise InvalidInput(f"文件超过 {cap / 1024 / 1024:g} MB 上限，请拆分后分别上传",
                                       f"file larger than {cap / 1024 / 1024:g} MB", field="file")
                if len(head) < 8192:
                    head += chunk[: 8192 - len(head)]
                out.write(chunk)
        if size == 0:
            raise InvalidInput("文件是空的", "the file is empty", field="file")
        if suffix == ".xlsx" and not head.startswith(_ZIP_MAGIC):
            raise InvalidInput("文件扩展名为 .xlsx，但内容不是 Excel 工作簿；请在 Excel 中“另存为 .xlsx”后再上传",
                               "the file is named .xlsx but is not an Excel workbook", field="file")
        if suffix != ".xlsx" and (b"\x00" in head or head.startswith(_ZIP_MAGIC)):
            raise InvalidInput(f"文件扩展名为 {suffix}，但内容不是文本；Excel 文件请保存为 .xlsx 上传",
                               f"the file is named {suffix} but is not text", field="file")
    except BaseException:
        spool.discard(path)
        raise
    return path


def discard_upload(path: Path) -> None:
    """Delete a saved upload once its import is done (or refused)."""
    spool.discard(path)


def sweep_orphans() -> list[Path]:
    """Delete uploads left by a process that stopped in the middle of an import (they carry
    raw identity numbers); run at start-up. An upload another live process is importing stays."""
    return spool.sweep(upload_dir(), ["*.csv", "*.xlsx", "*.jsonl"])


def import_upload(
    session: Session,
    path: Path,
    *,
    original_name: str,
    scope: ReporterScope,
    department_name: str | None,
    category: str | None = None,
    user: str,
    progress=None,
) -> ImportResult:
    """Import a saved upload as the reporter; write its error report where
    :func:`report_file` finds it. The caller commits."""
    result = import_file(session, path, category=category, user=user, defaults=_defaults(scope, department_name),
                         file_name=original_name, progress=progress)
    if result.rejected:
        report_dir().mkdir(parents=True, exist_ok=True, mode=0o700)
        result.report_path = write_report(result, report_file(result.batch_id))
    return result


def import_rows(
    session: Session,
    rows: Iterable[dict],
    *,
    scope: ReporterScope,
    department_name: str | None,
    category: str | None = None,
    user: str,
) -> ImportResult:
    """Import rows sent as JSON objects (the write API). The caller commits."""
    rows = list(rows)
    cap = get_settings().api_max_batch_rows
    if len(rows) > cap:
        raise InvalidInput(f"一次最多提交 {cap} 行，本次 {len(rows)} 行，请分批提交",
                           f"at most {cap} rows per request, got {len(rows)}", field="rows")
    for n, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            raise InvalidInput(f"第 {n} 行不是一个对象（列名: 值）", f"row {n} is not an object", field="rows")
    return import_source(session, rows_from_dicts(rows), file_name="api", category=category, user=user,
                         defaults=_defaults(scope, department_name))


def _defaults(scope: ReporterScope, department_name: str | None) -> Defaults:
    return Defaults(department_code=scope.department_code, department_name=department_name, reporter=scope)


def department_name(session: Session, department_code: str | None) -> str | None:
    """The registered name of the reporter's department, used when a row carries none."""
    from xinyong.accounts.models import Department

    if not department_code:
        return None
    return session.scalar(select(Department.name).where(Department.code == department_code))


def batches_of(session: Session, department_code: str | None, *, limit: int = 50) -> list[ImportBatch]:
    """The latest batches, of one department (or all, for ``None``), newest first."""
    q = select(ImportBatch).order_by(ImportBatch.id.desc()).limit(limit)
    if department_code is not None:
        q = q.where(ImportBatch.department_code == department_code)
    return list(session.scalars(q))


def batch_for(session: Session, batch_id: int, who: Principal) -> ImportBatch:
    """A batch, for its own department's reporter, or for an administrator whose region covers
    the department's (a batch from the command line, with no department, only for the
    administrator of the whole province). Another department's batch does not exist for a
    reporter (404); outside an administrator's region it is refused (403)."""
    from xinyong.accounts.models import Department

    batch = session.get(ImportBatch, batch_id)
    if batch is None or (who.role != "admin" and batch.department_code != who.department_code):
        raise NotFound(f"导入批次 {batch_id} 不存在", f"import batch {batch_id} not found")
    if who.role == "admin":
        region = session.scalar(select(Department.region_code).where(Department.code == batch.department_code))
        if region is None:  # a command-line import: the platform's own region (the policy's)
            region = catalog_service.active_version(session)[1].meta.region
        if not who.covers(region):
            raise Forbidden("该批次的报送部门不在您的地区权限范围内", f"batch {batch_id} is outside {who.label}'s region")
    return batch
