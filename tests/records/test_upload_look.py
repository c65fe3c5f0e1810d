"""The bounded look at an upload before its import is queued (issue 14, finding 9): what it
refuses and what it lets through, found without parsing — a workbook's parts searched as bytes,
a JSON Lines line's nesting and numbers counted without building it."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from openpyxl import Workbook

from tests import factories as f
from xinyong.core import xlsx
from xinyong.records import readers
from xinyong.records.readers import MAX_JSON_DEPTH, MAX_NUMBER_DIGITS, FileUnusable, scan_json_lines

SHEET = "xl/worksheets/sheet1.xml"
HEAD = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
NS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
LIMITS = xlsx.Limits(unzipped_bytes=64 * 1024 * 1024, cell_chars=1_000, rows=1_000)


def refused(words: str, fn, *args) -> str:
    """The Chinese message of the refusal ``fn(*args)`` raises; it must name ``words``."""
    with pytest.raises((xlsx.UnsafeWorkbook, FileUnusable)) as exc:
        fn(*args)
    assert words in exc.value.zh, exc.value.zh
    return exc.value.zh


def workbook(rows: list[list]) -> bytes:
    wb = Workbook()
    for r in rows:
        wb.active.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def with_sheet(sheet: bytes) -> io.BytesIO:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(workbook([["a"]]))) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, sheet if info.filename == SHEET else src.read(info.filename))
    out.seek(0)
    return out


def sheet_of(body: bytes, *, prefix: bytes = b"") -> bytes:
    p = prefix + b":" if prefix else b""
    ns = NS.replace(b"xmlns=", b"xmlns:" + prefix + b"=") if prefix else NS
    return HEAD + b"<" + p + b"worksheet " + ns + b"><" + p + b"sheetData>" + body + b"</" + p + b"sheetData></" + p + \
        b"worksheet>"


def cell(text: bytes, r: int = 1) -> bytes:
    return b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>%s</t></is></c></row>' % (r, r, text)


def test_an_ordinary_workbook_passes_and_its_rows_are_counted():
    data = io.BytesIO(workbook([list(f.penalty_row(1)), *[list(f.penalty_row(i).values()) for i in range(1, 6)]]))
    shape = xlsx.scan_workbook(data, LIMITS)
    assert shape.row_tags[SHEET] == 6 and shape.unzipped_bytes > 0


def test_a_cell_is_bounded_in_characters_not_bytes():
    chinese = "信" * 1_000  # 3,000 bytes, 1,000 characters: at the limit, not over it
    xlsx.scan_workbook(with_sheet(sheet_of(cell(chinese.encode()))), LIMITS)
    xlsx.scan_workbook(with_sheet(sheet_of(cell(b"&amp;" * 1_000))), LIMITS)  # 1,000 characters as entities
    refused("1,000", xlsx.scan_workbook, with_sheet(sheet_of(cell(b"A" * 1_001))), LIMITS)
    refused("1,000", xlsx.scan_workbook, with_sheet(sheet_of(cell(b"A" * ((4 << 20) + 10)))),
                           xlsx.Limits(unzipped_bytes=64 << 20, cell_chars=1_000, rows=1_000))


def test_rows_are_counted_by_tag_by_number_and_under_a_prefix():
    many = b"".join(cell(b"x", r) for r in range(1, 1_002))
    refused("行上限", xlsx.scan_workbook, with_sheet(sheet_of(many)), LIMITS)
    refused("行上限", xlsx.scan_workbook, with_sheet(sheet_of(cell(b"x", 5_000))), LIMITS)
    prefixed = b"".join(b'<x:row r="%d"/>' % r for r in range(1, 1_002))
    refused("行上限", xlsx.scan_workbook, with_sheet(sheet_of(prefixed, prefix=b"x")), LIMITS)
    xlsx.scan_workbook(with_sheet(sheet_of(b"".join(cell(b"x", r) for r in range(1, 1_000)))), LIMITS)


def test_a_part_in_another_encoding_or_with_a_dtd_is_refused():
    latin = b'<?xml version="1.0" encoding="ISO-8859-1"?>' + sheet_of(cell(b"x"))[len(HEAD):]
    refused("UTF-8", xlsx.scan_workbook, with_sheet(latin), LIMITS)
    utf16 = sheet_of(cell(b"x")).replace(b"UTF-8", b"UTF-16").decode().encode("utf-16")
    refused("UTF-8", xlsx.scan_workbook, with_sheet(utf16), LIMITS)
    dtd = HEAD + b'<!DOCTYPE worksheet [<!ENTITY e "x">]>' + sheet_of(cell(b"&e;"))[len(HEAD):]
    refused("文档类型声明", xlsx.scan_workbook, with_sheet(dtd), LIMITS)
    hidden = HEAD + b"<!-- <worksheet> -->\n<?pi <worksheet>?>" + b" " * 10_000 + dtd[len(HEAD):]
    refused("文档类型声明", xlsx.scan_workbook, with_sheet(hidden), LIMITS)
    padded = HEAD + b"<!--" + b"x" * (5 << 20) + b"-->" + dtd[len(HEAD):]  # past the first piece read
    refused("开头异常", xlsx.scan_workbook, with_sheet(padded), xlsx.Limits(64 << 20, 10 << 20, 1_000))


def write(tmp_path, lines: list[str], encoding: str = "utf-8"):
    path = tmp_path / "x.jsonl"
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def test_json_lines_within_the_bounds_pass(tmp_path):
    row = json.dumps(f.penalty_row(1), ensure_ascii=False)
    nested = json.dumps({"a": [[["x"]]], "b": "[" * 500 + "{", "c": "9" * 500, "d": 12345678901234567890})
    assert scan_json_lines(write(tmp_path, [row, "", nested, row])) == 3
    deepest = '{"a": ' + "[" * (MAX_JSON_DEPTH - 1) + "]" * (MAX_JSON_DEPTH - 1) + "}"
    assert scan_json_lines(write(tmp_path, [row, deepest])) == 2
    assert scan_json_lines(write(tmp_path, [row], "gb18030")) == 1


@pytest.mark.parametrize("line, words", [
    ('{"a": ' + "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH + "}", "嵌套"),
    ('{"a": ' + "[" * 100_000 + "}", "括号不配对"),  # never closed: the parser would recurse all the same
    ('{"a": ' + "{" * 50 + "}" * 50 + "}", "嵌套"),
    ('{"a": ' + "1" * (MAX_NUMBER_DIGITS + 1) + "}", "位数过多"),
    ('{"a": -0.' + "1" * 5_000 + "}", "位数过多"),
])
def test_a_line_too_deep_or_a_number_too_long_is_named(tmp_path, line, words):
    row = json.dumps(f.penalty_row(1), ensure_ascii=False)
    assert "第 2 行" in refused(words, scan_json_lines, write(tmp_path, [row, line]))


def test_a_first_line_that_is_no_object_is_refused(tmp_path):
    refused("不是 JSON 对象", scan_json_lines, write(tmp_path, ["[1, 2]"]))
    refused("空", scan_json_lines, write(tmp_path, ["", "  "]))


def test_a_csv_is_looked_at_for_its_encoding(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"\xff\xfe\xfa\xfb" * 10)
    refused("编码", readers.inspect_upload, path)
