"""The parts every XLSX import shares: the template written, the file read into rows, a row's
problem named by row and column.

Several packages take rows from an official's spreadsheet (designations, commitments, supervision
inputs): each writes a template with the headers in Chinese (required ones in red) and a note on
each, reads the first sheet back keyed by those headers, checks every row whole and keeps the good
ones, listing each bad one with its row, column and reason. What differs between them is the
columns and the checks; what is the same lives here, so a fix to the reading or the template is
made once. Writing and the look before parsing stay in :mod:`xinyong.core.xlsx`.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from xinyong.core import xlsx
from xinyong.core.errors import InvalidInput

TEXT_ROWS = 1001  # the rows (after the header) whose text columns are formatted as text
CHOICE_RANGE = 5000  # the last row a drop-down reaches


@dataclass
class RowProblem:
    """A bad row: its number (1 is the first row after the header), the column's header, why."""

    row: int
    column: str
    reason: str


class RowError(Exception):
    """A row's check failed: ``column`` is the column's key, ``reason`` the Chinese message."""

    def __init__(self, column: str, reason: str):
        self.column, self.reason = column, reason


class RejectedRows:
    """For an import's result holding ``errors: list[RowProblem]``: the number of rows left out."""

    errors: list[RowProblem]

    @property
    def rejected(self) -> int:
        return len({e.row for e in self.errors})


def cell_text(value: Any) -> str:
    """A cell's value as stripped text; an empty cell is ``""``."""
    return "" if value is None else str(value).strip()


def parse_date(value: Any, column: str, required: bool = False, *, as_text: Callable[[Any], str] = cell_text) -> date | None:
    """A date cell, or text like 2026-03-01, 2026/3/1, 2026.03.01 or 20260301; None when empty and
    not required. :class:`RowError` naming ``column`` otherwise."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raw = as_text(value).replace("/", "-").replace(".", "-")
    if not raw:
        if required:
            raise RowError(column, "必填")
        return None
    if raw.isdigit() and len(raw) == 8:
        raw = f"{raw[:4]}-{raw[4:6]}-{raw[6:]}"
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise RowError(column, f"日期“{raw}”格式不正确，应为 YYYY-MM-DD") from None


# --- the template --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TemplateColumn:
    """One column of a template: its header, the note shown on it, whether it is required, whether
    it is formatted as text (codes a spreadsheet must not turn into numbers), its drop-down."""

    header: str
    note: str
    required: bool = False
    as_text: bool = False
    choices: Sequence[str] = ()


def template_bytes(title: str, columns: Sequence[TemplateColumn], guide: Iterable[str], *, width: int = 22,
                   guide_width: int | None = None,
                   extra: Callable[[Any, int, str], None] | None = None) -> bytes:
    """An import template: a sheet ``title`` with a bold header row (required headers in red, each
    with 【必填】 or 【选填】 and its note as a comment), text columns formatted as text, the choices
    as drop-downs, the header row frozen; then a sheet 填写说明 with one line of ``guide`` a row.
    ``extra(ws, column_number, letter)`` adds what one import needs beyond that. Every text is
    written through :func:`xinyong.core.xlsx.set_cell`, so none can act as a formula."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = title
    for col, c in enumerate(columns, start=1):
        cell = xlsx.set_cell(ws, 1, col, c.header)
        cell.font = Font(bold=True, color="9C0006" if c.required else "000000")
        cell.comment = Comment(("【必填】" if c.required else "【选填】") + c.note, "xinyong")
        letter = get_column_letter(col)
        ws.column_dimensions[letter].width = width
        if c.as_text:
            for row in range(2, TEXT_ROWS + 1):
                ws.cell(row=row, column=col).number_format = "@"
        if c.choices:
            dv = DataValidation(type="list", formula1='"' + ",".join(c.choices) + '"', allow_blank=True)
            ws.add_data_validation(dv)
            dv.add(f"{letter}2:{letter}{CHOICE_RANGE}")
        if extra is not None:
            extra(ws, col, letter)
    ws.freeze_panes = "A2"
    info = wb.create_sheet("填写说明")
    for n, line in enumerate(guide, start=1):
        xlsx.set_cell(info, n, 1, line)
    if guide_width is not None:
        info.column_dimensions["A"].width = guide_width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --- reading a file ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReadColumn:
    """One column to read: the key its value goes under, the headers accepted (the first is the
    one named when it is missing), whether the file must have it."""

    key: str
    headers: tuple[str, ...]
    required: bool = False


def rows_by_header(rows: Iterator[Sequence[Any]], columns: Sequence[ReadColumn], *, max_rows: int,
                   missing_hint: str = "") -> list[dict]:
    """The rows after the first (the header row) as {key: value}, found by header (unknown
    headers ignored, empty rows skipped). :class:`InvalidInput` when a required column is missing
    (``missing_hint`` added to the message) or there are more than ``max_rows`` rows."""
    header = [str(h or "").strip() for h in next(rows, [])]
    pos = {c.key: next((i for i, h in enumerate(header) if h in c.headers), None) for c in columns}
    missing = [c.headers[0] for c in columns if c.required and pos[c.key] is None]
    if missing:
        raise InvalidInput(f"表格缺少必填列：{'、'.join(missing)}{missing_hint}", f"missing columns: {missing}",
                           field="file")
    out = []
    for row in rows:
        if not any(v not in (None, "") for v in row):
            continue
        out.append({k: (row[i] if i is not None and i < len(row) else None) for k, i in pos.items()})
        if len(out) > max_rows:
            raise InvalidInput(f"一次最多导入 {max_rows:,} 行", f"at most {max_rows} rows", field="file")
    return out


def read_rows(data: bytes, columns: Sequence[ReadColumn], *, max_rows: int, missing_hint: str = "") -> list[dict]:
    """:func:`rows_by_header` of an uploaded file's first sheet, the file looked at before it is
    parsed and read no further than its last value (:func:`xinyong.core.xlsx.open_workbook`)."""
    wb, ws, last_row, last_col = xlsx.open_workbook(io.BytesIO(data))
    try:
        rows = ws.iter_rows(min_row=1, max_row=max(last_row, 1), max_col=max(last_col, 1), values_only=True)
        return rows_by_header(rows, columns, max_rows=max_rows, missing_hint=missing_hint)
    finally:
        wb.close()
