"""Supervision inputs in (XLSX template, file or rows), out (lists per kind) and the supervisor's
board (督查看板).

The policy texts ask for the supervision of governments from five sides (国发〔2016〕76号 三;
浙政办发〔2017〕75号 政务 二(二); 温政办〔2017〕71号 四(二)): superior governments inspect and
assess lower ones; governments handle NPC suggestions and CPPCC proposals, and how they handle
them weighs in their integrity; they study and answer the courts' judicial suggestions in time
(及时答复); the public appraises them (万人评议机关); third parties rate them. Whoever holds these
facts — the credit office, a superior government's assessor — enters them here, one row per
body, year and document, in the templates below.

A row is checked whole; a bad row gets an error naming its row, column and reason and is left
out; the good rows are written in the caller's transaction (so a crash leaves all or none). A
row must name a government body the platform knows, within the importer's region scope (the same
rule as :func:`xinyong.accounts.access.ensure_region`, answered per row here rather than as a 403
for the whole file). Re-sending a row (the same kind, body and key — see :data:`KEYS`) updates it;
every row written is an audit entry with the state before and after.

Judicial-suggestion replies are due on the date the court's suggestion sets (答复期限): the
policy texts ask for a timely answer (及时答复) and name no number of working days, so the
deadline is a calendar date as given, and a reply is overdue from the day after it (see
:func:`overdue_days`). The board is three set-based statements, whatever the number of rows.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, case, func, or_, select, true
from sqlalchemy.orm import Session

from xinyong.accounts.principal import Principal
from xinyong.audit.service import log_event
from xinyong.core import regions, xlsx_import
from xinyong.core.codes import CodeError, clean_code, validate_uscc
from xinyong.core.errors import NotFound
from xinyong.core.xlsx_import import (
    ReadColumn,
    RejectedRows,
    RowError,
    RowProblem,
    TemplateColumn,
    cell_text,
    parse_date,
)
from xinyong.subjects.models import Subject
from xinyong.supervision.models import CATEGORIES, KINDS, SHORT_NAMES, SupervisionInput

MAX_ROWS = 20_000
YES = {"是", "Y", "YES", "TRUE", "1", "已", "√"}
NO = {"否", "N", "NO", "FALSE", "0", "未", "×"}


@dataclass(frozen=True)
class Column:
    key: str  # the model's attribute (or body_code / body_name / region)
    header: str
    note: str
    required: bool = False
    type: str = "text"  # text, date, year, bool, score, category
    choices: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    default: str | None = None

    @property
    def headers(self) -> tuple[str, ...]:
        return (self.header, *self.aliases)


_BODY = Column("body_code", "单位统一社会信用代码", "被监督的政府或部门的统一社会信用代码（须已是平台的信用主体，类别为政府机构）",
               True, aliases=("统一社会信用代码",))
_NAME = Column("body_name", "单位名称", "单位名称（核对用）")
_REGION = Column("region", "行政区划代码", "单位所在行政区划的六位代码；不填取平台登记的区划，填写的须与之一致",
                 aliases=("区划代码",))
_YEAR = Column("year", "年度", "所属年度，如 2026", True, "year")
_NOTE = Column("note", "备注", "其他说明", aliases=("说明",))
_SCORE_RULE = "不得为负数"

# Each kind's columns, in the template's order.
FIELDS: dict[str, tuple[Column, ...]] = {
    "inspections": (
        _BODY, _NAME, _REGION, _YEAR,
        Column("category", "类型", "督查 / 考核", True, "category", CATEGORIES["inspections"]),
        Column("source", "督查考核机关", "实施督查或考核的上级政府（部门）", True),
        Column("ref_no", "文号", "督查通报或考核结果的文号", aliases=("通报文号",)),
        Column("issued_on", "结果日期", "督查通报或考核结果公布的日期，如 2026-03-15", type="date"),
        Column("result", "结果等次", "如 优秀 / 良好 / 合格 / 基本合格 / 不合格，或督查结论", True,
               choices=("优秀", "良好", "合格", "基本合格", "不合格", "发现问题", "未发现问题")),
        Column("score", "得分", f"考核得分（无则不填），{_SCORE_RULE}", type="score"),
        _NOTE,
    ),
    "proposals": (
        _BODY, _NAME, _REGION, _YEAR,
        Column("category", "类别", "人大代表建议 / 政协提案", True, "category", CATEGORIES["proposals"]),
        Column("ref_no", "编号", "建议或提案的编号，如 第123号", True, aliases=("建议提案编号",)),
        Column("title", "标题", "建议或提案的标题", True),
        Column("issued_on", "交办日期", "交由该单位承办的日期", True, "date"),
        Column("deadline", "办理期限", "应办结的日期", type="date"),
        Column("done_on", "办结日期", "答复办结的日期；尚未办结的不填", type="date"),
        Column("on_time", "按时办结", "是 / 否；不填时按办结日期与办理期限判断", type="bool", choices=("是", "否")),
        Column("adopted", "采纳", "建议提案所提问题是否采纳（含部分采纳）：是 / 否", type="bool", choices=("是", "否")),
        Column("satisfied", "满意", "代表或委员对办理结果是否满意：是 / 否", type="bool", choices=("是", "否")),
        _NOTE,
    ),
    "judicial": (
        _BODY, _NAME, _REGION, _YEAR,
        Column("source", "建议法院", "提出司法建议的人民法院", True),
        Column("ref_no", "司法建议书文号", "如 （2026）浙01司建3号", True, aliases=("文号",)),
        Column("title", "事由", "司法建议所针对的问题"),
        Column("issued_on", "发出日期", "司法建议书发出的日期", True, "date"),
        Column("deadline", "答复期限", "司法建议书载明的答复期限（日历日期）", True, "date"),
        Column("done_on", "答复日期", "书面答复的日期；尚未答复的不填", type="date"),
        Column("note", "答复及落实情况", "答复内容和在工作中落实的情况", aliases=("备注",)),
    ),
    "appraisals": (
        _BODY, _NAME, _REGION, _YEAR,
        Column("source", "评议活动", "如 万人评议机关", default="万人评议机关", aliases=("评议名称",)),
        Column("score", "得分", f"评议得分或满意率（0–100），{_SCORE_RULE}", True, "score"),
        Column("result", "评议等次", "如 满意 / 基本满意 / 不满意", choices=("满意", "比较满意", "基本满意", "不满意")),
        Column("issued_on", "公布日期", "评议结果公布的日期", type="date"),
        _NOTE,
    ),
    "ratings": (
        _BODY, _NAME, _REGION, _YEAR,
        Column("source", "评价机构", "开展评价的信用服务机构、高校或科研院所（来源）", True),
        Column("title", "评价名称", "评价项目或报告名称"),
        Column("ref_no", "报告编号", "评价报告编号"),
        Column("score", "得分", f"评价得分，{_SCORE_RULE}；得分和评级至少填一项", type="score"),
        Column("result", "评级", "评价等级，如 A / B / C 或 优秀 / 良好"),
        Column("issued_on", "发布日期", "评价结果发布的日期", type="date"),
        _NOTE,
    ),
}

# What makes a row the same row when it is sent again (with kind and body).
KEYS: dict[str, tuple[str, ...]] = {
    "inspections": ("year", "category", "source", "ref_no"),
    "proposals": ("year", "category", "ref_no"),
    "judicial": ("source", "ref_no"),
    "appraisals": ("year", "source"),
    "ratings": ("year", "source", "title"),
}
# Upper bound of a score by kind (an appraisal is a share of 100; a rating may be on 1000 points).
MAX_SCORE = {"inspections": 1000.0, "appraisals": 100.0, "ratings": 1000.0}
WRITTEN = ("category", "source", "ref_no", "title", "issued_on", "deadline", "done_on", "on_time", "adopted",
           "satisfied", "score", "result", "note")
SHEET_NAMES = {"inspections": "督查考核结果", "proposals": "建议提案办理", "judicial": "司法建议",
               "appraisals": "万人评议", "ratings": "第三方评价"}
GUIDES: dict[str, tuple[str, ...]] = {
    "inspections": ("每行一个单位在一个年度的一次督查或考核结果。上级政府对下级政府的政务诚信督查和考核评价结果，"
                    "作为对下级政府绩效考核的重要参考（国发〔2016〕76号 三(一)）。",
                    "同一单位、年度、类型、督查考核机关和文号再次报送的，更新该条结果。"),
    "proposals": ("每行一件人大代表建议或政协提案在承办单位的办理情况。办理和落实情况是政务诚信建设的重要考量因素"
                  "（国发〔2016〕76号 三(二)；浙政办发〔2017〕75号 政务 二(二)2）。",
                  "“按时办结”“采纳”“满意”填 是 或 否；尚未办结的可先报送，办结后以同一编号再次报送即更新。"),
    "judicial": ("每行一份同级人民法院向政府（部门）提出的司法建议。政府要认真研究、及时答复并在工作中予以落实"
                 "（浙政办发〔2017〕75号 政务 二(二)2）。",
                 "答复期限按司法建议书载明的日期（日历日）填写；过期未答复的在督查看板上列为逾期。"
                 "答复后以同一法院和文号再次报送并填写答复日期即更新。"),
    "appraisals": ("每行一个单位在一个年度的“万人评议机关”等群众评议结果（温政办〔2017〕71号 四(二)）。",
                   "得分为 0–100 的评议得分或满意率。"),
    "ratings": ("每行一家第三方机构对一个单位的政务诚信评价评级结果，须写明评价机构（来源）"
                "（国发〔2016〕76号 三(三)；温政办〔2017〕71号 四(二)）。",
                "得分和评级至少填写一项。"),
}


def kind_or_404(kind: str) -> str:
    if kind not in KINDS:
        raise NotFound(f"没有“{kind}”这类监督信息，可选：{'、'.join(KINDS.values())}", f"unknown kind {kind}")
    return kind


# --- rules a test can call without a database ------------------------------------------------------


def overdue_days(deadline: date | None, replied: date | None, today: date) -> int:
    """Calendar days a judicial suggestion's reply is overdue on ``today``: 0 when answered or not
    yet due (the deadline day itself still counts as in time)."""
    if deadline is None or replied is not None or today <= deadline:
        return 0
    return (today - deadline).days


def replied_late(deadline: date | None, replied: date | None) -> bool:
    return deadline is not None and replied is not None and replied > deadline


def share(yes: int, recorded: int) -> float | None:
    """``yes`` of ``recorded`` (the rows where the flag was filled in); None when none was."""
    return yes / recorded if recorded else None


# --- the template --------------------------------------------------------------------------------


def template_bytes(kind: str) -> bytes:
    """The XLSX template of one kind: the headers in Chinese (required ones in red), a note on
    each, drop-downs for the columns with fixed values, codes as text, a sheet of instructions.
    Written through :mod:`xinyong.core.xlsx`, so no cell can act as a formula."""
    from openpyxl.worksheet.datavalidation import DataValidation

    kind_or_404(kind)
    fields = FIELDS[kind]

    def checks(ws, col: int, letter: str) -> None:
        c = fields[col - 1]
        if c.choices:
            dv = DataValidation(type="list", formula1='"' + ",".join(c.choices) + '"', allow_blank=True)
            dv.error, dv.errorTitle = f"请从下拉列表选择：{'、'.join(c.choices)}", "取值不在列表中"
            if c.type not in ("category", "bool"):
                dv.showErrorMessage = False  # a suggestion list: other values are allowed
            ws.add_data_validation(dv)
            dv.add(f"{letter}2:{letter}5000")
        if c.type == "score":
            dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
            dv.error, dv.errorTitle = "得分不得为负数", "得分有误"
            ws.add_data_validation(dv)
            dv.add(f"{letter}2:{letter}5000")

    columns = [TemplateColumn(c.header, c.note, c.required, as_text=c.key in ("body_code", "region", "ref_no"))
               for c in fields]
    lines = (*GUIDES[kind], "红色表头为必填列；日期写作 2026-03-15；单位须已是平台的信用主体（政府机构），且在您的地区权限范围内。",
             "每行单独校验：有误的行列出行号、列名和原因，不影响其他行；正确的行一次写入。")
    return xlsx_import.template_bytes(SHEET_NAMES[kind], columns, lines, width=20, guide_width=120, extra=checks)


def read_xlsx(kind: str, data: bytes) -> list[dict]:
    """The rows of the first sheet as {column key: value} (unknown headers ignored), the file
    looked at first (:func:`xinyong.core.xlsx.open_workbook`). :class:`InvalidInput` when it is no
    XLSX or lacks a required column."""
    kind_or_404(kind)
    return xlsx_import.read_rows(data, [ReadColumn(c.key, c.headers, c.required) for c in FIELDS[kind]],
                                 max_rows=MAX_ROWS, missing_hint=f"（请使用“{KINDS[kind]}”的模板）")


# --- the import ----------------------------------------------------------------------------------


@dataclass
class Imported(RejectedRows):
    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowProblem] = field(default_factory=list)


def _text(value: Any) -> str:
    """A cell's text, a whole number read as a float (2026.0) written without its decimals."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return cell_text(value)


