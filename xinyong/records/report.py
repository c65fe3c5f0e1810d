"""The error report an official opens next to the file they sent: one line per problem, with the
row number as their spreadsheet shows it, the column header, the value, and what to do."""

from __future__ import annotations

from pathlib import Path

from openpyxl.styles import Font, PatternFill

from xinyong.core import xlsx
from xinyong.core.masking import mask_ids_in_text
from xinyong.records.ingest import ImportResult
from xinyong.records.validation import RowError

HEADERS = ["行号", "列名", "原值", "错误说明", "Error (English)"]
SHEET = "错误明细"  # the sheet of the errors, one per line (the batch page reads its first lines)


def report_path_for(path: Path) -> Path:
    return path.with_name(path.stem + ".errors.xlsx")


def _line(e: RowError) -> list:
    """One report line. A row refused because its identity number is wrong keeps the number as
    sent (the department must see what it typed to fix it); any other line has every identity
    number in it masked: the row is refused for its date or its category, and the number would
    only be a person's full number in a file that travels by e-mail (security finding 6)."""
    if e.keeps_code:
        return [e.row, e.field, e.value, e.zh, e.en]
    return [e.row, e.field, mask_ids_in_text(e.value), mask_ids_in_text(e.zh), mask_ids_in_text(e.en)]


def write_report(result: ImportResult, path: Path) -> Path:
    wb = xlsx.streamed_workbook()
    summary = wb.create_sheet("导入概况")
    bold = Font(bold=True)
    for label, value in [
        ("文件", result.file_name),
        ("导入批次", result.batch_id),
        ("政策清单版本", result.policy_version_id),
        ("总行数", result.total),
        ("新增", result.new),
        ("更新（形成新版本）", result.updated),
        ("未变化", result.unchanged),
        ("退回", result.rejected),
        ("错误条数", result.error_count),
        ("未识别而忽略的列", "、".join(result.ignored_columns) or "无"),
    ]:
        xlsx.append(summary, [label, value])
    if result.error_count > len(result.errors):
        xlsx.append(summary, ["说明", f"错误过多，仅列出前 {len(result.errors)} 条"])
    sheet = wb.create_sheet(SHEET)
    sheet.freeze_panes = "A2"
    for col, width in zip("ABCDE", (8, 28, 28, 70, 60), strict=True):
        sheet.column_dimensions[col].width = width
    header_fill = PatternFill("solid", fgColor="FDE9E7")
    cells = []
    for h in HEADERS:
        c = xlsx.cell(sheet, h)
        c.font = bold
        c.fill = header_fill
        cells.append(c)
    sheet.append(cells)
    for e in result.errors:
        xlsx.append(sheet, _line(e))
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
