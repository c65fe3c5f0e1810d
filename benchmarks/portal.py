"""Public portal benchmark: search, a subject's public page, a 双公示 listing and a credit report
PDF, against a bare endpoint of the same server in the same run.

Builds the demo (``--scale``, default 1.0: the demo's default scale; a smaller one for a quick
run) into a fresh SQLite database (or ``--database-url``), starts one uvicorn worker serving the
platform's app plus ``/bench/bare`` (returns a few bytes, no database, no access rule: the
baseline), and for ``--seconds`` each, with ``--concurrency`` clients:

- ``bare``: ``GET /bench/bare``;
- ``search``: ``GET /portal/search?q=…`` (organisation names of the demo, in turn);
- ``subject``: ``GET /portal/subjects/{code}`` (the demo's enterprises with public records, in turn);
- ``disclosures``: ``GET /portal/disclosures/penalties`` with a region filter, cycling through the cities;
- ``report``: ``POST /api/v1/reports`` (a checker's token; enterprises in turn) — the PDF.

Each is warmed up for a second before the runs; the listing's cities are each asked once first
(``--cold`` leaves that out), so that its run measures the listing as the portal cache serves a
city already visited (past its TTL: the old answer, counted again in the background) rather than
the first visit to each city, which counts in the request (100–150 ms).

Prints requests/s, p50/p95 (ms) and each p95 against the bare endpoint's. Goals (issue 18):
p95 under 200 ms for the pages, under 1 s for a report. The portal cache
(``XINYONG_PORTAL_CACHE_SECONDS``) is on, as deployed; ``--no-cache`` measures without it.

``--database PATH`` keeps the built SQLite file (and, next to it, ``PATH.bench.json``: the data key,
the scale, the subjects to ask for) so that the demo is built once: a later run with the same path
and scale reuses it and only issues a fresh token.

    python benchmarks/portal.py                       # the demo's default scale (slow to build)
    python benchmarks/portal.py --scale 0.02 --seconds 5
    python benchmarks/portal.py --database var/bench/portal-1.db   # build once, reuse after
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))


def bench_app():
    """The platform's app plus ``/bench/bare``, which does nothing."""
    from xinyong.web.app import create_app

    app = create_app()

    @app.get("/bench/bare", include_in_schema=False)
    def bare() -> dict:
        return {"ok": True}

    return app


def _token(url: str) -> str:
    """A kept database brought to the current migration head, and a fresh token for the
    benchmark's checker (the built database may be days old)."""
    from sqlalchemy import select

    from xinyong.accounts import service as accounts
    from xinyong.accounts.models import User
    from xinyong.core import migrate
    from xinyong.core.db import make_engine, session_factory

    engine = make_engine(url)
    migrate.upgrade(engine)
    with session_factory(engine)() as s:
        user = s.scalar(select(User).where(User.username == "bench_checker"))
        token = accounts.issue_token(s, user, name="bench", by="bench", days=1).token
        s.commit()
    engine.dispose()
    return token


def build(url: str, scale: float) -> dict:
    from sqlalchemy import func, select

    from xinyong.accounts import service as accounts
    from xinyong.catalog import service as catalog_service
    from xinyong.core import migrate
    from xinyong.core.db import make_engine, session_factory
    from xinyong.demo.generator import build_demo
    from xinyong.records.models import Record
    from xinyong.subjects.models import Subject

    engine = make_engine(url)
    migrate.upgrade(engine)
    with session_factory(engine)() as s:
        catalog_service.ensure_default(s, user="bench")
        s.commit()
    with session_factory(engine)() as s:
        build_demo(s, scale=scale, seed=2016, commit=True)
    with session_factory(engine)() as s:
        firms = list(s.execute(
            select(Subject.code, Subject.name).join(Record, Record.subject_id == Subject.id)
            .where(Subject.kind == "enterprise", Record.disclosure == "public")
            .group_by(Subject.id, Subject.code, Subject.name).order_by(func.count().desc()).limit(50)))
        user, _ = accounts.create_user(s, username="bench_checker", role="checker", region_code="330000",
                                       password="Bench-Checker-2026!", display_name="压测")
        token = accounts.issue_token(s, user, name="bench", by="bench", days=1).token
        records = s.scalar(select(func.count()).select_from(Record))
        s.commit()
    engine.dispose()
    return {"codes": [c for c, _ in firms], "names": [n[:4] for _, n in firms], "token": token, "records": records}


def _load(base: str, requests: list[tuple[str, str, dict | None]], headers: dict, seconds: float,
          concurrency: int) -> tuple[list[float], int, int]:
    import httpx

    latencies: list[float] = []
    errors = size = 0
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def worker(k: int) -> None:
        nonlocal errors, size
        mine, bad, last = [], 0, 0
        with httpx.Client(base_url=base, timeout=120, headers=headers) as client:
            i = k
            while time.perf_counter() < stop:
                method, path, body = requests[i % len(requests)]
                t = time.perf_counter()
                r = client.request(method, path, json=body)
                mine.append(time.perf_counter() - t)
                bad += r.status_code != 200
                last = len(r.content)
                i += concurrency
        with lock:
            latencies.extend(mine)
            errors += bad
            size = max(size, last)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors, size


