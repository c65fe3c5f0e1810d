"""谁查询了我: one subject's readers among 300,000 audit entries, by index against by JSON text.

A subject's 谁查询了我 view lists every entry that read, checked or revealed him: those whose own
``subject_id`` names him UNION ALL those linked to him in ``audit_entry_subjects`` (an inbox view
or a batch check naming several subjects), newest first, a page at a time
(:func:`xinyong.audit.service.readers_of`). The naive alternative keeps the further subjects in
the entry's JSON and looks for the subject's number in its text: ``subject_id = :x OR
CAST(after AS TEXT) LIKE …``, which no index serves.

The log is generated set-based (one ``INSERT … SELECT`` over a series; hashes are placeholders,
the chain is not what is measured): of every 20 entries 12 are reads of a file, 4 single checks,
1 a reveal, 2 writes and 1 an inbox view naming 5 subjects (its subject column empty, its
subjects both linked and listed in ``after``), over 30,000 subjects. Both queries are checked to
find the same entries, then each runs ``--runs`` times for one subject (a page of 50, as the
page asks); median and p95 are printed, and their ratio.

    python benchmarks/audit_readers.py [--n 300000] [--runs 40]

SQLite always (a temporary file); PostgreSQL when ``XINYONG_BENCH_DATABASE_URL``,
``XINYONG_BENCH_PG_URL`` or ``XINYONG_TEST_DATABASE_URL`` is set, in a schema of its own that is
dropped afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import quote

SUBJECTS = 30_000
PER_INBOX = 5
PAGE = 50
# the k-th subject an inbox view (entry ``seq``) names: distinct for k = 0..4
LINK_SQL = "(((seq * 7 + {k} * 6007) % {S}) + 1)"

NAIVE_SQL = """
SELECT seq FROM audit_entries
WHERE action IN ('read', 'check', 'reveal')
  AND (subject_id = :x
       OR CAST(after AS TEXT) LIKE :p1 OR CAST(after AS TEXT) LIKE :p2
       OR CAST(after AS TEXT) LIKE :p3 OR CAST(after AS TEXT) LIKE :p4)
