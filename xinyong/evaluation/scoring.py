# ruff: noqa: S608 — the statement is built from checked policy data only: codes match
# ^[a-z][a-z0-9_]*$, strings are quoted by _str, numbers cast by _num, dates written by _date.
"""Batch scoring: ONE SQL statement, built from an indicator system, that DuckDB and Spark SQL
both run.

Why SQL text and not Ibis: DESIGN.md names Ibis as the way to state one definition for both
engines, but Ibis is not installed in this platform's environment (and Ibis 12 needs duckdb<2
while the platform runs DuckDB 2.0). Rather than add a dependency that pins DuckDB back, the
definition is written as plain ANSI SQL generated from the policy data: common table
expressions, ``CASE``, ``SUM``/``MAX``, ``LEFT JOIN``, ``POWER``, ``LEAST``/``GREATEST``,
``ROUND`` and date literals, which DuckDB and Spark SQL read alike. The one construct the two
spell differently — the number of days between two dates — is a single method of
:class:`Dialect`; every date the statement compares against (the cut-off, each window's start)
is computed here in Python and written in as a literal. A test holds DuckDB to the reference
rules of :mod:`xinyong.evaluation.rules`, and (where pyspark and Java are present) Spark local
mode to DuckDB.

The statement reads four of the platform's tables — ``subjects``, ``records``,
``list_entries``, ``supervision_inputs`` — by their own names and columns, so the DuckDB path copies them from the
database (:func:`load_platform`) and the Spark path reads a Parquet export of the same copy
(:func:`export_parquet`) or, on a cluster, the same tables through JDBC. It is set-based: one
pass over the records grouped by subject, one over list entries, joined to the subjects —
never a loop per subject.

Which records count (DESIGN.md, "Records"): only records shown on the cut-off date — status
``active`` (and ``under_objection`` where the system counts them), decided on or before the
cut-off, display period not over. Expired, repaired and revoked records never count. A list
entry counts while in force (:func:`xinyong.lists.service.in_force`, restated here).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from xinyong.catalog.indicators import (
    Indicator,
    IndicatorSystem,
    Normalise,
    RecordFilter,
    SupervisionFilter,
)
from xinyong.records.periods import add_months


@dataclass(frozen=True)
class Dialect:
    name: str

    def days(self, start: str, end: str) -> str:
        """Whole days from ``start`` to ``end`` (both DATE expressions)."""
        if self.name == "spark":
            return f"datediff({end}, {start})"
        return f"date_diff('day', {start}, {end})"


DUCKDB = Dialect("duckdb")
SPARK = Dialect("spark")
DIALECTS = {"duckdb": DUCKDB, "spark": SPARK}

TABLES = ("subjects", "records", "list_entries", "supervision_inputs")


def _num(v: float) -> str:
    return f"CAST({float(v)!r} AS DOUBLE)"


def _str(v: str) -> str:
    return "'" + v.replace("'", "''") + "'"


def _date(d: date) -> str:
    return f"DATE '{d.isoformat()}'"


def _in(col: str, values: list[str]) -> str:
    return f"{col} IN ({', '.join(_str(v) for v in values)})"


def _filter_sql(f: RecordFilter, as_of: date) -> str:
    conds = []
    if f.categories:
        conds.append(_in("category_code", f.categories))
    if f.severities:
        conds.append(_in("severity", f.severities))
    if f.polarity:
        conds.append(f"polarity = {_str(f.polarity)}")
    if f.window_months:
        conds.append(f"decision_date > {_date(add_months(as_of, -f.window_months))}")
    if f.reported_within_days is not None:
        conds.append(f"lag_days <= {int(f.reported_within_days)}")
    return " AND ".join(conds) or "1 = 1"


def _inputs_filter_sql(f: SupervisionFilter, as_of: date) -> str:
    conds = [_in("kind", list(f.kinds)), f"year <= {as_of.year}",
             f"(issued_on IS NULL OR issued_on <= {_date(as_of)})"]
    if f.categories:
        conds.append(_in("category", f.categories))
    if f.years:
        conds.append(f"year > {as_of.year - f.years}")
    return " AND ".join(conds)


def _input_aggs(f: SupervisionFilter, c: str, as_of: date) -> tuple[list[str], str]:
    """(aggregates over ``supervision_inputs`` grouped by body, the raw value over them)."""
    cond = _inputs_filter_sql(f, as_of)
    if f.measure == "count":
        return [f"SUM(CASE WHEN {cond} THEN 1 ELSE 0 END) AS a_{c}"], f"CAST(COALESCE(asv.a_{c}, 0) AS DOUBLE)"
    if f.measure == "missed":
        d = _date(as_of)
        late = f"deadline < {d} AND (done_on IS NULL OR done_on > deadline)"
        return ([f"SUM(CASE WHEN {cond} AND {late} THEN 1 ELSE 0 END) AS a_{c}"],
                f"CAST(COALESCE(asv.a_{c}, 0) AS DOUBLE)")
    if f.measure == "mean_score":
        return [f"AVG(CASE WHEN {cond} THEN score ELSE NULL END) AS a_{c}"], f"CAST(asv.a_{c} AS DOUBLE)"
    val = f.field
    if f.field == "on_time":  # 按时办结 where filled in, else done by the deadline
        val = ("COALESCE(on_time, CASE WHEN done_on IS NOT NULL AND deadline IS NOT NULL "
               "THEN done_on <= deadline ELSE NULL END)")
    yes = f"SUM(CASE WHEN {cond} AND {val} IS NOT NULL AND {val} THEN 1 ELSE 0 END) AS a_{c}"
    known = f"SUM(CASE WHEN {cond} AND {val} IS NOT NULL THEN 1 ELSE 0 END) AS b_{c}"
    return [yes, known], f"(CASE WHEN asv.b_{c} > 0 THEN CAST(asv.a_{c} AS DOUBLE) / asv.b_{c} ELSE NULL END)"


def _recency_weight(ind: Indicator) -> str:
    if not ind.severity_weights:
        return _num(ind.default_weight)
    whens = " ".join(f"WHEN {_str(s)} THEN {_num(w)}" for s, w in ind.severity_weights.items())
    return f"(CASE severity {whens} ELSE {_num(ind.default_weight)} END)"


def normalise_sql(x: str, norm: Normalise) -> str:
    """:func:`xinyong.evaluation.rules.normalise` in SQL, over the DOUBLE expression ``x``."""
    if norm.method == "minmax":
        lo, hi = float(norm.lo), float(norm.hi)  # type: ignore[arg-type]
        share = f"LEAST({_num(1)}, GREATEST({_num(0)}, {_minus(x, lo)} / {_num(hi - lo)}))"
        return share if norm.better == "higher" else f"({_num(1)} - {share})"
    pts = norm.points
    parts = [f"WHEN {x} <= {_num(pts[0][0])} THEN {_num(pts[0][1])}"]
    for (x0, y0), (x1, y1) in zip(pts, pts[1:], strict=False):
        slope = (y1 - y0) / (x1 - x0)
        parts.append(f"WHEN {x} <= {_num(x1)} THEN {_num(y0)} + {_minus(x, x0)} * {_num(slope)}")
    return f"(CASE {' '.join(parts)} ELSE {_num(pts[-1][1])} END)"


def _minus(x: str, v: float) -> str:
    """``(x - v)``; just ``x`` where v is zero — the same double (x − 0.0 is x), one operation
    fewer per subject."""
    return x if float(v) == 0.0 else f"({x} - {_num(v)})"


def _plus(v: float, x: str) -> str:
    """``v + x``; just ``x`` where v is zero (0.0 + x is x, but for the sign of a zero)."""
    return x if float(v) == 0.0 else f"{_num(v)} + {x}"


def build_sql(system: IndicatorSystem, as_of: date, dialect: Dialect = DUCKDB,
              part: tuple[int, int] | None = None) -> str:
    """The scoring statement: one row per subject the system scores, with ``subject_id``, per
    indicator ``r_<code>`` (raw) and ``n_<code>`` (on [0, 1]), ``d_<dimension>`` (each dimension
    on the scale), ``score`` and ``grade`` (:func:`result_columns`). The points an indicator adds
    are derived from its value (:func:`points`) rather than written out.

    ``part=(i, n)`` scores only the subjects whose id is ``i`` modulo ``n``: the same statement
    with one more condition on the subjects and on the records grouped by subject, so that the
    ``n`` parts together give exactly the whole statement's rows. A province's run can go part
    by part where the grouped records of all subjects at once would not fit in memory
    (:func:`run_duckdb`); a subject's figures never depend on another subject's."""
    def in_part(col: str) -> str:
        return f"MOD({col}, {int(part[1])}) = {int(part[0])}" if part and part[1] > 1 else ""

    if part is not None and not 0 <= part[0] < part[1]:
        raise ValueError(f"part {part[0]} of {part[1]}")
    d = _date(as_of)
    live = ["active", "under_objection"] if system.count_under_objection else ["active"]
    subj_aggs: list[tuple[str, str]] = []  # (name, each record's share) over records about the subject
    rep_aggs: list[tuple[str, str]] = []  # the same over records the subject reported
    list_aggs: list[str] = []
    input_aggs: list[str] = []
    raw: dict[str, str] = {}

    def agg(f: RecordFilter, name: str, value: str) -> str:
        # Each record's share of the aggregate is computed in a projection before the GROUP BY
        # (``v_<name>``: the value where the filter holds, else zero), and the GROUP BY only adds
        # plain columns: in DuckDB this is markedly faster than one ``FILTER (WHERE …)`` per
        # aggregate, and Spark reads it alike. Adding zeros changes no sum.
        cond = _filter_sql(f, as_of)
        # counts are summed as DOUBLE too: exact for whole numbers, and cheaper than DuckDB's
        # 128-bit integer sums
        value = _num(1) if value == "1" else value
        share = value if cond == "1 = 1" else f"CASE WHEN {cond} THEN {value} ELSE {_num(0)} END"
        (rep_aggs if f.by == "reporter" else subj_aggs).append((name, share))
        src = "ar" if f.by == "reporter" else "asub"
        return f"COALESCE({src}.{name}, 0)"

    for _dim, ind in system.indicators():
        c = ind.code
        if ind.kind == "count":
            raw[c] = f"CAST({agg(ind.records, f'a_{c}', '1')} AS DOUBLE)"  # type: ignore[arg-type]
        elif ind.kind == "recency":
            # 0.5^(age / half-life), written into the record's share itself: computed only for
            # the records the indicator's filter keeps (a CASE evaluates its THEN on those rows
            # alone), not for every shown record as a column of ``rec`` would be
            age = f"CAST({dialect.days('decision_date', d)} AS DOUBLE)"
            decay = f"POWER({_num(0.5)}, {age} / {_num(ind.half_life_days)})"  # type: ignore[arg-type]
            raw[c] = f"CAST({agg(ind.records, f'a_{c}', f'{_recency_weight(ind)} * {decay}')} AS DOUBLE)"  # type: ignore[arg-type]
        elif ind.kind == "rate":
            num = agg(ind.records, f"a_{c}", "1")  # type: ignore[arg-type]
            den = agg(ind.of, f"b_{c}", "1")  # type: ignore[arg-type]
            raw[c] = f"(CASE WHEN {den} > 0 THEN CAST({num} AS DOUBLE) / {den} ELSE NULL END)"
        elif ind.kind == "supervision":
            aggs, raw[c] = _input_aggs(ind.inputs, c, as_of)  # type: ignore[arg-type]
            input_aggs.extend(aggs)
        elif ind.flag == "list":
            list_aggs.append(f"MAX(CASE WHEN le.list_kind = {_str(ind.list)} THEN 1 ELSE 0 END) AS a_{c}")  # type: ignore[arg-type]
            raw[c] = f"CAST(COALESCE(al.a_{c}, 0) AS DOUBLE)"
        else:  # identity
            raw[c] = f"(CASE WHEN s.code_cipher IS NOT NULL THEN {_num(1)} ELSE {_num(0)} END)"

    ctes = [
        "subj AS (SELECT id AS subject_id, kind, region_code, code, code_cipher FROM subjects "
        f"WHERE {' AND '.join(filter(None, [_in('kind', list(system.subject_kinds)), in_part('id')]))})",
        "rec AS (SELECT subject_id, department_code, category_code, polarity, severity, decision_date, "
        f"{dialect.days('decision_date', 'CAST(first_seen AS DATE)')} AS lag_days FROM records "
        f"WHERE {_in('status', live)} AND display_until >= {d} AND decision_date <= {d})",
    ]
    joins = []
    def shares(aggs: list[tuple[str, str]]) -> str:
        return ", ".join(f"{share} AS v_{name}" for name, share in aggs)

    def sums(aggs: list[tuple[str, str]]) -> str:
        return ", ".join(f"SUM(v_{name}) AS {name}" for name, _share in aggs)

    if subj_aggs:
        # (in a part, only the records about its subjects; records a subject reported are
        # joined to the part's subjects in ``vr``)
        where = f" WHERE {in_part('subject_id')}" if in_part("subject_id") else ""
        ctes.append(f"vsub AS (SELECT subject_id AS sid, {shares(subj_aggs)} FROM rec{where})")
        ctes.append(f"asub AS (SELECT sid, {sums(subj_aggs)} FROM vsub GROUP BY sid)")
        joins.append("LEFT JOIN asub ON asub.sid = s.subject_id")
    if rep_aggs:
        ctes.append(
            f"vr AS (SELECT subj.subject_id AS sid, {shares(rep_aggs)} FROM rec "
            "JOIN subj ON subj.code = rec.department_code)"
        )
        ctes.append(f"ar AS (SELECT sid, {sums(rep_aggs)} FROM vr GROUP BY sid)")
        joins.append("LEFT JOIN ar ON ar.sid = s.subject_id")
    if list_aggs:
        # xinyong.lists.service.in_force, set-based
        ctes.append(
            f"al AS (SELECT le.subject_id AS sid, {', '.join(list_aggs)} FROM list_entries le "
            "LEFT JOIN records lr ON lr.id = le.record_id "
            f"WHERE le.status = 'active' AND le.effective_from <= {d} "
            f"AND (le.listed_until IS NULL OR le.listed_until >= {d}) "
            "AND (le.record_id IS NULL OR (lr.status NOT IN ('revoked', 'repaired') AND "
            f"(le.basis = 'decision' OR ({_in('lr.status', ['active', 'under_objection'])} "
            f"AND lr.display_until >= {d})))) GROUP BY le.subject_id)"
        )
        joins.append("LEFT JOIN al ON al.sid = s.subject_id")

    if input_aggs:
        ctes.append(f"asv AS (SELECT body_id AS sid, {', '.join(input_aggs)} FROM supervision_inputs "
                    "GROUP BY body_id)")
        joins.append("LEFT JOIN asv ON asv.sid = s.subject_id")

    raw_cols = ", ".join(f"{expr} AS r_{c}" for c, expr in raw.items())
    ctes.append(f"rawv AS (SELECT s.subject_id, {raw_cols} FROM subj s {' '.join(joins)})")

    norm_cols = []
    for _dim, ind in system.indicators():
        n = normalise_sql(f"r_{ind.code}", ind.normalise)
        if ind.if_missing is not None:
            n = f"(CASE WHEN r_{ind.code} IS NULL THEN {_num(ind.if_missing)} ELSE {n} END)"  # type: ignore[arg-type]
        norm_cols.append(f"{n} AS n_{ind.code}")
    ctes.append(f"normv AS (SELECT rawv.*, {', '.join(norm_cols)} FROM rawv)")

    # An indicator's points (its weight on the scale times its value) are not written out: they
    # follow exactly from the value (:func:`points`); the score adds the same products in the
    # same order as before.
    dim_cols = []
    for dim in system.dimensions:
        mean = " + ".join(f"{_num(ind.weight)} * n_{ind.code}" for ind in dim.indicators)
        span = f"{_num(system.scale.max - system.scale.min)} * ({mean})"
        dim_cols.append(f"ROUND({_plus(system.scale.min, span)}, 2) AS d_{dim.code}")
    total = " + ".join(f"{_num(w)} * n_{code}" for code, w in point_weights(system).items())
    ctes.append(f"tot AS (SELECT normv.*, {', '.join(dim_cols)}, "
                f"ROUND({_plus(system.scale.min, total)}, 2) AS score FROM normv)")
    grade = "CASE " + " ".join(
        f"WHEN score >= {_num(g.min)} THEN {_str(g.code)}" for g in reversed(system.grades)
    ) + f" ELSE {_str(system.grades[0].code)} END"
    return "WITH " + ",\n".join(ctes) + f"\nSELECT tot.*, {grade} AS grade FROM tot"


def point_weights(system: IndicatorSystem) -> dict[str, float]:
    """Per indicator, the points a value of 1 adds: the scale's span × dimension weight ×
    indicator weight."""
    span = system.scale.max - system.scale.min
    return {ind.code: float(span * dim.weight * ind.weight) for dim in system.dimensions for ind in dim.indicators}


def points(system: IndicatorSystem, row: dict) -> dict[str, float]:
    """The points each indicator adds, from a result row's values ``n_<code>``: the same
    product the statement adds into the score (IEEE doubles, so the same number)."""
    return {code: w * float(row[f"n_{code}"]) for code, w in point_weights(system).items()}


def result_columns(system: IndicatorSystem) -> list[str]:
    """The statement's columns, in order: what a run stores (points are derived, :func:`points`)."""
    cols = ["subject_id"]
    cols += [f"r_{i.code}" for _d, i in system.indicators()]
    cols += [f"n_{i.code}" for _d, i in system.indicators()]
    cols += [f"d_{d.code}" for d in system.dimensions]
    return [*cols, "score", "grade"]


