"""信用承诺: register, import, change of status, breach → record, fulfilment rates.

A commitment is registered by the credit office or a reporting department, one at a time or
from the XLSX template; each row is checked whole (its code's structure, its kind from the
policy list ``commitment_kinds.yaml``, its subject on the platform and inside the caller's
region, the list item or service area its kind needs, its dates), a bad row gets an error naming
its row, column and reason and is left out, the good ones are written in the caller's
transaction. Every write is an audit entry with the state before and after.

A breach — a commitment still 履行中 the day after its due date (the daily run), or reported by
an official — becomes a record of 违背信用承诺 (``commitment_breach``) written through the
records' own path (:func:`xinyong.records.ingest.import_source`: the same validation, periods
and versioning as any department's record), the commitment as its source
(``source_id = commitment:<code>``, the accepting unit as the reporting department). The
commitment names the record it became (``breach_record_id``); only commitments without one are
picked up, and the records' unique key (department, source id) stands behind that, so however
often the run is repeated the record is written once.

The daily run and the rates are set-based: one statement selects the due commitments with their
subjects, one update marks them breached, one batch writes the records, one update links them;
rates are one ``GROUP BY``.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, case, func, literal, or_, select, update
from sqlalchemy.orm import Session

from xinyong.accounts.principal import Principal
from xinyong.audit.service import log_download, log_event
from xinyong.catalog import service as catalog_service
from xinyong.catalog.schemas import CommitmentKind, CommitmentKindList
from xinyong.commitments import rules
from xinyong.commitments.models import DISCLOSURES, STATUSES, Commitment
from xinyong.core import regions, xlsx_import
from xinyong.core.codes import CodeError, clean_code, validate_uscc
from xinyong.core.db import utcnow
from xinyong.core.errors import Forbidden, InvalidInput, NotFound
from xinyong.core.xlsx import append, streamed_workbook
from xinyong.core.xlsx_import import (
    ReadColumn,
    RejectedRows,
    RowError,
    RowProblem,
    TemplateColumn,
    cell_text,
    parse_date,
)
from xinyong.records.models import Record
from xinyong.subjects.models import NATURAL_KINDS, Subject

MAX_ROWS = 20_000
BREACH_CATEGORY = "commitment_breach"  # 违背信用承诺 (catalog.yaml)
SOURCE_PREFIX = "commitment:"
DAILY_USER = "daily"

# column → (headers accepted, what goes in it, required)
COLUMNS: dict[str, tuple[tuple[str, ...], str, bool]] = {
    "code": (("承诺编码", "承诺书编号", "承诺编号"), "20位：受理地6位行政区划代码+8位日期(YYYYMMDD)+6位顺序号", True),
    "kind": (("承诺类型",), "见“承诺类型”下拉选项", True),
    "subject_code": (("承诺主体代码", "统一社会信用代码或公民身份号码", "统一社会信用代码"),
                     "承诺主体的统一社会信用代码或公民身份号码（须已是平台的信用主体）", True),
    "subject_name": (("承诺主体名称", "主体名称"), "承诺主体名称（核对用）", True),
    "matter": (("承诺事由",), "作出承诺的事由", True),
    "content": (("承诺内容",), "承诺的具体内容", True),
    "liability": (("违诺责任",), "违背承诺应承担的责任", False),
    "service_area": (("服务领域",), "街道和乡镇公开承诺必填：就业、就学、养老、医保等", False),
    "list_kind": (("所依清单",), "权力清单 / 责任清单 / 公共服务清单；政府服务承诺必填", False),
    "list_item": (("清单事项",), "所依清单中的事项名称；政府服务承诺必填", False),
    "accepting_unit": (("承诺受理单位",), "受理承诺的单位全称", True),
    "accepting_code": (("受理单位统一社会信用代码",), "受理单位的18位统一社会信用代码（违诺记录的报送部门）", True),
    "disclosure": (("公开类型",), "可向社会公开 / 特定范围内公开 / 不可公开；不填为可向社会公开", False),
    "made_on": (("承诺作出日期", "作出日期"), "如 2026-03-01", True),
    "due_on": (("履行期限", "承诺履行期限"), "应履行完毕的日期；逾期未履行的次日认定为违诺", False),
    "evidence": (("佐证材料说明", "佐证材料"), "佐证材料的名称或说明", False),
}
DISCLOSURE_BY_NAME = {name: code for code, name in DISCLOSURES.items()}
STATUS_BY_NAME = {name: code for code, name in STATUSES.items()}


@dataclass
class Imported(RejectedRows):
    rows: int = 0
    created: int = 0
    errors: list[RowProblem] = field(default_factory=list)


def kind_list(session: Session) -> CommitmentKindList:
    """The commitment kinds of the policy in force."""
    return catalog_service.active_version(session)[1].commitment_kinds


def kind_names(session: Session) -> dict[str, str]:
    return {k.code: k.name for k in kind_list(session).kinds}


# --- the template and reading a file ------------------------------------------------------------


def template_bytes(kinds: CommitmentKindList) -> bytes:
    """The XLSX template: Chinese headers with a note each (required ones in red), the kinds,
    lists and disclosure types as drop-downs, the code columns as text."""
    choices = {
        "kind": [k.name for k in kinds.kinds],
        "list_kind": list(kinds.list_kinds.values()),
        "disclosure": list(DISCLOSURES.values()),
        "service_area": kinds.service_areas,
    }
    columns = [TemplateColumn(headers[0], note, required, as_text=key in ("code", "subject_code", "accepting_code"),
                              choices=choices.get(key) or ())
               for key, (headers, note, required) in COLUMNS.items()]
    return xlsx_import.template_bytes("信用承诺", columns, (
        "每行一项信用承诺。承诺编码20位：受理地6位行政区划代码、8位日期（YYYYMMDD）、6位顺序号，全部为数字。",
        "承诺主体须已是平台的信用主体，且在您的地区权限范围内。",
        "政府服务质量、期限、保障承诺须填写所依清单（权力清单、责任清单、公共服务清单）及清单事项；"
        "街道和乡镇公开承诺须填写服务领域。",
        "填写履行期限的，期限届满仍为“履行中”的，次日由每日例行任务认定为违诺，并记入“违背信用承诺”信用记录。",
        "每行单独校验，错误的行列出行号、列名和原因，不影响其他行。",
    ))


def read_xlsx(data: bytes) -> list[dict]:
    """The rows of the first sheet as {column: value}, keyed by :data:`COLUMNS` (unknown headers
    are ignored). The workbook is looked at before it is parsed (:mod:`xinyong.core.xlsx`)."""
    return xlsx_import.read_rows(data, [ReadColumn(key, headers, required)
                                        for key, (headers, _note, required) in COLUMNS.items()], max_rows=MAX_ROWS)


# --- checking and writing rows ------------------------------------------------------------------


def _required(row: dict, key: str, width: int | None = None) -> str:
    value = cell_text(row.get(key))
    if not value:
        raise RowError(key, "必填")
    if width is not None and len(value) > width:
        raise RowError(key, f"超过{width}字")
    return value


def _subject(session: Session, raw: str, name: str) -> Subject:
    from xinyong.subjects import service as subjects
    from xinyong.subjects.identity import lookup_key

    try:
        cleaned = subjects.check_code(raw)
    except NotFound as exc:
        raise RowError("subject_code", exc.zh) from None
    subject = session.scalar(select(Subject).where(Subject.code == lookup_key(cleaned)))
    if subject is None:
        raise RowError("subject_code", "平台没有该代码的信用主体，请先报送其信息")
    if subject.name != name:
        shown = subject.name[0] + "*" if subject.kind in NATURAL_KINDS else subject.name
        raise RowError("subject_name", f"名称与平台登记的“{shown}”不一致，请核实")
    return subject


def _check(session: Session, row: dict, who: Principal, kinds: CommitmentKindList, today: date,
           seen: dict[str, int] | None = None, n: int = 0) -> dict:
    """A row checked whole: the values to store, or :class:`RowError` naming the first wrong field."""
    try:
        code = rules.validate_code(cell_text(row.get("code")))
    except rules.CodeProblem as exc:
        raise RowError("code", exc.zh) from None
    if rules.code_date(code) > today:
        raise RowError("code", f"承诺编码中的日期 {rules.code_date(code).isoformat()} 晚于今天")
    if seen is not None and code in seen:
        raise RowError("code", f"与第 {seen[code]} 行的承诺编码重复")
    if session.scalar(select(Commitment.id).where(Commitment.code == code)) is not None:
        raise RowError("code", "该承诺编码已登记")
    kind_raw = _required(row, "kind")
    kind: CommitmentKind | None = kinds.kind(kind_raw)
    if kind is None:
        raise RowError("kind", f"“{kind_raw}”不是政策清单中的承诺类型，可选：{'、'.join(k.name for k in kinds.kinds)}")
    subject = _subject(session, _required(row, "subject_code"), _required(row, "subject_name"))
    if subject.kind not in kind.subject_kinds:
        raise RowError("subject_code", f"{kind.name}不能由该类信用主体作出")
    if not who.covers(subject.region_code):
        raise RowError("subject_code", "该信用主体不在您的地区权限范围内")
    area = cell_text(row.get("service_area")) or None
    if kind.needs_service_area and not area:
        raise RowError("service_area", f"{kind.name}须填写服务领域")
    if area and area not in kinds.service_areas:
        raise RowError("service_area", f"“{area}”不是政策清单中的服务领域，可选：{'、'.join(kinds.service_areas)}")
    list_raw = cell_text(row.get("list_kind"))
    list_kind = None
    if list_raw:
        list_kind = next((c for c, nm in kinds.list_kinds.items() if list_raw in (c, nm)), None)
        if list_kind is None:
            raise RowError("list_kind", f"“{list_raw}”不是可选的清单，可选：{'、'.join(kinds.list_kinds.values())}")
    list_item = cell_text(row.get("list_item"))[:200] or None
    if kind.needs_list_item and not (list_kind and list_item):
        raise RowError("list_kind" if not list_kind else "list_item", f"{kind.name}须写明所依清单及清单事项")
    accepting_unit = _required(row, "accepting_unit", 200)
    try:
        accepting_code = validate_uscc(clean_code(_required(row, "accepting_code")))
    except CodeError as exc:
        raise RowError("accepting_code", exc.zh) from None
    disclosure_raw = cell_text(row.get("disclosure")) or DISCLOSURES["public"]
    disclosure = DISCLOSURE_BY_NAME.get(disclosure_raw, disclosure_raw if disclosure_raw in DISCLOSURES else None)
    if disclosure is None:
        raise RowError("disclosure", f"“{disclosure_raw}”不是公开类型，可选：{'、'.join(DISCLOSURES.values())}")
    made_on = parse_date(row.get("made_on"), "made_on", True)
    assert made_on is not None
    if made_on > today:
        raise RowError("made_on", "承诺作出日期晚于今天")
    due_on = parse_date(row.get("due_on"), "due_on", False)
    if due_on is not None and due_on < made_on:
        raise RowError("due_on", "履行期限早于承诺作出日期")
    return {
        "code": code, "kind": kind.code, "subject_id": subject.id, "region_code": subject.region_code,
        "matter": _required(row, "matter", 200), "content": _required(row, "content", 4000),
        "liability": cell_text(row.get("liability"))[:2000] or None, "service_area": area, "list_kind": list_kind,
        "list_item": list_item, "accepting_unit": accepting_unit, "accepting_code": accepting_code,
        "disclosure": disclosure, "made_on": made_on, "due_on": due_on,
        "evidence": cell_text(row.get("evidence"))[:2000] or None,
    }


def shown(c: Commitment) -> dict:
    """A commitment's state as the audit log keeps it (before / after)."""
    return {
        "code": c.code, "kind": c.kind, "subject_id": c.subject_id, "region_code": c.region_code,
        "matter": c.matter, "status": c.status, "status_on": c.status_on.isoformat() if c.status_on else None,
        "status_reason": c.status_reason, "due_on": c.due_on.isoformat() if c.due_on else None,
        "made_on": c.made_on.isoformat() if c.made_on else None, "disclosure": c.disclosure,
        "list_kind": c.list_kind, "list_item": c.list_item, "service_area": c.service_area,
        "evidence": c.evidence, "breach_record_id": c.breach_record_id,
    }


