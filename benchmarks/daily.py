"""Daily jobs benchmark: the daily run (``xinyong jobs daily``) over the demo province.

Builds the demo (``--scale``, default 0.1) into a fresh database for a fixed day, then times:

1. the day's run (the demo already refreshed the lists when it built them, so this is the
   run of a day with little to do);
2. the same day again — every job skipped as done: what a second scheduler or a repeated
   cron line costs, and it must change nothing;
3. the same day forced (``--force``): every job done again, changing nothing — the cost of
   the idempotent work itself;
4. ``--later`` days on (default 60): notice periods over and records expired meanwhile, so the
   run has real work (activations, removals);
5. that later day again (skipped).

For each run it prints each job's time and what it changed, and checks that the list entries,
their events and the audit log are unchanged by the runs that must change nothing.

    python benchmarks/daily.py                       # scale 0.1 on SQLite
    python benchmarks/daily.py 1                     # scale 1
    python benchmarks/daily.py 0.1 --pg              # on PostgreSQL (XINYONG_BENCH_PG_URL, schema bench_daily)
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
PG_URL = os.environ.get("XINYONG_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SCHEMA = "bench_daily"
DAY = date(2026, 12, 4)


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


def _state(engine) -> tuple[int, int, int]:
    from sqlalchemy import func, select

    from xinyong.audit.models import AuditEntry
    from xinyong.lists.models import ListEntry, ListEntryEvent

    with engine.connect() as conn:
        return tuple(conn.execute(select(func.count()).select_from(t)).scalar_one()
                     for t in (ListEntry.__table__, ListEntryEvent.__table__, AuditEntry.__table__))


def _run(title: str, day: date, engine, *, force: bool = False):
    from xinyong.jobs import service

    started = time.perf_counter()
    result = service.run_daily(day, by="bench", force=force, engine=engine)
    total = time.perf_counter() - started
    print(f"\n{title} — {day.isoformat()}{'（--force）' if force else ''}: {total:.3f} s, {result.changed} changed")
    for o in result.outcomes:
        what = o.error if o.state == "failed" else service.describe(o.summary, o.counts)
        print(f"  {o.name:<16} {o.state:<8} {o.seconds:8.3f} s  {what}")
    return result, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scale", nargs="?", type=float, default=0.1)
    parser.add_argument("--pg", action="store_true", help="PostgreSQL instead of SQLite")
    parser.add_argument("--later", type=int, default=60, help="Days after the demo's day for the second day's run")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="bench-daily-"))
    os.environ["XINYONG_VAR_DIR"] = str(folder)  # the anchor file and keys
    os.environ["XINYONG_DAILY_ENABLED"] = "false"
    url = _database(args.pg, folder)
    os.environ["XINYONG_DATABASE_URL"] = url

    from xinyong.catalog import service as catalog_service
    from xinyong.core import db, migrate
    from xinyong.core.clock import frozen_today
    from xinyong.core.crypto import ensure_keyring
    from xinyong.demo.generator import build_demo

    ensure_keyring()
    engine = db.get_engine(url)
    migrate.upgrade(engine)
    with db.session_scope(engine) as session:
        catalog_service.ensure_default(session, user="bench")
    started = time.perf_counter()
    with frozen_today(DAY):
        session = db.session_factory(engine)()
        summary = build_demo(session, scale=args.scale, seed=2016, commit=True, today=DAY)
        session.commit()
        session.close()
    print(f"demo at scale {args.scale} on {engine.dialect.name}: {summary.rows:,} records, "
          f"{time.perf_counter() - started:.1f} s to build")

    later = DAY + timedelta(days=args.later)
    with frozen_today(DAY):
        _run("1. the day's run", DAY, engine)
        before = _state(engine)
        _, second = _run("2. the same day again", DAY, engine)
        assert _state(engine) == before, "a second run changed something"
        forced, _ = _run("3. the same day, forced", DAY, engine, force=True)
        after = _state(engine)
        # the forced run adds only its own audit entries (one per job); lists unchanged
        assert after[:2] == before[:2], "a forced run changed the lists"
        assert after[2] == before[2] + len(forced.outcomes)
    with frozen_today(later):
        _run(f"4. {args.later} days later", later, engine)
        before = _state(engine)
        _run("5. that day again", later, engine)
        assert _state(engine) == before, "a second run changed something"
    print(f"\nsecond run of a day: {second * 1000:.1f} ms; nothing changed by the repeated runs ✓")
    engine.dispose()


if __name__ == "__main__":
    main()
