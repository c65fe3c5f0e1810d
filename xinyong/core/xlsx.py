"""Every XLSX the platform writes goes through here, so that no text in it can act as a formula.

A subject's name, a row's value in an error report or a reason for listing comes from outside;
openpyxl stores a string that starts with ``=`` as a formula, and a spreadsheet program evaluates
it when the file is opened (``=HYPERLINK(...)`` sends whoever clicks it to the sender's address,
``=WEBSERVICE(...)`` leaks neighbouring cells). Text cells here are stored as text (type ``s``)
and, when they start with ``=``, ``+``, ``-`` or ``@`` (the characters a spreadsheet reads as the
start of a formula), flagged *quote prefix* as well: the cell shows the text as it was sent and
stays text even when an official edits it and presses Enter. The value itself is never altered,
so a file read back gives what was written. Characters XML cannot carry (control characters that
openpyxl refuses with an error) are dropped, so one odd name never breaks a whole export.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, WriteOnlyCell

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def clean_text(value: str) -> str:
    """The text without the control characters an XLSX cannot hold."""
    return ILLEGAL_CHARACTERS_RE.sub("", value)


def is_risky(value: Any) -> bool:
    """Whether a value, written as it is, could be read as a formula by a spreadsheet program."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def text_inert(cell) -> None:
    """Make a cell holding a string a text cell for good (type ``s``, quote prefix when risky)."""
    if isinstance(cell.value, str):
        cell.data_type = "s"
        if cell.value.startswith(FORMULA_STARTS):
            cell.quotePrefix = True


def cell(ws, value: Any):
    """One cell for a write-only sheet; strings become inert text cells, other values pass as they are."""
    if isinstance(value, str):
        value = clean_text(value)
    c = WriteOnlyCell(ws, value=value)
    text_inert(c)
    return c


def safe_row(ws, values: Iterable[Any]) -> list:
    """A row for ``ws.append``: strings as inert cells, numbers, dates and styled cells unchanged."""
    out: list = []
    for v in values:
        if isinstance(v, str):
            out.append(cell(ws, v))
        else:
            out.append(v)
    return out


def append(ws, values: Iterable[Any]) -> None:
    """``ws.append`` for a write-only sheet, with every string written as inert text."""
    ws.append(safe_row(ws, values))


def set_cell(ws, row: int, column: int, value: Any):
    """``ws.cell(row, column, value)`` for an ordinary (not write-only) sheet, strings as inert text."""
    if isinstance(value, str):
        value = clean_text(value)
    c = ws.cell(row=row, column=column, value=value)
    text_inert(c)
    return c


def streamed_workbook() -> Workbook:
    """A write-only workbook: rows go to disk as they are appended, memory stays flat."""
    return Workbook(write_only=True)