def import_rows(session: Session, rows: Iterable[dict], *, who: Principal, today: date,
                request_id: str | None = None, ip: str | None = None) -> Imported:
    """Check every row and write the good ones in the caller's transaction (the caller commits)."""
    kinds = kind_list(session)
    result = Imported()
    seen: dict[str, int] = {}
    for n, row in enumerate(rows, start=1):
        result.rows += 1
        try:
            values = _check(session, row, who, kinds, today, seen, n)
        except RowError as bad:
            header = COLUMNS[bad.column][0][0] if bad.column in COLUMNS else bad.column
            result.errors.append(RowProblem(n, header, bad.reason))
            continue
        seen[values["code"]] = n
        _create(session, values, who, request_id, ip)
        result.created += 1
    session.flush()
    return result


def create(session: Session, row: dict, *, who: Principal, today: date, request_id: str | None = None,
           ip: str | None = None) -> Commitment:
    """One commitment; :class:`InvalidInput` naming the field when the row is wrong."""
    try:
        values = _check(session, row, who, kind_list(session), today)
    except RowError as bad:
        header = COLUMNS[bad.column][0][0] if bad.column in COLUMNS else bad.column
        raise InvalidInput(f"{header}：{bad.reason}", f"{bad.column}: invalid", field=bad.column) from None
    return _create(session, values, who, request_id, ip)


