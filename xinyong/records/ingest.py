"""Ingest credit records from departments: files and API batches, one path for both.

A batch is one transaction: the caller's session commits at the end, so a process killed half
way leaves nothing of the batch and a re-run stores it whole. Rows are validated one by one in
Python (that is parsing, not per-subject work) and written a chunk at a time with set-based
statements: one query finds a chunk's subjects, one its existing records, one insert adds the new
ones, one update touches the unchanged ones. Re-sending a row with the same (department, source
id) is "unchanged"; with different content it becomes the record's next version, the old state
copied into ``record_versions`` first.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import bindparam, insert, select
from sqlalchemy.orm import Session

from xinyong.catalog import service as catalog_service
from xinyong.catalog.schemas import SUBJECT_KIND_NAMES, Category, PolicySet
from xinyong.core.clock import today
from xinyong.core.db import utcnow
from xinyong.core.settings import get_settings
from xinyong.records import periods
from xinyong.records.cleaning import clean_text
from xinyong.records.columns import ColumnMap, detect_category, map_columns
from xinyong.records.models import VERSIONED_COLUMNS, ImportBatch, Record, RecordVersion
from xinyong.records.readers import FileUnusable, Source, open_source
from xinyong.records.validation import CleanRow, Defaults, RowError, validate_row
from xinyong.subjects.models import Subject

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
) -> ImportResult:
    path = Path(path)
    source = open_source(path)
    digest = _sha256(path)
    return import_source(
        session, source, file_name=path.name, category=category, defaults=defaults, user=user,
        progress=progress, file_sha256=digest,
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
) -> ImportResult:
    settings = get_settings()
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
    writer = _ChunkWriter(session, batch.id, version_id, user, defaults)
    cap = settings.max_import_errors_reported
    chunk: list[CleanRow] = []

    def flush() -> None:
        counts, errors = writer.write(chunk)
        result.new += counts[0]
        result.updated += counts[1]
        result.unchanged += counts[2]
        result.rejected += len({e.row for e in errors})
        for e in errors:
            result.add_error(e, cap)
        chunk.clear()
        if progress:
            progress(result.total)

    for row_no, values, line_error in source.rows:
        result.total += 1
        if line_error is not None or values is None:
            result.rejected += 1
            result.add_error(RowError(row_no, "", "", line_error or "空行", "unreadable line"), cap)
            continue
        cat = resolver.for_row(values)
        if isinstance(cat, str):
            result.rejected += 1
            result.add_error(RowError(row_no, "记录类别", "", cat, "unknown or missing category"), cap)
            continue
        result.categories.add(cat.code)
        outcome = validate_row(row_no, values, resolver.cmap(cat), cat, policy, defaults)
        if isinstance(outcome, list):
            result.rejected += 1
            for e in outcome:
                result.add_error(e, cap)
            continue
        chunk.append(outcome)
        if len(chunk) >= settings.import_chunk_rows:
            flush()
    if chunk:
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
    return result


class _ChunkWriter:
    def __init__(self, session: Session, batch_id: int, version_id: int, user: str, defaults: Defaults):
        self.session = session
        self.batch_id = batch_id
        self.version_id = version_id
        self.user = user
        self.defaults = defaults

    def write(self, rows: list[CleanRow]) -> tuple[tuple[int, int, int], list[RowError]]:
        """Store one chunk; (new, updated, unchanged) and the rows refused on stored state."""
        first: list[CleanRow] = []
        later: list[CleanRow] = []
        seen: set[tuple[str, str]] = set()
        for r in rows:
            key = (r.department_code, r.source_id)
            (later if key in seen else first).append(r)
            seen.add(key)
        counts, errors = self._write_unique(first)
        if later:  # the same record twice in one chunk: apply in file order
            more, more_errors = self.write(later)
            counts = (counts[0] + more[0], counts[1] + more[1], counts[2] + more[2])
            errors += more_errors
        return counts, errors

    def _find_subjects(self, codes: set[str]) -> dict[str, tuple[int, str, str]]:
        t = Subject.__table__
        q = select(t.c.id, t.c.code, t.c.kind, t.c.region_code).where(t.c.code.in_(codes))
        return {code: (sid, kind, region) for sid, code, kind, region in self.session.connection().execute(q)}

    def _subjects(self, rows: list[CleanRow]) -> tuple[dict[str, tuple[int, str, str]], list[RowError]]:
        found = self._find_subjects({r.subject_code for r in rows})
        new: dict[str, dict] = {}
        for r in rows:
            if r.subject_code in found or r.subject_code in new:
                continue
            if r.subject_class == "natural":
                allowed = r.category.subject_kinds
                kind = r.subject_kind or ("person" if "person" in allowed else "public_servant")
                region = r.subject_code[:6]
                gender = "M" if int(r.subject_code[16]) % 2 else "F"
            else:
                kind = r.subject_kind or "enterprise"
                region = r.subject_code[2:8]
                gender = None
            now = utcnow()
            new[r.subject_code] = {
                "kind": kind, "code": r.subject_code, "name": r.subject_name, "region_code": region,
                "birth_date": r.birth_date, "gender": gender, "created_at": now, "updated_at": now,
            }
        if new:
            # Core executemany, then one query for the ids: the same on SQLite and PostgreSQL and
            # far faster than INSERT … RETURNING row by row.
            conn = self.session.connection()
            conn.execute(insert(Subject.__table__), list(new.values()))
            found.update(self._find_subjects(set(new)))
        errors: list[RowError] = []
        for r in rows:
            kind = found[r.subject_code][1]
            allowed = set(r.category.subject_kinds)
            ok = kind in allowed or (kind == "public_servant" and "person" in allowed)
            if not ok:
                names = "、".join(SUBJECT_KIND_NAMES[k] for k in r.category.subject_kinds)
                errors.append(RowError(
                    r.row_no, "统一社会信用代码或公民身份号码", r.subject_code,
                    f"该代码在平台登记为{SUBJECT_KIND_NAMES[kind]}，而“{r.category.name}”只记录{names}",
                    f"the subject is registered as {kind}; category {r.category.code} is for "
                    f"{', '.join(r.category.subject_kinds)}",
                ))
        return found, errors

    def _write_unique(self, rows: list[CleanRow]) -> tuple[tuple[int, int, int], list[RowError]]:
        if not rows:
            return (0, 0, 0), []
        session = self.session
        subjects, errors = self._subjects(rows)
        if errors:
            bad = {e.row for e in errors}
            rows = [r for r in rows if r.row_no not in bad]
        existing: dict[tuple[str, str], tuple[int, str, int]] = {}
        source_ids = {r.source_id for r in rows}
        departments = {r.department_code for r in rows}
        if source_ids:
            rt = Record.__table__
            q = select(rt.c.id, rt.c.department_code, rt.c.source_id, rt.c.content_hash, rt.c.version).where(
                rt.c.source_id.in_(source_ids), rt.c.department_code.in_(departments)
            )
            for rid, dept, sid, digest, version in session.connection().execute(q):
                existing[(dept, sid)] = (rid, digest, version)
        now = utcnow()
        inserts: list[dict] = []
        changes: list[dict] = []
        unchanged_ids: list[int] = []
        for r in rows:
            hit = existing.get((r.department_code, r.source_id))
            if hit is not None and hit[1] == r.content_hash:
                unchanged_ids.append(hit[0])
                continue
            subject_id, _kind, region = subjects[r.subject_code]
            span = periods.compute(r.category, r.severity, r.decision_date, r.facts)
            disclosure = r.category.disclosure.natural if r.subject_class == "natural" else r.category.disclosure.legal
            values = {
                "subject_id": subject_id,
                "category_code": r.category.code,
                "polarity": r.category.polarity,
                "severity": r.severity,
                "department_name": r.department_name,
                "decision_no": r.decision_no,
                "decision_date": r.decision_date,
                "subject_name": r.subject_name,
                "region_code": region,
                "disclosure": disclosure,
                "display_from": r.decision_date,
                "display_until": span.display_until,
                "repair_from": span.repair_from,
                "retention_until": span.retention_until,
                "facts": r.facts,
                "content_hash": r.content_hash,
                "policy_version_id": self.version_id,
                "batch_id": self.batch_id,
                "row_no": r.row_no,
                "last_seen": now,
                "last_batch_id": self.batch_id,
                "changed_by": self.user,
                "changed_at": now,
            }
            if hit is None:
                values.update(department_code=r.department_code, source_id=r.source_id, status="active",
                              version=1, first_seen=now)
                inserts.append(values)
            else:
                values["b_id"] = hit[0]
                values["version"] = hit[2] + 1
                changes.append(values)
        conn = session.connection()
        rt = Record.__table__
        if inserts:
            conn.execute(rt.insert(), inserts)
        if unchanged_ids:
            conn.execute(
                rt.update().where(rt.c.id.in_(unchanged_ids)).values(last_seen=now, last_batch_id=self.batch_id)
            )
        if changes:
            self._supersede([c["b_id"] for c in changes], now)
            cols = [k for k in changes[0] if k != "b_id"]
            stmt = (
                rt.update()
                .where(rt.c.id == bindparam("b_id"))
                .values({c: bindparam(c) for c in cols})
            )
            conn.execute(stmt, changes)
        return (len(inserts), len(changes), len(unchanged_ids)), errors

    def _supersede(self, ids: list[int], now: datetime) -> None:
        """Copy the records' current state into ``record_versions`` (INSERT … SELECT)."""
        rt = Record.__table__
        vt = RecordVersion.__table__
        cols = ["record_id", "version", *VERSIONED_COLUMNS, "valid_from", "superseded_at"]
        src = select(
            rt.c.id, rt.c.version, *(rt.c[c] for c in VERSIONED_COLUMNS), rt.c.changed_at,
            bindparam("now", now, type_=vt.c.superseded_at.type),
        ).where(rt.c.id.in_(ids))
        self.session.connection().execute(vt.insert().from_select(cols, src))


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


__all__ = ["ImportResult", "import_file", "import_source", "FileUnusable", "Defaults"]