def _date(value: Any, column: str) -> date | None:
    return parse_date(value, column, as_text=_text)


def _value(c: Column, raw: Any, kind: str, today: date) -> Any:
    text = _text(raw)
    if not text and not isinstance(raw, (date, datetime)):
        if c.default is not None:
            return c.default
        if c.required:
            raise RowError(c.key, "必填")
        return None
    if c.type == "date":
        return _date(raw, c.key)
    if c.type == "year":
        if not text.isdigit() or not 2000 <= int(text) <= today.year + 1:
            raise RowError(c.key, f"年度“{text}”有误，应为 2000 至 {today.year + 1} 之间的四位年份")
        return int(text)
    if c.type == "bool":
        if text.upper() in YES:
            return True
        if text.upper() in NO:
            return False
        raise RowError(c.key, f"“{text}”应填 是 或 否")
    if c.type == "score":
        try:
            score = float(text)
        except ValueError:
            raise RowError(c.key, f"得分“{text}”不是数字") from None
        if math.isnan(score) or math.isinf(score):
            raise RowError(c.key, f"得分“{text}”不是数字")
        if score < 0:
            raise RowError(c.key, "得分不得为负数")
        top = MAX_SCORE.get(kind, 1000.0)
        if score > top:
            raise RowError(c.key, f"得分不得超过 {top:g}")
        return score
    if c.type == "category" and text not in c.choices:
        raise RowError(c.key, f"“{text}”不是可选的{c.header}，可选：{'、'.join(c.choices)}")
    return text