def _create(session: Session, values: dict, who: Principal, request_id: str | None, ip: str | None) -> Commitment:
    c = Commitment(**values, status="in_force", created_by=who.username)
    session.add(c)
    session.flush()
    log_event(session, who=who, action="create", entity="commitment", entity_id=c.id, subject_id=c.subject_id,
              after=shown(c), request_id=request_id, ip=ip)
    return c


# --- a signed repair commitment ------------------------------------------------------------------

REPAIR_KIND = "credit_repair"  # commitment_kinds.yaml: 信用修复承诺
REPAIR_SERIAL_FROM = 900_000  # serials of commitments taken from repairs: 900001 on, apart from those typed in


def from_repair(session: Session, *, repair_id: int, subject_id: int, region_code: str, category_name: str,
                text: str, signed_on: date, department_name: str, department_code: str,
                by: str = "system") -> Commitment:
    """The commitment a subject signed when it applied for credit repair, as a commitment of kind
    信用修复承诺 (the repair's hook calls this; the caller commits). Its code: the region of the
    record, the day it was signed, the next serial from 900001 of that region and day. It is in
    force without a due date; a breach is reported (:func:`change_status`) and becomes a record
    of 违背信用承诺 like any other. Audited as a creation."""
    prefix = f"{region_code}{signed_on:%Y%m%d}"
    last = session.scalar(select(func.max(Commitment.code)).where(
        Commitment.code.like(prefix + "%"), Commitment.code >= f"{prefix}{REPAIR_SERIAL_FROM + 1:06d}"))
    serial = int(last[14:]) + 1 if last else REPAIR_SERIAL_FROM + 1
    c = Commitment(
        code=f"{prefix}{serial:06d}", kind=REPAIR_KIND, subject_id=subject_id, region_code=region_code,
        matter=f"申请信用修复（{category_name}记录，修复申请 {repair_id}）"[:200], content=text,
        liability="违背承诺的，撤销修复决定，原失信信息按最长期限公示，并记入违背信用承诺信用记录",
        accepting_unit=department_name[:200], accepting_code=department_code, disclosure="limited",
        made_on=signed_on, due_on=None, status="in_force", created_by=by[:100],
    )
    session.add(c)
    session.flush()
    log_event(session, who=by, action="create", entity="commitment", entity_id=c.id, subject_id=subject_id,
              after={**shown(c), "repair_id": repair_id})
    return c


