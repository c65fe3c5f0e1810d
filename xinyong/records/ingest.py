"""Ingest credit records from departments: files and API batches, one path for both.

A batch is one transaction: the caller's session commits at the end, so a process killed half
way leaves nothing of the batch and a re-run stores it whole. Rows are read and validated a chunk
at a time, column by column (:mod:`xinyong.records.columnwise`; on a large file in a worker
process beside this one, :mod:`xinyong.records.pipeline`), shaped for storage (facts masked,
periods computed: :mod:`xinyong.records.shaping`), their identity numbers keyed
(:class:`~xinyong.records.writer.RowPreparer`), and written with set-based statements: one query
finds a chunk's subjects, one its existing records, one bulk load adds the new ones, one update
touches the unchanged ones. Re-sending a row with the same (department, source
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
from xinyong.core.clock import today
from xinyong.core.db import utcnow
from xinyong.core.gc_thresholds import fewer_collections
from xinyong.core.settings import get_settings
from xinyong.records import hooks, persons, pipeline
from xinyong.records.models import ImportBatch
from xinyong.records.pipeline import CategoryResolver
from xinyong.records.readers import FileUnusable, Source, open_source
from xinyong.records.validation import Defaults, RowError
from xinyong.records.writer import ChunkWriter, RowPreparer

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
    bears another (an upload saved under a name of our own). A file of
    ``import_worker_min_bytes`` or more is read and validated in a second process while this
    one writes (:mod:`xinyong.records.pipeline`)."""
    path = Path(path)
    source = open_source(path)
    digest = _sha256(path)
    min_bytes = get_settings().import_worker_min_bytes
    worker = bool(min_bytes) and path.stat().st_size >= min_bytes
    return import_source(
        session, source, file_name=file_name or path.name, category=category, defaults=defaults, user=user,
        progress=progress, file_sha256=digest, who=who, worker_path=path if worker else None,
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
    worker_path: Path | None = None,
) -> ImportResult:
    """Import one batch in the caller's transaction (the caller commits). ``who`` is the
    principal for the audit entry; without one, ``user`` is logged as a command-line user.
    ``worker_path``: the source's file, to be read and validated again in a worker process."""
    settings = get_settings()
    if who is not None:
        user = who.username
    defaults = defaults or Defaults()
    if defaults.today is None:
        defaults.today = today()
    version_id, policy = catalog_service.active_version(session)
    resolver = CategoryResolver(policy, source.headers, category, source.category_hint)
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
    cap = settings.max_import_errors_reported
    preparer = RowPreparer(policy)
    if worker_path is not None:
        chunks = pipeline.validated_chunks_in_worker(
            worker_path, category, policy, defaults, settings.import_chunk_rows)
    else:
        chunks = pipeline.validated_chunks(source, resolver, policy, defaults, settings.import_chunk_rows)

    def count(counts: tuple[int, int, int]) -> None:
        result.new += counts[0]
        result.updated += counts[1]
        result.unchanged += counts[2]

    try:
        with fewer_collections():  # millions of short-lived objects: see xinyong.core.gc_thresholds
            for chunk in chunks:
                result.total = chunk.total
                result.rejected += chunk.rejected
                for e in chunk.errors:
                    result.add_error(e, cap)
                for code in chunk.categories:
                    result.categories.add(code)
                    resolver.cmap(policy.category(code))
                counts, errors = writer.write(preparer.prepare(chunk.rows))
                count(counts)
                result.rejected += len({e.row for e in errors})
                for e in errors:
                    result.add_error(e, cap)
                if progress:
                    progress(result.total)
    except BaseException:
        writer.abandon()  # no statement left running on the connection the caller rolls back
        raise
    count(writer.close())  # (on PostgreSQL the last chunk's insert ends here)
    result.ignored_columns = resolver.ignored_columns()
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
    persons.index_batch(session, batch.id, policy)  # whom the batch's decisions name
    hooks.run(session, batch.id)  # e.g. the lists' rule-based listings, in this transaction
    return result


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


__all__ = ["ImportResult", "import_file", "import_source", "FileUnusable", "Defaults"]
