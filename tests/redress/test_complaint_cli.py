"""``xinyong complaints template / import`` on the test database."""

from __future__ import annotations

import csv
import io
from datetime import date

from openpyxl import load_workbook
from typer.testing import CliRunner

from tests.redress.test_complaints import _row
from xinyong.cli import app
from xinyong.core import clock


def test_template_then_import_with_a_bad_row_and_the_codes(app_env, tmp_path):
    runner = CliRunner()
    path = tmp_path / "12345.xlsx"
    made = runner.invoke(app, ["complaints", "template", "-o", str(path)])
    assert made.exit_code == 0, made.output
    wb = load_workbook(path)
    for n, row in enumerate([_row("CLI001"), _row("CLI002", behaviour="偷税漏税")], start=2):
        for col, value in enumerate(row, start=1):
            wb["12345工单"].cell(row=n, column=col, value=value)
    out = io.BytesIO()
    wb.save(out)
    path.write_bytes(out.getvalue())
    codes = tmp_path / "codes.csv"
    with clock.frozen_today(date(2026, 2, 2)):
        imported = runner.invoke(app, ["complaints", "import", str(path), "--codes", str(codes)])
        assert imported.exit_code == 1, imported.output
        assert "登记 1 件" in imported.output and "第3行 失信行为" in imported.output
        again = runner.invoke(app, ["complaints", "import", str(path)])
    assert "登记 0 件，已登记过 1 件" in again.output
    rows = list(csv.reader(codes.open(encoding="utf-8-sig")))
    assert rows[0] == ["行号", "投诉编号", "查询码"] and rows[1][0] == "2" and len(rows[1][2]) == 19
    bad = tmp_path / "x.xlsx"
    bad.write_bytes(b"%PDF-1.4")
    assert runner.invoke(app, ["complaints", "import", str(bad)]).exit_code == 2