# --- reading ------------------------------------------------------------------------------------


def _scope(q, who: Principal):
    """Only commitments inside the principal's region scope (the command line sees all)."""
    if who.region_code:
        return q.where(Commitment.region_code.like(regions.scope_prefix(who.region_code) + "%"))
    if who.via == "cli":
        return q
    return q.where(literal(False))


def get(session: Session, commitment_id: int, who: Principal) -> Commitment:
    c = session.get(Commitment, commitment_id)
    if c is None:
        raise NotFound(f"信用承诺 {commitment_id} 不存在", f"commitment {commitment_id} not found")
    if not who.covers(c.region_code):
        raise Forbidden("该信用承诺不在您的地区权限范围内", f"commitment {commitment_id} is outside {who.label}'s region")
    return c


def search(session: Session, who: Principal, *, today: date, region: str | None = None, kind: str | None = None,
           status: str | None = None, subject_id: int | None = None, limit: int = 100,
           offset: int = 0) -> list[tuple[Commitment, Subject]]:
    """Commitments in the caller's scope with their subjects: the overdue ones (in force past
    their due date) first, then by due date. One query."""
    overdue = and_(Commitment.status == "in_force", Commitment.due_on < today)
    q = select(Commitment, Subject).join(Subject, Subject.id == Commitment.subject_id)
    q = _scope(q, who)
    if region:
        if not who.covers(region):
            raise Forbidden("超出您的地区权限范围", f"region {region} is outside {who.label}'s scope")
        q = q.where(Commitment.region_code.like(regions.scope_prefix(region) + "%"))
    if kind:
        q = q.where(Commitment.kind == kind)
    if status == "overdue":
        q = q.where(overdue)
    elif status:
        q = q.where(Commitment.status == status)
    if subject_id is not None:
        q = q.where(Commitment.subject_id == subject_id)
    q = q.order_by(case((overdue, 0), else_=1), Commitment.due_on.is_(None), Commitment.due_on, Commitment.id)
    return list(session.execute(q.limit(limit).offset(offset)).tuples())


