"""Write validated rows set-based: a staging table and a handful of INSERT … SELECT statements.

Each chunk of clean rows is loaded into a temporary staging table by the fastest bulk path the
database has (``executemany`` of plain tuples on SQLite, ``COPY`` on PostgreSQL); then five
statements do the rest inside the database, whatever the chunk's size:

1. new subjects: ``INSERT INTO subjects … SELECT … WHERE NOT EXISTS``;
2. rows whose stored subject is of a kind the category does not take are refused;
3. changed records: their current state is copied into ``record_versions``, then updated
   (``UPDATE … FROM stage``);
4. unchanged records: ``last_seen`` and ``last_batch_id`` touched;
5. new records: ``INSERT INTO records … SELECT … FROM stage JOIN subjects``.

The same record twice in one chunk is split off in Python first and written as a chunk of its
own afterwards, so the statements never see a key twice.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Column,
    Date,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    cast,
    exists,
    func,
    literal,
    select,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session

from xinyong.catalog.schemas import SUBJECT_KIND_NAMES, PolicySet
from xinyong.core.db import utcnow
from xinyong.records import periods
from xinyong.records.models import VERSIONED_COLUMNS, Record, RecordVersion
from xinyong.records.validation import CleanRow, RowError
from xinyong.subjects.models import Subject

_meta = MetaData()
STAGE = Table(
    "ingest_stage",
    _meta,
    Column("row_no", Integer),
    Column("subject_code", String(18)),
    Column("new_kind", String(20)),
    Column("subject_name", String(200)),
    Column("region_code", String(6)),
    Column("birth_date", Date),
    Column("gender", String(1)),
    Column("category_code", String(50)),
    Column("polarity", String(10)),
    Column("severity", String(20)),
    Column("department_code", String(18)),
    Column("department_name", String(200)),
    Column("source_id", String(200)),
    Column("decision_no", String(200)),
    Column("decision_date", Date),
    Column("disclosure", String(12)),
    Column("display_until", Date),
    Column("repair_from", Date),
    Column("retention_until", Date),
    Column("facts", Text),
    Column("content_hash", String(32)),
    Index("ix_ingest_stage_key", "department_code", "source_id"),
    Index("ix_ingest_stage_code", "subject_code"),
    prefixes=["TEMPORARY"],
)
ALLOWED = Table(
    "ingest_allowed", _meta, Column("category_code", String(50)), Column("kind", String(20)), prefixes=["TEMPORARY"]
)
STAGE_COLUMNS = [c.name for c in STAGE.columns]
# Built once from this module's own column names; no value is ever spliced into SQL.
_SQLITE_STAGE_INSERT = "INSERT INTO ingest_stage ({}) VALUES ({})".format(  # noqa: S608
    ", ".join(STAGE_COLUMNS), ", ".join("?" for _ in STAGE_COLUMNS)
)
_PG_STAGE_COPY = "COPY ingest_stage ({}) FROM STDIN".format(", ".join(STAGE_COLUMNS))


class StagedWriter:
    def __init__(self, session: Session, policy: PolicySet, batch_id: int, version_id: int, user: str):
        self.session = session
        self.policy = policy
        self.batch_id = batch_id
        self.version_id = version_id
        self.user = user
        self.conn = session.connection()
        self.pg = self.conn.dialect.name == "postgresql"
        self.chunks = 0
        self._period_cache: dict[tuple, periods.Periods] = {}
        self._prepare()

    def _prepare(self) -> None:
        conn = self.conn
        for table in (STAGE, ALLOWED):
            table.create(conn, checkfirst=True)
            conn.execute(table.delete())
        if self.pg:
            # Every statement here is driven by the small staging table through unique indexes;
            # the planner, whose statistics lag behind a batch that grows the tables, would
            # otherwise hash-join whole tables for every chunk. Transaction-local.
            conn.exec_driver_sql("SET LOCAL enable_hashjoin = off")
            conn.exec_driver_sql("SET LOCAL enable_mergejoin = off")
        pairs = set()
        for cat in self.policy.catalog.categories:
            for kind in cat.subject_kinds:
                pairs.add((cat.code, kind))
                if kind == "person":  # a public servant is a natural person too
                    pairs.add((cat.code, "public_servant"))
        conn.execute(ALLOWED.insert(), [{"category_code": c, "kind": k} for c, k in sorted(pairs)])

    # -- public -----------------------------------------------------------------------------

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
        if later:  # the same record again in this chunk: apply in file order
            more, more_errors = self.write(later)
            counts = (counts[0] + more[0], counts[1] + more[1], counts[2] + more[2])
            errors += more_errors
        return counts, errors

    # -- steps ------------------------------------------------------------------------------

    def _stage(self, rows: list[CleanRow]) -> None:
        tuples = []
        for r in rows:
            span = self._periods(r)
            if r.subject_class == "natural":
                kind = r.subject_kind or ("person" if "person" in r.category.subject_kinds else "public_servant")
                region, gender = r.subject_code[:6], ("M" if int(r.subject_code[16]) % 2 else "F")
                disclosure = r.category.disclosure.natural
            else:
                kind, region, gender = r.subject_kind or "enterprise", r.subject_code[2:8], None
                disclosure = r.category.disclosure.legal
            dates = (r.birth_date, r.decision_date, span.display_until, span.repair_from, span.retention_until)
            if not self.pg:  # SQLAlchemy stores dates on SQLite as ISO text: write them the same way
                dates = tuple(d.isoformat() if d is not None else None for d in dates)
            tuples.append((
                r.row_no, r.subject_code, kind, r.subject_name, region, dates[0], gender,
                r.category.code, r.category.polarity, r.severity, r.department_code, r.department_name,
                r.source_id, r.decision_no, dates[1], disclosure, dates[2], dates[3], dates[4],
                r.facts_json, r.content_hash,
            ))
        raw = self.conn.connection.dbapi_connection
        cur = raw.cursor()
        try:
            if self.pg:
                with cur.copy(_PG_STAGE_COPY) as copy:
                    copy.write(_copy_text(tuples))
            else:
                cur.executemany(_SQLITE_STAGE_INSERT, tuples)
            if self.pg:
                # Autovacuum never analyses temporary tables, and the tables this batch grows
                # keep the statistics of before it: without fresh ones the planner hash-joins
                # whole tables for every chunk. Refresh them as the batch doubles them.
                self.chunks += 1
                if self.chunks & (self.chunks - 1) == 0:
                    cur.execute("ANALYZE ingest_stage")
                    cur.execute("ANALYZE subjects")
                    cur.execute("ANALYZE records")
        finally:
            cur.close()

    def _periods(self, r: CleanRow) -> periods.Periods:
        """Display and retention periods; many rows share a decision date, so they are cached."""
        cat = r.category
        rule = cat.display_period[r.severity or "default"]
        key = (cat.code, r.severity, r.decision_date,
               r.facts.get(rule.until_fact) if rule.until_fact else None,
               r.facts.get(cat.retention.from_fact) if cat.retention.from_fact else None)
        span = self._period_cache.get(key)
        if span is None:
            span = self._period_cache[key] = periods.compute(cat, r.severity, r.decision_date, r.facts)
        return span

    def _write_unique(self, rows: list[CleanRow]) -> tuple[tuple[int, int, int], list[RowError]]:
        if not rows:
            return (0, 0, 0), []
        conn = self.conn
        now = utcnow()
        conn.execute(STAGE.delete())
        self._stage(rows)
        s, subj, rec = STAGE.c, Subject.__table__.c, Record.__table__.c
        st, rt = Subject.__table__, Record.__table__

        # 1. new subjects (the first row of each new code names it)
        s2 = STAGE.alias("first_row")
        first_row = select(func.min(s2.c.row_no)).where(s2.c.subject_code == s.subject_code).scalar_subquery()
        pick = (
            select(s.new_kind, s.subject_code, s.subject_name, s.region_code, s.birth_date, s.gender,
                   literal(now, type_=st.c.created_at.type), literal(now, type_=st.c.updated_at.type))
            .where(~exists().where(subj.code == s.subject_code))
            .where(s.row_no == first_row)
        )
        conn.execute(st.insert().from_select(
            ["kind", "code", "name", "region_code", "birth_date", "gender", "created_at", "updated_at"], pick))

        # 2. rows whose stored subject is of a kind the category does not take
        errors: list[RowError] = []
        a = ALLOWED.c
        bad = conn.execute(
            select(s.row_no, s.subject_code, s.category_code, subj.kind)
            .join(st, subj.code == s.subject_code)
            .where(~exists().where(and_(a.category_code == s.category_code, a.kind == subj.kind)))
        ).all()
        if bad:
            for row_no, code, category_code, kind in bad:
                cat = self.policy.category(category_code)
                names = "、".join(SUBJECT_KIND_NAMES[k] for k in cat.subject_kinds)
                errors.append(RowError(
                    row_no, "统一社会信用代码或公民身份号码", code,
                    f"该代码在平台登记为{SUBJECT_KIND_NAMES[kind]}，而“{cat.name}”只记录{names}",
                    f"the subject is registered as {kind}; category {category_code} is for {', '.join(cat.subject_kinds)}",
                ))
            conn.execute(STAGE.delete().where(s.row_no.in_([b[0] for b in bad])))

        same_key = and_(rec.department_code == s.department_code, rec.source_id == s.source_id)
        facts = cast(s.facts, JSONB) if self.pg else s.facts
        # Every statement below is driven from the chunk (the stage), never from the whole
        # records table: the join finds the chunk's stored records through their unique key.
        matched = select(rec.id).select_from(STAGE.join(rt, same_key))

        # A fresh batch usually matches nothing stored: one probe saves steps 3 and 4.
        known = conn.execute(select(func.count()).select_from(STAGE.join(rt, same_key))).scalar_one()
        unchanged = updated = 0
        if known:
            unchanged, updated = self._update_known(now, matched, same_key, facts)

        # 5. new records
        new_rows = (
            select(
                subj.id, s.category_code, s.polarity, s.severity, s.department_code, s.department_name,
                s.source_id, s.decision_no, s.decision_date, s.subject_name, subj.region_code, s.disclosure,
                s.decision_date, s.display_until, s.repair_from, s.retention_until, literal("active"),
                facts, s.content_hash, literal(1), literal(self.version_id), literal(self.batch_id), s.row_no,
                literal(now, type_=rt.c.first_seen.type), literal(now, type_=rt.c.last_seen.type),
                literal(self.batch_id), literal(self.user), literal(now, type_=rt.c.changed_at.type),
            )
            .join(st, subj.code == s.subject_code)
            .where(~exists().where(same_key))
        )
        inserted = conn.execute(rt.insert().from_select([
            "subject_id", "category_code", "polarity", "severity", "department_code", "department_name",
            "source_id", "decision_no", "decision_date", "subject_name", "region_code", "disclosure",
            "display_from", "display_until", "repair_from", "retention_until", "status",
            "facts", "content_hash", "version", "policy_version_id", "batch_id", "row_no",
            "first_seen", "last_seen", "last_batch_id", "changed_by", "changed_at",
        ], new_rows).execution_options(preserve_rowcount=True)).rowcount
        return (inserted, updated, unchanged), errors

    def _update_known(self, now: datetime, matched, same_key, facts) -> tuple[int, int]:
        """Steps 3 and 4, for a chunk some of whose records are already stored."""
        conn = self.conn
        s, subj, rec = STAGE.c, Subject.__table__.c, Record.__table__.c
        rt, vt = Record.__table__, RecordVersion.__table__
        # 3. unchanged records: seen again (before step 4 makes changed ones look the same)
        unchanged = conn.execute(
            rt.update()
            .where(rec.id.in_(matched.where(rec.content_hash == s.content_hash)))
            .values(last_seen=now, last_batch_id=self.batch_id)
        ).rowcount

        # 4. changed records: keep the old state, then update
        old = (
            select(rec.id, rec.version, *(rec[c] for c in VERSIONED_COLUMNS), rec.changed_at,
                   literal(now, type_=vt.c.superseded_at.type))
            .select_from(STAGE.join(rt, same_key))
            .where(rec.content_hash != s.content_hash)
        )
        conn.execute(vt.insert().from_select(["record_id", "version", *VERSIONED_COLUMNS, "valid_from", "superseded_at"], old))
        updated = conn.execute(
            rt.update()
            .where(rec.id.in_(matched.where(rec.content_hash != s.content_hash)))
            .where(same_key)
            .values(
                subject_id=select(subj.id).where(subj.code == s.subject_code).scalar_subquery(),
                category_code=s.category_code, polarity=s.polarity, severity=s.severity,
                department_name=s.department_name, decision_no=s.decision_no, decision_date=s.decision_date,
                subject_name=s.subject_name, disclosure=s.disclosure, display_from=s.decision_date,
                display_until=s.display_until, repair_from=s.repair_from, retention_until=s.retention_until,
                facts=facts, content_hash=s.content_hash, version=rec.version + 1,
                policy_version_id=self.version_id, batch_id=self.batch_id, row_no=s.row_no,
                last_seen=now, last_batch_id=self.batch_id, changed_by=self.user, changed_at=now,
            )
        ).rowcount
        return unchanged, updated


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_value(v: object) -> str:
    if v is None:
        return "\\N"
    if v.__class__ is str:
        if "\\" in v or "\t" in v or "\n" in v or "\r" in v:
            return v.translate(_COPY_ESCAPES)
        return v
    return str(v)


def _copy_text(tuples: list[tuple]) -> bytes:
    """Rows in COPY's text format, built in one go: psycopg's ``write_row`` dumps value by
    value in Python and was the slowest step of a PostgreSQL import."""
    lines = []
    for t in tuples:
        lines.append("\t".join([_copy_value(v) for v in t]))
    lines.append("")
    return "\n".join(lines).encode()