def _body(session: Session, row: dict, who: Principal) -> Subject:
    code = clean_code(_text(row.get("body_code")))
    if not code:
        raise RowError("body_code", "必填")
    try:
        code = validate_uscc(code)
    except CodeError as exc:
        raise RowError("body_code", exc.zh) from None
    body = session.scalar(select(Subject).where(Subject.code == code))
    if body is None:
        raise RowError("body_code", "平台没有该统一社会信用代码的单位，请先报送该单位的信息")
    if body.kind != "gov_body":
        raise RowError("body_code", "该单位不是政府机构（政务诚信监督只记政府及其部门）")
    region = clean_code(_text(row.get("region")))
    if region and region != body.region_code:
        raise RowError("region", f"与该单位登记的行政区划（{body.region_code} {regions.name_of(body.region_code)}）不一致")
    if not who.covers(body.region_code):  # access.ensure_region's rule, as a row error
        raise RowError("body_code", f"该单位所在的{regions.name_of(body.region_code)}不在您的地区权限范围内")
    return body


def _checked(kind: str, row: dict, today: date) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for c in FIELDS[kind]:
        if c.key in ("body_code", "body_name", "region"):
            continue
        v = _value(c, row.get(c.key), kind, today)
        if isinstance(v, str):
            v = v[:1000 if c.key == "note" else 200 if c.key in ("source", "title") else 100 if c.key == "ref_no" else 50]
        values[c.key] = v
    issued, deadline, done = values.get("issued_on"), values.get("deadline"), values.get("done_on")
    if issued and deadline and deadline < issued:
        raise RowError("deadline", f"{_header(kind, 'deadline')}早于{_header(kind, 'issued_on')}")
    if issued and done and done < issued:
        raise RowError("done_on", f"{_header(kind, 'done_on')}早于{_header(kind, 'issued_on')}")
    if done and done > today:
        raise RowError("done_on", f"{_header(kind, 'done_on')}晚于今天")
    if kind == "proposals" and values.get("on_time") is None and done and deadline:
        values["on_time"] = done <= deadline
    if kind == "proposals" and values.get("on_time") is True and not done:
        raise RowError("on_time", "尚未填写办结日期，不能填“按时办结：是”")
    if kind == "ratings" and values.get("score") is None and not values.get("result"):
        raise RowError("score", "得分和评级至少填写一项")
    return values


