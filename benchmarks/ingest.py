"""Ingest benchmark: generated 双公示 penalty rows from CSV into credit records.

For each database it measures, in the same run and each in a fresh process:
- raw: the CSV read with the csv module and inserted as text into a bare table with the same
  columns (executemany in chunks of 5,000, one transaction) — the floor any importer pays;
- ours: ``xinyong.records.ingest.import_file`` — cleaning, validation against the catalog,
  subject resolution, idempotency, display periods, provenance, one transaction.
It prints rows/s, peak memory (RSS of the process, plus its import worker's) and ours/raw.

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


def child_raw(csv_path: Path, url: str) -> dict:
    from sqlalchemy import text

    from xinyong.core.db import make_engine

    engine = make_engine(url)
    cols = ", ".join(f"c{i} TEXT" for i in range(len(HEADERS)))
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS bench_raw"))
        conn.execute(text(f"CREATE TABLE bench_raw ({cols})"))
    marks = ", ".join("%s" if url.startswith("postgresql") else "?" for _ in HEADERS)
    t0 = time.perf_counter()
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
    seconds = time.perf_counter() - t0
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE bench_raw"))
    return {"rows": n, "seconds": seconds, "peak_mb": peak_mb()}


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
    t0 = time.perf_counter()
    with session_factory(engine)() as s:
        result = import_file(s, csv_path, user="bench")
        s.commit()
    seconds = time.perf_counter() - t0
    return {"rows": result.total, "new": result.new, "rejected": result.rejected, "seconds": seconds,
            "peak_mb": peak_mb()}


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
    ap.add_argument("--child", choices=["raw", "ours"])
    ap.add_argument("--csv")
    ap.add_argument("--url")
    args = ap.parse_args()
    if args.child:
        fn = child_raw if args.child == "raw" else child_ours
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
    print(f"{'database':<11}{'method':<7}{'rows':>11}{'seconds':>9}{'rows/s':>10}{'peak MB':>9}{'ours/raw':>10}")
    for backend in backends:
        raw = run_child("raw", csv_path, fresh_url(backend, work))
        ours = run_child("ours", csv_path, fresh_url(backend, work))
        r_rate = raw["rows"] / raw["seconds"]
        o_rate = ours["rows"] / ours["seconds"]
        print(f"{backend:<11}{'raw':<7}{raw['rows']:>11,}{raw['seconds']:>9.1f}{r_rate:>10,.0f}{raw['peak_mb']:>9.0f}")
        print(f"{backend:<11}{'ours':<7}{ours['rows']:>11,}{ours['seconds']:>9.1f}{o_rate:>10,.0f}"
              f"{ours['peak_mb']:>9.0f}{o_rate / r_rate:>10.2f}")
        if ours["rejected"]:
            print(f"  ! {ours['rejected']} rows rejected")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
