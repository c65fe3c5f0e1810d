"""The import command as an official runs it: exit codes, the error report, a kill mid-batch."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select
from typer.testing import CliRunner

from tests import factories as f
from xinyong.cli import app
from xinyong.records.models import ImportBatch, Record

runner = CliRunner()


def test_exit_codes_and_report(app_env, tmp_path, session):
    good = f.write_csv(tmp_path / "good.csv", [f.penalty_row(1), f.penalty_row(2)])
    res = runner.invoke(app, ["import", str(good)])
    assert res.exit_code == 0, res.output
    some_bad = f.write_csv(tmp_path / "some.csv", [f.penalty_row(3), f.penalty_row(4, 处罚决定日期="2024-02-31")])
    res = runner.invoke(app, ["import", str(some_bad)])
    assert res.exit_code == 1
    report = tmp_path / "some.errors.xlsx"
    assert report.exists()
    rows = list(load_workbook(report, read_only=True)["错误明细"].iter_rows(values_only=True))
    assert rows[1][:2] == (3, "处罚决定日期")
    unusable = tmp_path / "x.pdf"
    unusable.write_bytes(b"%PDF-1.4")
    res = runner.invoke(app, ["import", str(unusable)])
    assert res.exit_code == 2
    assert "未存入任何数据" in res.output


def test_template_round_trip(app_env, tmp_path, session):
    out = tmp_path / "t.xlsx"
    res = runner.invoke(app, ["template", "admin_penalty", "-o", str(out)])
    assert res.exit_code == 0, res.output
    wb = load_workbook(out)
    ws = wb.worksheets[0]
    headers = [c.value for c in ws[1]]
    assert headers[:2] == ["主体名称", "统一社会信用代码或公民身份号码"]
    assert "违法事实" in headers
    # An official fills in the template and imports it.
    row = f.penalty_row(5)
    values = {
        "主体名称": row["行政相对人名称"], "统一社会信用代码或公民身份号码": row["行政相对人代码_1(统一社会信用代码)"],
        "决定文书号": "模板-1", "决定日期": "2025-03-01", "报送部门": f.DEPT_NAME, "报送部门统一社会信用代码": f.DEPT,
        "违法行为类型": "无照经营", "违法事实": "未取得营业执照从事经营", "处罚依据": "《无证无照经营查处办法》",
        "处罚类别": "罚款", "处罚内容": "罚款五千元",
    }
    ws.append([values.get(h) for h in headers])
    wb.save(out)
    res = runner.invoke(app, ["import", str(out), "--category", "admin_penalty"])
    assert res.exit_code == 0, res.output
    assert session.scalar(select(Record.decision_no)) == "模板-1"


def test_unknown_category_lists_the_choices(app_env, tmp_path):
    res = runner.invoke(app, ["template", "nonsense", "-o", str(tmp_path / "t.xlsx")])
    assert res.exit_code == 2
    assert "admin_penalty" in res.output


def _children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


@pytest.mark.parametrize("worker", [False, True], ids=["one-process", "with-worker"])
def test_sigkill_mid_batch_leaves_all_or_none_and_rerun_completes(app_env, tmp_path, engine, worker):
    rows = [f.penalty_row(i) for i in range(1, 30001)]
    path = f.write_csv(tmp_path / "big.csv", rows)
    env = {**os.environ, "XINYONG_IMPORT_CHUNK_ROWS": "1000",
           "XINYONG_IMPORT_WORKER_MIN_BYTES": "1" if worker else "0"}
    cmd = [sys.executable, "-m", "xinyong", "import", str(path)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen = 0
    deadline = time.monotonic() + 120
    while seen < 3 and time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        seen += "rows read" in line
    assert seen >= 3, "the import should report progress per chunk"
    children = _children(proc.pid)
    assert bool(children) == worker
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 30  # the worker notices on its next send, and ends
    while any(Path(f"/proc/{c}").exists() and "Z" not in Path(f"/proc/{c}/stat").read_text().split()[2]
              for c in children) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert all(not Path(f"/proc/{c}").exists() or Path(f"/proc/{c}/stat").read_text().split()[2] == "Z"
               for c in children), "the worker outlived the killed import"
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Record.__table__)) == 0
        assert conn.scalar(select(func.count()).select_from(ImportBatch.__table__)) == 0
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Record.__table__)) == 30000
        assert conn.scalar(select(func.count(func.distinct(Record.__table__.c.source_id)))) == 30000
