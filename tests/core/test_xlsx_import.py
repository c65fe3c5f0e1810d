"""The parts shared by the XLSX imports: template, reading by header, a row's date and text."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime

import pytest
from openpyxl import Workbook, load_workbook

from xinyong.core.errors import InvalidInput
from xinyong.core.xlsx_import import (
    ReadColumn,
    RejectedRows,
    RowError,
    RowProblem,
    TemplateColumn,
    cell_text,
    parse_date,
    read_rows,
    rows_by_header,
    template_bytes,
)

COLUMNS = [ReadColumn("code", ("代码", "统一社会信用代码"), True), ReadColumn("name", ("名称",), True),
           ReadColumn("note", ("备注",))]


def _xlsx(*rows) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_template_headers_notes_text_columns_and_choices():
    columns = [TemplateColumn("代码", "十八位代码", True, as_text=True), TemplateColumn("类型", "可选", choices=("甲", "乙")),
               TemplateColumn("=备注", "选填说明")]
    seen = []
    data = template_bytes("名单", columns, ["第一行说明", "第二行说明"], width=18, guide_width=100,
                          extra=lambda ws, col, letter: seen.append((col, letter)))
    wb = load_workbook(io.BytesIO(data))
    ws = wb["名单"]
    assert [c.value for c in ws[1]] == ["代码", "类型", "=备注"]
    assert ws["A1"].comment.text == "【必填】十八位代码" and ws["A1"].font.color.rgb.endswith("9C0006")
    assert ws["B1"].comment.text == "【选填】可选"
    assert ws["C1"].data_type == "s" and ws["C1"].quotePrefix  # never a formula
    assert ws["A2"].number_format == "@" and ws["B2"].number_format != "@"
    assert ws.column_dimensions["A"].width == 18
    assert ws.freeze_panes == "A2"
    [dv] = ws.data_validations.dataValidation
    assert dv.formula1 == '"甲,乙"' and str(dv.sqref) == "B2:B5000"
    assert seen == [(1, "A"), (2, "B"), (3, "C")]
    info = wb["填写说明"]
    assert [r[0].value for r in info.iter_rows()] == ["第一行说明", "第二行说明"]
    assert info.column_dimensions["A"].width == 100


def test_rows_read_by_header_alias_empty_rows_skipped():
    data = _xlsx(["名称", "其他", "统一社会信用代码"], ["甲公司", "x", "91330000"], [None, None, None],
                 ["乙公司", None, None])
    assert read_rows(data, COLUMNS, max_rows=10) == [
        {"code": "91330000", "name": "甲公司", "note": None}, {"code": None, "name": "乙公司", "note": None}]


def test_missing_required_column_named_with_hint():
    with pytest.raises(InvalidInput) as err:
        read_rows(_xlsx(["备注"], ["x"]), COLUMNS, max_rows=10, missing_hint="（请使用模板）")
    assert err.value.zh == "表格缺少必填列：代码、名称（请使用模板）"


def test_too_many_rows():
    rows = iter([("代码", "名称"), *[(str(n), "名") for n in range(4)]])
    with pytest.raises(InvalidInput) as err:
        rows_by_header(rows, COLUMNS, max_rows=3)
    assert "一次最多导入 3 行" in err.value.zh


def test_not_a_workbook():
    with pytest.raises(InvalidInput):
        read_rows(b"not a zip", COLUMNS, max_rows=10)


def test_dates_and_text():
    assert parse_date("2026/03/01", "d") == parse_date("2026.03.01", "d") == date(2026, 3, 1)
    assert parse_date("20260301", "d") == date(2026, 3, 1)
    assert parse_date(datetime(2026, 3, 1, 8), "d") == date(2026, 3, 1)
    assert parse_date(" ", "d") is None
    with pytest.raises(RowError) as err:
        parse_date("", "start", True)
    assert (err.value.column, err.value.reason) == ("start", "必填")
    with pytest.raises(RowError) as err:
        parse_date("2026-13-01", "end")
    assert err.value.reason == "日期“2026-13-01”格式不正确，应为 YYYY-MM-DD"
    assert parse_date(20260301.0, "d", as_text=lambda v: cell_text(int(v))) == date(2026, 3, 1)
    assert cell_text(None) == "" and cell_text("  甲 ") == "甲"


def test_rejected_counts_rows_not_problems():
    @dataclass
    class Result(RejectedRows):
        rows: int = 0
        errors: list[RowProblem] = field(default_factory=list)

    r = Result(errors=[RowProblem(2, "代码", "必填"), RowProblem(2, "名称", "必填"), RowProblem(5, "代码", "有误")])
    assert r.rejected == 2
