"""Checks benchmark: single checks through the API, and a batch check set-based on DuckDB.

1. API (PostgreSQL): the data is generated set-based — ``--subjects`` subjects and
   ``--records`` credit records with ``generate_series`` (not through the Python ingest), a
   sample of persons given real identity numbers (their keyed hashes as ``Subject.code``), legal
   representatives and posts, then the rule-based list refresh (set-based; timed). One uvicorn
   worker serves the app; a client posts ``POST /api/v1/checks`` (recruitment scenario, a mix of
   persons with and without hits, some reached through an enterprise they represent) with an API
   token, and — in the same run, same server, same client — a bare endpoint that only returns a
   constant, and a *floor* endpoint that only reads and writes one row in a transaction (the
   least a stored check does; :func:`bench_app`). It prints checks/s, p50/p99 latency and the
   ratios to the bare endpoint, at concurrency 1 (latency) and ``--concurrency`` (throughput).
2. Batch (DuckDB, ``--threads`` threads): ``--candidates`` candidates (10% without a code:
   name + region + birth date) against ``--records`` records over ``--subjects`` subjects, with
   list entries, posts and grades, generated in DuckDB with ``range()``. The timed part is the
   very statements the platform's batch path runs (:func:`xinyong.checks.matching.build`,
   compiled for DuckDB) plus the per-candidate outcome (the same CASE as the database path).
   Turning identity numbers into look-up keys (keyed hashes) happens before, in Python, and is
   timed separately.

    python benchmarks/checks.py                                  # 10,000,000 records, 1,000,000 candidates
    python benchmarks/checks.py --records 1000000 --candidates 100000 --api-seconds 10
    python benchmarks/checks.py --skip-api          # the batch part only
"""

