"""12345-hotline work orders (12345 热线工单) as complaints: the XLSX template, reading a file,
and filing each good row; a bad row gets an error naming its row, column and reason and never
blocks the good ones (each row is filed under its own savepoint). Re-sending a work order
(same 工单编号) is idempotent: it is counted as already filed, not filed twice."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.accounts.principal import Principal
from xinyong.catalog.schemas import PolicySet
from xinyong.core.errors import InvalidInput, XinyongError
from xinyong.core.xlsx import Limits, open_workbook, set_cell
from xinyong.redress import complaint_rules as rules
from xinyong.redress import complaints
from xinyong.redress.models import Complaint

MAX_ROWS = 5000
# key → (accepted headers, the first is the template's; note; required)
COLUMNS: dict[str, tuple[list[str], str, bool]] = {
    "hotline_no": (["工单编号", "12345工单编号"], "12345 热线工单编号；同一工单重复导入不会重复登记", True),
    "filed_on": (["来电日期", "受理日期"], "YYYY-MM-DD，不晚于导入当天", True),
    "region": (["行政区划代码", "所在地区代码"], "被投诉单位所在地 6 位行政区划代码，须在您的地区权限范围内", True),
    "target_kind": (["投诉对象类型"], "政府机构 或 公务人员", True),
    "body_name": (["被投诉单位名称"], "政府机构名称，或被投诉公务人员所在单位名称", True),
    "body_code": (["被投诉单位统一社会信用代码"], "18 位；填写后按代码找到平台登记的单位", False),
    "official_name": (["被投诉公务人员姓名"], "投诉对象为公务人员时必填", False),
    "behaviour": (["失信行为"], "按政务失信行为清单的名称填写（下拉选择）", True),
    "account": (["诉求内容", "来电内容"], "失信事实经过，不超过 2000 字", True),
    "occurred_on": (["发生日期"], "YYYY-MM-DD，可不填", False),
    "name": (["来电人姓名"], "不填为匿名投诉", False),
    "phone": (["来电人电话"], "实名投诉须填写", False),
}
FIELD_COLUMN = {"target_kind": "target_kind", "body_name": "body_name", "official_name": "official_name",
                "behaviour": "behaviour", "account": "account", "region": "region", "name": "name",
                "phone": "phone", "occurred_on": "occurred_on"}


@dataclass
class RowProblem:
    row: int
    column: str
    message: str


@dataclass
class ImportOutcome:
    filed: list[tuple[int, int, str]] = field(default_factory=list)  # (row, complaint id, tracking code)
    unchanged: int = 0
    errors: list[RowProblem] = field(default_factory=list)


def template_bytes(p: PolicySet) -> bytes:
    """The XLSX template: Chinese headers with a note each (required ones in red), the behaviours
    and target kinds as drop-downs, the code columns as text. Holds no person."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = "12345工单"
    lists = wb.create_sheet("失信行为清单")
    names = list(complaints.behaviours(p).values())
    for n, name in enumerate(names, start=1):
        set_cell(lists, n, 1, name)
    choices = {"target_kind": '"' + ",".join(rules.TARGET_KINDS.values()) + '"',
               "behaviour": f"'失信行为清单'!$A$1:$A${max(len(names), 1)}"}
    for col, (key, (headers, note, required)) in enumerate(COLUMNS.items(), start=1):
        c = set_cell(ws, 1, col, headers[0])
        c.font = Font(bold=True, color="9C0006" if required else "000000")
        c.comment = Comment(("【必填】" if required else "【选填】") + note, "xinyong")
        letter = get_column_letter(col)
        ws.column_dimensions[letter].width = 24
        if key in ("hotline_no", "region", "body_code", "phone"):
            for row in range(2, 1002):
                ws.cell(row=row, column=col).number_format = "@"
        if key in choices:
            dv = DataValidation(type="list", formula1=choices[key], allow_blank=True)
            ws.add_data_validation(dv)
            dv.add(f"{letter}2:{letter}5000")
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def read_xlsx(data: bytes) -> list[dict]:
    """The rows of the first sheet as {key: value} (:data:`COLUMNS`); the workbook is looked at
    before it is parsed (:mod:`xinyong.core.xlsx`)."""
    if not data.startswith(b"PK"):
        raise InvalidInput("请上传 XLSX 格式的表格（可先下载模板）", "not an XLSX file", field="file")
    try:
        wb, ws, last_row, last_col = open_workbook(io.BytesIO(data), Limits.from_settings())
    except XinyongError:
        raise
    except Exception:
        raise InvalidInput("表格无法读取，请使用模板另存为 XLSX 后再上传", "unreadable workbook", field="file") from None
    try:
        rows = ws.iter_rows(min_row=1, max_row=max(last_row, 1), max_col=max(last_col, 1), values_only=True)
        header = [str(h or "").strip() for h in next(rows, [])]
        pos = {key: next((i for i, h in enumerate(header) if h in names), None)
               for key, (names, _note, _req) in COLUMNS.items()}
        missing = [COLUMNS[k][0][0] for k, (_n, _note, req) in COLUMNS.items() if req and pos[k] is None]
        if missing:
            raise InvalidInput(f"表格缺少必填列：{'、'.join(missing)}", f"missing columns: {missing}", field="file")
        out = []
        for row in rows:
            if not any(v not in (None, "") for v in row):
                out.append(None)  # keeps the row numbers of the rows below
                continue
            out.append({k: (row[i] if i is not None and i < len(row) else None) for k, i in pos.items()})
            if len(out) > MAX_ROWS:
                raise InvalidInput(f"一次最多导入 {MAX_ROWS:,} 行", f"at most {MAX_ROWS} rows", field="file")
        return out
    finally:
        wb.close()