def _counts():
    return (
        func.count().label("total"),
        func.sum(case((Commitment.status == "fulfilled", 1), else_=0)).label("fulfilled"),
        func.sum(case((Commitment.status == "breached", 1), else_=0)).label("breached"),
        func.sum(case((Commitment.status == "in_force", 1), else_=0)).label("in_force"),
        func.sum(case((Commitment.status == "withdrawn", 1), else_=0)).label("withdrawn"),
    )


@dataclass
class Rate:
    key: str | int
    name: str
    total: int
    fulfilled: int
    breached: int
    in_force: int
    withdrawn: int

    @property
    def rate(self) -> float | None:
        return rules.rate(self.fulfilled, self.breached)


def rates_by_region(session: Session, who: Principal) -> list[Rate]:
    """Per county: the counts by status and the fulfilment rate (kept among those whose outcome
    is known). One ``GROUP BY``."""
    q = _scope(select(Commitment.region_code, *_counts()), who).group_by(Commitment.region_code) \
        .order_by(Commitment.region_code)
    return [Rate(r.region_code, regions.name_of(r.region_code), r.total, r.fulfilled or 0, r.breached or 0,
                 r.in_force or 0, r.withdrawn or 0) for r in session.execute(q)]


def rates_by_body(session: Session, who: Principal, *, subject_id: int | None = None, limit: int = 200) -> list[Rate]:
    """Per government body: the counts by status and the fulfilment rate. One ``GROUP BY``."""
    q = select(Commitment.subject_id, Subject.name, *_counts()).join(Subject, Subject.id == Commitment.subject_id)
    q = _scope(q, who).where(Subject.kind == "gov_body")
    if subject_id is not None:
        q = q.where(Commitment.subject_id == subject_id)
    q = q.group_by(Commitment.subject_id, Subject.name).order_by(func.count().desc(), Commitment.subject_id).limit(limit)
    return [Rate(r.subject_id, r.name, r.total, r.fulfilled or 0, r.breached or 0, r.in_force or 0,
                 r.withdrawn or 0) for r in session.execute(q)]


