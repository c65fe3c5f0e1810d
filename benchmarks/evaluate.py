"""Evaluation benchmark: the personal indicator system scored on DuckDB, against a bare GROUP BY.

``--persons`` persons (default 100,000) with ``--per-person`` records each (default 5) and a
blacklist entry for 1% of them are generated set-based in DuckDB with ``range()`` — the same
three tables, with the same columns, that the platform's DuckDB path copies from its database.
Then, in the same run and the same connection:

- *scoring*: the statement :func:`xinyong.evaluation.scoring.build_sql` builds from the shipped
  ``personal`` system (17 indicators over 5 dimensions, with windows, severity weights and a
  half-life, a rate, two flags), materialised as a table;
- *bare*: ``SELECT subject_id, count(*), sum(...) FROM records GROUP BY subject_id``, joined to
  the subjects, materialised the same way — the least any per-subject score over these rows
  costs.

It prints both times and their ratio, and the grade shares. Copying the tables out of SQLite or
PostgreSQL and writing the scores back are not timed here (they are the run's I/O, not scoring).

    python benchmarks/evaluate.py                      # 100,000 persons, 500,000 records
    python benchmarks/evaluate.py --persons 1000000
    python benchmarks/evaluate.py --spark      # also Spark local mode (the `spark` extra, Java 17+)

A second floor is timed beside the bare one, *bare, as wide*: the same bare query with one weighted
sum per aggregate the scoring statement computes (16 for ``personal``) instead of one — the least a
GROUP BY producing that many per-subject figures over the same rows costs; the ratio to each is
printed.

Larger than memory (10,000,000 persons, 50,000,000 records): put the tables in a database file
and cap DuckDB's memory, so that it spills to ``--temp-dir`` where it must; ``--parts 4`` scores
(and builds the wide floor) in four parts by subject, which do not spill under 3 GB; ``--reuse``
times again over the tables already in the file:

    python benchmarks/evaluate.py --persons 10000000 --database /tmp/ev.duckdb \
        --memory-limit 3GB --temp-dir /tmp/ev-spill --repeat 2 --parts 4

Results are written with ``CREATE TABLE … AS`` (into the database file where one is given) with
``preserve_insertion_order`` off: a run needs no order, and DuckDB keeps less in memory without
it. Each line names the load average (``uptime``) when it was measured; the peak resident memory
of the whole process (generation included) is printed at the end.

With ``--spark`` the same tables are written as Parquet and the same queries run in Spark
local mode (``--threads`` cores), each written to Spark's no-op sink.
"""

# ruff: noqa: S608  (SQL built from integers and literals of this script, never from input)
from __future__ import annotations

import argparse
import os
import re
import resource
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

AS_OF = date(2026, 6, 30)

# category, share (out of 100), severity, polarity
MIX = [
    ("admin_licence", 35, None, "neutral"), ("admin_penalty", 25, "general", "dishonest"),
    ("admin_penalty", 3, "serious", "dishonest"), ("dishonest_judgment_debtor", 3, "serious", "dishonest"),
    ("judicial_judgment", 2, "general", "dishonest"), ("exam_cheating", 1, "general", "dishonest"),
    ("tax_violation", 1, "serious", "dishonest"), ("credit_commitment", 8, None, "neutral"),
    ("commitment_breach", 2, "general", "dishonest"), ("honour", 5, None, "honest"),
    ("volunteer_service", 10, None, "honest"), ("blood_donation", 5, None, "honest"),
]


def _pick(col: str, field: int) -> str:
    """A CASE choosing MIX's field by ``col`` in 0..99."""
    whens, upto = [], 0
    for row in MIX:
        upto += row[1]
        value = row[field]
        whens.append(f"WHEN {col} < {upto} THEN {'NULL' if value is None else repr(value)}")
    return "CASE " + " ".join(whens) + " ELSE NULL END"


