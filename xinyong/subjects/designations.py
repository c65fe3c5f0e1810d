"""Posts and designations in, from an XLSX file or the API: who held which post in which body,
and who the body registered as its legal representative (法定代表人), principal (主要负责人)
or financial head (财务负责人), with the dates.

A check reaches a person through a designation only (:mod:`xinyong.checks.responsibility`), so
these facts come from whoever registers them — the credit office, the organisation and personnel
departments — one row per person, body and period. A row is checked whole, and a bad row gets an
error naming its row, column and reason and is left out; the good rows are written in the
caller's transaction, so a crash leaves all of them or none. Re-sending a row (same body, person,
role or title, and start date) updates its end date and basis instead of adding a second. Every
row written is an audit entry, with the state before and after.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.accounts.principal import Principal
from xinyong.audit.service import log_event
from xinyong.core import regions, xlsx_import
from xinyong.core.codes import CodeError, clean_code, validate_ric, validate_uscc
from xinyong.core.xlsx_import import (
    ReadColumn,
    RejectedRows,
    RowError,
    RowProblem,
    TemplateColumn,
    cell_text,
    parse_date,
    read_rows,
)
from xinyong.subjects.identity import lookup_key
from xinyong.subjects.models import DESIGNATION_ROLES, NATURAL_KINDS, Designation, Post, Subject

MAX_ROWS = 20_000

# column → (headers accepted, what goes in it, required)
COLUMNS: dict[str, tuple[tuple[str, ...], str, bool]] = {
    "body_code": (("单位统一社会信用代码", "统一社会信用代码"), "任职单位的统一社会信用代码（须已是平台的信用主体）", True),
    "body_name": (("单位名称",), "任职单位名称（核对用）", False),
    "name": (("姓名",), "本人姓名", True),
    "ric": (("公民身份号码", "身份证号码", "身份证号"), "本人公民身份号码（18位）", True),
    "title": (("职务", "职务名称"), "所任职务（任职记录）；只登记法定代表人等身份的可不填", False),
    "role": (("登记身份", "担任身份"), "法定代表人 / 主要负责人 / 财政（财务）部门负责人；只登记职务的可不填", False),
    "start": (("起始日期", "任职起始日期", "任职日期"), "任职或担任该身份的起始日期，如 2021-03-01", True),
    "end": (("终止日期", "任职终止日期", "免职日期"), "离任日期；仍在任的不填", False),
    "basis": (("依据文号", "任免文号", "登记依据"), "任免文件文号或登记依据", False),
}
ROLE_BY_NAME = {name: code for code, name in DESIGNATION_ROLES.items()} | {
    "财务负责人": "financial_head", "财政部门负责人": "financial_head", "负责人": "principal",
}


@dataclass
class Imported(RejectedRows):
    rows: int = 0
    posts_new: int = 0
    posts_updated: int = 0
    designations_new: int = 0
    designations_updated: int = 0
    errors: list[RowProblem] = field(default_factory=list)


def template_bytes() -> bytes:
    """The XLSX template: the headers in Chinese, a note on each, the roles as a drop-down, the
    code and identity-number columns as text (a spreadsheet must not turn them into numbers)."""
    columns = [TemplateColumn(headers[0], note, required, as_text=headers[0] in ("单位统一社会信用代码", "公民身份号码"),
                              choices=tuple(DESIGNATION_ROLES.values()) if headers[0] == "登记身份" else ())
               for headers, note, required in COLUMNS.values()]
    return xlsx_import.template_bytes("任职与登记身份", columns, (
        "每行一人在一个单位的一段任职或登记身份：填“职务”的记入任职记录，填“登记身份”的记入法定代表人、主要负责人、"
        "财政（财务）部门负责人登记，两者可同填。",
        "联合奖惩措施延伸到的责任人只按“登记身份”认定，按失信行为发生之日在任者认定，不按职务名称推定。",
        "同一单位、同一人、同一身份（或职务）、同一起始日期再次报送的，更新终止日期和依据文号。",
        "同一单位同一身份的任职期间不得重叠：新任者登记前，请先报送前任的终止日期。",
    ))


def read_xlsx(data: bytes) -> list[dict]:
    """The rows of the first sheet as {column: value}, keyed by :data:`COLUMNS` (unknown headers
    are ignored). The file is inspected before it is parsed, as every upload is (an entity bomb,
    a sheet beyond the limits: :class:`~xinyong.core.xlsx.UnsafeWorkbook`); :class:`InvalidInput`
    when it is no XLSX or lacks a required column."""
    columns = [ReadColumn(key, headers, required) for key, (headers, _note, required) in COLUMNS.items()]
    return read_rows(data, columns, max_rows=MAX_ROWS)


def _overlaps(a_start: date, a_end: date | None, b_start: date, b_end: date | None) -> bool:
    return a_start <= (b_end or date.max) and b_start <= (a_end or date.max)


def _shown(d: Designation | Post) -> dict:
    out = {"body_id": d.body_id, "person_id": d.person_id, "start_date": d.start_date.isoformat(),
           "end_date": d.end_date.isoformat() if d.end_date else None}
    if isinstance(d, Designation):
        out |= {"role": d.role, "basis": d.basis}
    else:
        out["title"] = d.title
    return out


def import_rows(session: Session, rows: Iterable[dict], *, who: Principal, request_id: str | None = None,
                ip: str | None = None) -> Imported:
    """Check and write every row (see the module's docstring); the caller commits."""
    result = Imported()
    for n, row in enumerate(rows, start=1):
        result.rows += 1
        try:
            _import_one(session, row, who, result, request_id, ip)
        except RowError as bad:
            header = COLUMNS[bad.column][0][0] if bad.column in COLUMNS else bad.column
            result.errors.append(RowProblem(n, header, bad.reason))
    session.flush()
    return result


def _existing_person(session: Session, ric: str, name: str) -> Subject | None:
    """The person with this number, if the platform knows him: checked, never changed here."""
    person = session.scalar(select(Subject).where(Subject.code == lookup_key(ric)))
    if person is not None:
        if person.kind not in NATURAL_KINDS:
            raise RowError("ric", "该号码属于机构，不是自然人")
        if person.name != name:
            raise RowError("name", f"姓名与平台登记的“{person.name[0]}*”不一致，请核实")
    return person


def _person(session: Session, person: Subject | None, ric: str, name: str, body: Subject, who: Principal,
            request_id: str | None, ip: str | None) -> Subject:
    """The person, made a subject when new, a public servant once he holds a post in a
    government body (both audited). Called only for a row that passed every check."""
    if person is not None:
        if body.kind == "gov_body" and person.kind == "person":
            person.kind = "public_servant"
            log_event(session, who=who, action="update", entity="subject", entity_id=person.id, subject_id=person.id,
                      before={"kind": "person"}, after={"kind": "public_servant"}, request_id=request_id, ip=ip)
        return person
    info = validate_ric(ric)
    region = ric[:6] if regions.is_known(ric[:6]) else body.region_code
    person = Subject(kind="public_servant" if body.kind == "gov_body" else "person", code=ric, name=name,
                     region_code=region, birth_date=info.birth_date)
    session.add(person)
    session.flush()
    log_event(session, who=who, action="create", entity="subject", entity_id=person.id, subject_id=person.id,
              after={"kind": person.kind, "region_code": region}, request_id=request_id, ip=ip)
    return person


def _overlap_check(session: Session, body: Subject, person: Subject | None, role: str, start: date,
                   end: date | None) -> list[Designation]:
    """The body's designations in ``role``; :class:`RowError` when another term overlaps this one
    (the same person's term with the same start is the row re-sent, not another term)."""
    held = list(session.scalars(select(Designation).where(Designation.body_id == body.id, Designation.role == role)))
    for d in held:
        if person is not None and d.person_id == person.id and d.start_date == start:
            continue
        if _overlaps(start, end, d.start_date, d.end_date):
            until = d.end_date.isoformat() if d.end_date else "今"
            raise RowError("start", f"与已登记的{DESIGNATION_ROLES[role]}任期（{d.start_date.isoformat()} 至 {until}）重叠；"
                                "请先报送前任的终止日期")
    return held


def _import_one(session: Session, row: dict, who: Principal, result: Imported, request_id: str | None,
                ip: str | None) -> None:
    code = clean_code(cell_text(row.get("body_code")))
    if not code:
        raise RowError("body_code", "必填")
    try:
        code = validate_uscc(code)
    except CodeError as exc:
        raise RowError("body_code", exc.zh) from None
    body = session.scalar(select(Subject).where(Subject.code == code))
    if body is None:
        raise RowError("body_code", "平台没有该统一社会信用代码的单位，请先报送该单位的信息")
    if body.kind in NATURAL_KINDS:
        raise RowError("body_code", "该代码不是单位")
    if not who.covers(body.region_code):
        raise RowError("body_code", "该单位不在您的地区权限范围内")
    name = cell_text(row.get("name"))
    if not name:
        raise RowError("name", "必填")
    ric = clean_code(cell_text(row.get("ric")))
    if not ric:
        raise RowError("ric", "必填")
    try:
        ric = validate_ric(ric).ric
    except CodeError as exc:
        raise RowError("ric", exc.zh) from None
    title = cell_text(row.get("title"))[:100]
    role_name = cell_text(row.get("role"))
    role = None
    if role_name:
        role = ROLE_BY_NAME.get(role_name)
        if role is None:
            raise RowError("role", f"“{role_name}”不是可登记的身份，可选：{'、'.join(DESIGNATION_ROLES.values())}")
    if not title and role is None:
        raise RowError("title", "“职务”和“登记身份”至少填写一项")
    start = parse_date(row.get("start"), "start", True)
    end = parse_date(row.get("end"), "end", False)
    assert start is not None
    if end is not None and end < start:
        raise RowError("end", "终止日期早于起始日期")
    basis = cell_text(row.get("basis"))[:200] or None
    existing = _existing_person(session, ric, name)
    if role is not None:
        _overlap_check(session, body, existing, role, start, end)
    # every check passed: from here on the row is written
    person = _person(session, existing, ric, name, body, who, request_id, ip)
    if role is not None:
        _designate(session, body, person, role, start, end, basis, who, result, request_id, ip)
    if title:
        _post(session, body, person, title, start, end, who, result, request_id, ip)


def _designate(session: Session, body: Subject, person: Subject, role: str, start: date, end: date | None,
               basis: str | None, who: Principal, result: Imported, request_id: str | None, ip: str | None) -> None:
    held = _overlap_check(session, body, person, role, start, end)
    same = next((d for d in held if d.person_id == person.id and d.start_date == start), None)
    if same is not None:
        if (same.end_date, same.basis) == (end, basis or same.basis):
            return
        before = _shown(same)
        same.end_date, same.basis = end, basis or same.basis
        result.designations_updated += 1
        action, d = "update", same
    else:
        before = None
        d = Designation(body_id=body.id, person_id=person.id, role=role, start_date=start, end_date=end, basis=basis,
                        created_by=who.username)
        session.add(d)
        result.designations_new += 1
        action = "create"
    session.flush()
    log_event(session, who=who, action=action, entity="designation", entity_id=d.id, subject_id=person.id,
              before=before, after=_shown(d), request_id=request_id, ip=ip)


def _post(session: Session, body: Subject, person: Subject, title: str, start: date, end: date | None,
          who: Principal, result: Imported, request_id: str | None, ip: str | None) -> None:
    same = session.scalar(select(Post).where(Post.body_id == body.id, Post.person_id == person.id,
                                             Post.title == title, Post.start_date == start))
    if same is not None:
        if same.end_date == end:
            return
        before = _shown(same)
        same.end_date = end
        result.posts_updated += 1
        action, p = "update", same
    else:
        before = None
        p = Post(body_id=body.id, person_id=person.id, title=title, start_date=start, end_date=end)
        session.add(p)
        result.posts_new += 1
        action = "create"
    session.flush()
    log_event(session, who=who, action=action, entity="post", entity_id=p.id, subject_id=person.id,
              before=before, after=_shown(p), request_id=request_id, ip=ip)


def of_body(session: Session, body: Subject) -> Iterator[tuple[Designation, Subject]]:
    """A body's designations with their persons, the latest first. One query."""
    q = (select(Designation, Subject).join(Subject, Subject.id == Designation.person_id)
         .where(Designation.body_id == body.id).order_by(Designation.start_date.desc(), Designation.id.desc()))
    yield from session.execute(q).tuples()