def rates_by_month(session: Session, who: Principal, subject_id: int, *, months: int = 24) -> list[Rate]:
    """A body's fulfilment over time: per month in which outcomes were recorded (``status_on``),
    the kept and broken commitments of that month and their rate; the last ``months`` months
    that had any. One ``GROUP BY``."""
    from sqlalchemy import String, cast

    month = func.substr(cast(Commitment.status_on, String), 1, 7)
    q = (_scope(select(month.label("month"), *_counts()), who)
         .where(Commitment.subject_id == subject_id, Commitment.status.in_(("fulfilled", "breached")),
                Commitment.status_on.is_not(None))
         .group_by(month).order_by(month.desc()).limit(months))
    rows = list(session.execute(q))[::-1]
    return [Rate(r.month, r.month, r.total, r.fulfilled or 0, r.breached or 0, 0, 0) for r in rows]


def public_list(session: Session, *, kind: str | None = None, limit: int = 100,
                offset: int = 0) -> list[tuple[Commitment, Subject]]:
    """What the public may see: commitments whose 公开类型 is 可向社会公开 and not withdrawn,
    made by an organisation, or by a natural person only where the policy makes such
    information public (the 信用承诺 category's disclosure for natural persons) or where a
    public servant made a government commitment in office (76号 二(二)四). Names of persons
    are masked by the caller with the one masking rule."""
    policy = catalog_service.active_version(session)[1]
    category = policy.category("credit_commitment")
    natural_public = category is not None and category.disclosure.natural == "public"
    official_kinds = [k.code for k in policy.commitment_kinds.kinds if k.group in ("government", "township")]
    natural_ok = literal(True) if natural_public else and_(Subject.kind == "public_servant",
                                                           Commitment.kind.in_(official_kinds))
    q = (select(Commitment, Subject).join(Subject, Subject.id == Commitment.subject_id)
         .where(Commitment.disclosure == "public", Commitment.status != "withdrawn",
                or_(Subject.kind.not_in(NATURAL_KINDS), natural_ok)))
    if kind:
        q = q.where(Commitment.kind == kind)
    q = q.order_by(Commitment.made_on.desc(), Commitment.id.desc()).limit(limit).offset(offset)
    return list(session.execute(q).tuples())


def log_view(session: Session, who: Principal, found: list[tuple[Commitment, Subject]], purpose: str, *,
             request_id: str | None = None, ip: str | None = None) -> list[int]:
    """One read in the audit log for a view (a page, a list, an export) that showed natural
    persons, naming each of them; nothing when it showed none. The caller commits."""
    persons = sorted({s.id for _c, s in found if s.kind in NATURAL_KINDS})
    if persons:
        log_event(session, who=who, action="read", entity="commitment", purpose=purpose,
                  subject_id=persons[0] if len(persons) == 1 else None, subject_ids=persons,
                  after={"count": len(persons)}, request_id=request_id, ip=ip)
    return persons


# --- status ------------------------------------------------------------------------------------


