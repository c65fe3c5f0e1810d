"""Ingest credit records from departments: files and API batches, one path for both.

A batch is one transaction: the caller's session commits at the end, so a process killed half
way leaves nothing of the batch and a re-run stores it whole. Rows are validated one by one in
Python (that is parsing, not per-subject work) and written a chunk at a time with set-based
statements: one query finds a chunk's subjects, one its existing records, one insert adds the new
ones, one update touches the unchanged ones. Re-sending a row with the same (department, source
id) is "unchanged"; with different content it becomes the record's next version, the old state
copied into ``record_versions`` first.

Audit: each batch appends one entry to the audit log (action ``import``: who, the file and its
SHA-256, the counts, the batch id) inside the batch's own transaction, at its end (so the lock
on the audit chain is held only until the commit). The per-record before/after history is not
repeated there: it already lives in ``record_versions`` (every earlier state, with the batch,
row, user and time that replaced it).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from xinyong.accounts.principal import Principal
from xinyong.audit.service import log_event
from xinyong.catalog import service as catalog_service
from xinyong.catalog.schemas import Category, PolicySet
from xinyong.core.clock import today
from xinyong.core.db import utcnow
from xinyong.core.settings import get_settings
from xinyong.records import hooks
from xinyong.records.cleaning import clean_text
from xinyong.records.columns import ColumnMap, detect_category, map_columns
from xinyong.records.columnwise import ChunkValidator
from xinyong.records.models import ImportBatch
from xinyong.records.readers import FileUnusable, Source, open_source
from xinyong.records.validation import Defaults, RowError
from xinyong.records.writer import ChunkWriter

Progress = Callable[[int], None]


@dataclass
class ImportResult:
    batch_id: int | None = None
    file_name: str = ""
    total: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    categories: set[str] = field(default_factory=set)
    policy_version_id: int | None = None
    report_path: Path | None = None

    @property
    def exit_code(self) -> int:
        return 1 if self.rejected else 0

    def add_error(self, error: RowError, cap: int) -> None:
        self.error_count += 1
        if len(self.errors) < cap:
            self.errors.append(error)

    def summary(self) -> dict:
        return {
            "batch_id": self.batch_id,
            "policy_version_id": self.policy_version_id,
            "total": self.total,
            "new": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "error_count": self.error_count,
            "ignored_columns": self.ignored_columns,
        }


class _CategoryResolver:
    """Finds each row's category: given once, from a column, or from the file's headers."""

    def __init__(self, policy: PolicySet, headers: list[str], category_code: str | None):
        self.policy = policy
        self.headers = headers
        self.maps: dict[str, ColumnMap] = {}
        self.fixed: Category | None = None
        if category_code:
            self.fixed = policy.category(category_code) or _by_name(policy, category_code)
            if self.fixed is None:
                codes = "、".join(f"{c.code}（{c.name}）" for c in policy.catalog.categories)
                raise FileUnusable(
                    f"未知的记录类别“{category_code}”，可选：{codes}",
                    f"unknown category {category_code!r}",
                )
        generic = map_columns(headers, None)
        self.category_positions = generic.common.get("category")
        if self.fixed is None and not self.category_positions:
            self.fixed = detect_category(headers, policy.catalog.categories)
            if self.fixed is None:
                raise FileUnusable(
                    "无法判断记录类别：请用 --category 指定类别，或在文件中加入“记录类别”列",
                    "cannot tell the record category: pass --category or add a 'category' column",
                )

    def cmap(self, category: Category) -> ColumnMap:
        cmap = self.maps.get(category.code)
        if cmap is None:
            cmap = self.maps[category.code] = map_columns(self.headers, category)
        return cmap

    def for_row(self, values: list) -> Category | str:
        if self.fixed is not None:
            return self.fixed
        for pos in self.category_positions or ():
            raw = clean_text(values[pos]) if pos < len(values) else ""
            if raw:
                return self.policy.category(raw) or _by_name(self.policy, raw) or f"未知的记录类别“{raw}”"
        return "缺少“记录类别”"


def _by_name(policy: PolicySet, name: str) -> Category | None:
    return next((c for c in policy.catalog.categories if c.name == name), None)


def import_file(
    session: Session,
    path: Path,
    *,
    category: str | None = None,
    defaults: Defaults | None = None,
    user: str = "cli",
    progress: Progress | None = None,
    who: Principal | None = None,
    file_name: str | None = None,
) -> ImportResult:
    """Import a file; ``file_name``: the name to keep with the batch when the file on disk
    bears another (an upload saved under a name of our own)."""
    path = Path(path)
    source = open_source(path)
    digest = _sha256(path)
    return import_source(
        session, source, file_name=file_name or path.name, category=category, defaults=defaults, user=user,
        progress=progress, file_sha256=digest, who=who,
    )


def import_source(
    session: Session,
    source: Source,
    *,
    file_name: str,
    category: str | None = None,
    defaults: Defaults | None = None,
    user: str = "api",
    progress: Progress | None = None,
    file_sha256: str | None = None,
    who: Principal | None = None,
) -> ImportResult:
    """Import one batch in the caller's transaction (the caller commits). ``who`` is the
    principal for the audit entry; without one, ``user`` is logged as a command-line user."""
    settings = get_settings()
    if who is not None:
        user = who.username
    defaults = defaults or Defaults()
    if defaults.today is None:
        defaults.today = today()
    version_id, policy = catalog_service.active_version(session)
    resolver = _CategoryResolver(policy, source.headers, category)
    batch = ImportBatch(
        file_name=file_name[:500],
        file_format=source.format,
        file_sha256=file_sha256,
        category_code=resolver.fixed.code if resolver.fixed else None,
        department_code=defaults.department_code,
        department_name=defaults.department_name,
        policy_version_id=version_id,
        created_by=user,
    )
    session.add(batch)
    session.flush()
    result = ImportResult(batch_id=batch.id, file_name=file_name, policy_version_id=version_id)
    writer = ChunkWriter(session, policy, batch.id, version_id, user)
    validator = ChunkValidator(policy, defaults)
    cap = settings.max_import_errors_reported
    chunk_rows = settings.import_chunk_rows
    pending: list[tuple[int, list, Category]] = []
    unread: list[RowError] = []  # this chunk's lines that never reached validation

    def flush() -> None:
        clean, row_errors, rejected = validator.validate(pending, resolver.maps)
        pending.clear()
        result.rejected += rejected
        for e in sorted(unread + row_errors, key=lambda e: e.row):  # file order (a stable sort)
            result.add_error(e, cap)
        unread.clear()
        counts, errors = writer.write(clean)
        result.new += counts[0]
        result.updated += counts[1]
        result.unchanged += counts[2]
        result.rejected += len({e.row for e in errors})
        for e in errors:
            result.add_error(e, cap)
        if progress:
            progress(result.total)

    for row_no, values, line_error in source.rows:
        result.total += 1
        if line_error is not None or values is None:
            result.rejected += 1
            unread.append(RowError(row_no, "", "", line_error or "空行", "unreadable line"))
            if len(unread) >= chunk_rows:
                flush()
            continue
        cat = resolver.for_row(values)
        if isinstance(cat, str):
            result.rejected += 1
            unread.append(RowError(row_no, "记录类别", "", cat, "unknown or missing category"))
            continue
        if cat.code not in result.categories:
            result.categories.add(cat.code)
            resolver.cmap(cat)
        pending.append((row_no, values, cat))
        if len(pending) >= chunk_rows:
            flush()
    if pending or unread:
        flush()
    elif progress:
        progress(result.total)
    if resolver.maps:  # a column no row's category could use
        unused = set.intersection(*(set(m.ignored) for m in resolver.maps.values()))
        result.ignored_columns = [h for h in source.headers if h in unused]
    batch.rows_total = result.total
    batch.rows_new = result.new
    batch.rows_updated = result.updated
    batch.rows_unchanged = result.unchanged
    batch.rows_rejected = result.rejected
    batch.finished_at = utcnow()
    session.flush()
    log_event(
        session, who=who or user, action="import", entity="import_batch", entity_id=batch.id,
        after={
            "file": file_name, "sha256": file_sha256, "format": source.format, **result.summary(),
            "categories": sorted(result.categories),
        },
    )
    hooks.run(session, batch.id)  # e.g. the lists' rule-based listings, in this transaction
    return result


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


__all__ = ["ImportResult", "import_file", "import_source", "FileUnusable", "Defaults"]
