"""Ingest benchmark: generated 双公示 penalty rows from CSV into credit records.

For each database it measures, in the same run and each in a fresh process:
- raw: the CSV read with the csv module and inserted as text into a bare table with the same
  columns (executemany in chunks of 5,000, one transaction) — the issue's yardstick;
- floor: the same rows stored where the platform keeps them and nothing else — subjects found or
  added, rows inserted into ``records`` with its indexes and foreign key through the platform's
  own bulk statements (:func:`child_floor`) — what the database costs for the platform's schema;
- ours: ``xinyong.records.ingest.import_file`` — cleaning, validation against the catalog,
  subject resolution, idempotency, display periods, provenance, one transaction.
It prints rows/s, CPU time per row (the process and its import worker; not the database
server's), peak memory (RSS of the process, plus its import worker's) and the ratio to raw.

    python benchmarks/ingest.py                    # 1,000,000 rows, SQLite and PostgreSQL
    python benchmarks/ingest.py --rows 200000 --backend sqlite
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
PG_URL = os.environ.get("XINYONG_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
HEADERS = [
    "行政相对人名称", "行政相对人类别", "行政相对人代码_1(统一社会信用代码)", "证件号码", "行政处罚决定书文号",
    "违法行为类型", "违法事实", "处罚依据", "处罚类别", "处罚内容", "罚款金额（万元）", "处罚决定日期",
    "处罚机关", "数据来源单位", "数据来源单位统一社会信用代码",
]


def generate(path: Path, rows: int, seed: int = 7) -> None:
    """Rows over 30% as many subjects (a subject is penalised more than once), a third of them
    natural persons, from 40 departments."""
    from xinyong.core.codes import make_ric, make_uscc

    rng = random.Random(seed)
    counties = ["330102", "330105", "330106", "330108", "330109", "330110", "330203", "330302", "330402", "330502"]
    depts = [(make_uscc("11", c, f"{9000 + i:08d}"), f"{c}市场监督管理局{i}") for i, c in enumerate(counties * 4)]
    n_subjects = max(1, int(rows * 0.3))
    kinds = ["罚款", "罚款", "罚款", "警告", "没收违法所得", "责令停产停业", "吊销营业执照"]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(HEADERS)
        for i in range(rows):
            s = rng.randrange(n_subjects)
            region = counties[s % len(counties)]
            dept_code, dept_name = depts[i % len(depts)]
            natural = s % 3 == 0
            if natural:
                code = make_ric(region, date(1960, 1, 1) + timedelta(days=s % 15000), s % 1000)
            else:
                code = make_uscc("91", region, f"{s:08d}")
            w.writerow([
                f"测试主体{s}", "自然人" if natural else "法人及非法人组织", "" if natural else code,
                code if natural else "", f"{region}市监罚〔{2021 + i % 5}〕{i}号", "虚假宣传",
                "在经营场所发布虚假广告，误导消费者", "《中华人民共和国广告法》第五十五条", kinds[i % len(kinds)],
                "罚款人民币一万元", f"{(i % 50) / 10:.1f}",
                (date(2021, 1, 1) + timedelta(days=i % 1700)).isoformat(), dept_name, dept_name, dept_code,
            ])


def peak_mb() -> float:
    """Peak resident memory of this process plus that of its largest child (the import's
    worker process, when the file is large enough to start one): an upper bound of the two
    together."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (own + children) / 1024