# --- engines --------------------------------------------------------------------------------

# The columns of each table the statement reads, and their DuckDB types.
COLUMNS = {
    "subjects": {"id": "BIGINT", "kind": "VARCHAR", "code": "VARCHAR", "code_cipher": "VARCHAR",
                 "region_code": "VARCHAR"},
    "records": {"id": "BIGINT", "subject_id": "BIGINT", "department_code": "VARCHAR", "category_code": "VARCHAR",
                "polarity": "VARCHAR", "severity": "VARCHAR", "decision_date": "DATE", "display_until": "DATE",
                "status": "VARCHAR", "first_seen": "TIMESTAMP"},
    "list_entries": {"id": "BIGINT", "subject_id": "BIGINT", "list_kind": "VARCHAR", "basis": "VARCHAR",
                     "record_id": "BIGINT", "status": "VARCHAR", "effective_from": "DATE",
                     "listed_until": "DATE"},
    "supervision_inputs": {"id": "BIGINT", "kind": "VARCHAR", "body_id": "BIGINT", "year": "INTEGER",
                           "category": "VARCHAR", "issued_on": "DATE", "deadline": "DATE", "done_on": "DATE",
                           "on_time": "BOOLEAN", "adopted": "BOOLEAN", "satisfied": "BOOLEAN",
                           "score": "DOUBLE"},
}


