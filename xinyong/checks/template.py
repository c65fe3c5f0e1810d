"""The candidate-list template for 批量核查: the headers the batch reader knows
(:data:`xinyong.checks.service.HEADERS`), identifier columns as text so that a spreadsheet
cannot turn an identity number into 3.3E+17, and a sheet saying how a row without a code is
matched (only as a possible match, never punished by name)."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill

from xinyong.checks.service import HEADERS, MAX_BATCH_ROWS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

COLUMNS = (
    (HEADERS["name"][0], "姓名或单位名称", 18),
    (HEADERS["code"][0], "18位统一社会信用代码或公民身份号码（文本格式）；不知道的留空", 34),
    (HEADERS["region"][2], "6位行政区划代码，如 330106；无代码的行必填", 16),
    (HEADERS["birth_date"][0], "如 1990-01-01；无代码的自然人必填", 14),
)


def candidate_template() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "候选人名单"
    for col, (header, note, width) in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=1, column=col, value=header)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="FFF2CC")
        cell.comment = Comment(note, "xinyong")
        ws.column_dimensions[cell.column_letter].width = width
        if col in (2, 3):
            for row in range(2, 1002):
                ws.cell(row=row, column=col).number_format = "@"
    ws.freeze_panes = "A2"
    info = wb.create_sheet("填写说明")
    for line in (
        f"每行一名候选人，最多 {MAX_BATCH_ROWS:,} 行。",
        "有统一社会信用代码或公民身份号码的，按代码精确匹配，并按所选场景给出适用的奖惩措施。",
        "没有代码的，须填地区（行政区划代码）和出生日期：按姓名、地区、出生日期找到的只作“疑似匹配”，"
        "请人工核实，不会自动适用惩戒措施。",
        "身份证号码等号码列已设为文本格式，请勿改为数字格式，否则末几位会丢失。",
    ):
        info.append([line])
    info.column_dimensions["A"].width = 100
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