def cpu_s() -> float:
    """CPU seconds (user and system) of this process and of its children that have ended (the
    import's worker is joined before the import returns). A database server's own processes are
    not counted."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def child_raw(csv_path: Path, url: str) -> dict:
    from sqlalchemy import text

    from xinyong.core.db import make_engine

    engine = make_engine(url)
    cols = ", ".join(f"c{i} TEXT" for i in range(len(HEADERS)))
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS bench_raw"))
        conn.execute(text(f"CREATE TABLE bench_raw ({cols})"))
    marks = ", ".join("%s" if url.startswith("postgresql") else "?" for _ in HEADERS)
    t0, c0 = time.perf_counter(), cpu_s()
    n = 0
    with engine.begin() as conn:
        cur = conn.connection.dbapi_connection.cursor()
        sql = f"INSERT INTO bench_raw VALUES ({marks})"  # noqa: S608 (placeholders only)
        with open(csv_path, encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh)
            next(reader)
            chunk: list[list[str]] = []
            for row in reader:
                chunk.append(row)
                if len(chunk) >= 5000:
                    cur.executemany(sql, chunk)
                    n += len(chunk)
                    chunk.clear()
            if chunk:
                cur.executemany(sql, chunk)
                n += len(chunk)
    seconds, cpu = time.perf_counter() - t0, cpu_s() - c0
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE bench_raw"))
    return {"rows": n, "seconds": seconds, "cpu_s": cpu, "peak_mb": peak_mb()}


def child_ours(csv_path: Path, url: str) -> dict:
    if not os.environ.get("XINYONG_DATA_KEY"):  # identity numbers are encrypted at rest: a key ring
        from xinyong.core.crypto import fresh_keyring

        os.environ["XINYONG_DATA_KEY"] = json.dumps(fresh_keyring().as_json())
    from xinyong.catalog import service
    from xinyong.core import migrate
    from xinyong.core.db import make_engine, session_factory
    from xinyong.records.ingest import import_file

    engine = make_engine(url)
    migrate.upgrade(engine)
    with session_factory(engine)() as s:
        service.ensure_default(s, user="bench")
        s.commit()
    t0, c0 = time.perf_counter(), cpu_s()
    with session_factory(engine)() as s:
        result = import_file(s, csv_path, user="bench")
        s.commit()
    seconds, cpu = time.perf_counter() - t0, cpu_s() - c0
    return {"rows": result.total, "new": result.new, "rejected": result.rejected, "seconds": seconds,
            "cpu_s": cpu, "peak_mb": peak_mb()}


def child_floor(csv_path: Path, url: str) -> dict:
    """The least any importer pays to store these rows where the platform keeps them: the CSV
    read as raw reads it, each row's subject found or added and the row inserted into ``records``
    with the platform's own bulk statements (``executemany`` on SQLite, ``COPY`` on PostgreSQL),
    into the platform's tables with their indexes and foreign key, one transaction. Nothing is
    cleaned, validated, keyed, masked or compared with what is stored; identity numbers are stored
    as they are (the platform stores keyed hashes). What separates it from raw is the database's
    work for the platform's schema; what separates ours from it is the platform."""
    from sqlalchemy import select

    from xinyong.catalog import service
    from xinyong.catalog.models import PolicyVersion
    from xinyong.core import migrate
    from xinyong.core.db import make_engine, session_factory
    from xinyong.records.writer import RECORD_COLUMNS, SUBJECT_COLUMNS, _bulk_sql, _write_rows

    engine = make_engine(url)
    migrate.upgrade(engine)
    with session_factory(engine)() as s:
        service.ensure_default(s, user="bench")
        s.commit()
        vid = s.scalar(select(PolicyVersion.id).where(PolicyVersion.active.is_(True)))
    pg = url.startswith("postgresql")
    now = "2026-11-26 10:00:00"
    fact_names = HEADERS[5:11]

    def bulk(cur, table: str, columns: list[str], tuples: list[tuple]) -> None:
        if pg:
            with cur.copy(_bulk_sql(table, columns, True)) as copy:
                _write_rows(copy, tuples)
        else:
            cur.executemany(_bulk_sql(table, columns, False), tuples)

    def ids_of(cur, wanted: list[str]) -> list[tuple]:
        if pg:
            cur.execute("SELECT code, id FROM subjects WHERE code = ANY(%s)", [wanted])
        else:
            cur.execute("SELECT code, id FROM subjects WHERE code IN (SELECT value FROM json_each(?))",
                        [json.dumps(wanted)])
        return cur.fetchall()

    facts: dict[tuple, str] = {}  # the facts' JSON by their cells (few distinct), as ours memoises them

    def facts_json(cells: tuple) -> str:
        text = facts.get(cells)
        if text is None:
            text = facts[cells] = json.dumps(dict(zip(fact_names, cells, strict=True)), ensure_ascii=False)
        return text

    t0, c0 = time.perf_counter(), cpu_s()
    n = 0
    ids: dict[str, int] = {}
    with engine.begin() as conn:
        cur = conn.connection.dbapi_connection.cursor()
        with open(csv_path, encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh)
            next(reader)
            chunk: list[list[str]] = []

            def store(rows: list[list[str]]) -> None:
                new = {}
                for r in rows:
                    code = r[2] or r[3]
                    if code not in ids and code not in new:
                        natural = not r[2]
                        new[code] = ("person" if natural else "enterprise", code, None, r[0],
                                     code[:6] if natural else code[2:8], None, None, now, now)
                if new:
                    bulk(cur, "subjects", SUBJECT_COLUMNS, list(new.values()))
                    ids.update(ids_of(cur, list(new)))
                bulk(cur, "records", RECORD_COLUMNS, [(
                    ids[r[2] or r[3]], "admin_penalty", "dishonest", "general", r[14], r[13], r[4], r[4], r[11],
                    r[0], (r[2] or r[3])[2:8] if r[2] else r[3][:6], "public", r[11], "2029-01-01", None,
                    "2031-01-01", "active", facts_json(tuple(r[5:11])),
                    r[4][-32:], 1, vid, None, n + i + 2, now, now, None, "bench", now,
                ) for i, r in enumerate(rows)])

            for row in reader:
                chunk.append(row)
                if len(chunk) >= 5000:
                    store(chunk)
                    n += len(chunk)
                    chunk.clear()
            if chunk:
                store(chunk)
                n += len(chunk)
        cur.close()
    seconds, cpu = time.perf_counter() - t0, cpu_s() - c0
    return {"rows": n, "seconds": seconds, "cpu_s": cpu, "peak_mb": peak_mb()}