def duckdb_schema(con) -> None:
    for name, cols in COLUMNS.items():
        con.execute(f"CREATE TABLE {name} ({', '.join(f'{c} {t}' for c, t in cols.items())})")


def load_platform(session, con, chunk: int = 50_000, progress=None) -> None:
    """Copy the columns the statement reads from the platform's database into DuckDB. Of an
    identity number only whether one is held crosses over (``*``), never its ciphertext."""
    import numpy
    from sqlalchemy import case, literal, select

    from xinyong.lists.models import ListEntry
    from xinyong.records.models import Record
    from xinyong.subjects.models import Subject
    from xinyong.supervision.models import SupervisionInput

    models = {"subjects": Subject, "records": Record, "list_entries": ListEntry,
              "supervision_inputs": SupervisionInput}
    duckdb_schema(con)
    for name, cols in COLUMNS.items():
        t = models[name].__table__
        exprs = [
            case((t.c.code_cipher.is_(None), None), else_=literal("*")).label(c) if c == "code_cipher" else t.c[c]
            for c in cols
        ]
        sql = f"INSERT INTO {name} ({', '.join(cols)}) SELECT * FROM platform_part"
        for part in session.execute(select(*exprs)).yield_per(chunk).partitions():
            # Column-wise: DuckDB reads a registered dict of NumPy arrays and casts to the table's
            # types; ``executemany`` binds row by row and was two orders of magnitude slower
            # (30,000 rows: 43 s against 0.15 s).
            con.register("platform_part", {c: numpy.array(v, dtype=object)
                                           for c, v in zip(cols, zip(*part, strict=True), strict=True)})
            con.execute(sql)
            con.unregister("platform_part")
            if progress:
                progress(name, len(part))


