"""What the checks tests share: a candidates file as an official uploads it."""

from __future__ import annotations

import io

from openpyxl import Workbook

CANDIDATE_HEADERS = ["姓名", "公民身份号码", "地区", "出生日期"]


def candidates_xlsx(rows: list[list[str]]) -> bytes:
    """An XLSX of candidates (name, identity number, region, birth date) for a batch check."""
    wb = Workbook()
    ws = wb.active
    ws.append(CANDIDATE_HEADERS)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
