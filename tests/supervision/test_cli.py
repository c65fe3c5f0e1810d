"""``xinyong supervision template / import / board`` on the test database."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import load_workbook
from typer.testing import CliRunner

from tests.supervision.helpers import gov
from xinyong.cli import app
from xinyong.core import clock
from xinyong.core.db import session_scope


def test_template_import_and_board(app_env, tmp_path):
    with session_scope() as s:
        hz = gov(s, "杭州市西湖区人民政府", "330106").code
    runner = CliRunner()
    path = tmp_path / "j.xlsx"
    made = runner.invoke(app, ["supervision", "template", "judicial", "-o", str(path)])
    assert made.exit_code == 0, made.output
    wb = load_workbook(path)
    wb.worksheets[0].append([hz, None, None, 2026, "某法院", "（2026）司建1号", None, "2026-03-01", "2026-04-01"])
    wb.worksheets[0].append([hz, None, None, 2026, "某法院", "（2026）司建2号", None, "2026-03-01", "2026-02-01"])
    out = io.BytesIO()
    wb.save(out)
    path.write_bytes(out.getvalue())
    with clock.frozen_today(date(2026, 6, 15)):
        imported = runner.invoke(app, ["supervision", "import", "judicial", str(path), "--user", "督查处"])
        assert imported.exit_code == 1, imported.output  # one row refused
        assert "新增 1" in imported.output and "第2行 答复期限：答复期限早于发出日期" in imported.output
        board = runner.invoke(app, ["supervision", "board", "--year", "2026"])
    assert board.exit_code == 0, board.output
    assert "逾期 75 天" in board.output and "西湖区" in board.output
    assert runner.invoke(app, ["supervision", "template", "nothing", "-o", str(path)]).exit_code == 2
