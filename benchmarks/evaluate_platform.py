"""The platform's own evaluation run end to end: ``service.run_evaluation`` over a SQLite database.

Where ``benchmarks/evaluate.py`` times the scoring statement alone over tables generated in
DuckDB, this times what ``xinyong evaluate run --system personal`` does: copy the four tables
out of the platform's database into a DuckDB file (under ``XINYONG_EVALUATION_MEMORY_LIMIT``),
score part by part, fetch the rows in chunks, build each subject's stored row and insert it,
then record the grade changes against the previous run and feed the grades to the checks.

A fresh SQLite database (migrated, shipped policy) is filled set-based with ``--persons``
persons (one in twenty a public servant, one in ten without an identity number) and
``--per-person`` records each (the same mix of categories, severities, dates and statuses as
``benchmarks/evaluate.py``), by ``INSERT … SELECT`` over a recursive CTE, plus a blacklist
entry for 1% of them. Then two runs as of 2026-06-30: the first (nothing to compare with); then
one record in seven is marked repaired and the second run records the grade changes.

For each run: the time of each phase (copy into DuckDB; scoring, i.e. time spent waiting for
DuckDB's next chunk; building and inserting the rows; grade changes; feeding the checks), the
process's peak resident memory so far (``ru_maxrss``), and the load average (``uptime``).

    python benchmarks/evaluate_platform.py --persons 200000
    python benchmarks/evaluate_platform.py --persons 1000000 --memory-limit 3GB --parts 0
    python benchmarks/evaluate_platform.py --persons 200000 --whole   # the former way, for comparison

``--whole`` runs the former path instead: an in-memory DuckDB with no memory limit, one
statement, ``fetchall()`` of every row into Python, then the inserts.
"""

# ruff: noqa: S608  (SQL built from integers and literals of this script, never from input)
from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))
AS_OF = date(2026, 6, 30)


def load() -> str:
    return "load " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def fill(engine, persons: int, per_person: int) -> None:
    from evaluate import _pick  # benchmarks/evaluate.py: the same mix of records
    from sqlalchemy import text

    with engine.begin() as conn:
        vid = conn.execute(text("SELECT max(id) FROM policy_versions")).scalar_one()
        conn.execute(text(f"""
            WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r WHERE i < {persons})
            INSERT INTO subjects (kind, code, code_cipher, name, region_code, created_at, updated_at)
            SELECT CASE WHEN i % 20 = 0 THEN 'public_servant' ELSE 'person' END, 'BENCH' || i,
                   CASE WHEN i % 10 = 0 THEN NULL ELSE 'c' || i END, '测试人' || i,
                   '3301' || substr('0' || (i % 10), -2), '2026-01-01 00:00:00.000000', '2026-01-01 00:00:00.000000'
            FROM r"""))
        first = conn.execute(text("SELECT min(id) FROM subjects WHERE code LIKE 'BENCH%'")).scalar_one()
        n = persons * per_person
        day = "date('2021-01-01', '+' || ((i * 37) % 2000) || ' days')"
        conn.execute(text(f"""
            WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r WHERE i < {n}),
            m AS (SELECT i, (i * 2654435761) % 100 AS m FROM r)
            INSERT INTO records (subject_id, category_code, polarity, severity, department_code, department_name,
                source_id, decision_no, decision_date, subject_name, region_code, disclosure, display_from,
                display_until, retention_until, status, facts, content_hash, version, policy_version_id,
                first_seen, last_seen, changed_by, changed_at)
            SELECT {first - 1} + 1 + (i * 7919) % {persons}, {_pick('m', 0)}, {_pick('m', 3)}, {_pick('m', 2)},
                'D' || (i % 50), '测试局', 'S' || i, '测〔2026〕' || i || '号', {day}, '测试人', '330106', 'public',
                {day}, date({day}, '+' || (365 * (1 + i % 5)) || ' days'),
                date({day}, '+' || (365 * (1 + i % 5)) || ' days'),
                CASE WHEN i % 50 = 0 THEN 'repaired' WHEN i % 97 = 0 THEN 'under_objection' ELSE 'active' END,
                '{{}}', '00000000000000000000000000000000', 1, {vid},
                datetime({day}, '+' || (i % 12) || ' days'), '2026-01-01 00:00:00.000000', 'bench',
                '2026-01-01 00:00:00.000000'
            FROM m"""))
        conn.execute(text(f"""
            INSERT INTO list_entries (subject_id, list_kind, basis, region_code, reason, status, effective_from,
                                      listed_until, policy_version_id, created_by, created_at, updated_at)
            SELECT id, 'blacklist', 'decision', region_code, '基准测试', 'active', '2025-01-01', NULL, {vid}, 'bench',
                   '2025-01-01 00:00:00.000000', '2025-01-01 00:00:00.000000'
            FROM subjects WHERE code LIKE 'BENCH%' AND id % 100 = 0"""))