# ruff: noqa: S608  (SQL built from integers and literals of this script, never from input)
from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
PG_URL = os.environ.get("XINYONG_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SCHEMA = "bench_checks"

from xinyong.core.http import SessionDep  # noqa: E402  (a route's annotation, resolved at module level)

SCENARIO = "civil_servant_recruitment"

# category, share (out of 1000), severity, polarity — roughly the demo's mix
MIX = [
    ("admin_licence", 420, None, "neutral"), ("admin_penalty", 330, "general", "dishonest"),
    ("admin_penalty", 30, "serious", "dishonest"), ("dishonest_judgment_debtor", 40, "serious", "dishonest"),
    ("judicial_judgment", 20, "general", "dishonest"), ("exam_cheating", 5, "general", "dishonest"),
    ("tax_violation", 5, "serious", "dishonest"), ("honour", 100, None, "honest"),
    ("volunteer_service", 50, None, "honest"),
]


def bench_app():
    """The platform's app plus two endpoints of the benchmark's own, on the same server:

    - ``/bench/bare`` does nothing (the issue's baseline);
    - ``/bench/floor`` does the least any *stored* check does: through the platform's session,
      one transaction with one indexed read (the records of the subject with the code's look-up
      key) and one insert, then the commit, not waiting for the disk (as a check's) — no access
      rule, no policy, no rules, no audit. What
      separates it from the bare endpoint is the database's round trips and their driver; what
      separates a check from it is the platform.
    """
    from sqlalchemy import text

    from xinyong.subjects.identity import lookup_key
    from xinyong.web.app import create_app

    app = create_app()

    @app.post("/bench/bare", include_in_schema=False)
    def bare() -> dict:
        return {"ok": True}

    @app.post("/bench/floor", include_in_schema=False)
    def floor(session: SessionDep, body: dict) -> dict:
        n = session.execute(text("SELECT count(*), set_config('synchronous_commit', 'off', true) FROM records r "
                                 "JOIN subjects s ON s.id = r.subject_id WHERE s.code = :key"),
                            {"key": lookup_key(body["code"])}).first()[0]
        session.execute(text("INSERT INTO bench_floor (n) VALUES (:n)"), {"n": n})
        session.commit()
        return {"n": n}

    return app


# --- data -----------------------------------------------------------------------------------


def pg_url(schema: str = SCHEMA) -> str:
    from urllib.parse import quote

    sep = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{sep}options={quote(f'-csearch_path={schema}')}"


def _mix_case(column: str, g: str) -> str:
    """SQL CASE picking the mix's column value from ``g % 1000`` (same in PostgreSQL and DuckDB)."""
    parts, upto = [], 0
    for cat, share, sev, pol in MIX:
        upto += share
        value = {"category": cat, "severity": sev, "polarity": pol}[column]
        parts.append(f"WHEN ({g}) % 1000 < {upto} THEN {'NULL' if value is None else repr(value)}")
    return "CASE " + " ".join(parts) + " END"


def sample_rics(persons: int, sample: int) -> tuple[list[int], list[str]]:
    from xinyong.core.codes import make_ric

    rng = random.Random(5)
    ids = rng.sample(range(1, persons + 1), min(sample, persons))
    return ids, [make_ric("330106", date(1960, 1, 1) + timedelta(days=i % 15000), (i // 15000) % 1000) for i in ids]


def refresh_lists() -> dict:
    from sqlalchemy import func, select, text

    from xinyong.core.db import make_engine, session_factory
    from xinyong.lists import service as lists
    from xinyong.lists.models import ListEntry

    engine = make_engine(pg_url())
    t0 = time.perf_counter()
    with session_factory(engine)() as s:
        lists.refresh(s, by="bench")
        s.commit()
        took = round(time.perf_counter() - t0, 1)
        n = s.scalar(select(func.count()).select_from(ListEntry))
    with engine.connect() as conn:
        size = conn.execute(text("SELECT pg_size_pretty(pg_database_size(current_database()))")).scalar()
    engine.dispose()
    return {"lists_refresh_s": took, "list_entries": n, "db_size": size}


def build_pg(subjects: int, records: int, sample: int) -> tuple[list[str], dict]:
    """Fill a fresh schema; returns the identity numbers of the sampled persons and timings."""
    from sqlalchemy import create_engine, text

    from xinyong.catalog import service as catalog_service
    from xinyong.core import migrate
    from xinyong.core.db import make_engine, session_factory
    from xinyong.subjects.identity import lookup_keys

    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{SCHEMA}"'))
    engine = make_engine(pg_url())
    migrate.upgrade(engine)
    timings = {}
    with session_factory(engine)() as s:
        vid = catalog_service.ensure_default(s, user="bench").id
        s.commit()
    t0 = time.perf_counter()
    with engine.begin() as conn:
        persons = subjects * 7 // 10
        conn.execute(text(f"""
            INSERT INTO subjects (id, kind, code, name, region_code, birth_date, legal_rep_name, legal_rep_code,
                                  parent_id, created_at, updated_at)
            SELECT g, CASE WHEN g <= {persons} THEN 'person' WHEN g % 10 = 0 THEN 'gov_body' ELSE 'enterprise' END,
                   md5(g::text) || md5((g + 7)::text), '主体' || g,
                   (ARRAY['330102','330106','330108','330203','330302','330402','330502','330602','330702'])[1 + g % 9],
                   CASE WHEN g <= {persons} THEN DATE '1960-01-01' + (g % 15000) END,
                   CASE WHEN g > {persons} THEN '法人' || g END,
                   CASE WHEN g > {persons} THEN md5(((g * 31) % {persons} + 1)::text) || md5((((g * 31) % {persons} + 1) + 7)::text) END,
                   NULL, now(), now()
            FROM generate_series(1, {subjects}) g"""))
        conn.execute(text(f"SELECT setval(pg_get_serial_sequence('subjects', 'id'), {subjects})"))
        conn.execute(text(f"""
            INSERT INTO posts (person_id, body_id, title, start_date, end_date, created_at)
            SELECT (g * 13) % {persons} + 1, {persons} + 10 * (g % ((({subjects} - {persons}) / 10))) + 10,
                   (ARRAY['局长','副局长','科员','财务处长','主任'])[1 + g % 5], DATE '2019-01-01', NULL, now()
            FROM generate_series(1, {max(1, subjects // 50)}) g"""))
    timings["subjects_s"] = round(time.perf_counter() - t0, 1)
    t0 = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(text(f"""
            INSERT INTO records (subject_id, category_code, polarity, severity, department_code, department_name,
                source_id, decision_no, decision_date, subject_name, region_code, disclosure, display_from,
                display_until, repair_from, retention_until, status, facts, content_hash, version, policy_version_id,
                batch_id, row_no, first_seen, last_seen, last_batch_id, changed_by, changed_at)
            SELECT 1 + (g::bigint * 7919) % {subjects}, {_mix_case('category', 'g')}, {_mix_case('polarity', 'g')},
                   {_mix_case('severity', 'g')}, '11330100002500019X', '杭州市某局', 'b' || g, 'BN' || g,
                   current_date - (g % 1500), 'x', '330106', 'public', current_date - (g % 1500),
                   current_date - (g % 1500) + 730, NULL, current_date - (g % 1500) + 1825,
                   CASE WHEN g % 50 = 0 THEN 'repaired' ELSE 'active' END, '{{}}'::jsonb, md5(g::text), 1, {vid},
                   NULL, NULL, now(), now(), NULL, 'bench', now()
            FROM generate_series(1, {records}) g"""))
        conn.execute(text("ANALYZE"))
    timings["records_s"] = round(time.perf_counter() - t0, 1)
    # real identity numbers for a sample of persons (their keyed hashes become their codes)
    ids, rics = sample_rics(persons, sample)
    keys = lookup_keys(rics)
    with engine.begin() as conn:
        conn.execute(text("CREATE TEMP TABLE k (id int, code text, old text)"))
        conn.execute(text("INSERT INTO k (id, code) VALUES (:id, :code)"),
                     [{"id": i, "code": k} for i, k in zip(ids, keys, strict=True)])
        conn.execute(text("UPDATE k SET old = s.code FROM subjects s WHERE s.id = k.id"))
        conn.execute(text("UPDATE subjects s SET code = k.code FROM k WHERE s.id = k.id"))
        conn.execute(text("UPDATE subjects s SET legal_rep_code = k.code FROM k WHERE s.legal_rep_code = k.old"))
    timings.update(refresh_lists())
    engine.dispose()
    return rics, timings


def make_token() -> str:
    from xinyong.accounts import service
    from xinyong.core.db import make_engine, session_factory

    engine = make_engine(pg_url())
    from sqlalchemy import select

    from xinyong.accounts.models import User

    with session_factory(engine)() as s:
        user = s.scalar(select(User).where(User.username == "bench_checker"))
        if user is None:
            user, _ = service.create_user(s, username="bench_checker", role="checker", region_code="330100",
                                          password="Bench-Checker-2026!", display_name="压测")
        token = service.issue_token(s, user, name="bench", by="bench", days=1).token
        s.commit()
    engine.dispose()
    return token


# --- the API part ---------------------------------------------------------------------------------


def _load(url: str, bodies, headers, seconds: float, concurrency: int) -> tuple[int, list[float], int]:
    import httpx

    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def worker(k: int) -> None:
        nonlocal errors
        mine, bad = [], 0
        with httpx.Client(timeout=30) as client:
            i = k
            while time.perf_counter() < stop:
                t = time.perf_counter()
                r = client.post(url, json=bodies[i % len(bodies)], headers=headers)
                mine.append(time.perf_counter() - t)
                bad += r.status_code >= 400
                i += concurrency
        with lock:
            latencies.extend(mine)
            errors += bad

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(latencies), latencies, errors


def _pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(p * len(values)))] * 1000


def warm_cache(subject_ids: list[int]) -> float:
    """Read the sampled subjects' rows once (subjects, records, list entries), the way a running
    platform has its working set in memory: without it the first check of each subject waits
    for the disk (the 5 GB table is not in memory after it is built), and the figures measure the
    disk, not the platform. ``--cold`` skips it."""
    from sqlalchemy import text

    from xinyong.core.db import make_engine

    engine = make_engine(pg_url())
    t0 = time.perf_counter()
    with engine.connect() as conn:
        for q in ("SELECT count(*) FROM subjects WHERE id = ANY(:ids)",
                  "SELECT count(*), sum(length(facts::text)) FROM records WHERE subject_id = ANY(:ids)",
                  "SELECT count(*) FROM list_entries WHERE subject_id = ANY(:ids)"):
            conn.execute(text(q), {"ids": subject_ids})
    engine.dispose()
    return round(time.perf_counter() - t0, 1)


def api_bench(rics: list[str], seconds: float, concurrency: int, key_env: dict) -> dict:
    import httpx

    token = make_token()
    from sqlalchemy import create_engine, text

    with create_engine(pg_url()).begin() as conn:  # the floor endpoint's table
        conn.execute(text("CREATE TABLE IF NOT EXISTS bench_floor (id serial PRIMARY KEY, n integer)"))
    env = {**os.environ, **key_env, "XINYONG_DATABASE_URL": pg_url(), "XINYONG_API_RATE_PER_TOKEN": "100000000",
           "PYTHONPATH": str(ROOT)}
    port = 8765
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "benchmarks.checks:bench_app", "--factory", "--port", str(port),
         "--log-level", "warning", "--no-access-log"], cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(base + "/api/v1/openapi.json", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        headers = {"Authorization": f"Bearer {token}"}
        bodies = [{"scenario": SCENARIO, "purpose": "压测", "code": c} for c in rics]
        _load(base + "/api/v1/checks", bodies[:200], headers, 3, 2)  # warm up
        _load(base + "/bench/bare", bodies[:10], headers, 2, 2)
        out = {}
        for c in (1, concurrency):
            for name, url in (("bare", "/bench/bare"), ("floor", "/bench/floor"), ("check", "/api/v1/checks")):
                n, lat, errors = _load(base + url, bodies, headers, seconds, c)
                out[f"{name}_c{c}"] = {"per_s": round(n / seconds, 1), "p50_ms": round(_pct(lat, 0.5), 2),
                                       "p99_ms": round(_pct(lat, 0.99), 2), "errors": errors, "n": n}
        return out
    finally:
        server.terminate()
        server.wait(10)


# --- the batch part (DuckDB) --------------------------------------------------------------------------


def batch_bench(subjects: int, records: int, candidates: int, threads: int) -> dict:
    import duckdb

    from xinyong.catalog.loader import DEFAULT_DIR, load_dir
    from xinyong.checks import matching
    from xinyong.checks.service import scenario_of
    from xinyong.core.clock import today
    from xinyong.core.codes import make_ric
    from xinyong.subjects.identity import lookup_keys

    policy, _ = load_dir(DEFAULT_DIR)
    sc = scenario_of(policy, SCENARIO)
    out: dict = {"subjects": subjects, "records": records, "candidates": candidates, "threads": threads}
    # the look-up keys of 1,000,000 identity numbers (done in Python before the set-based match)
    sample = [make_ric("330106", date(1960, 1, 1) + timedelta(days=i % 15000), (i // 15000) % 1000) for i in range(min(candidates, 1_000_000))]
    t0 = time.perf_counter()
    lookup_keys(sample)
    out["lookup_keys_s"] = round(time.perf_counter() - t0, 2)

    con = duckdb.connect()
    con.execute(f"SET threads = {threads}")
    matching.duckdb_schema(con)
    persons = subjects * 7 // 10
    t0 = time.perf_counter()
    con.execute(f"""INSERT INTO subjects (id, kind, code, name, region_code, birth_date, legal_rep_code)
        SELECT g, CASE WHEN g <= {persons} THEN 'person' WHEN g % 10 = 0 THEN 'gov_body' ELSE 'enterprise' END,
               'k' || g, '主体' || g, (['330102','330106','330108','330203','330302'])[1 + g % 5],
               CASE WHEN g <= {persons} THEN DATE '1960-01-01' + CAST(g % 15000 AS INTEGER) END,
               CASE WHEN g > {persons} THEN 'k' || ((g * 31) % {persons} + 1) END
        FROM range(1, {subjects} + 1) t(g)""")
    con.execute(f"""INSERT INTO posts (id, person_id, body_id, title, start_date, end_date)
        SELECT g, (g * 13) % {persons} + 1, {persons} + 10 * (g % (({subjects} - {persons}) // 10)) + 10,
               (['局长','副局长','科员','财务处长','主任'])[1 + g % 5], DATE '2019-01-01', NULL
        FROM range(1, {max(2, subjects // 50)}) t(g)""")
    day = today()
    con.execute(f"""INSERT INTO records (id, subject_id, category_code, polarity, severity, decision_date,
                                         display_until, status)
        SELECT g, 1 + (g * 7919) % {subjects}, {_mix_case('category', 'g')}, {_mix_case('polarity', 'g')},
               {_mix_case('severity', 'g')}, DATE '{day}' - CAST(g % 1500 AS INTEGER),
               DATE '{day}' - CAST(g % 1500 AS INTEGER) + 730, CASE WHEN g % 50 = 0 THEN 'repaired' ELSE 'active' END
        FROM range(1, {records} + 1) t(g)""")
    con.execute(f"""INSERT INTO list_entries (id, subject_id, list_kind, basis, record_id, status, effective_from,
                                              listed_until)
        SELECT row_number() OVER (), subject_id, 'blacklist', 'record', id, 'active', decision_date, display_until
        FROM records WHERE category_code = 'dishonest_judgment_debtor' AND display_until >= DATE '{day}'""")
    con.execute(f"""INSERT INTO subject_grades (id, subject_id, grade, graded_on)
        SELECT g, {persons} + g, (['优秀','良好','中等','较差'])[1 + g % 4], DATE '2025-12-31'
        FROM range(1, {(subjects - persons) // 2}) t(g)""")
    # candidates: 45% existing subjects by code, 45% unknown codes, 10% name + region + birth date only
    con.execute(f"""CREATE TABLE cand AS SELECT g AS row_no, '主体' || s AS name,
            CASE WHEN g % 10 = 0 THEN NULL WHEN g % 2 = 0 THEN 'k' || s ELSE 'x' || g END AS code_key, TRUE AS code_ok,
            CASE WHEN g % 10 = 0 THEN (['330102','330106','330108','330203','330302'])[1 + s % 5] END AS region_code,
            CASE WHEN g % 10 = 0 THEN DATE '1960-01-01' + CAST(s % 15000 AS INTEGER) END AS birth_date
        FROM (SELECT g, 1 + (g * 104729) % {persons} AS s FROM range(1, {candidates} + 1) t(g))""")
    out["generate_s"] = round(time.perf_counter() - t0, 1)
    out["list_entries"] = con.execute("SELECT count(*) FROM list_entries").fetchone()[0]

    q = matching.build(policy, sc, day, matching.candidate_table("cand"))
    hits_sql = matching.compile_for_duckdb(q.hits)
    kind, words = matching.outcome_case(
        sc.outcomes, invalid=_col("invalid"), possible=_col("possible"), mandatory=_col("mandatory"),
        punish=_col("punish"), reward=_col("reward"))
    from sqlalchemy.dialects import postgresql

    def lit(e) -> str:
        return str(e.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))

    t0 = time.perf_counter()
    con.execute(f"CREATE TABLE h AS {hits_sql}")
    t_hits = time.perf_counter() - t0
    con.execute(f"""CREATE TABLE result AS
        SELECT c.row_no, f.subject_id, f.hit_count, f.mandatory_count, {lit(kind)} AS outcome_kind, {lit(words)} AS outcome
        FROM cand c LEFT JOIN (
            SELECT row_no, min(subject_id) AS subject_id, count(measure_code) AS hit_count,
                   count(*) FILTER (WHERE measure_type = 'punish' AND mandatory = 1) AS mandatory_count,
                   bool_or(how = 'possible') AS possible, FALSE AS invalid,
                   bool_or(measure_type = 'punish' AND mandatory = 1) AS mandatory,
                   bool_or(measure_type = 'punish') AS punish, bool_or(measure_type = 'reward') AS reward
            FROM h GROUP BY row_no) f ON f.row_no = c.row_no""")
    t_all = time.perf_counter() - t0
    out["hits_s"] = round(t_hits, 2)
    out["match_and_outcome_s"] = round(t_all, 2)
    out["hit_rows"] = con.execute("SELECT count(*) FROM h").fetchone()[0]
    out["outcomes"] = dict(con.execute("SELECT outcome_kind, count(*) FROM result GROUP BY 1 ORDER BY 1").fetchall())
    return out


def db_batch_bench(rics: list[str], persons: int, n: int) -> dict:
    """The database path (PostgreSQL): ``n`` candidates through ``check_candidates`` and the
    service's set-based statements, as a batch uploaded on the web runs (file reading aside)."""
    from sqlalchemy import insert

    from xinyong.accounts.principal import cli_principal
    from xinyong.checks import service
    from xinyong.checks.models import CheckCandidate
    from xinyong.core.db import make_engine, session_factory
    from xinyong.subjects.identity import lookup_keys

    engine = make_engine(pg_url())
    who = cli_principal("bench")
    rng = random.Random(9)
    codes = [rics[i % len(rics)] if i % 2 else None for i in range(n)]
    keys = lookup_keys([c for c in codes if c])
    it = iter(keys)
    rows = [{"row_no": i + 1, "name": f"主体{1 + (i * 104729) % persons}", "code_key": next(it) if c else f"x{i}",
             "code_shown": None, "code_ok": True, "region_code": None, "birth_date": None} for i, c in enumerate(codes)]
    rng.shuffle(rows)
    with session_factory(engine)() as s:
        b = service.create_batch(s, scenario=SCENARIO, purpose="压测", who=who, file_name="bench")
        s.commit()
        for k in range(0, n, 5000):
            s.execute(insert(CheckCandidate), [dict(r, batch_id=b.id) for r in rows[k:k + 5000]])
        b.total = n
        s.commit()
        t0 = time.perf_counter()
        service.match_batch(s, b, who)
        s.commit()
        took = time.perf_counter() - t0
        hits, possible = b.hits, b.possible
    engine.dispose()
    return {"candidates": n, "match_s": round(took, 2), "with_hits": hits, "possible": possible}


def _col(name: str):
    from sqlalchemy import Boolean, column

    return column(name, Boolean) == True  # noqa: E712


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--subjects", type=int, default=2_500_000)
    ap.add_argument("--records", type=int, default=10_000_000)
    ap.add_argument("--candidates", type=int, default=1_000_000)
    ap.add_argument("--sample", type=int, default=20_000, help="Persons given real identity numbers (queried)")
    ap.add_argument("--api-seconds", type=float, default=20)
    ap.add_argument("--concurrency", type=int, default=4)
    ap.add_argument("--threads", type=int, default=2, help="DuckDB threads")
    ap.add_argument("--db-batch", type=int, default=100_000, help="Candidates for the PostgreSQL batch path (0: skip)")
    ap.add_argument("--cold", action="store_true", help="Skip reading the sampled subjects' rows before the API part")
    ap.add_argument("--skip-api", action="store_true")
    ap.add_argument("--skip-batch", action="store_true")
    ap.add_argument("--keep", action="store_true", help="Keep the PostgreSQL schema afterwards")
    ap.add_argument("--reuse", action="store_true", help="Reuse the schema a --keep run left (same sizes)")
    args = ap.parse_args()
    key_file = HERE / "out" / "checks-data-key.json"  # a --keep run's keys, for --reuse
    if not os.environ.get("XINYONG_DATA_KEY"):
        if args.reuse and key_file.exists():
            os.environ["XINYONG_DATA_KEY"] = key_file.read_text(encoding="utf-8")
        else:
            from xinyong.core.crypto import fresh_keyring

            os.environ["XINYONG_DATA_KEY"] = json.dumps(fresh_keyring().as_json())
    if args.keep:
        key_file.parent.mkdir(exist_ok=True)
        key_file.write_text(os.environ["XINYONG_DATA_KEY"], encoding="utf-8")
        key_file.chmod(0o600)
    key_env = {"XINYONG_DATA_KEY": os.environ["XINYONG_DATA_KEY"]}
    report: dict = {"date": date.today().isoformat(), "cpus": os.cpu_count()}
    if not args.skip_batch:
        report["batch"] = batch_bench(args.subjects, args.records, args.candidates, args.threads)
        print(json.dumps({"batch": report["batch"]}, ensure_ascii=False, indent=1), flush=True)
    if not args.skip_api:
        if args.reuse:  # the schema a --keep run left: same data, same sample
            rics = sample_rics(args.subjects * 7 // 10, args.sample)[1]
            timings = refresh_lists()
        else:
            rics, timings = build_pg(args.subjects, args.records, args.sample)
        report["api_data"] = timings
        print(json.dumps({"api_data": timings}, ensure_ascii=False), flush=True)
        if not args.cold:
            report["api_data"]["warm_cache_s"] = warm_cache(sample_rics(args.subjects * 7 // 10, args.sample)[0])
        api = api_bench(rics, args.api_seconds, args.concurrency, key_env)
        api["cache"] = "cold" if args.cold else "warm"
        for c in (1, args.concurrency):
            bare, floor, check = api[f"bare_c{c}"], api[f"floor_c{c}"], api[f"check_c{c}"]
            api[f"ratio_c{c}"] = round(check["per_s"] / bare["per_s"], 3) if bare["per_s"] else None
            api[f"floor_ratio_c{c}"] = round(floor["per_s"] / bare["per_s"], 3) if bare["per_s"] else None
        report["api"] = api
        print(json.dumps({"api": api}, ensure_ascii=False, indent=1), flush=True)
        if args.db_batch:
            report["db_batch"] = db_batch_bench(rics, args.subjects * 7 // 10, args.db_batch)
            print(json.dumps({"db_batch": report["db_batch"]}, ensure_ascii=False), flush=True)
        if not args.keep:
            from sqlalchemy import create_engine, text

            with create_engine(PG_URL, isolation_level="AUTOCOMMIT").connect() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{SCHEMA}" CASCADE'))
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    (out / "checks.json").write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
