"""Credit-file page benchmark: a long public enterprise file against a short one, same run.

A public enterprise file of 326 records was one 135 KB page serving 13.8 req/s (p50 1.36 s) at
the demo, against 191 req/s for files of a few records. The page now shows a long file a page
at a time (``XINYONG_PAGE_SIZE`` records, by category, newest decision first). This script builds
a fresh SQLite database (or ``--database-url``): one enterprise with ``--records`` records over
five categories, and ``--short`` enterprises of three records each (the baseline). One uvicorn
worker serves the app; ``--concurrency`` anonymous clients fetch, for ``--seconds`` each:

- ``short``: a short file's page (the baseline);
- ``long``: the long file's first page;
- ``long_category``: the long file's second page of its largest category;
- ``long_archive``: the long file's archive view.

It prints requests/s, p50/p95 latency, the page size and each page's p95 as a ratio to the
baseline's. The portal goal: p95 < 200 ms.

    python benchmarks/file_page.py
    python benchmarks/file_page.py --records 326 --seconds 10 --concurrency 4
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
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

# category, share, severity, polarity
MIX = [("admin_penalty", 5, "general", "dishonest"), ("admin_licence", 3, None, "neutral"),
       ("honour", 1, None, "honest"), ("judicial_judgment", 1, "general", "dishonest"),
       ("volunteer_service", 1, None, "honest")]
FACTS = {"violation_type": "虚假宣传", "violation_facts": "在网店页面发布虚假广告，宣称产品具有治疗功效",
         "penalty_basis": "《中华人民共和国广告法》第五十五条", "penalty_type": "罚款", "penalty_content": "罚款人民币一万元",
         "fine_amount": "1"}


def build(url: str, records: int, short: int) -> dict:
    from xinyong.catalog import service as catalog_service
    from xinyong.core import migrate
    from xinyong.core.codes import make_uscc
    from xinyong.core.db import make_engine, session_factory
    from xinyong.records.models import Record
    from xinyong.subjects.models import Subject

    engine = make_engine(url)
    migrate.upgrade(engine)
    today = date.today()
    with session_factory(engine)() as s:
        catalog_service.ensure_default(s, user="bench")
        vid, policy = catalog_service.active_version(s)
        firms = []
        for i in range(short + 1):
            firm = Subject(kind="enterprise", code=make_uscc("91", "330106", f"{50_000_000 + i:08d}"),
                           name=f"杭州压测{i}有限公司", region_code="330106")
            s.add(firm)
            firms.append(firm)
        s.flush()
        weights = [c for c, share, _, _ in MIX for _ in range(share)]
        spec = {c: (sev, pol) for c, _, sev, pol in MIX}
        rows = []
        n = 0
        for k, firm in enumerate(firms):
            for j in range(records if k == 0 else 3):
                n += 1
                cat = weights[j % len(weights)]
                sev, pol = spec[cat]
                decided = today - timedelta(days=1 + (j * 7) % 700)
                rows.append(Record(
                    subject_id=firm.id, category_code=cat, polarity=pol, severity=sev,
                    department_code=make_uscc("11", "330100", "00250001"), department_name="杭州市市场监督管理局",
                    source_id=f"b-{n}", decision_no=f"杭市监罚〔2026〕{n}号", decision_date=decided,
                    subject_name=firm.name, region_code=firm.region_code, disclosure="public",
                    display_from=decided, display_until=decided + timedelta(days=3 * 365),
                    retention_until=decided + timedelta(days=5 * 365), status="active",
                    facts=FACTS if cat == "admin_penalty" else {}, content_hash=f"{n:032d}",
                    policy_version_id=vid, changed_by="bench"))
        s.add_all(rows)
        s.commit()
        largest = max(MIX, key=lambda m: m[1])[0]
        out = {"long": firms[0].code, "short": [f.code for f in firms[1:]], "largest": largest}
    engine.dispose()
    return out


def _load(base: str, paths: list[str], seconds: float, concurrency: int) -> tuple[list[float], int, int]:
    import httpx

    latencies: list[float] = []
    errors = 0
    size = 0
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def worker(k: int) -> None:
        nonlocal errors, size
        mine, bad, last = [], 0, 0
        with httpx.Client(base_url=base, timeout=60) as client:
            i = k
            while time.perf_counter() < stop:
                t = time.perf_counter()
                r = client.get(paths[i % len(paths)])
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
    return values[min(len(values) - 1, int(p * len(values)))] * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=326)
    ap.add_argument("--short", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--concurrency", type=int, default=4)
    ap.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    ap.add_argument("--port", type=int, default=8766)
    args = ap.parse_args()

    import httpx

    from xinyong.core.crypto import fresh_keyring

    var = Path(tempfile.mkdtemp(prefix="xinyong-bench-file-"))
    url = args.database_url or f"sqlite:///{var / 'xinyong.db'}"
    env = {**os.environ, "XINYONG_VAR_DIR": str(var), "XINYONG_DATABASE_URL": url, "PYTHONPATH": str(ROOT),
           "XINYONG_DATA_KEY": json.dumps(fresh_keyring().as_json())}
    os.environ.update(env)
    t0 = time.perf_counter()
    data = build(url, args.records, args.short)
    built = round(time.perf_counter() - t0, 1)
    server = subprocess.Popen([sys.executable, "-m", "uvicorn", "xinyong.web.app:create_app", "--factory",
                               "--port", str(args.port), "--log-level", "warning", "--no-access-log"], cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(base + "/subjects", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        pages = {
            "short": [f"/subjects/{c}" for c in data["short"]],
            "long": [f"/subjects/{data['long']}"],
            "long_category": [f"/subjects/{data['long']}?category={data['largest']}&page=2"],
            "long_archive": [f"/subjects/{data['long']}?archive=1"],
        }
        for paths in pages.values():
            _load(base, paths, 1, 1)  # warm up
        out: dict = {"records": args.records, "concurrency": args.concurrency, "seconds": args.seconds,
                     "database": url.split(":", 1)[0], "build_s": built}
        for name, paths in pages.items():
            lat, errors, size = _load(base, paths, args.seconds, args.concurrency)
            out[name] = {"per_s": round(len(lat) / args.seconds, 1), "p50_ms": round(_pct(lat, 0.5), 1),
                         "p95_ms": round(_pct(lat, 0.95), 1), "bytes": size, "errors": errors}
        for name in ("long", "long_category", "long_archive"):
            out[name]["p95_vs_short"] = round(out[name]["p95_ms"] / out["short"]["p95_ms"], 2)
        print(json.dumps(out, ensure_ascii=False, indent=2))
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