def whole_path() -> None:
    """Replace the run's scoring with the former way: in memory, no limit, fetchall."""
    import duckdb

    from xinyong.evaluation import scoring, service

    def batches(session, system, as_of, engine, progress=None, *, parts=None, chunk=None):
        con = duckdb.connect()
        try:
            scoring.load_platform(session, con)
            rows = scoring.run_duckdb(con, system, as_of)
        finally:
            con.close()
        for start in range(0, len(rows), 10_000):
            yield rows[start:start + 10_000]

    service.score_batches = batches


def copy_only(engine, rounds: int, limit: str, folder: Path) -> None:
    """``scoring.load_platform`` into an in-memory DuckDB and into a DuckDB file under ``limit``,
    alternately: what the file costs the copy."""
    import duckdb

    from xinyong.core import db
    from xinyong.evaluation import scoring

    for _ in range(rounds):
        for how in ("memory", "file"):
            with tempfile.TemporaryDirectory(dir=folder) as tmp, db.session_scope(engine) as session:
                con = (duckdb.connect() if how == "memory" else
                       duckdb.connect(f"{tmp}/c.duckdb", config={"memory_limit": limit, "temp_directory": tmp,
                                                                 "preserve_insertion_order": False}))
                t = time.perf_counter()
                scoring.load_platform(session, con)
                dt = time.perf_counter() - t
                size = sum(f.stat().st_size for f in Path(tmp).iterdir()) / 2**20
                con.close()
            print(f"  copy into DuckDB, {how}: {dt:.1f} s (files {size:,.0f} MB; {load()})", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--persons", type=int, default=200_000)
    ap.add_argument("--per-person", type=int, default=5)
    ap.add_argument("--memory-limit", default="3GB", help="XINYONG_EVALUATION_MEMORY_LIMIT")
    ap.add_argument("--parts", type=int, default=0, help="XINYONG_EVALUATION_PARTS (0: from the subjects)")
    ap.add_argument("--fetch-rows", type=int, default=10_000, help="XINYONG_EVALUATION_FETCH_ROWS")
    ap.add_argument("--folder", help="Where the database goes (default: a new temporary folder)")
    ap.add_argument("--whole", action="store_true", help="The former path: in memory, no limit, fetchall")
    ap.add_argument("--reuse", action="store_true", help="Use the database already in --folder (skip filling)")
    ap.add_argument("--copy-only", type=int, default=0, metavar="N",
                    help="Only time the copy into DuckDB, N rounds: in memory against a file under the limit")
    args = ap.parse_args()

    folder = Path(args.folder or tempfile.mkdtemp(prefix="bench-evaluate-platform-"))
    folder.mkdir(parents=True, exist_ok=True)
    os.environ.update({
        "XINYONG_VAR_DIR": str(folder), "XINYONG_DAILY_ENABLED": "false",
        "XINYONG_DATABASE_URL": f"sqlite:///{folder / 'xinyong.db'}",
        "XINYONG_EVALUATION_MEMORY_LIMIT": args.memory_limit, "XINYONG_EVALUATION_PARTS": str(args.parts),
        "XINYONG_EVALUATION_FETCH_ROWS": str(args.fetch_rows),
    })
    from sqlalchemy import text

    from xinyong.catalog import service as catalog_service
    from xinyong.core import db, migrate
    from xinyong.core.crypto import ensure_keyring
    from xinyong.evaluation import grades, scoring, service

    ensure_keyring()
    engine = db.get_engine()
    migrate.upgrade(engine)
    with db.session_scope(engine) as session:
        catalog_service.ensure_default(session, user="bench")
    t0 = time.perf_counter()
    if not args.reuse:
        fill(engine, args.persons, args.per_person)
    with engine.connect() as conn:
        n_rec = conn.execute(text("SELECT count(*) FROM records")).scalar_one()
        n_sub = conn.execute(text("SELECT count(*) FROM subjects")).scalar_one()
    size = (folder / "xinyong.db").stat().st_size / 2**20
    print(f"filled {n_sub:,} subjects, {n_rec:,} records in {time.perf_counter() - t0:.1f} s "
          f"(SQLite file {size:,.0f} MB; {load()}); peak RSS {peak_rss_mb():,.0f} MB", flush=True)

    if args.copy_only:
        copy_only(engine, args.copy_only, args.memory_limit, folder)
        return
    if args.whole:
        whole_path()

    # phase timers: wrap the generator of chunks and the two steps after the inserts
    phase: dict[str, float] = {}

    def add(name: str, dt: float) -> None:
        phase[name] = phase.get(name, 0.0) + dt

    real_batches, real_load = service.score_batches, scoring.load_platform
    real_changes, real_feed = service.record_grade_changes, grades.feed_checks

    def timed_load(*a, **k):
        t = time.perf_counter()
        try:
            return real_load(*a, **k)
        finally:
            add("copy into DuckDB", time.perf_counter() - t)

    def timed_batches(*a, **k):
        it = real_batches(*a, **k)
        while True:
            t = time.perf_counter()
            try:
                rows = next(it)
            except StopIteration:
                add("DuckDB: score, fetch", time.perf_counter() - t)
                return
            add("DuckDB: score, fetch", time.perf_counter() - t)
            t = time.perf_counter()
            yield rows
            add("build rows, insert", time.perf_counter() - t)

    def timed(name, fn):
        def inner(*a, **k):
            t = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                add(name, time.perf_counter() - t)
        return inner

    scoring.load_platform = timed_load
    service.score_batches = timed_batches
    service.record_grade_changes = timed("grade changes", real_changes)
    grades.feed_checks = timed("feed the checks", real_feed)

    for label in ("first run", "second run (1 record in 7 repaired since)"):
        if label.startswith("second"):
            with engine.begin() as conn:
                t = time.perf_counter()
                conn.execute(text("UPDATE records SET status = 'repaired' WHERE id % 7 = 0 AND status = 'active'"))
                print(f"  (marked 1 record in 7 repaired in {time.perf_counter() - t:.1f} s)", flush=True)
        phase.clear()
        t = time.perf_counter()
        with db.session_scope(engine) as session:
            result = service.run_evaluation(session, "personal", as_of=AS_OF, user="bench")
            t_run = time.perf_counter() - t
        total = time.perf_counter() - t
        phase["DuckDB: score, fetch"] -= phase.get("copy into DuckDB", 0.0)  # the copy runs in the first next()
        parts = "whole, in memory, fetchall" if args.whole else (
            f"{service.parts_for(result.subjects, args.parts, 2_500_000)} part(s), {args.memory_limit}")
        print(f"{label}: {result.subjects:,} persons scored ({parts}), {result.grade_changes:,} grade changes, "
              f"{total:.1f} s with the commit ({t_run:.1f} s before it); {load()}", flush=True)
        for name, s in phase.items():
            print(f"  {name:<24} {s:7.1f} s", flush=True)
        print(f"  commit etc.              {total - sum(phase.values()):7.1f} s", flush=True)
        print(f"  grades {dict(sorted(result.grades.items()))}; peak RSS so far {peak_rss_mb():,.0f} MB", flush=True)
    engine.dispose()


if __name__ == "__main__":
    main()
