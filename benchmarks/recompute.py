"""Recompute benchmark: ``xinyong records recompute`` over N stored records, against its floor.

Fills a fresh database with N records spread over every category and severity of the default
policy, their periods as the policy computes them, except one record in ten whose stored periods
are wrong (as after a policy change touching some of them). Then times, on SQLite or PostgreSQL:

- the floor, in the same run and rolled back: the least any implementation must do — read every
  record once (one grouped count), copy the changed rows into the history and update them (the
  same rows picked by a cheap predicate, constant values);
- the dry run (counts and samples; writes nothing);
- the run (counts, history, update, audit);
- a second run, which must change nothing.

    python benchmarks/recompute.py                    # 200,000 records on SQLite
    python benchmarks/recompute.py --n 1000000        # a million
    python benchmarks/recompute.py --pg               # on PostgreSQL (XINYONG_BENCH_PG_URL, schema bench_recompute)
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
PG_URL = os.environ.get("XINYONG_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SCHEMA = "bench_recompute"


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


def _fill(engine, n: int) -> int:
    from sqlalchemy import insert

    from xinyong.catalog import service as catalog_service
    from xinyong.core import db
    from xinyong.records import periods
    from xinyong.records.models import Record
    from xinyong.subjects.models import Subject

    rng = random.Random(2016)
    with db.session_scope(engine) as session:
        vid, policy = catalog_service.active_version(session)
        session.execute(insert(Subject), [
            {"kind": "enterprise", "code": f"bench{i:07d}", "name": f"测试企业{i}", "region_code": "330106"}
            for i in range(1000)])
        groups = [(c, k, r) for c in policy.catalog.categories for k, r in c.display_period.items()]
        wrong = 0
        chunk: list[dict] = []
        for i in range(n):
            category, key, rule = groups[i % len(groups)]
            day = date(2019, 1, 1) + timedelta(days=rng.randrange(2500))
            facts = {f: (day + timedelta(days=rng.randrange(-400, 2000))).isoformat()
                     for f in rule.date_facts() if rng.random() < 0.6}
            severity = None if key == "default" else key
            p = periods.compute(category, severity, day, facts, policy.catalog.condition_values)
            display, retention = p.display_until, p.retention_until
            if i % 10 == 0:
                display, retention, wrong = day, day, wrong + 1
            chunk.append(dict(
                subject_id=1 + i % 1000, category_code=category.code, polarity=category.polarity,
                severity=severity, department_code="113301000025000010", department_name="测试局",
                source_id=f"s{i}", decision_no=f"测〔2026〕{i}号", decision_date=day, subject_name="测试企业",
                region_code="330106", disclosure="public", display_from=day, display_until=display,
                repair_from=p.repair_from, retention_until=retention, status="active", facts=facts,
                content_hash="0" * 32, policy_version_id=vid, changed_by="bench"))
            if len(chunk) == 20_000:
                session.execute(insert(Record), chunk)
                chunk = []
        if chunk:
            session.execute(insert(Record), chunk)
    return wrong


def _floor(engine) -> float:
    """Read every record once, copy one in ten into the history and update it: rolled back."""
    from sqlalchemy import func, insert, literal, select, update

    from xinyong.core import db
    from xinyong.records.models import VERSIONED_COLUMNS, Record, RecordVersion

    session = db.session_factory(engine)()
    t0 = time.perf_counter()
    session.execute(select(Record.category_code, Record.severity, func.count())
                    .group_by(Record.category_code, Record.severity)).all()
    picked = Record.id % 10 == 1
    session.execute(insert(RecordVersion).from_select(
        ["record_id", "version", *VERSIONED_COLUMNS, "valid_from", "superseded_at"],
        select(Record.id, Record.version, *(getattr(Record, c) for c in VERSIONED_COLUMNS), Record.changed_at,
               literal(db.utcnow())).where(picked)))
    session.execute(update(Record).where(picked).values(display_until=date(2030, 1, 1), version=Record.version + 1)
                    .execution_options(synchronize_session=False))
    elapsed = time.perf_counter() - t0
    session.rollback()
    session.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=200_000, help="records (default 200,000)")
    parser.add_argument("--pg", action="store_true", help="PostgreSQL instead of SQLite")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="xinyong-bench-recompute-"))
    os.environ["XINYONG_VAR_DIR"] = str(folder)
    url = _database(args.pg, folder)
    os.environ["XINYONG_DATABASE_URL"] = url

    from sqlalchemy import func, select

    from xinyong.catalog import service as catalog_service
    from xinyong.core import db, migrate
    from xinyong.core.crypto import ensure_keyring
    from xinyong.records.models import RecordVersion
    from xinyong.records.recompute import recompute

    ensure_keyring()
    engine = db.get_engine(url)
    migrate.upgrade(engine)
    with db.session_scope(engine) as session:
        catalog_service.ensure_default(session, user="bench")
    t0 = time.perf_counter()
    wrong = _fill(engine, args.n)
    print(f"{engine.dialect.name}: {args.n:,} records ({wrong:,} with wrong periods) written in "
          f"{time.perf_counter() - t0:.1f} s")

    floor = _floor(engine)
    timings = {}
    for label, dry in (("dry run", True), ("run", False), ("second run", False)):
        session = db.session_factory(engine)()
        t0 = time.perf_counter()
        result = recompute(session, dry_run=dry, by="bench")
        if dry:
            session.rollback()
        else:
            session.commit()
        timings[label] = (time.perf_counter() - t0, result.changed)
        session.close()
    with db.session_scope(engine) as session:
        versions = session.scalar(select(func.count()).select_from(RecordVersion))
    assert timings["run"][1] == wrong, (timings["run"][1], wrong)
    assert timings["second run"][1] == 0 and versions == wrong
    print(f"{'':12} {'seconds':>8} {'changed':>9} {'× floor':>8}")
    print(f"{'floor':12} {floor:8.2f} {wrong:9,} {1:8.1f}")
    for label, (seconds, changed) in timings.items():
        print(f"{label:12} {seconds:8.2f} {changed:9,} {seconds / floor:8.1f}")


if __name__ == "__main__":
    main()