def fresh_url(backend: str, work: Path) -> str:
    if backend == "sqlite":
        db = work / "bench.db"
        for p in work.glob("bench.db*"):
            p.unlink()
        return f"sqlite:///{db}"
    from sqlalchemy import create_engine, text

    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS xinyong_bench CASCADE"))
        conn.execute(text("CREATE SCHEMA xinyong_bench"))
    # Each measurement starts with no dirty buffers left by the one before (the server would
    # otherwise write them out during the next, raw or ours, whichever came second).
    try:
        with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("CHECKPOINT"))
    except Exception as exc:  # needs superuser or pg_checkpoint: measure without it
        print(f"(no CHECKPOINT before the run: {exc.__class__.__name__})")
    admin.dispose()
    sep = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{sep}options=-csearch_path%3Dxinyong_bench"


def run_child(kind: str, csv_path: Path, url: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, "--csv", str(csv_path), "--url", url],
        capture_output=True, text=True, check=False,
    )
    if out.returncode != 0:
        raise SystemExit(f"{kind} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def pg_available() -> bool:
    try:
        import psycopg

        psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=test", connect_timeout=3).close()
        return True
    except Exception:
        return False


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    ap.add_argument("--child", choices=["raw", "floor", "ours"])
    ap.add_argument("--csv")
    ap.add_argument("--url")
    args = ap.parse_args()
    if args.child:
        fn = {"raw": child_raw, "floor": child_floor, "ours": child_ours}[args.child]
        print(json.dumps(fn(Path(args.csv), args.url)))
        return
    OUT.mkdir(exist_ok=True)
    csv_path = OUT / f"penalties_{args.rows}.csv"
    if not csv_path.exists():
        t0 = time.perf_counter()
        generate(csv_path, args.rows)
        print(f"generated {args.rows:,} rows ({csv_path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - t0:.1f}s")
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    if "postgresql" in backends and not pg_available():
        print("PostgreSQL does not answer on 127.0.0.1:5432: skipped")
        backends.remove("postgresql")
    work = OUT / "db"
    work.mkdir(exist_ok=True)
    print(f"{'database':<11}{'method':<7}{'rows':>11}{'seconds':>9}{'rows/s':>10}{'CPU µs/row':>11}{'peak MB':>9}"
          f"{'÷ raw':>7}")
    for backend in backends:
        runs = {kind: run_child(kind, csv_path, fresh_url(backend, work)) for kind in ("raw", "floor", "ours")}
        r_rate = runs["raw"]["rows"] / runs["raw"]["seconds"]
        for kind, got in runs.items():
            rate = got["rows"] / got["seconds"]
            ratio = f"{rate / r_rate:>7.2f}" if kind != "raw" else ""
            print(f"{backend:<11}{kind:<7}{got['rows']:>11,}{got['seconds']:>9.1f}{rate:>10,.0f}"
                  f"{got['cpu_s'] / got['rows'] * 1e6:>11.1f}{got['peak_mb']:>9.0f}{ratio}")
        if runs["ours"]["rejected"]:
            print(f"  ! {runs['ours']['rejected']} rows rejected")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
