"""12345-hotline work orders (12345 热线工单) as complaints: the XLSX template, reading a file,
and filing the good rows together; a bad row gets an error naming its row, column and reason and
never blocks the good ones (every row is checked in memory before anything is written). Re-sending a work order
(same 工单编号) is idempotent: it is counted as already filed, not filed twice."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from xinyong.accounts.models import Department
from xinyong.accounts.principal import Principal
from xinyong.audit.service import log_event
from xinyong.catalog.schemas import PolicySet
from xinyong.core.db import utcnow
from xinyong.core.errors import InvalidInput, XinyongError
from xinyong.core.masking import mask_ids_in_text
from xinyong.core.xlsx import Limits, open_workbook, set_cell
from xinyong.core.xlsx_import import RowError, parse_date
from xinyong.redress import complaint_rules as rules
from xinyong.redress import complaints
from xinyong.redress.models import Complaint, ComplaintEvent
from xinyong.subjects.models import Post, Subject

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
    """:func:`xinyong.core.xlsx_import.parse_date` (a whole number read as one), its refusal as
    this module's row error."""
    try:
        return parse_date(value, key, required, as_text=_text)
    except RowError as exc:
        raise _Bad(exc.column, exc.reason) from None


class _Bad(Exception):
    def __init__(self, key: str, message: str):
        super().__init__(message)
        self.key, self.message = key, message


@dataclass
class _Good:
    row: int
    number: str
    filed_on: date
    region: str
    kind: str
    behaviour: str
    occurred_on: date | None
    anonymous: bool
    body_code: str | None
    v: dict


def _check_row(p: PolicySet, who: Principal, row: dict, today: date, kinds: dict, by_name: dict,
               n: int) -> _Good:
    """One row checked in memory, in the order the fields are read; the first problem is raised."""
    number = _text(row.get("hotline_no"))
    filed_on = _date(row.get("filed_on"), "filed_on", True)
    if filed_on > today:
        raise _Bad("filed_on", "来电日期不能晚于今天")
    region = _text(row.get("region"))
    if not who.covers(region):
        raise _Bad("region", f"“{region}”不是您地区权限范围内的行政区划代码")
    kind = kinds.get(_text(row.get("target_kind")), _text(row.get("target_kind")))
    behaviour = by_name.get(_text(row.get("behaviour")), _text(row.get("behaviour")))
    name = _text(row.get("name"))
    occurred_on = _date(row.get("occurred_on"), "occurred_on", False)
    try:
        v = complaints.check_filing(
            p, target_kind=kind, body_name=_text(row.get("body_name")),
            official_name=_text(row.get("official_name")) or None, behaviour=behaviour,
            account=_text(row.get("account")), region=region, anonymous=not name, name=name or None,
            phone=_text(row.get("phone")) or None)
        if occurred_on is not None and occurred_on > filed_on:
            raise InvalidInput("失信行为发生日期不能晚于今天", "occurred_on is in the future", field="occurred_on")
    except InvalidInput as exc:
        raise _Bad(FIELD_COLUMN.get(exc.field or "", "hotline_no"), exc.zh) from None
    return _Good(n, number, filed_on, region, kind, behaviour, occurred_on, not name,
                 _text(row.get("body_code")).upper() or None, v)


def _bodies(session: Session, good: list[_Good]) -> dict[int, tuple | None]:
    """row → (id, name, code, region) of the body each good row names, as
    :func:`complaints.find_body` finds it (by USCC, else the only body of that exact name in the
    region): two queries for the whole file."""
    cols = (Subject.id, Subject.name, Subject.code, Subject.region_code)
    codes = {g.body_code for g in good if g.body_code}
    by_code: dict[str, tuple] = {}
    if codes:
        for r in session.execute(select(*cols).where(Subject.kind == "gov_body", Subject.code.in_(codes))
                                 .order_by(Subject.id)):
            by_code.setdefault(r.code, tuple(r))
    names = {g.v["body_name"] for g in good}
    by_name: dict[tuple[str, str], list[tuple]] = {}
    if names:
        q = select(*cols).where(Subject.kind == "gov_body", Subject.name.in_(names),
                                Subject.region_code.in_({g.region for g in good}))
        for r in session.execute(q):
            by_name.setdefault((r.name, r.region_code), []).append(tuple(r))
    out: dict[int, tuple | None] = {}
    for g in good:
        found = by_code.get(g.body_code) if g.body_code else None
        if found is None:
            same = by_name.get((g.v["body_name"], g.region), [])
            found = same[0] if len(same) == 1 else None
        out[g.row] = found
    return out


def _officials(session: Session, good: list[_Good], bodies: dict[int, tuple | None]) -> dict[int, int | None]:
    """row → the public servant named holding a post at the body on the day (one query; as
    :func:`complaints._official`: only where exactly one post matches)."""
    wanted = [g for g in good if bodies[g.row] is not None and g.v.get("official_name")]
    if not wanted:
        return {}
    posts: dict[tuple[int, str], list] = {}
    q = (select(Subject.id, Subject.name, Post.body_id, Post.start_date, Post.end_date)
         .join(Post, Post.person_id == Subject.id)
         .where(Subject.kind == "public_servant", Subject.name.in_({g.v["official_name"] for g in wanted}),
                Post.body_id.in_({bodies[g.row][0] for g in wanted})))
    for r in session.execute(q):
        posts.setdefault((r.body_id, r.name), []).append(r)
    out = {}
    for g in wanted:
        on = g.occurred_on or g.filed_on
        hits = [r.id for r in posts.get((bodies[g.row][0], g.v["official_name"]), [])
                if r.start_date <= on and (r.end_date is None or r.end_date >= on)]
        out[g.row] = hits[0] if len(hits) == 1 else None
    return out