def change_status(session: Session, commitment_id: int, to: str, *, who: Principal, reason: str, on: date,
                  evidence: str | None = None, request_id: str | None = None, ip: str | None = None) -> Commitment:
    """Move a commitment from 履行中 to 已履行, 已违诺 (reported) or 已撤回, with the reason, audited
    before and after. A reported breach writes its 违背信用承诺 record at once (the caller commits)."""
    to = STATUS_BY_NAME.get(to, to)
    if to not in STATUSES:
        raise InvalidInput(f"“{to}”不是履行状态，可选：{'、'.join(STATUSES.values())}", f"unknown status {to}",
                           field="status")
    c = get(session, commitment_id, who)
    if not rules.may_move(c.status, to):
        raise InvalidInput(f"承诺当前为“{STATUSES[c.status]}”，不能改为“{STATUSES[to]}”",
                           f"cannot move from {c.status} to {to}", field="status")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("变更履行状态须说明理由", "a reason is required", field="reason")
    if on < c.made_on:
        raise InvalidInput("认定日期早于承诺作出日期", "the date is before the commitment was made", field="on")
    before = shown(c)
    c.status, c.status_on, c.status_reason = to, on, reason[:2000]
    if evidence:
        c.evidence = ((c.evidence + "\n") if c.evidence else "") + evidence.strip()[:2000]
    session.flush()
    log_event(session, who=who, action="status", entity="commitment", entity_id=c.id, subject_id=c.subject_id,
              before=before, after=shown(c), request_id=request_id, ip=ip)
    if to == "breached":
        write_breach_records(session, on, who=who, ids=[c.id])
        session.refresh(c)
    return c


# --- breaches → records ------------------------------------------------------------------------


def _pending(today: date):
    """Commitments whose breach still lacks its record: in force past the due date, or
    already marked breached (reported, or a record refused on an earlier day)."""
    return and_(
        Commitment.breach_record_id.is_(None),
        or_(and_(Commitment.status == "in_force", Commitment.due_on < today), Commitment.status == "breached"),
    )


def _plain_code(subject_code: str, cipher: str | None) -> str:
    if cipher is None:
        return subject_code
    from xinyong.core.crypto import get_keyring
    from xinyong.subjects.identity import CODE_CONTEXT

    return get_keyring().decrypt(cipher, CODE_CONTEXT)