def _header(kind: str, key: str) -> str:
    return next((c.header for c in FIELDS[kind] if c.key == key), key)


def natural_key(kind: str, values: dict[str, Any]) -> str:
    return "|".join(str(values.get(k) or "") for k in KEYS[kind])


def shown(item: SupervisionInput) -> dict[str, Any]:
    """A row as the audit log keeps it (before / after)."""
    out: dict[str, Any] = {"kind": item.kind, "body_id": item.body_id, "region_code": item.region_code, "year": item.year}
    for k in WRITTEN:
        v = getattr(item, k)
        out[k] = v.isoformat() if isinstance(v, date) else v
    return out


def import_rows(session: Session, kind: str, rows: Iterable[dict], *, who: Principal, today: date,
                request_id: str | None = None, ip: str | None = None) -> Imported:
    """Check and write every row (see the module's docstring); the caller commits."""
    kind_or_404(kind)
    result = Imported(kind=kind)
    seen: dict[tuple[int, str], int] = {}
    for n, row in enumerate(rows, start=1):
        result.rows += 1
        try:
            body = _body(session, row, who)
            values = _checked(kind, row, today)
            key = natural_key(kind, values)
            if (body.id, key) in seen:
                raise RowError("body_code", f"与第{seen[(body.id, key)]}行重复（同一单位的同一条{SHORT_NAMES[kind]}）")
            seen[(body.id, key)] = n
            _write(session, kind, body, values, key, who, result, request_id, ip)
        except RowError as bad:
            result.errors.append(RowProblem(n, _header(kind, bad.column), bad.reason))
    session.flush()
    return result


