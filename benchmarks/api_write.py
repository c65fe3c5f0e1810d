"""Write-API benchmark: the same rows through ``POST /api/v1/records`` and through the file
import, in the same run, each into a fresh database.

- file: ``xinyong import`` of a CSV holding the rows (in-process ``import_file``, one
  transaction) — the baseline;
- api: a real server (``xinyong serve``, uvicorn, one process) and one client sending the rows
  in batches (default 1,000 rows a request, keep-alive) with a department reporter's API token,
  one transaction per request.

It prints rows/s for both, the API's share of the file import's speed, and the latency of one
request (p50 / p99). Both paths validate and store the same way; what the API adds is JSON
parsing, authentication, the rate limit and one commit per request.

    python benchmarks/api_write.py                       # 100,000 rows, SQLite
    python benchmarks/api_write.py --rows 20000 --batch 500
    python benchmarks/api_write.py --backend postgresql  # XINYONG_BENCH_PG_URL or the local server
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
PG_URL = os.environ.get("XINYONG_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
DEPT_REGION = "330100"


def make_rows(n: int, seed: int = 11) -> tuple[str, list[dict]]:
    """National 双公示 penalty rows from one department (杭州市 level) about subjects in its
    counties, a third of them natural persons; subjects repeat (30% as many as rows)."""
    from xinyong.core.codes import make_ric, make_uscc

    rng = random.Random(seed)
    dept = make_uscc("11", DEPT_REGION, "00990001")
    counties = ["330102", "330105", "330106", "330108", "330109", "330110", "330111", "330112"]
    n_subjects = max(1, int(n * 0.3))
    kinds = ["罚款", "罚款", "警告", "没收违法所得", "责令停产停业"]
    rows = []
    for i in range(n):
        s = rng.randrange(n_subjects)
        region = counties[s % len(counties)]
        natural = s % 3 == 0
        code = (make_ric(region, date(1960, 1, 1) + timedelta(days=s % 15000), s % 1000) if natural
                else make_uscc("91", region, f"{s:08d}"))
        rows.append({
            "行政相对人名称": f"测试主体{s}",
            "行政相对人类别": "自然人" if natural else "法人及非法人组织",
            "行政相对人代码_1(统一社会信用代码)": "" if natural else code,
            "证件号码": code if natural else "",
            "行政处罚决定书文号": f"杭市监罚〔{2021 + i % 5}〕{i}号",
            "违法行为类型": "虚假宣传",
            "违法事实": "在经营场所发布虚假广告，误导消费者",
            "处罚依据": "《中华人民共和国广告法》第五十五条",
            "处罚类别": kinds[i % len(kinds)],
            "处罚内容": "罚款人民币一万元",
            "罚款金额（万元）": f"{(i % 50) / 10:.1f}",
            "处罚决定日期": (date(2021, 1, 1) + timedelta(days=i % 1700)).isoformat(),
            "处罚机关": "杭州市市场监督管理局",
            "数据来源单位": "杭州市市场监督管理局",
            "数据来源单位统一社会信用代码": dept,
        })
    return dept, rows


def env_for(var: Path, url: str | None) -> dict:
    env = {**os.environ, "XINYONG_VAR_DIR": str(var), "XINYONG_API_RATE_PER_TOKEN": "1000000"}
    env.pop("XINYONG_DATABASE_URL", None)
    if url:
        env["XINYONG_DATABASE_URL"] = url
    return env


def fresh(var: Path, url: str | None) -> dict:
    shutil.rmtree(var, ignore_errors=True)
    var.mkdir(parents=True)
    if url:  # an emptied schema
        from sqlalchemy import create_engine, text

        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    env = env_for(var, url)
    subprocess.run([sys.executable, "-m", "xinyong", "init"], env=env, check=True, capture_output=True)
    return env


def child_file(csv_path: str) -> dict:
    from xinyong.core.db import session_scope
    from xinyong.records.ingest import import_file

    started = time.perf_counter()
    with session_scope() as session:
        result = import_file(session, Path(csv_path), category="admin_penalty", user="bench")
    return {"seconds": time.perf_counter() - started, "new": result.new, "rejected": result.rejected}


def child_token(dept: str) -> dict:
    import xinyong.models  # noqa: F401  (every table, for the foreign keys)
    from xinyong.accounts import service
    from xinyong.core.db import session_scope

    with session_scope() as session:
        service.create_department(session, code=dept, name="杭州市市场监督管理局", region_code=DEPT_REGION,
                                  categories=["admin_penalty"])
        user, _ = service.create_user(session, username="bench-reporter", role="reporter",
                                      region_code=DEPT_REGION, department_code=dept)
        issued = service.issue_token(session, user, name="bench", by="bench")
        return {"token": issued.token}


def run_child(what: str, arg: str, env: dict) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", what, arg], env=env, check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_api(rows: list[dict], batch: int, env: dict, dept: str) -> dict:
    import httpx

    token = run_child("token", dept, env)["token"]
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "xinyong.web.app:create_app", "--factory", "--port", str(port),
         "--log-level", "warning", "--no-access-log"],
        env=env, cwd=ROOT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                httpx.get(base + "/api/v1/policy", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        latencies = []
        totals = {"new": 0, "rejected": 0, "unchanged": 0}
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=base, headers=headers, timeout=600) as client:
            started = time.perf_counter()
            for i in range(0, len(rows), batch):
                t0 = time.perf_counter()
                r = client.post("/api/v1/records", json={"category": "admin_penalty", "rows": rows[i:i + batch]})
                latencies.append(time.perf_counter() - t0)
                r.raise_for_status()
                body = r.json()
                for k in totals:
                    totals[k] += body[k]
            seconds = time.perf_counter() - started
            # the same first batch again: idempotent
            again = client.post("/api/v1/records", json={"category": "admin_penalty", "rows": rows[:batch]}).json()
    finally:
        server.terminate()
        server.wait(30)
    latencies.sort()
    return {
        "seconds": seconds, **totals, "again_unchanged": again["unchanged"],
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--batch", type=int, default=1_000)
    ap.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        what, arg = args.child
        print(json.dumps(child_file(arg) if what == "file" else child_token(arg)))
        return

    OUT.mkdir(exist_ok=True)
    url = PG_URL if args.backend == "postgresql" else None
    dept, rows = make_rows(args.rows)
    csv_path = OUT / f"api_write_{args.rows}.csv"
    with open(csv_path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)

    print(f"{args.rows:,} rows, {args.backend}, API batches of {args.batch:,}")
    env = fresh(OUT / "var_api_file", url)
    file = run_child("file", str(csv_path), env)
    print(f"file import : {args.rows / file['seconds']:>9,.0f} rows/s  ({file['seconds']:.1f} s, "
          f"{file['new']:,} new, {file['rejected']:,} rejected)")
    env = fresh(OUT / "var_api_http", url)
    api = bench_api(rows, args.batch, env, dept)
    print(f"POST /records: {args.rows / api['seconds']:>9,.0f} rows/s  ({api['seconds']:.1f} s, "
          f"{api['new']:,} new, {api['rejected']:,} rejected; a batch p50 {api['p50_ms']:.0f} ms, "
          f"p99 {api['p99_ms']:.0f} ms; the first batch sent again: {api['again_unchanged']:,} unchanged)")
    print(f"API / file  : {file['seconds'] / api['seconds']:.2f}")


if __name__ == "__main__":
    main()