def write_breach_records(session: Session, today: date, *, who: Principal | str = DAILY_USER,
                         ids: list[int] | None = None) -> dict[str, int]:
    """Turn due and reported breaches into 违背信用承诺 records (see the module's docstring).

    One statement selects the pending commitments with their subjects; one update marks the
    overdue ones breached; one import batch writes the records; one update links each
    commitment to its record. ``ids`` narrows it to given commitments (a reported breach)."""
    from xinyong.records.ingest import import_source
    from xinyong.records.readers import rows_from_dicts
    from xinyong.records.validation import Defaults

    policy = catalog_service.active_version(session)[1]
    category = policy.category(BREACH_CATEGORY)
    if category is None:
        raise InvalidInput(f"政策清单中没有“违背信用承诺”类别（{BREACH_CATEGORY}）", "no breach category in the policy")
    record_kinds = next((f.choices for f in category.facts if f.key == "commitment_kind"), None) or []
    by_kind = {k.code: k for k in policy.commitment_kinds.kinds}
    pending = _pending(today)
    if ids is not None:
        pending = and_(pending, Commitment.id.in_(ids))
    found = session.execute(
        select(Commitment.id, Commitment.code, Commitment.kind, Commitment.status, Commitment.matter,
               Commitment.content, Commitment.liability, Commitment.made_on, Commitment.due_on,
               Commitment.status_on, Commitment.status_reason, Commitment.accepting_unit, Commitment.accepting_code,
               Commitment.subject_id, Subject.name, Subject.code.label("subject_code"), Subject.code_cipher)
        .join(Subject, Subject.id == Commitment.subject_id).where(pending).order_by(Commitment.id)
    ).all()
    counts = {"due": len(found), "breached": 0, "records": 0, "rejected": 0}
    if not found:
        return counts
    user = who if isinstance(who, str) else who.username
    overdue = and_(pending, Commitment.status == "in_force")
    counts["breached"] = session.execute(
        update(Commitment).where(overdue).values(
            status="breached", status_on=today, status_reason="履行期限届满未履行（每日例行任务认定）", updated_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount or 0
    rows = []
    for r in found:
        kind = by_kind.get(r.kind)
        record_kind = kind.record_kind if kind is not None and kind.record_kind in record_kinds else "其他"
        found_on = today if r.status == "in_force" else (r.status_on or today)
        unfulfilled = (r.status_reason if r.status == "breached" and r.status_reason
                       else f"履行期限 {r.due_on.isoformat() if r.due_on else ''} 届满未履行：{r.content}")
        rows.append({
            "subject_name": r.name, "subject_code": _plain_code(r.subject_code, r.code_cipher),
            "category": BREACH_CATEGORY, "decision_no": f"违诺认定〔{found_on.year}〕{r.code}",
            "decision_date": found_on.isoformat(), "department_name": r.accepting_unit,
            "department_code": r.accepting_code, "source_id": SOURCE_PREFIX + r.code,
            "commitment_code": r.code, "commitment_kind": record_kind, "commitment_matter": r.matter,
            "commitment_content": r.content, "breach_liability": r.liability or "",
            "commitment_date": r.made_on.isoformat(), "performance": "全部未履行", "unfulfilled": unfulfilled[:2000],
            "accepting_unit": r.accepting_unit,
        })
    result = import_source(session, rows_from_dicts(rows), file_name="commitments", category=BREACH_CATEGORY,
                           user=user, defaults=Defaults(today=today),
                           who=who if isinstance(who, Principal) else None)
    counts["records"] = result.new + result.updated + result.unchanged
    counts["rejected"] = result.rejected
    record_id = (select(Record.id).where(Record.department_code == Commitment.accepting_code,
                                         Record.source_id == literal(SOURCE_PREFIX) + Commitment.code)
                 .scalar_subquery())
    session.execute(
        update(Commitment).where(Commitment.breach_record_id.is_(None), Commitment.status == "breached")
        .values(breach_record_id=record_id).execution_options(synchronize_session=False)
    )
    log_event(session, who=who, action="breach", entity="commitment", entity_id=None,
              after={"date": today.isoformat(), **counts, "codes": [r.code for r in found][:1000],
                     "batch_id": result.batch_id},
              subject_ids=[r.subject_id for r in found])
    session.expire_all()
    return counts


def daily_breaches(session: Session, today: date) -> dict[str, int]:
    """The daily job: commitments past their due date become breaches and records, once."""
    return write_breach_records(session, today)


DAILY_COUNTS = {"due": "待认定违诺", "breached": "新认定违诺", "records": "违诺信用记录", "rejected": "记录被退回"}


# --- export ------------------------------------------------------------------------------------


def export_bytes(session: Session, who: Principal, *, today: date, request_id: str | None = None,
                 ip: str | None = None, **filters) -> bytes:
    """The commitments in the caller's scope as XLSX (persons' names and numbers masked); the
    export is one read in the audit log naming the persons it holds, and one download entry
    (xinyong.audit.downloads) saying how many (the caller commits)."""
    from xinyong.subjects import schemas as shown_subjects

    names = kind_names(session)
    lists = kind_list(session).list_kinds
    # read (and refuse) before the workbook exists: a write-only workbook left unsaved breaks later
    found = search(session, who, today=today, limit=MAX_ROWS, **filters)
    persons = log_view(session, who, found, "导出信用承诺", request_id=request_id, ip=ip)
    # a file is a copy that leaves the platform: one download entry with how many persons it holds
    log_download(session, who=who, what="commitments_export", persons=len(persons), request_id=request_id, ip=ip)
    wb = streamed_workbook()
    ws = wb.create_sheet("信用承诺")
    append(ws, [h[0][0] for h in COLUMNS.values()] + ["履行状态", "状态认定日期", "状态说明", "是否逾期"])
    for c, s in found:
        append(ws, [c.code, names.get(c.kind, c.kind), shown_subjects.subject_code(s), shown_subjects.subject_name(s),
                    c.matter, c.content, c.liability or "", c.service_area or "", lists.get(c.list_kind or "", ""),
                    c.list_item or "", c.accepting_unit, c.accepting_code, DISCLOSURES.get(c.disclosure, c.disclosure),
                    c.made_on.isoformat(), c.due_on.isoformat() if c.due_on else "", c.evidence or "",
                    STATUSES.get(c.status, c.status), c.status_on.isoformat() if c.status_on else "",
                    c.status_reason or "", "是" if rules.is_overdue(c.status, c.due_on, today) else "否"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