def import_rows(session: Session, who: Principal, rows: list[dict | None], *, today: date,
                request_id: str | None = None, ip: str | None = None) -> ImportOutcome:
    """File each good row (row numbers as in the sheet: the header is row 1). Set-based: every
    row is checked in memory (the same checks, in the same order, as the public form), the work
    orders already filed are found with one query, the bodies, officials and departments with
    one query each, and the good rows and their case-file rows are written with one insert each
    (the new ids read back by work-order number, which is unique), with one audit entry for the file. A bad row never blocks the good ones; a work order that
    appears twice is filed once (the second counted as already filed)."""
    if not complaints.is_office(who):
        raise InvalidInput("只有信用办可以导入 12345 热线工单", "only the credit office imports work orders")
    p = complaints.policy(session)
    by_name = {name: code for code, name in complaints.behaviours(p).items()}
    kinds = {name: code for code, name in rules.TARGET_KINDS.items()}
    numbers = {_text(r.get("hotline_no")) for r in rows if r} - {""}
    known = set(session.scalars(select(Complaint.hotline_no).where(Complaint.hotline_no.in_(numbers)))) \
        if numbers else set()
    out = ImportOutcome()
    good: list[_Good] = []
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
            good.append(_check_row(p, who, row, today, kinds, by_name, n))
            known.add(number)
        except _Bad as bad:
            out.errors.append(RowProblem(n, COLUMNS[bad.key][0][0], bad.message))
    if not good:
        return out
    bodies = _bodies(session, good)
    officials = _officials(session, good, bodies)
    body_codes = {b[2] for b in bodies.values() if b is not None}
    depts: dict[str, tuple] = {}
    if body_codes:
        for d in session.execute(select(Department.code, Department.region_code, Department.name)
                                 .where(Department.code.in_(body_codes), Department.active.is_(True))
                                 .order_by(Department.id)):
            depts.setdefault(d.code, tuple(d))
    workdays = p.complaints.reply_workdays
    dues = {day: rules.reply_due(day, workdays) for day in {g.filed_on for g in good}}
    now = utcnow()
    values, codes, notes = [], [], []
    for g in good:
        body = bodies[g.row]
        if body is not None and body[2] in depts:
            _code, to_region, dept_name = depts[body[2]]
            dept_code = _code
        else:
            to_region, dept_code, dept_name = (body[3] if body is not None else g.region), None, None
        d = dues[g.filed_on]
        code = complaints.new_tracking_code()
        codes.append(code)
        values.append({
            "channel": "hotline", "hotline_no": g.number, "tracking_hash": complaints.tracking_hash(code),
            "anonymous": g.anonymous, "complainant_name": None if g.anonymous else g.v["name"],
            "complainant_phone": None if g.anonymous else g.v["phone"], "target_kind": g.kind,
            "body_id": body[0] if body else None, "body_name": body[1] if body else g.v["body_name"],
            "official_id": officials.get(g.row), "official_name": g.v["official_name"],
            "behaviour_code": g.behaviour, "account": mask_ids_in_text(g.v["account"] or ""),
            "occurred_on": g.occurred_on, "origin_region": to_region, "region_code": to_region,
            "department_code": dept_code, "department_name": dept_name, "filed_on": g.filed_on, "status": "routed",
            "reply_due": d.due, "due_provisional": d.provisional, "escalations": 0, "created_at": now,
            "updated_at": now,
        })
        notes.append((complaints.filed_note("hotline", g.number, g.anonymous),
                      complaints.routed_note(dept_name, to_region, workdays)))
    session.execute(insert(Complaint.__table__), values)
    numbers = [g.number for g in good]
    id_of = dict(session.execute(select(Complaint.hotline_no, Complaint.id)
                                 .where(Complaint.hotline_no.in_(numbers))).all())
    ids = [id_of[number] for number in numbers]
    by = who.label[:100]
    session.execute(insert(ComplaintEvent.__table__), [
        ev for cid, g, (filed, routed) in zip(ids, good, notes, strict=True)
        for ev in ({"complaint_id": cid, "action": "filed", "on": g.filed_on, "by": by, "note": filed, "at": now},
                   {"complaint_id": cid, "action": "routed", "on": g.filed_on, "by": "平台", "note": routed,
                    "at": now})])
    log_event(session, who=who, action="complaint_import", entity="complaint", entity_id=None,
              after={"channel": "hotline", "filed": len(ids), "unchanged": out.unchanged, "errors": len(out.errors),
                     "ids": ids, "hotline_nos": numbers},
              subject_ids=[v["official_id"] or v["body_id"] for v in values if v["official_id"] or v["body_id"]],
              request_id=request_id, ip=ip)
    session.flush()
    out.filed = [(g.row, cid, code) for g, cid, code in zip(good, ids, codes, strict=True)]
    return out
