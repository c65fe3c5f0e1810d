"""The XLSX template a department fills in: Chinese headers generated from the catalog, a note
on each header saying what goes in it, drop-down lists for choices, and identifier columns
formatted as text so that a spreadsheet cannot turn an identity number into 3.3E+17. Written to a
file by ``xinyong template``, downloaded from the upload and policy pages
(``GET /records/templates/{category}.xlsx``)."""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from xinyong.catalog.schemas import SUBJECT_KIND_NAMES, Category, PolicySet
from xinyong.core import xlsx
from xinyong.records.columns import COMMON, template_headers
from xinyong.records.readers import TEMPLATE_KEYWORD

TEXT_COLUMNS = {COMMON["subject_code"][0], COMMON["department_code"][0], COMMON["source_id"][0], COMMON["decision_no"][0]}


def write_template(policy: PolicySet, category: Category, path: Path, *, version_label: str = "") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    build_template(policy, category, version_label=version_label).save(path)
    return path


def template_bytes(policy: PolicySet, category: Category, *, version_label: str = "") -> bytes:
    out = io.BytesIO()
    build_template(policy, category, version_label=version_label).save(out)
    return out.getvalue()


def build_template(policy: PolicySet, category: Category, *, version_label: str = "") -> Workbook:
    wb = Workbook()
    ws = wb.active
    # a sheet title may not hold []:*?/\ (a category such as “…/…” would break the download)
    ws.title = "".join("、" if ch in '[]:*?/\\' else ch for ch in category.name)[:31]
    required_fill = PatternFill("solid", fgColor="FFF2CC")
    optional_fill = PatternFill("solid", fgColor="EDEDED")
    headers = template_headers(category)
    text_columns = set(TEXT_COLUMNS)
    choices: dict[str, list[str]] = {
        COMMON["subject_kind"][0]: [SUBJECT_KIND_NAMES[k] for k in category.subject_kinds],
    }
    if category.severities:
        names = policy.severity_names()
        choices[COMMON["severity"][0]] = [names[s] for s in category.severities]
    for fact in category.facts:
        if fact.choices:
            choices[fact.name] = fact.choices
        if fact.type == "boolean":
            choices[fact.name] = ["是", "否"]
        if fact.type in ("uscc", "ric", "ric_list"):
            text_columns.add(fact.name)
    for col, (header, desc, required) in enumerate(headers, start=1):
        cell = xlsx.set_cell(ws, 1, col, header)
        cell.font = Font(bold=True, color="9C0006" if required else "000000")
        cell.fill = required_fill if required else optional_fill
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        note = ("【必填】" if required else "【选填】") + (desc or header)
        cell.comment = Comment(note, "xinyong")
        letter = get_column_letter(col)
        ws.column_dimensions[letter].width = max(14, min(40, len(header) * 2 + 4))
        if header in text_columns:
            for row in range(2, 1002):
                ws.cell(row=row, column=col).number_format = "@"
        if header in choices:
            formula = '"' + ",".join(choices[header]) + '"'
            if len(formula) <= 255:
                dv = DataValidation(type="list", formula1=formula, allow_blank=True)
                dv.error = "请从下拉列表中选择"
                ws.add_data_validation(dv)
                dv.add(f"{letter}2:{letter}5000")
    # the mark by which an upload of this workbook is known to be of this category
    wb.properties.keywords = TEMPLATE_KEYWORD
    wb.properties.category = category.code
    wb.properties.title = f"{category.name}导入模板"
    ws.freeze_panes = "A2"
    ws.row_dimensions[1].height = 32
    info = wb.create_sheet("填写说明")
    lines = [
        f"记录类别：{category.name}（{category.code}）",
        f"政策清单版本：{version_label or policy.meta.label}",
        f"说明：{category.description}" if category.description else "",
        "黄色表头为必填项，灰色为选填项；将鼠标移到表头上可看到填写要求。",
        "身份证号、统一社会信用代码等号码列已设为文本格式，请勿改为数字格式，否则末几位会丢失。",
        "日期请写成 2024-03-15 或 2024年3月15日。",
        "同一报送部门、同一来源记录编号重复报送不会重复入库；内容有变化的将形成新版本。",
        "填好后在平台“数据报送”页上传，或运行 xinyong import 本文件.xlsx；有错误的行逐行写入错误报告（网页上下载，"
        "命令行写在同目录下的 .errors.xlsx 文件），不影响其他行入库。",
    ]
    for line in lines:
        if line:
            xlsx.append(info, [line])
    info.column_dimensions["A"].width = 100
    return wb