def _write(session: Session, kind: str, body: Subject, values: dict[str, Any], key: str, who: Principal,
           result: Imported, request_id: str | None, ip: str | None) -> None:
    year = values.pop("year")
    item = session.scalar(select(SupervisionInput).where(
        SupervisionInput.kind == kind, SupervisionInput.body_id == body.id, SupervisionInput.natural_key == key))
    if item is None:
        item = SupervisionInput(kind=kind, body_id=body.id, region_code=body.region_code, year=year, natural_key=key,
                                created_by=who.username, **{k: values.get(k) for k in WRITTEN})
        session.add(item)
        session.flush()
        result.created += 1
        log_event(session, who=who, action="create", entity="supervision_input", entity_id=item.id, subject_id=body.id,
                  after=shown(item), request_id=request_id, ip=ip)
        return
    before = shown(item)
    item.year, item.region_code = year, body.region_code
    for k in WRITTEN:
        setattr(item, k, values.get(k))
    if shown(item) == before:
        result.unchanged += 1
        return
    session.flush()
    result.updated += 1
    log_event(session, who=who, action="update", entity="supervision_input", entity_id=item.id, subject_id=body.id,
              before=before, after=shown(item), request_id=request_id, ip=ip)


# --- reading ---------------------------------------------------------------------------------------


def _scope(region: str | None):
    """The rows within a region scope (None: every region, the command line)."""
    if not region:
        return true()
    return SupervisionInput.region_code.like(regions.scope_prefix(region) + "%")


@dataclass
class Listed:
    item: SupervisionInput
    body_name: str
    body_code: str
    overdue_days: int = 0
    late: bool = False