def _pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(p * len(values)))] * 1000 if values else 0.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0, help="demo scale (1.0: the demo's default)")
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--concurrency", type=int, default=4)
    ap.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    ap.add_argument("--database", type=Path, default=None,
                    help="a SQLite file to build once and reuse (with PATH.bench.json beside it)")
    ap.add_argument("--port", type=int, default=8767)
    ap.add_argument("--build-only", action="store_true", help="build (with --database) and stop")
    ap.add_argument("--no-cache", action="store_true", help="XINYONG_PORTAL_CACHE_SECONDS=0")
    ap.add_argument("--cold", action="store_true", help="no first visit to each city of the listing before its run")
    args = ap.parse_args()

    import httpx

    from xinyong.core.crypto import fresh_keyring

    saved: dict | None = None
    if args.database is not None:
        db_file = args.database.resolve()
        db_file.parent.mkdir(parents=True, exist_ok=True)
        var, url = db_file.parent, f"sqlite:///{db_file}"
        side = db_file.with_name(db_file.name + ".bench.json")
        if side.exists() and db_file.exists():
            saved = json.loads(side.read_text(encoding="utf-8"))
            if saved["scale"] != args.scale:
                sys.exit(f"{db_file} was built at scale {saved['scale']}, not {args.scale}: remove it or pass that scale")
        else:
            for stale in (db_file, side, db_file.with_name(db_file.name + "-wal"), db_file.with_name(db_file.name + "-shm")):
                stale.unlink(missing_ok=True)
    else:
        var = Path(tempfile.mkdtemp(prefix="xinyong-bench-portal-"))
        url = args.database_url or f"sqlite:///{var / 'xinyong.db'}"
    key = saved["key"] if saved else fresh_keyring().as_json()
    env = {**os.environ, "XINYONG_VAR_DIR": str(var), "XINYONG_DATABASE_URL": url, "PYTHONPATH": str(ROOT),
           "XINYONG_DATA_KEY": json.dumps(key),
           "XINYONG_PUBLIC_RATE_PER_IP": "1000000", "XINYONG_API_RATE_PER_TOKEN": "1000000"}
    if args.no_cache:
        env["XINYONG_PORTAL_CACHE_SECONDS"] = "0"
    os.environ.update(env)
    t0 = time.perf_counter()
    if saved:
        data = {**saved, "token": _token(url)}
        built = saved["build_s"]
    else:
        data = build(url, args.scale)
        built = round(time.perf_counter() - t0, 1)
        if args.database is not None:
            side.write_text(json.dumps({"scale": args.scale, "key": key, "build_s": built,
                                        **{k: v for k, v in data.items() if k != "token"}}, ensure_ascii=False),
                            encoding="utf-8")
    if args.build_only:
        print(json.dumps({"scale": args.scale, "records": data["records"], "build_s": built, "reused": bool(saved)}))
        return
    server = subprocess.Popen([sys.executable, "-m", "uvicorn", "benchmarks.portal:bench_app", "--factory",
                               "--port", str(args.port), "--log-level", "warning", "--no-access-log"], cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(200):
            try:
                if httpx.get(base + "/bench/bare", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        from xinyong.core import regions

        cities = [c.code for c in regions.cities()]
        runs = {
            "bare": [("GET", "/bench/bare", None)],
            "search": [("GET", f"/portal/search?q={n}", None) for n in data["names"]],
            "subject": [("GET", f"/portal/subjects/{c}", None) for c in data["codes"]],
            "disclosures": [("GET", f"/portal/disclosures/penalties?region={c}", None) for c in cities],
            "report": [("POST", "/api/v1/reports", {"subject": c, "purpose": "信用审查"}) for c in data["codes"]],
        }
        headers = {"Authorization": f"Bearer {data['token']}"}
        if not args.cold:
            for _, path, _ in runs["disclosures"]:  # each city once
                httpx.get(base + path, timeout=120)
        for reqs in runs.values():
            _load(base, reqs, headers, 1, 1)  # warm up
        out: dict = {"scale": args.scale, "records": data["records"], "concurrency": args.concurrency,
                     "seconds": args.seconds, "database": url.split(":", 1)[0], "build_s": built,
                     "cache": not args.no_cache, "cold": args.cold, "reused": bool(saved)}
        for name, reqs in runs.items():
            lat, errors, size = _load(base, reqs, headers if name == "report" else {}, args.seconds, args.concurrency)
            out[name] = {"per_s": round(len(lat) / args.seconds, 1), "p50_ms": round(_pct(lat, 0.5), 1),
                         "p95_ms": round(_pct(lat, 0.95), 1), "bytes": size, "errors": errors}
        for name in ("search", "subject", "disclosures", "report"):
            out[name]["p95_vs_bare"] = round(out[name]["p95_ms"] / max(out["bare"]["p95_ms"], 0.001), 1)
        print(json.dumps(out, ensure_ascii=False, indent=2))
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