ORDER BY seq DESC LIMIT :limit OFFSET :offset
"""


def _entries_sql(dialect: str, n: int) -> str:
    """One statement that writes ``n`` entries."""
    action = ("CASE WHEN i % 20 < 12 THEN 'read' WHEN i % 20 < 16 THEN 'check' WHEN i % 20 = 16 THEN 'reveal' "
              "WHEN i % 20 < 19 THEN 'update' ELSE 'read' END")
    entity = ("CASE WHEN i % 20 < 12 THEN 'credit_file' WHEN i % 20 < 16 THEN 'check' "
              "WHEN i % 20 = 16 THEN 'subject.code' WHEN i % 20 < 19 THEN 'record' ELSE 'push_inbox' END")
    subject = f"CASE WHEN i % 20 = 19 THEN NULL ELSE (i * 7919) % {SUBJECTS} + 1 END"
    ids = [LINK_SQL.format(k=k, S=SUBJECTS).replace("seq", "i") for k in range(PER_INBOX)]
    if dialect == "postgresql":
        after = f"CASE WHEN i % 20 = 19 THEN jsonb_build_object('subject_ids', jsonb_build_array({', '.join(ids)})) END"
        at = "timestamp '2026-01-01' + i * interval '100 milliseconds'"
        series = f"generate_series(CAST(1 AS bigint), {n}) AS g(i)"
        head = ""
    else:
        joined = " || ', ' || ".join(ids)
        after = f"CASE WHEN i % 20 = 19 THEN '{{\"subject_ids\": [' || {joined} || ']}}' END"
        at = "strftime('%Y-%m-%d %H:%M:%f', '2026-01-01', '+' || (i / 10.0) || ' seconds')"
        series = "n"
        head = f"WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {n}) "  # noqa: S608
    return f"""
        INSERT INTO audit_entries (seq, at, user_id, username, role, via, action, entity, entity_id, subject_id,
                                   purpose, request_id, ip, before, after, prev_hash, hash)
        {head}SELECT i, {at}, i % 500 + 1, 'checker_' || (i % 500), 'checker', 'session', {action}, {entity},
               CAST(i AS VARCHAR(20)), {subject}, '资格核查', NULL, '10.0.0.1', NULL, {after},
               '0000000000000000000000000000000000000000000000000000000000000000',
               '1111111111111111111111111111111111111111111111111111111111111111'
        FROM {series}
    """  # noqa: S608 (numbers only)


def _links_sql() -> str:
    ks = " UNION ALL ".join(f"SELECT {k} AS k" for k in range(PER_INBOX))
    return f"""
        INSERT INTO audit_entry_subjects (seq, subject_id)
        SELECT seq, {LINK_SQL.format(k="ks.k", S=SUBJECTS)}
        FROM audit_entries CROSS JOIN ({ks}) AS ks
        WHERE entity = 'push_inbox'
    """  # noqa: S608


def _timed(fn, runs: int) -> tuple[float, float]:
    fn()  # warm
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(round(0.95 * len(times))) - 1)]


def bench(name: str, url: str, n: int, runs: int) -> None:
    from sqlalchemy import text

    from xinyong.audit import service
    from xinyong.core import migrate
    from xinyong.core.db import make_engine, session_factory

    engine = make_engine(url)
    migrate.upgrade(engine)
    t = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(text(_entries_sql(engine.dialect.name, n)))
        conn.execute(text(_links_sql()))
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    made = time.perf_counter() - t
    target = (19 * 7) % SUBJECTS + 1  # the first subject inbox view 19 names; it has direct entries too
    p = {"x": target, "p1": f"%[{target},%", "p2": f"% {target},%", "p3": f"% {target}]%", "p4": f"%[{target}]%"}
    with session_factory(engine)() as s:
        links = s.execute(text("SELECT count(*) FROM audit_entry_subjects")).scalar()
        indexed = [e.seq for e in service.readers_of(s, target, limit=10_000)]
        naive = [r[0] for r in s.execute(text(NAIVE_SQL), {**p, "limit": 10_000, "offset": 0})]
        assert indexed == naive and indexed, (len(indexed), len(naive))
        fast = _timed(lambda: service.readers_of(s, target, limit=PAGE), runs)
        slow = _timed(lambda: s.execute(text(NAIVE_SQL), {**p, "limit": PAGE, "offset": 0}).all(), runs)
        count = _timed(lambda: service.count_readers(s, target), runs)
    engine.dispose()
    print(f"{name}: {n:,} entries + {links:,} links generated in {made:.1f} s; subject {target} has "
          f"{len(indexed)} reads/checks/reveals")
    print(f"  谁查询了我 (UNION ALL, index)  median {fast[0]:8.2f} ms   p95 {fast[1]:8.2f} ms")
    print(f"  its count                       median {count[0]:8.2f} ms   p95 {count[1]:8.2f} ms")
    print(f"  naive (OR JSON text LIKE)       median {slow[0]:8.2f} ms   p95 {slow[1]:8.2f} ms")
    print(f"  ratio naive / index: median {slow[0] / fast[0]:.0f}×, p95 {slow[1] / fast[1]:.0f}×")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=300_000)
    ap.add_argument("--runs", type=int, default=40)
    args = ap.parse_args()
    if not os.environ.get("XINYONG_DATA_KEY"):
        from xinyong.core.crypto import fresh_keyring

        os.environ["XINYONG_DATA_KEY"] = json.dumps(fresh_keyring().as_json())
    with tempfile.TemporaryDirectory() as tmp:
        bench("SQLite", f"sqlite:///{Path(tmp) / 'bench.db'}", args.n, args.runs)
    pg = (os.environ.get("XINYONG_BENCH_DATABASE_URL") or os.environ.get("XINYONG_BENCH_PG_URL")
          or os.environ.get("XINYONG_TEST_DATABASE_URL"))
    if not pg:
        print("PostgreSQL: skipped (set XINYONG_BENCH_DATABASE_URL)")
        return
    from sqlalchemy import create_engine, text

    schema = f"bench_readers_{uuid.uuid4().hex[:8]}"
    admin = create_engine(pg)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        sep = "&" if "?" in pg else "?"
        bench("PostgreSQL", f"{pg}{sep}options={quote(f'-csearch_path={schema}')}", args.n, args.runs)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


if __name__ == "__main__":
    main()