def listing(session: Session, kind: str, *, region: str | None, today: date, year: int | None = None,
            body: str | None = None, limit: int = 100, offset: int = 0) -> tuple[int, list[Listed]]:
    """One kind's rows within ``region`` (the total and one page), the latest year first; a
    judicial suggestion with its overdue days on ``today``. Two statements."""
    kind_or_404(kind)
    conds = [SupervisionInput.kind == kind, _scope(region)]
    if year:
        conds.append(SupervisionInput.year == year)
    if body:
        conds.append(Subject.code == body.strip().upper())
    total = session.scalar(select(func.count()).select_from(SupervisionInput)
                           .join(Subject, Subject.id == SupervisionInput.body_id).where(*conds)) or 0
    q = (select(SupervisionInput, Subject.name, Subject.code).join(Subject, Subject.id == SupervisionInput.body_id)
         .where(*conds).order_by(SupervisionInput.year.desc(), SupervisionInput.region_code, SupervisionInput.id.desc())
         .limit(limit).offset(offset))
    out = []
    for item, name, code in session.execute(q).tuples():
        late = kind == "judicial" and replied_late(item.deadline, item.done_on)
        days = overdue_days(item.deadline, item.done_on, today) if kind == "judicial" else 0
        out.append(Listed(item, name, code, days, late))
    return total, out


# --- the supervisor's board ----------------------------------------------------------------------