def _text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else str(value).strip()


def _date(value, key: str, required: bool) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value).replace("/", "-").replace(".", "-")
    if not text:
        if required:
            raise _Bad(key, "必填")
        return None
    if text.isdigit() and len(text) == 8:
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _Bad(key, f"日期“{text}”格式不正确，应为 YYYY-MM-DD") from None


class _Bad(Exception):
    def __init__(self, key: str, message: str):
        super().__init__(message)
        self.key, self.message = key, message


def import_rows(session: Session, who: Principal, rows: list[dict | None], *, today: date,
                request_id: str | None = None, ip: str | None = None) -> ImportOutcome:
    """File each good row (row numbers as in the sheet: the header is row 1)."""
    if not complaints.is_office(who):
        raise InvalidInput("只有信用办可以导入 12345 热线工单", "only the credit office imports work orders")
    p = complaints.policy(session)
    by_name = {name: code for code, name in complaints.behaviours(p).items()}
    kinds = {name: code for code, name in rules.TARGET_KINDS.items()}
    numbers = [_text(r.get("hotline_no")) for r in rows if r]
    known = set(session.scalars(select(Complaint.hotline_no).where(Complaint.hotline_no.in_(numbers)))) \
        if numbers else set()
    out = ImportOutcome()
    for n, row in enumerate(rows, start=2):
        if row is None:
            continue
        try:
            number = _text(row.get("hotline_no"))
            if not number:
                raise _Bad("hotline_no", "必填")
            if len(number) > 40:
                raise _Bad("hotline_no", "超过 40 字")
            if number in known:
                out.unchanged += 1
                continue
            filed_on = _date(row.get("filed_on"), "filed_on", True)
            if filed_on > today:
                raise _Bad("filed_on", "来电日期不能晚于今天")
            region = _text(row.get("region"))
            if not who.covers(region):
                raise _Bad("region", f"“{region}”不是您地区权限范围内的行政区划代码")
            kind = kinds.get(_text(row.get("target_kind")), _text(row.get("target_kind")))
            behaviour = by_name.get(_text(row.get("behaviour")), _text(row.get("behaviour")))
            name = _text(row.get("name"))
            nested = session.begin_nested()
            try:
                c, code = complaints.file_complaint(
                    session, who, target_kind=kind, body_name=_text(row.get("body_name")),
                    body_code=_text(row.get("body_code")) or None, official_name=_text(row.get("official_name")) or None,
                    behaviour=behaviour, account=_text(row.get("account")), region=region,
                    occurred_on=_date(row.get("occurred_on"), "occurred_on", False), anonymous=not name,
                    name=name or None, phone=_text(row.get("phone")) or None, channel="hotline", hotline_no=number,
                    today=filed_on, request_id=request_id, ip=ip)
                nested.commit()
            except InvalidInput as exc:
                nested.rollback()
                raise _Bad(FIELD_COLUMN.get(exc.field or "", "hotline_no"), exc.zh) from None
            known.add(number)
            out.filed.append((n, c.id, code))
        except _Bad as bad:
            out.errors.append(RowProblem(n, COLUMNS[bad.key][0][0], bad.message))
    return out