def run_duckdb(con, system: IndicatorSystem, as_of: date, parts: int = 1) -> list[tuple]:
    """The statement's rows; in ``parts`` parts by subject (:func:`build_sql`) where more than one."""
    if parts <= 1:
        return con.execute(build_sql(system, as_of, DUCKDB)).fetchall()
    rows: list[tuple] = []
    for i in range(parts):
        rows += con.execute(build_sql(system, as_of, DUCKDB, part=(i, parts))).fetchall()
    return rows


def iter_duckdb(con, system: IndicatorSystem, as_of: date, parts: int = 1,
                chunk: int = 10_000) -> Iterator[list[tuple]]:
    """The statement's rows in chunks of at most ``chunk``, part by part (:func:`build_sql`):
    the caller holds one chunk at a time, DuckDB one part's grouped records."""
    for i in range(max(parts, 1)):
        res = con.execute(build_sql(system, as_of, DUCKDB, part=(i, parts) if parts > 1 else None))
        while rows := res.fetchmany(chunk):
            yield rows


def subjects_scored(con, system: IndicatorSystem) -> int:
    """How many subjects the statement gives a row for (the subjects of the system's kinds)."""
    return con.execute(f"SELECT count(*) FROM subjects WHERE {_in('kind', list(system.subject_kinds))}").fetchone()[0]