@dataclass
class RegionFigures:
    region_code: str
    counts: dict[str, int]
    overdue: int
    proposals_recorded: tuple[int, int, int]  # rows with on_time / adopted / satisfied filled in
    proposals_yes: tuple[int, int, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def region_name(self) -> str:
        return regions.name_of(self.region_code)

    @property
    def on_time_rate(self) -> float | None:
        return share(self.proposals_yes[0], self.proposals_recorded[0])

    @property
    def adopted_rate(self) -> float | None:
        return share(self.proposals_yes[1], self.proposals_recorded[1])

    @property
    def satisfied_rate(self) -> float | None:
        return share(self.proposals_yes[2], self.proposals_recorded[2])


@dataclass
class OverdueReply:
    id: int
    body_name: str
    region_code: str
    source: str | None
    ref_no: str | None
    issued_on: date | None
    deadline: date
    days: int


@dataclass
class OverdueComplaint:
    """A complaint about government dishonesty (投诉举报) past its reply deadline."""

    id: int
    body_name: str
    region_code: str
    status: str
    escalations: int
    reply_due: date
    days: int


@dataclass
class Appraisal:
    body_name: str
    region_code: str
    year: int
    score: float
    result: str | None


@dataclass
class Board:
    year: int
    today: date
    regions: list[RegionFigures]
    overdue: list[OverdueReply]
    appraisals: list[Appraisal]
    complaints: list[OverdueComplaint] = field(default_factory=list)
    complaints_overdue: int = 0  # all of them, the list shows the first COMPLAINTS_SHOWN

    @property
    def totals(self) -> dict[str, int]:
        return {k: sum(r.counts[k] for r in self.regions) for k in KINDS}

    @property
    def overdue_total(self) -> int:
        return sum(r.overdue for r in self.regions)

    def rates(self) -> dict[str, float | None]:
        rec = [sum(r.proposals_recorded[i] for r in self.regions) for i in range(3)]
        yes = [sum(r.proposals_yes[i] for r in self.regions) for i in range(3)]
        return {"on_time": share(yes[0], rec[0]), "adopted": share(yes[1], rec[1]), "satisfied": share(yes[2], rec[2])}


OVERDUE_SHOWN = 100
APPRAISALS_SHOWN = 100
COMPLAINTS_SHOWN = 50


def _count(cond) -> Any:
    return func.sum(case((cond, 1), else_=0))


def board(session: Session, *, region: str | None, year: int, today: date) -> Board:
    """The supervisor's board for ``year`` within ``region``: per region — per city for the whole
    province (or platform), else per region code of the bodies (the city's own and its counties') —
    the inputs of each kind that year, the judicial suggestions unanswered past their deadline on
    ``today`` (whatever their year), the shares of NPC suggestions and CPPCC proposals handled on
    time, adopted and satisfied; the overdue replies themselves, the longest overdue first; and
    each body's latest appraisal score up to ``year``; and the complaints about government
    dishonesty waiting for a reply past their deadline (:mod:`xinyong.redress.complaints`, whether
    escalated or not), with their number. Four statements, each set-based."""
    t = SupervisionInput
    scope = _scope(region)
    overdue_cond = and_(t.kind == "judicial", t.done_on.is_(None), t.deadline < today)
    this_year = t.year == year
    prop = and_(this_year, t.kind == "proposals")
    by_city = not region or region.endswith("0000")
    place = func.substr(t.region_code, 1, 4) if by_city else t.region_code
    cols = [place, *(_count(and_(this_year, t.kind == k)) for k in KINDS), _count(overdue_cond)]
    for flag in (t.on_time, t.adopted, t.satisfied):
        cols += [_count(and_(prop, flag.is_not(None))), _count(and_(prop, flag == True))]  # noqa: E712
    rows = session.execute(select(*cols).where(scope, or_(this_year, overdue_cond))
                           .group_by(place).order_by(place)).all()
    figures = [RegionFigures(region_code=r[0] + "00" if by_city else r[0], counts={k: int(r[1 + i] or 0) for i, k in enumerate(KINDS)},
                             overdue=int(r[6] or 0),
                             proposals_recorded=(int(r[7] or 0), int(r[9] or 0), int(r[11] or 0)),
                             proposals_yes=(int(r[8] or 0), int(r[10] or 0), int(r[12] or 0))) for r in rows]
    figures.sort(key=lambda f: (-f.overdue, f.region_code))  # the regions with overdue replies first
    late = session.execute(
        select(t.id, Subject.name, t.region_code, t.source, t.ref_no, t.issued_on, t.deadline)
        .join(Subject, Subject.id == t.body_id).where(scope, overdue_cond)
        .order_by(t.deadline, t.id).limit(OVERDUE_SHOWN)).all()
    overdue = [OverdueReply(r[0], r[1], r[2], r[3], r[4], r[5], r[6], overdue_days(r[6], None, today)) for r in late]
    rank = func.row_number().over(partition_by=t.body_id, order_by=(t.year.desc(), t.issued_on.desc().nulls_last(), t.id.desc()))
    latest = (select(t.body_id, t.region_code, t.year, t.score, t.result, rank.label("rn"))
              .where(scope, t.kind == "appraisals", t.year <= year, t.score.is_not(None)).subquery())
    scored = session.execute(
        select(Subject.name, latest.c.region_code, latest.c.year, latest.c.score, latest.c.result)
        .join(Subject, Subject.id == latest.c.body_id).where(latest.c.rn == 1)
        .order_by(latest.c.score.desc(), Subject.name).limit(APPRAISALS_SHOWN)).all()
    appraisals = [Appraisal(r[0], r[1], r[2], float(r[3]), r[4]) for r in scored]
    complaints, complaints_total = overdue_complaints(session, region, today)
    return Board(year=year, today=today, regions=figures, overdue=overdue, appraisals=appraisals,
                 complaints=complaints, complaints_overdue=complaints_total)


def overdue_complaints(session: Session, region: str | None, today: date) -> tuple[list[OverdueComplaint], int]:
    """The complaints waiting for a reply past their deadline within ``region`` (where they are
    handled now), the longest overdue first, and their total: one statement (the total as a
    window count over the same rows)."""
    from xinyong.redress.complaints import overdue_clause
    from xinyong.redress.models import Complaint

    cond = overdue_clause(today)
    if region:
        cond = and_(cond, Complaint.region_code.like(regions.scope_prefix(region) + "%"))
    rows = session.execute(
        select(Complaint.id, Complaint.body_name, Complaint.region_code, Complaint.status, Complaint.escalations,
               Complaint.reply_due, func.count().over().label("n"))
        .where(cond).order_by(Complaint.reply_due, Complaint.id).limit(COMPLAINTS_SHOWN)).all()
    shown = [OverdueComplaint(r[0], r[1], r[2], r[3], r[4], r[5], (today - r[5]).days) for r in rows]
    return shown, int(rows[0].n) if rows else 0