def generate(con, persons: int, per_person: int) -> None:
    from xinyong.evaluation import scoring

    scoring.duckdb_schema(con)
    con.execute(f"""INSERT INTO subjects SELECT i, CASE WHEN i % 20 = 0 THEN 'public_servant' ELSE 'person' END,
        'K' || i, CASE WHEN i % 10 = 0 THEN NULL ELSE '*' END, '3301' || lpad(CAST(i % 10 AS VARCHAR), 2, '0')
        FROM range(1, {persons} + 1) t(i)""")
    n = persons * per_person
    con.execute(f"""INSERT INTO records
        SELECT i, 1 + (i * 7919) % {persons}, 'D' || (i % 50), {_pick('m', 0)}, {_pick('m', 3)}, {_pick('m', 2)},
               DATE '2021-01-01' + CAST((i * 37) % 2000 AS INTEGER),
               DATE '2021-01-01' + CAST((i * 37) % 2000 AS INTEGER) + CAST(365 * (1 + i % 5) AS INTEGER),
               CASE WHEN i % 50 = 0 THEN 'repaired' WHEN i % 97 = 0 THEN 'under_objection' ELSE 'active' END,
               CAST(DATE '2021-01-01' + CAST((i * 37) % 2000 + i % 12 AS INTEGER) AS TIMESTAMP)
        FROM (SELECT i, (i * 2654435761) % 100 AS m FROM range(1, {n} + 1) t(i))""")
    con.execute(f"""INSERT INTO list_entries SELECT i, i * 100, 'blacklist', 'decision', NULL, 'active',
        DATE '2025-01-01', NULL FROM range(1, {persons // 100} + 1) t(i)""")


