"""``xinyong commitments …``: the template, an import with its refused rows, the breach run by
hand (twice: the second changes nothing) and the rates."""

from __future__ import annotations

from datetime import date

from openpyxl import load_workbook
from typer.testing import CliRunner

from tests.commitments.helpers import ACCEPTING, code
from tests.lists.helpers import body
from xinyong.cli import app
from xinyong.core import clock
from xinyong.core.db import session_scope

runner = CliRunner()


def test_template_import_breaches_and_rates(app_env, tmp_path):
    from xinyong.commitments.service import COLUMNS

    with session_scope() as s:
        bureau = body(s, "某县行政审批局", kind="gov_body", region="330122")
        bureau_code, bureau_name = bureau.code, bureau.name
    template = tmp_path / "t.xlsx"
    res = runner.invoke(app, ["commitments", "template", "-o", str(template)])
    assert res.exit_code == 0, res.output
    wb = load_workbook(template)
    ws = wb.worksheets[0]
    assert [c.value for c in ws[1]] == [h[0][0] for h in COLUMNS.values()]
    ws.append([code("330122", "20260301"), "期限承诺", bureau_code, bureau_name, "企业开办", "一个工作日内办结", "",
               "", "权力清单", "企业设立登记", "某县信用办", ACCEPTING, "可向社会公开", "2026-03-01", "2026-04-01", ""])
    ws.append(["123", "期限承诺", bureau_code, bureau_name, "企业开办", "一个工作日内办结", "", "", "权力清单",
               "企业设立登记", "某县信用办", ACCEPTING, "", "2026-03-01", "2026-04-01", ""])
    filled = tmp_path / "filled.xlsx"
    wb.save(filled)
    with clock.frozen_today(date(2026, 4, 2)):
        res = runner.invoke(app, ["commitments", "import", str(filled), "--user", "county_office"])
    assert res.exit_code == 1 and "登记 1 项" in res.output and "第2行 承诺编码" in res.output, res.output
    res = runner.invoke(app, ["commitments", "breaches", "--date", "2026-04-02"])
    assert res.exit_code == 0 and "新认定违诺：1" in res.output and "违诺信用记录：1" in res.output, res.output
    res = runner.invoke(app, ["commitments", "breaches", "--date", "2026-04-02"])
    assert "待认定违诺：0" in res.output and "违诺信用记录：0" in res.output, res.output
    res = runner.invoke(app, ["commitments", "rates", "--by", "body"])
    assert res.exit_code == 0 and bureau_name in res.output and "履约率 0.0%" in res.output, res.output
