"""XLSX export of one kind of supervision input within the reader's region: the template's
columns in the template's order (so an exported file, edited, can be imported again), then, for
judicial suggestions, the overdue days on the day of the export. Written through
:mod:`xinyong.core.xlsx`, so no cell can act as a formula; at most :data:`MAX_EXPORT` rows."""

from __future__ import annotations

import io
from datetime import date

from sqlalchemy.orm import Session

from xinyong.core import xlsx
from xinyong.core.errors import InvalidInput
from xinyong.supervision.service import FIELDS, SHEET_NAMES, kind_or_404, listing

MAX_EXPORT = 100_000
BOOL_WORDS = {True: "是", False: "否"}


def _cell(row, key: str):
    if key == "body_code":
        return row.body_code
    if key == "body_name":
        return row.body_name
    if key == "region":
        return row.item.region_code
    value = getattr(row.item, key)
    if isinstance(value, bool):
        return BOOL_WORDS[value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def export_bytes(session: Session, kind: str, *, region: str | None, today: date, year: int | None = None) -> tuple[bytes, int]:
    """(the workbook, its rows). Two statements (the count and the rows)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    kind_or_404(kind)
    total, rows = listing(session, kind, region=region, today=today, year=year, limit=MAX_EXPORT)
    if total > MAX_EXPORT:
        raise InvalidInput(f"共 {total} 条，超过一次导出的上限 {MAX_EXPORT} 条，请按年度导出",
                           f"{total} rows: more than {MAX_EXPORT}, export one year at a time", field="year")
    columns = FIELDS[kind]
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_NAMES[kind]
    headers = [c.header for c in columns] + (["逾期天数"] if kind == "judicial" else [])
    for col, h in enumerate(headers, start=1):
        xlsx.set_cell(ws, 1, col, h).font = Font(bold=True)
    for n, row in enumerate(rows, start=2):
        for col, c in enumerate(columns, start=1):
            xlsx.set_cell(ws, n, col, _cell(row, c.key))
        if kind == "judicial":
            xlsx.set_cell(ws, n, len(columns) + 1, row.overdue_days)
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue(), len(rows)
