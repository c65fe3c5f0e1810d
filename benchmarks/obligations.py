"""Obligations' daily work benchmark: arrears, debt levels and overdue judgments over many rows.

Fills a fresh database with ``N`` contracts (default 1,000,000; about 15% unpaid past due),
N/10 debt figures and N/10 judgments under a few hundred bodies, then times, for each job:

1. the first run (every row's figure is new);
2. the same day again — it must change nothing (the rows it touched: 0);
3. the floor: the same statements' bare read (a count of the rows the job looks at) and bare
   write (an update of those rows setting a column to itself), measured in the same run.

    python benchmarks/obligations.py            # 1,000,000 contracts on SQLite
    python benchmarks/obligations.py 200000 --pg  # on PostgreSQL (XINYONG_BENCH_PG_URL, schema bench_obligations)
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
PG_URL = os.environ.get("XINYONG_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SCHEMA = "bench_obligations"
DAY = date(2026, 12, 4)
CHUNK = 20_000


def _database(pg: bool, folder: Path) -> str:
    if not pg:
        return f"sqlite:///{folder / 'xinyong.db'}"
    from urllib.parse import quote

    from sqlalchemy import create_engine, text

    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{SCHEMA}"'))
    admin.dispose()
    sep = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{sep}options={quote(f'-csearch_path={SCHEMA}')}"


def _fill(engine, n: int) -> None:
    from sqlalchemy import insert

    from xinyong.commitments.obligations.models import Contract, Debt, Judgment
    from xinyong.core.codes import make_uscc
    from xinyong.subjects.models import Subject

    rng = random.Random(17)
    with engine.begin() as conn:
        conn.execute(insert(Subject.__table__), [
            {"kind": "gov_body", "code": make_uscc("11", "330106", f"{i + 60000000:08d}"), "name": f"测试局{i}",
             "region_code": "330106"} for i in range(300)])
        ids = [r[0] for r in conn.exec_driver_sql("SELECT id FROM subjects ORDER BY id")]
        supplier = make_uscc("91", "330106", "00000017")
        for start in range(0, n, CHUNK):
            rows = []
            for i in range(start, min(n, start + CHUNK)):
                amount = Decimal(rng.randint(100, 90000)) / 100
                due = DAY - timedelta(days=rng.randint(-60, 400))
                paid = amount if rng.random() > 0.15 else Decimal(0)
                rows.append({"body_id": ids[i % len(ids)], "region_code": "330106", "contract_no": f"B{i}",
                             "kind": "政府采购", "name": "采购", "supplier_name": "某公司", "supplier_code": supplier,
                             "sme": True, "amount": amount, "signed_on": due - timedelta(days=60),
                             "accepted_on": due - timedelta(days=30), "pay_due_on": due, "paid_amount": paid,
                             "arrears": 0, "created_by": "bench"})
            conn.execute(insert(Contract.__table__), rows)
        for start in range(0, n // 10, CHUNK):
            conn.execute(insert(Debt.__table__), [
                {"body_id": ids[i % len(ids)], "region_code": "330106", "as_of": DAY - timedelta(days=i // len(ids)),
                 "balance": Decimal(rng.randint(0, 150000)), "resources": Decimal(100000), "maturing": 0,
                 "overdue_amount": 0, "created_by": "bench"} for i in range(start, min(n // 10, start + CHUNK))])
            conn.execute(insert(Judgment.__table__), [
                {"body_id": ids[i % len(ids)], "region_code": "330106", "case_no": f"J{i}", "court_name": "法院",
                 "court_code": supplier, "creditor_name": "某公司", "obligation": "付款",
                 "effective_on": DAY - timedelta(days=200), "perform_by": DAY - timedelta(days=rng.randint(-30, 100)),
                 "status": "unperformed", "overdue": False, "created_by": "bench"}
                for i in range(start, min(n // 10, start + CHUNK))])


def _params(query: str) -> dict:
    return {"d": DAY} if ":d" in query else {}


def _timed(engine, fn):
    from xinyong.core import db

    t0 = time.perf_counter()
    with db.session_scope(engine) as session:
        out = fn(session)
    return time.perf_counter() - t0, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("n", nargs="?", type=int, default=1_000_000)
    parser.add_argument("--pg", action="store_true")
    args = parser.parse_args()
    from sqlalchemy import text

    from xinyong.catalog import service as catalog_service
    from xinyong.commitments.obligations import service
    from xinyong.core import db, migrate

    with tempfile.TemporaryDirectory() as folder:
        engine = db.get_engine(_database(args.pg, Path(folder)))
        migrate.upgrade(engine)
        with db.session_scope(engine) as session:
            catalog_service.ensure_default(session, user="bench")
        t0 = time.perf_counter()
        _fill(engine, args.n)
        print(f"{engine.dialect.name}: {args.n:,} contracts, {args.n // 10:,} debts, {args.n // 10:,} judgments "
              f"filled in {time.perf_counter() - t0:.1f}s")
        floors = {
            "arrears": ("SELECT count(*) FROM obl_contracts WHERE pay_due_on < :d AND amount > paid_amount",
                        "UPDATE obl_contracts SET arrears = arrears WHERE pay_due_on < :d AND amount > paid_amount"),
            "debt": ("SELECT count(*) FROM obl_debts", "UPDATE obl_debts SET level = level"),
            "judgments": ("SELECT count(*) FROM obl_judgments WHERE status IN ('unperformed','listed') "
                          "AND perform_by < :d",
                          "UPDATE obl_judgments SET overdue = overdue WHERE status IN ('unperformed','listed') "
                          "AND perform_by < :d"),
        }
        jobs = {"arrears": service.daily_arrears, "debt": service.daily_debt_levels, "judgments": service.daily_judgments}
        for name, job in jobs.items():
            first, changed = _timed(engine, lambda s, job=job: job(s, DAY))
            second, again = _timed(engine, lambda s, job=job: job(s, DAY))
            read, rows = _timed(engine, lambda s, q=floors[name][0]: s.execute(text(q), _params(q)).scalar())
            write, _ = _timed(engine, lambda s, q=floors[name][1]: s.execute(text(q), _params(q)).rowcount)
            print(f"{name:10s} first {first:7.2f}s {changed}  second {second:6.2f}s {again}  "
                  f"floor: read {read:5.2f}s ({rows:,} rows) + write {write:5.2f}s = {read + write:6.2f}s")
            assert not any(v for k, v in again.items() if k != "rejected"), f"{name}: the second run changed something"
        engine.dispose()


if __name__ == "__main__":
    main()