def timed(con, sqls: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the process: every DuckDB thread's) of the query — or of
    its parts one after the other — materialised as one table. On a shared machine the CPU time
    moves less than the wall time."""
    con.execute("DROP TABLE IF EXISTS out_t")
    t0, c0 = time.perf_counter(), time.process_time()
    con.execute(f"CREATE TABLE out_t AS {sqls[0]}")
    for sql in sqls[1:]:
        con.execute(f"INSERT INTO out_t {sql}")
    return time.perf_counter() - t0, time.process_time() - c0


def load() -> str:
    return "load " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def bare_sql(width: int = 1, part: tuple[int, int] = (0, 1)) -> str:
    """The floor: the shown records grouped by subject (a count and ``width`` weighted sums),
    joined to the subjects; ``part=(i, n)`` as in :func:`scoring.build_sql`."""
    sums = ", ".join(f"sum(CASE WHEN severity = 'serious' THEN {4.0 + k!r} ELSE 1.0 END) AS w{k}"
                     for k in range(width))
    outs = ", ".join(f"coalesce(a.w{k}, 0) AS w{k}" for k in range(width))
    i, n = part
    return f"""SELECT s.id AS subject_id, coalesce(a.n, 0) AS n, {outs} FROM subjects s
        LEFT JOIN (SELECT subject_id, count(*) AS n, {sums}
                   FROM records WHERE status IN ('active', 'under_objection')
                   AND display_until >= DATE '{AS_OF}' {f"AND MOD(subject_id, {n}) = {i}" if n > 1 else ""}
                   GROUP BY subject_id) a ON a.subject_id = s.id
        {f"WHERE MOD(s.id, {n}) = {i}" if n > 1 else ""}"""


def main() -> None:
    import duckdb

    from xinyong.catalog.loader import DEFAULT_DIR, load_dir
    from xinyong.evaluation import scoring

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--persons", type=int, default=100_000)
    ap.add_argument("--per-person", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=3, help="Best of N for each query")
    ap.add_argument("--spark", action="store_true", help="Also run the queries in Spark local mode")
    ap.add_argument("--spark-memory", default="2g", help="Spark local mode's driver memory (its JVM heap)")
    ap.add_argument("--database", help="A DuckDB file for the tables (default: in memory)")
    ap.add_argument("--memory-limit", help="DuckDB's memory_limit, e.g. 3GB")
    ap.add_argument("--temp-dir", help="DuckDB's temp_directory, where it spills")
    ap.add_argument("--parts", type=int, default=1,
                    help="Score (and the wide floor) in N parts by subject, one after the other "
                         "(scoring.build_sql's part): where the grouped records of all at once spill")
    ap.add_argument("--reuse", action="store_true",
                    help="Use the tables already in --database when it holds them (skip generating)")
    args = ap.parse_args()

    policy, problems = load_dir(DEFAULT_DIR)
    assert policy and not problems, problems
    system = policy.evaluation.system("personal")
    con = duckdb.connect(args.database or ":memory:")
    con.execute(f"SET threads = {args.threads}")
    con.execute("SET preserve_insertion_order = false")
    if args.memory_limit:
        con.execute(f"SET memory_limit = '{args.memory_limit}'")
    if args.temp_dir:
        con.execute(f"SET temp_directory = '{args.temp_dir}'")
    have = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'records'").fetchone()[0]
    if not (args.reuse and have):
        for name in reversed(scoring.TABLES):
            con.execute(f"DROP TABLE IF EXISTS {name}")
        t0 = time.perf_counter()
        generate(con, args.persons, args.per_person)
        if args.database:
            con.execute("CHECKPOINT")
        gen = time.perf_counter() - t0
        print(f"generated in {gen:.1f} s ({args.threads} threads; {load()}), peak RSS {peak_rss_mb():,.0f} MB",
              flush=True)
    persons = con.execute("SELECT count(*) FROM subjects").fetchone()[0]
    rows = con.execute("SELECT count(*) FROM records").fetchone()[0]
    print(f"{persons:,} persons, {rows:,} records", flush=True)

    score_sql = scoring.build_sql(system, AS_OF)
    width = len(re.findall(r"\bSUM\(v_", score_sql))
    n = args.parts
    in_parts = f" in {n} parts" if n > 1 else ""
    queries = {"bare GROUP BY": [bare_sql(1)],
               f"bare, as wide ({width} sums){in_parts}": [bare_sql(width, (i, n)) for i in range(n)],
               f"scoring ({len(system.indicators())} indicators){in_parts}":
                   [scoring.build_sql(system, AS_OF, part=(i, n)) for i in range(n)]}
    best = dict.fromkeys(queries, float("inf"))
    cpu = dict.fromkeys(queries, float("inf"))
    for _ in range(args.repeat):  # interleaved: each round runs every query once
        for name, sql in queries.items():
            t, c = timed(con, sql)
            best[name], cpu[name] = min(best[name], t), min(cpu[name], c)
            print(f"  {name}: {t:.2f} s, CPU {c:.2f} s ({load()})", flush=True)
    bare, wide, score = best.values()
    cbare, cwide, cscore = cpu.values()
    shares = con.execute("SELECT grade, count(*) FROM out_t GROUP BY grade ORDER BY grade").fetchall()
    stats = con.execute("SELECT min(score), avg(score), max(score) FROM out_t").fetchone()
    print(f"best of {args.repeat}: bare GROUP BY {bare:.2f} s, as wide {wide:.2f} s, scoring {score:.2f} s "
          f"= {score / bare:.2f}× the bare GROUP BY, {score / wide:.2f}× as wide; {persons / score:,.0f} persons/s")
    print(f"CPU time, least of {args.repeat}: bare {cbare:.2f} s, as wide {cwide:.2f} s, scoring {cscore:.2f} s "
          f"= {cscore / cbare:.2f}× the bare GROUP BY, {cscore / cwide:.2f}× as wide")
    print(f"scores min {stats[0]:.1f} / mean {stats[1]:.1f} / max {stats[2]:.1f}; grades "
          + ", ".join(f"{g} {n:,} ({n / persons:.1%})" for g, n in shares))
    print(f"peak RSS of the process {peak_rss_mb():,.0f} MB ({load()})", flush=True)
    if args.spark:
        spark_part(con, system, width, args)


def spark_part(con, system, width: int, args) -> None:
    """The same three queries in Spark local mode, each one statement (never in parts)."""
    import tempfile

    from pyspark.sql import SparkSession

    from xinyong.evaluation import scoring

    if args.temp_dir:  # DuckDB removes the temp directory it made once it no longer spills
        Path(args.temp_dir).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=args.temp_dir) as tmp:
        files = scoring.export_parquet(con, Path(tmp))
        t0 = time.perf_counter()
        spark = (SparkSession.builder.master(f"local[{args.threads}]").appName("bench-evaluate")
                 .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", str(args.threads * 4))
                 .config("spark.driver.memory", args.spark_memory)
                 .getOrCreate())
        for name, path in files.items():
            spark.read.parquet(str(path)).createOrReplaceTempView(name)
        print(f"spark: started in {time.perf_counter() - t0:.1f} s ({load()})", flush=True)

        def run(sql: str) -> float:
            t = time.perf_counter()
            spark.sql(sql).write.format("noop").mode("overwrite").save()
            return time.perf_counter() - t

        sqls = {"bare GROUP BY": bare_sql(1), f"bare, as wide ({width} sums)": bare_sql(width),
                f"scoring ({len(system.indicators())} indicators)": scoring.build_sql(system, AS_OF, scoring.SPARK)}
        best = dict.fromkeys(sqls, float("inf"))
        for _ in range(args.repeat):
            for name, sql in sqls.items():
                t = run(sql)
                best[name] = min(best[name], t)
                print(f"  spark {name}: {t:.2f} s ({load()})", flush=True)
        bare, wide, score = best.values()
        persons = con.execute("SELECT count(*) FROM subjects").fetchone()[0]
        print(f"spark best of {args.repeat}: bare GROUP BY {bare:.2f} s, as wide {wide:.2f} s, scoring {score:.2f} s "
              f"= {score / bare:.2f}× the bare GROUP BY, {score / wide:.2f}× as wide; {persons / score:,.0f} persons/s")
        spark.stop()


if __name__ == "__main__":
    main()
