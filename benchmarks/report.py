"""Credit report benchmark: the time to render one subject's report (信用报告) as a PDF.

Builds a fresh SQLite database (or ``--database-url``) with one enterprise holding ``--records``
records over five categories (the same mix as ``file_page.py``), then issues its report
``--runs`` times through :func:`xinyong.disclosure.service.issue` (read the file, fill the
sections, render and subset the font, hash, store, audit; each run rolled back), after one
warm-up run. The baseline in the same run is reading the same file
(:func:`xinyong.records.credit_file.credit_file` and its masked output), the part of the work a
file page does too. Prints p50/p95 of both, the report's size and page count.
The portal goal: a report under 1 s.

    python benchmarks/report.py
    python benchmarks/report.py --records 300 --runs 20
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=300)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    import file_page  # the same subject and records as the file page benchmark

    from xinyong.accounts.principal import cli_principal
    from xinyong.catalog import service as catalog_service
    from xinyong.core.db import make_engine, session_factory
    from xinyong.disclosure import service
    from xinyong.records import credit_file as files
    from xinyong.records.schemas import CreditFileOut
    from xinyong.subjects import service as subjects

    url = args.database_url or f"sqlite:///{tempfile.mkdtemp()}/report-bench.db"
    built = file_page.build(url, args.records, short=0)
    engine = make_engine(url)
    who = cli_principal("bench")
    read_times, report_times = [], []
    size = pages = 0
    with session_factory(engine)() as s:
        vid, policy = catalog_service.active_version(s)
        subject = subjects.get_by_ref(s, built["long"])
        service.issue(s, policy, vid, who, subject, purpose="压测", full=True)  # warm-up
        s.rollback()
        for _ in range(args.runs):
            t = time.perf_counter()
            CreditFileOut.build(files.credit_file(s, subject, public=False), policy, vid)
            read_times.append(time.perf_counter() - t)
            t = time.perf_counter()
            issued = service.issue(s, policy, vid, who, subject, purpose="压测", full=True)
            s.flush()
            report_times.append(time.perf_counter() - t)
            size = len(issued.pdf)
            s.rollback()
    from pypdf import PdfReader

    pages = len(PdfReader(io.BytesIO(issued.pdf)).pages)
    engine.dispose()
    print(f"subject: {args.records} records; {args.runs} runs after one warm-up")
    print(f"{'what':<22}{'p50 ms':>10}{'p95 ms':>10}")
    for name, values in (("read the file (base)", read_times), ("issue the report", report_times)):
        print(f"{name:<22}{statistics.median(values) * 1000:>10.0f}{_pct(values, 0.95) * 1000:>10.0f}")
    print(f"report: {size:,} bytes, {pages} pages; report p50 / read p50 = "
          f"{statistics.median(report_times) / statistics.median(read_times):.1f}")


if __name__ == "__main__":
    main()