def export_parquet(con, folder: Path) -> dict[str, Path]:
    """Write the DuckDB copy of the tables as Parquet files, for Spark to read."""
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for name in TABLES:
        path = folder / f"{name}.parquet"
        con.execute(f"COPY {name} TO '{path}' (FORMAT PARQUET)")
        out[name] = path
    return out


def run_spark(spark, files: dict[str, Path], system: IndicatorSystem, as_of: date) -> list[tuple]:
    """The same statement on Spark, over the tables registered as views of the Parquet files
    (on a cluster, register the tables read through JDBC under the same names instead)."""
    for name, path in files.items():
        spark.read.parquet(str(path)).createOrReplaceTempView(name)
    return [tuple(r) for r in spark.sql(build_sql(system, as_of, SPARK)).collect()]


def iter_spark(spark, files: dict[str, Path], system: IndicatorSystem, as_of: date,
               chunk: int = 10_000) -> Iterator[list[tuple]]:
    """:func:`run_spark`'s rows in chunks, brought to the driver a partition at a time
    (``toLocalIterator``) rather than all at once (``collect``)."""
    for name, path in files.items():
        spark.read.parquet(str(path)).createOrReplaceTempView(name)
    rows: list[tuple] = []
    for r in spark.sql(build_sql(system, as_of, SPARK)).toLocalIterator():
        rows.append(tuple(r))
        if len(rows) >= chunk:
            yield rows
            rows = []
    if rows:
        yield rows


def spark_available() -> str | None:
    """None when Spark local mode can run here, else why not (in Chinese and English)."""
    import importlib.util
    import shutil

    if importlib.util.find_spec("pyspark") is None:
        return "未安装 pyspark / pyspark is not installed"
    if shutil.which("java") is None:
        return "没有 Java 运行环境 / no Java runtime on PATH"
    return None


def local_spark():
    from pyspark.sql import SparkSession

    return (SparkSession.builder.master("local[2]").appName("xinyong-evaluate")
            .config("spark.sql.session.timeZone", "UTC").config("spark.ui.enabled", "false").getOrCreate())
