"""政府履约: the registers of government bodies' obligations — import, lookup, changes, export —
and their daily work (arrears, debt warning levels, overdue judgments and listings, PPP breaches).

Every register is described once (:data:`REGISTERS`): its XLSX columns, how a row is checked and
what it stores. A file is read and each row checked whole; a bad row gets an error naming its
row, column and reason and nothing of it is stored, the good rows are written in the caller's
transaction, each an audit entry. The daily work is a handful of set-based statements per
register (no Python loop over rows), each touching only rows whose stored figure is not yet
the right one, so a second run the same day changes nothing.

Breaches that belong in a credit file are written through the records' own path
(:func:`xinyong.records.ingest.import_source`): a PPP breach as a PPP项目违约 record on the body
and on the person who held the stage's responsibility on the day it happened (项目责任回溯,
76号 五(二)); a body's listing as a dishonest judgment debtor as a 失信被执行人 record, which
is what the checks read to withhold honours (gov_honour_disqualification, 温 二(二)1-3), re-sent
with its end date when the body is removed from the list.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import String, and_, case, cast, func, literal, or_, select, update
from sqlalchemy.orm import Session

from xinyong.accounts.principal import Principal
from xinyong.audit.service import log_download, log_event
from xinyong.catalog import service as catalog_service
from xinyong.catalog.schemas import ObligationRules
from xinyong.commitments.obligations import rules
from xinyong.commitments.obligations.models import (
    AGREEMENT_STATUSES,
    JUDGMENT_STATUSES,
    Agreement,
    Contract,
    Debt,
    Judgment,
    PppBreach,
    PppHolder,
    PppProject,
)
from xinyong.core import regions
from xinyong.core.codes import CodeError, clean_code, validate_uscc
from xinyong.core.errors import Forbidden, InvalidInput, NotFound
from xinyong.core.xlsx import Limits, append, open_workbook, set_cell, streamed_workbook
from xinyong.core.xlsx_import import RowError, parse_date
from xinyong.records.models import Record
from xinyong.subjects.models import Subject

MAX_ROWS = 20_000
DAILY_USER = "daily"
YES = {"是", "Y", "y", "yes", "true", "1", "TRUE", "True"}
NO = {"否", "N", "n", "no", "false", "0", "FALSE", "False"}


class _Bad(Exception):
    def __init__(self, column: str, reason: str):
        self.column, self.reason = column, reason


@dataclass
class RowProblem:
    row: int
    column: str
    reason: str


@dataclass
class Imported:
    rows: int = 0
    created: int = 0
    errors: list[RowProblem] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return len({e.row for e in self.errors})


def policy_rules(session: Session) -> ObligationRules:
    return catalog_service.active_version(session)[1].obligations


# --- reading values -----------------------------------------------------------------------------


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _req(row: dict, key: str, width: int = 200) -> str:
    value = _text(row.get(key))
    if not value:
        raise _Bad(key, "必填")
    if len(value) > width:
        raise _Bad(key, f"超过{width}字")
    return value


def _date(row: dict, key: str, required: bool = False) -> date | None:
    """:func:`xinyong.core.xlsx_import.parse_date`, its refusal as this module's row error."""
    try:
        return parse_date(row.get(key), key, required)
    except RowError as exc:
        raise _Bad(exc.column, exc.reason) from None


def _money(row: dict, key: str, required: bool = False) -> Decimal | None:
    text = _text(row.get(key)).replace(",", "")
    if not text:
        if required:
            raise _Bad(key, "必填")
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise _Bad(key, f"“{text}”不是数字（单位：万元）") from None
    if not value.is_finite():
        raise _Bad(key, f"“{text}”不是数字（单位：万元）")
    if value < 0:
        raise _Bad(key, f"金额不能为负数（{text}）")
    if abs(value) >= Decimal("1e14"):
        raise _Bad(key, "金额过大")
    return value.quantize(Decimal("0.01"))


def _bool(row: dict, key: str, default: bool) -> bool:
    text = _text(row.get(key))
    if not text:
        return default
    if text in YES:
        return True
    if text in NO:
        return False
    raise _Bad(key, f"“{text}”应填“是”或“否”")


def _uscc(row: dict, key: str, required: bool = True) -> str | None:
    raw = _text(row.get(key))
    if not raw:
        if required:
            raise _Bad(key, "必填")
        return None
    try:
        return validate_uscc(clean_code(raw))
    except CodeError as exc:
        raise _Bad(key, exc.zh) from None


def _subject(session: Session, row: dict, code_key: str, name_key: str, kinds: tuple[str, ...]) -> Subject:
    from xinyong.subjects import service as subjects
    from xinyong.subjects.identity import lookup_key

    raw = _req(row, code_key, 40)
    try:
        cleaned = subjects.check_code(raw)
    except NotFound as exc:
        raise _Bad(code_key, exc.zh) from None
    subject = session.scalar(select(Subject).where(Subject.code == lookup_key(cleaned)))
    if subject is None:
        raise _Bad(code_key, "平台没有该代码的信用主体，请先报送其信息")
    if subject.kind not in kinds:
        raise _Bad(code_key, "该代码的信用主体不是" + "或".join({"gov_body": "政府机构", "public_servant": "公务人员"}[k]
                                                              for k in kinds))
    if subject.name != _req(row, name_key):
        shown = subject.name[0] + "*" if subject.kind == "public_servant" else subject.name
        raise _Bad(name_key, f"名称与平台登记的“{shown}”不一致，请核实")
    return subject


@dataclass
class Ctx:
    session: Session
    who: Principal
    today: date
    rules: ObligationRules
    seen: dict[str, int] = field(default_factory=dict)
    pending: list[str] = field(default_factory=list)  # keys of the row being checked, seen once it is good


def _body(ctx: Ctx, row: dict) -> Subject:
    body = _subject(ctx.session, row, "body_code", "body_name", ("gov_body",))
    if not ctx.who.covers(body.region_code):
        raise _Bad("body_code", "该政府机构不在您的地区权限范围内")
    return body


def _unique(ctx: Ctx, row: dict, key: str, column, n: int, width: int = 60) -> str:
    value = _req(row, key, width)
    if value in ctx.seen:
        raise _Bad(key, f"与第 {ctx.seen[value]} 行重复")
    if ctx.session.scalar(select(column).where(column == value)) is not None:
        raise _Bad(key, "已登记")
    ctx.pending.append(value)
    return value


def _not_future(day: date | None, key: str, ctx: Ctx, what: str) -> None:
    if day is not None and day > ctx.today:
        raise _Bad(key, f"{what}晚于今天")


# --- the registers ------------------------------------------------------------------------------

BODY_COLUMNS = {
    "body_code": (("单位统一社会信用代码", "统一社会信用代码"), "政府机构的18位统一社会信用代码（须已是平台的信用主体）", True),
    "body_name": (("单位名称",), "政府机构全称（核对用）", True),
}


def _check_agreement(ctx: Ctx, row: dict, n: int) -> dict:
    ref_no = _unique(ctx, row, "ref_no", Agreement.ref_no, n)
    body = _body(ctx, row)
    kind = _text(row.get("kind")) or "投资协议"
    if kind not in ("投资协议", "政策承诺"):
        raise _Bad("kind", "应为“投资协议”或“政策承诺”")
    signed_on = _date(row, "signed_on", True)
    _not_future(signed_on, "signed_on", ctx, "签订日期")
    due_on = _date(row, "due_on")
    if due_on and due_on < signed_on:
        raise _Bad("due_on", "兑现期限早于签订（作出）日期")
    values = {
        "ref_no": ref_no, "body_id": body.id, "region_code": body.region_code, "kind": kind,
        "name": _req(row, "name"), "counterpart_name": _req(row, "counterpart_name"),
        "counterpart_code": _uscc(row, "counterpart_code", False), "incentives": _req(row, "incentives", 4000),
        "incentive_amount": _money(row, "incentive_amount"), "signed_on": signed_on, "due_on": due_on,
        "status": "in_force",
    }
    status_raw = _text(row.get("status"))
    if status_raw and status_raw not in AGREEMENT_STATUSES.values():
        raise _Bad("status", f"可选：{'、'.join(AGREEMENT_STATUSES.values())}")
    status = next((k for k, v in AGREEMENT_STATUSES.items() if v == status_raw), "in_force")
    if status in ("changed", "terminated"):
        values.update(_change_values(ctx.rules, row, signed_on, ctx.today))
    values["status"] = status
    return values


def _change_values(policy: ObligationRules, row: dict, signed_on: date, today: date) -> dict:
    reason = _text(row.get("change_reason"))
    ground = _text(row.get("legal_ground"))
    basis = _text(row.get("legal_basis"))
    compensation = _text(row.get("compensation"))
    problem = rules.check_change(reason, ground, basis, compensation, policy)
    if problem:
        column = ("change_reason" if (not reason or rules.forbidden_word(reason, policy)) else
                  "legal_ground" if ground not in policy.legal_grounds else
                  "legal_basis" if not basis else "compensation")
        raise _Bad(column, problem)
    changed_on = _date(row, "changed_on", True)
    if changed_on < signed_on:
        raise _Bad("changed_on", "变更（解除）日期早于签订日期")
    if changed_on > today:
        raise _Bad("changed_on", "变更（解除）日期晚于今天")
    return {"changed_on": changed_on, "change_reason": reason[:4000], "legal_ground": ground,
            "legal_basis": basis[:4000], "compensation": compensation[:4000],
            "compensation_amount": _money(row, "compensation_amount")}


def _check_contract(ctx: Ctx, row: dict, n: int) -> dict:
    contract_no = _unique(ctx, row, "contract_no", Contract.contract_no, n)
    body = _body(ctx, row)
    kind = _text(row.get("kind")) or "政府采购"
    if kind not in ("政府采购", "工程", "服务", "其他"):
        raise _Bad("kind", "应为 政府采购 / 工程 / 服务 / 其他")
    sme = _bool(row, "sme", True)
    amount = _money(row, "amount", True)
    paid = _money(row, "paid_amount") or Decimal(0)
    if paid > amount:
        raise _Bad("paid_amount", "已付金额大于合同金额")
    signed_on = _date(row, "signed_on", True)
    _not_future(signed_on, "signed_on", ctx, "签订日期")
    accepted_on = _date(row, "accepted_on")
    if accepted_on and accepted_on < signed_on:
        raise _Bad("accepted_on", "验收日期早于合同签订日期")
    _not_future(accepted_on, "accepted_on", ctx, "验收日期")
    agreed = _date(row, "agreed_pay_on")
    if agreed and agreed < signed_on:
        raise _Bad("agreed_pay_on", "约定付款日期早于合同签订日期")
    paid_on = _date(row, "paid_on")
    if paid_on and paid_on < signed_on:
        raise _Bad("paid_on", "付款日期早于合同签订日期")
    _not_future(paid_on, "paid_on", ctx, "付款日期")
    if paid > 0 and paid_on is None:
        raise _Bad("paid_on", "填写了已付金额的，须填写付款日期")
    due = rules.pay_due(accepted_on, agreed, ctx.rules.payment_term(sme))
    owed = rules.arrears(amount, paid, due, ctx.today)
    return {
        "contract_no": contract_no, "body_id": body.id, "region_code": body.region_code, "kind": kind,
        "name": _req(row, "name"), "supplier_name": _req(row, "supplier_name"),
        "supplier_code": _uscc(row, "supplier_code"), "sme": sme, "amount": amount, "signed_on": signed_on,
        "accepted_on": accepted_on, "agreed_pay_on": agreed, "pay_due_on": due, "paid_amount": paid,
        "paid_on": paid_on, "arrears": owed,
        "arrears_since": (due + _ONE) if owed > 0 and due else None,
    }


def _check_ppp(ctx: Ctx, row: dict, n: int) -> dict:
    code = _unique(ctx, row, "project_code", PppProject.project_code, n)
    body = _body(ctx, row)
    stages = ctx.rules.ppp_stages
    passed: list[tuple[str, date]] = []
    gap = None
    for stage in stages:
        day = _date(row, f"stage_{stages.index(stage)}")
        if day is None:
            gap = gap or stage
            continue
        if gap is not None:
            raise _Bad(f"stage_{stages.index(stage)}",
                       f"项目阶段应依次为{'、'.join(stages)}：未经“{gap}”阶段不能进入“{stage}”阶段")
        if passed and day < passed[-1][1]:
            raise _Bad(f"stage_{stages.index(stage)}", f"“{stage}”阶段的日期早于上一阶段“{passed[-1][0]}”，阶段顺序颠倒")
        _not_future(day, f"stage_{stages.index(stage)}", ctx, f"“{stage}”阶段日期")
        passed.append((stage, day))
    if not passed:
        raise _Bad("stage_0", f"至少填写“{stages[0]}”阶段的日期")
    return {
        "project_code": code, "body_id": body.id, "region_code": body.region_code, "name": _req(row, "name"),
        "partner_name": _text(row.get("partner_name"))[:200] or None, "partner_code": _uscc(row, "partner_code", False),
        "investment": _money(row, "investment"), "stage": passed[-1][0], "stage_on": passed[-1][1],
        "stages": ";".join(f"{s}:{d.isoformat()}" for s, d in passed),
    }


def _project(ctx: Ctx, row: dict) -> PppProject:
    code = _req(row, "project_code", 60)
    project = ctx.session.scalar(select(PppProject).where(PppProject.project_code == code))
    if project is None:
        raise _Bad("project_code", "平台没有该项目库编号的PPP项目，请先登记项目")
    if not ctx.who.covers(project.region_code):
        raise _Bad("project_code", "该项目不在您的地区权限范围内")
    return project


def _stage(ctx: Ctx, row: dict) -> str:
    stage = _req(row, "stage", 10)
    if stage not in ctx.rules.ppp_stages:
        raise _Bad("stage", f"可选：{'、'.join(ctx.rules.ppp_stages)}")
    return stage


def _check_holder(ctx: Ctx, row: dict, n: int) -> dict:
    project = _project(ctx, row)
    stage = _stage(ctx, row)
    person = _subject(ctx.session, row, "person_code", "person_name", ("public_servant",))
    start = _date(row, "start_on", True)
    end = _date(row, "end_on")
    if end and end < start:
        raise _Bad("end_on", "离任日期早于到任日期")
    return {"project_id": project.id, "stage": stage, "person_id": person.id,
            "post": _text(row.get("post"))[:100] or None, "start_on": start, "end_on": end}


def _check_breach(ctx: Ctx, row: dict, n: int) -> dict:
    project = _project(ctx, row)
    stage = _stage(ctx, row)
    reached = [s.split(":")[0] for s in project.stages.split(";") if s]
    if stage not in reached:
        raise _Bad("stage", f"项目尚未进入“{stage}”阶段")
    breach_on = _date(row, "breach_on", True)
    found_on = _date(row, "found_on", True)
    if found_on < breach_on:
        raise _Bad("found_on", "认定日期早于违约发生日期")
    _not_future(found_on, "found_on", ctx, "认定日期")
    return {"project_id": project.id, "stage": stage, "breach_on": breach_on, "found_on": found_on,
            "facts": _req(row, "facts", 4000), "finding_basis": _req(row, "finding_basis"),
            "finding_unit": _req(row, "finding_unit"), "finding_code": _uscc(row, "finding_code"),
            "loss_amount": _money(row, "loss_amount")}


def _check_judgment(ctx: Ctx, row: dict, n: int) -> dict:
    case_no = _unique(ctx, row, "case_no", Judgment.case_no, n, 80)
    body = _body(ctx, row)
    effective = _date(row, "effective_on", True)
    _not_future(effective, "effective_on", ctx, "生效日期")
    perform_by = _date(row, "perform_by")
    if perform_by and perform_by < effective:
        raise _Bad("perform_by", "履行期限早于判决生效日期")
    listed_on = _date(row, "listed_on")
    if listed_on and listed_on < effective:
        raise _Bad("listed_on", "列入失信被执行人名单的日期早于判决生效日期")
    _not_future(listed_on, "listed_on", ctx, "列入名单日期")
    return {"case_no": case_no, "body_id": body.id, "region_code": body.region_code,
            "court_name": _req(row, "court_name"), "court_code": _uscc(row, "court_code"),
            "creditor_name": _req(row, "creditor_name"), "obligation": _req(row, "obligation", 4000),
            "amount": _money(row, "amount"), "effective_on": effective, "perform_by": perform_by,
            "listed_on": listed_on, "status": "listed" if listed_on else "unperformed"}


def _check_debt(ctx: Ctx, row: dict, n: int) -> dict:
    body = _body(ctx, row)
    as_of = _date(row, "as_of", True)
    _not_future(as_of, "as_of", ctx, "统计日期")
    key = f"{body.id}:{as_of.isoformat()}"
    if key in ctx.seen:
        raise _Bad("as_of", f"与第 {ctx.seen[key]} 行为同一单位同一统计日期")
    if ctx.session.scalar(select(Debt.id).where(Debt.body_id == body.id, Debt.as_of == as_of)) is not None:
        raise _Bad("as_of", "该单位该统计日期的债务数据已登记")
    ctx.pending.append(key)
    balance = _money(row, "balance", True)
    resources = _money(row, "resources", True)
    ratio = rules.debt_ratio(balance, resources)
    return {"body_id": body.id, "region_code": body.region_code, "as_of": as_of, "balance": balance,
            "resources": resources, "maturing": _money(row, "maturing") or Decimal(0),
            "next_maturity": _date(row, "next_maturity"), "overdue_amount": _money(row, "overdue_amount") or Decimal(0),
            "ratio": ratio, "level": rules.debt_level(balance, resources, ctx.rules)}


@dataclass(frozen=True)
class Register:
    key: str
    title: str
    model: type
    columns: dict[str, tuple[tuple[str, ...], str, bool]]
    check: Callable[[Ctx, dict, int], dict]
    entity: str
    note: str = ""


def _ppp_columns() -> dict:
    from xinyong.catalog.schemas import ObligationRules as _R

    stages = _R().ppp_stages
    return {f"stage_{i}": ((f"{s}阶段日期",), f"进入“{s}”阶段的日期；阶段须依次填写", i == 0) for i, s in enumerate(stages)}


REGISTERS: dict[str, Register] = {r.key: r for r in (
    Register("agreements", "招商引资协议和政策承诺", Agreement, {
        "ref_no": (("协议编号", "承诺文号"), "协议编号或政策承诺文号，唯一", True),
        **BODY_COLUMNS,
        "kind": (("类别",), "投资协议 / 政策承诺；不填为投资协议", False),
        "name": (("协议或承诺名称", "名称"), "协议或政策承诺名称", True),
        "counterpart_name": (("相对方名称", "投资方名称"), "企业或投资人名称", True),
        "counterpart_code": (("相对方统一社会信用代码",), "18位统一社会信用代码", False),
        "incentives": (("承诺的优惠政策", "承诺内容"), "承诺的优惠政策、奖励或其他义务", True),
        "incentive_amount": (("承诺金额（万元）", "承诺金额"), "承诺兑现的金额（万元），不能为负", False),
        "signed_on": (("签订日期", "作出日期"), "如 2026-03-01", True),
        "due_on": (("兑现期限",), "应兑现的日期", False),
        "status": (("履行状态",), "履行中 / 已履行 / 已依法变更 / 已依法解除；不填为履行中", False),
        "changed_on": (("变更或解除日期",), "已依法变更、解除的必填", False),
        "change_reason": (("变更或解除理由",), "不得以政府换届、相关责任人更替等为理由", False),
        "legal_ground": (("法定事由",), "国家利益 / 公共利益 / 其他法定事由", False),
        "legal_basis": (("法律依据和程序",), "变更、解除所依据的法律法规及履行的程序", False),
        "compensation": (("补偿决定",), "对企业和投资人财产损失依法决定的补偿", False),
        "compensation_amount": (("补偿金额（万元）",), "不能为负", False),
    }, _check_agreement, "obligation_agreement", "国发〔2016〕76号 五(四)：不得以政府换届、相关责任人更替等理由毁约；"
       "改变承诺、合同约定须依法定权限和程序，并依法补偿。"),
    Register("contracts", "政府采购及其他合同", Contract, {
        "contract_no": (("合同编号",), "唯一", True),
        **BODY_COLUMNS,
        "kind": (("合同类别",), "政府采购 / 工程 / 服务 / 其他；不填为政府采购", False),
        "name": (("合同名称",), "", True),
        "supplier_name": (("供应商名称", "企业名称"), "", True),
        "supplier_code": (("供应商统一社会信用代码",), "18位统一社会信用代码", True),
        "sme": (("是否中小企业",), "是 / 否；不填为是", False),
        "amount": (("合同金额（万元）", "合同金额"), "不能为负", True),
        "signed_on": (("签订日期",), "", True),
        "accepted_on": (("验收日期", "交付日期"), "验收合格（交付）之日；付款期限自此起算", False),
        "agreed_pay_on": (("约定付款日期",), "合同约定的付款日期；向中小企业付款不得晚于验收后60日", False),
        "paid_amount": (("已付金额（万元）", "已付金额"), "不能为负，不能大于合同金额", False),
        "paid_on": (("付款日期", "最近付款日期"), "不能早于合同签订日期", False),
    }, _check_contract, "obligation_contract", "保障中小企业款项支付条例 第八条：机关、事业单位自交付（验收合格）之日起30日内"
       "支付中小企业款项，合同约定的最长60日；逾期未付的为拖欠企业账款。"),
    Register("ppp", "PPP项目", PppProject, {
        "project_code": (("项目库编号", "项目编号"), "唯一", True),
        **BODY_COLUMNS,
        "name": (("项目名称",), "", True),
        "partner_name": (("社会资本方名称",), "", False),
        "partner_code": (("社会资本方统一社会信用代码",), "", False),
        "investment": (("总投资（万元）",), "不能为负", False),
        **_ppp_columns(),
    }, _check_ppp, "obligation_ppp", "项目阶段依次为识别、准备、采购、执行、移交，不能跳过或颠倒。"),
    Register("ppp_holders", "PPP项目政府方责任人", PppHolder, {
        "project_code": (("项目库编号", "项目编号"), "已登记的PPP项目", True),
        "stage": (("项目阶段",), "识别 / 准备 / 采购 / 执行 / 移交", True),
        "person_code": (("责任人公民身份号码", "公民身份号码"), "须已是平台的公务人员", True),
        "person_name": (("责任人姓名", "姓名"), "核对用", True),
        "post": (("职务",), "", False),
        "start_on": (("到任日期", "起始日期"), "", True),
        "end_on": (("离任日期", "终止日期"), "仍在任的不填", False),
    }, _check_holder, "obligation_ppp_holder", "项目责任回溯（76号 五(二)）：违约追溯到违约发生之日负责该阶段的政府方责任人。"),
    Register("ppp_breaches", "PPP项目政府方违约", PppBreach, {
        "project_code": (("项目库编号", "项目编号"), "已登记的PPP项目", True),
        "stage": (("项目阶段",), "违约发生时的阶段", True),
        "breach_on": (("违约发生日期",), "", True),
        "found_on": (("认定日期",), "", True),
        "facts": (("违约事实",), "", True),
        "finding_basis": (("认定依据",), "如 生效判决、仲裁裁决、行政认定", True),
        "finding_unit": (("认定单位",), "", True),
        "finding_code": (("认定单位统一社会信用代码",), "信用记录的报送部门", True),
        "loss_amount": (("损失金额（万元）",), "不能为负", False),
    }, _check_breach, "obligation_ppp_breach", "每日例行任务追溯违约发生之日的责任人，写入单位和责任人的“PPP项目违约”信用记录。"),
    Register("judgments", "涉政府机构的法院判决和失信被执行人", Judgment, {
        "case_no": (("案号", "执行案号"), "唯一", True),
        **BODY_COLUMNS,
        "court_name": (("法院名称",), "", True),
        "court_code": (("法院统一社会信用代码",), "", True),
        "creditor_name": (("申请执行人名称", "权利人名称"), "", True),
        "obligation": (("生效法律文书确定的义务",), "", True),
        "amount": (("执行标的（万元）",), "不能为负", False),
        "effective_on": (("生效日期",), "", True),
        "perform_by": (("履行期限",), "", False),
        "listed_on": (("列入失信被执行人名单日期",), "被列入的填写", False),
    }, _check_judgment, "obligation_judgment", "温政办〔2017〕71号 二(二)1-3：列入失信被执行人名单的，报告上级并取消评优评先资格，直至履行或和解履行并移出名单。"),
    Register("debts", "政府债务", Debt, {
        **BODY_COLUMNS,
        "as_of": (("统计日期",), "", True),
        "balance": (("债务余额（万元）",), "不能为负", True),
        "resources": (("综合财力（万元）",), "不能为负", True),
        "maturing": (("一年内到期（万元）",), "不能为负", False),
        "next_maturity": (("最近到期日",), "", False),
        "overdue_amount": (("逾期未偿还（万元）",), "不能为负", False),
    }, _check_debt, "obligation_debt", "国发〔2016〕76号 五(五)：债务率 = 债务余额 ÷ 综合财力，按政策清单的分档预警。"),
)}
_ONE = __import__("datetime").timedelta(days=1)


def register(key: str) -> Register:
    found = REGISTERS.get(key)
    if found is None:
        raise NotFound(f"没有“{key}”登记簿", f"no register {key}")
    return found


# --- template, reading, import ------------------------------------------------------------------


def template_bytes(reg: Register) -> bytes:
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = reg.title[:31]
    for col, (key, (headers, note, required)) in enumerate(reg.columns.items(), start=1):
        c = set_cell(ws, 1, col, headers[0])
        c.font = Font(bold=True, color="9C0006" if required else "000000")
        c.comment = Comment(("【必填】" if required else "【选填】") + (note or headers[0]), "xinyong")
        letter = get_column_letter(col)
        ws.column_dimensions[letter].width = 22
        if key.endswith("_code") or key in ("ref_no", "contract_no", "case_no"):
            for r in range(2, 1002):
                ws.cell(row=r, column=col).number_format = "@"
    ws.freeze_panes = "A2"
    info = wb.create_sheet("填写说明")
    for n, line in enumerate(("每行一条。金额单位为万元，不能为负数；日期写作 2026-03-01。",
                              "每行单独校验，错误的行列出行号、列名和原因，该行不写入，不影响其他行。",
                              reg.note), start=1):
        set_cell(info, n, 1, line)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def read_xlsx(reg: Register, data: bytes) -> list[dict]:
    wb, ws, last_row, last_col = open_workbook(io.BytesIO(data), Limits.from_settings())
    try:
        rows = ws.iter_rows(min_row=1, max_row=max(last_row, 1), max_col=max(last_col, 1), values_only=True)
        header = [str(h or "").strip() for h in next(rows, [])]
        pos = {key: next((i for i, h in enumerate(header) if h in names), None)
               for key, (names, _note, _req) in reg.columns.items()}
        missing = [reg.columns[k][0][0] for k, (_n, _note, req) in reg.columns.items() if req and pos[k] is None]
        if missing:
            raise InvalidInput(f"表格缺少必填列：{'、'.join(missing)}", f"missing columns: {missing}", field="file")
        out = []
        for row in rows:
            if not any(v not in (None, "") for v in row):
                continue
            out.append({k: (row[i] if i is not None and i < len(row) else None) for k, i in pos.items()})
            if len(out) > MAX_ROWS:
                raise InvalidInput(f"一次最多导入 {MAX_ROWS:,} 行", f"at most {MAX_ROWS} rows", field="file")
        return out
    finally:
        wb.close()


def _jsonable(values: dict) -> dict:
    return {k: (v.isoformat() if isinstance(v, date) else str(v) if isinstance(v, Decimal) else v)
            for k, v in values.items()}


def import_rows(session: Session, key: str, rows: Iterable[dict], *, who: Principal, today: date,
                request_id: str | None = None, ip: str | None = None) -> Imported:
    """Check every row of a register and write the good ones (the caller commits)."""
    reg = register(key)
    ctx = Ctx(session, who, today, policy_rules(session))
    result = Imported()
    for n, row in enumerate(rows, start=1):
        result.rows += 1
        ctx.pending.clear()
        try:
            values = reg.check(ctx, row, n)
        except _Bad as bad:
            header = reg.columns[bad.column][0][0] if bad.column in reg.columns else bad.column
            result.errors.append(RowProblem(n, header, bad.reason))
            continue
        ctx.seen.update(dict.fromkeys(ctx.pending, n))
        obj = reg.model(**values, created_by=who.username)
        session.add(obj)
        session.flush()
        log_event(session, who=who, action="create", entity=reg.entity, entity_id=obj.id,
                  subject_id=values.get("body_id") or values.get("person_id"), after=_jsonable(values),
                  request_id=request_id, ip=ip)
        result.created += 1
    session.flush()
    return result


# --- reading the registers ----------------------------------------------------------------------


def _scoped(q, column, who: Principal):
    if who.region_code:
        return q.where(column.like(regions.scope_prefix(who.region_code) + "%"))
    if who.via == "cli":
        return q
    return q.where(literal(False))


def _region_filter(q, column, who: Principal, region: str | None):
    if region:
        if not who.covers(region):
            raise Forbidden("超出您的地区权限范围", f"region {region} is outside {who.label}'s scope")
        q = q.where(column.like(regions.scope_prefix(region) + "%"))
    return q


def search(session: Session, key: str, who: Principal, *, region: str | None = None, body_id: int | None = None,
           limit: int = 100, offset: int = 0) -> list[tuple]:
    """A register's rows in the caller's scope with their body (PPP holders and breaches: with
    their project). One query; the ones needing attention first."""
    reg = register(key)
    m = reg.model
    if m in (PppHolder, PppBreach):
        q = (select(m, PppProject).join(PppProject, PppProject.id == m.project_id))
        q = _region_filter(_scoped(q, PppProject.region_code, who), PppProject.region_code, who, region)
        if body_id is not None:
            q = q.where(PppProject.body_id == body_id)
        order = [m.id.desc()]
    else:
        q = select(m, Subject).join(Subject, Subject.id == m.body_id)
        q = _region_filter(_scoped(q, m.region_code, who), m.region_code, who, region)
        if body_id is not None:
            q = q.where(m.body_id == body_id)
        order = {
            Contract: [Contract.arrears.desc(), Contract.pay_due_on, Contract.id],
            Judgment: [case((Judgment.status == "listed", 0), (Judgment.status == "unperformed", 1), else_=2),
                       Judgment.effective_on.desc(), Judgment.id],
            Debt: [Debt.as_of.desc(), Debt.id],
        }.get(m, [m.id.desc()])
    return list(session.execute(q.order_by(*order).limit(limit).offset(offset)).tuples())


def get(session: Session, model, row_id: int, who: Principal):
    obj = session.get(model, row_id)
    if obj is None:
        raise NotFound("记录不存在", f"no {model.__tablename__} {row_id}")
    region = obj.region_code if hasattr(obj, "region_code") else session.get(PppProject, obj.project_id).region_code
    if not who.covers(region):
        raise Forbidden("超出您的地区权限范围", f"{model.__tablename__} {row_id} is outside {who.label}'s scope")
    return obj


# --- changes ------------------------------------------------------------------------------------


def change_agreement(session: Session, agreement_id: int, *, to: str, on: date, reason: str, ground: str,
                     basis: str, compensation: str, compensation_amount: Decimal | None, who: Principal,
                     today: date, request_id: str | None = None, ip: str | None = None) -> Agreement:
    """Change or terminate a promise, or mark it kept. A change or termination cites its legal
    ground, the law and procedure, and the compensation decided; a reason that is a change of
    government or of officials is refused (76号 五(四))."""
    a = get(session, Agreement, agreement_id, who)
    to = next((k for k, v in AGREEMENT_STATUSES.items() if to in (k, v)), to)
    if to not in ("fulfilled", "changed", "terminated"):
        raise InvalidInput("状态可选：已履行、已依法变更、已依法解除", f"bad status {to}", field="status")
    if a.status != "in_force":
        raise InvalidInput(f"该协议已是“{AGREEMENT_STATUSES[a.status]}”", "not in force", field="status")
    if compensation_amount is not None and compensation_amount < 0:
        raise InvalidInput("补偿金额不能为负数", "negative compensation", field="compensation_amount")
    if on < a.signed_on or on > today:
        raise InvalidInput("日期应在签订日期与今天之间", "date out of range", field="on")
    before = {"status": a.status}
    if to != "fulfilled":
        problem = rules.check_change(reason, ground, basis, compensation, policy_rules(session))
        if problem:
            raise InvalidInput(problem, "change refused", field="reason")
        a.change_reason, a.legal_ground, a.legal_basis = reason.strip(), ground, basis.strip()
        a.compensation, a.compensation_amount = compensation.strip(), compensation_amount
    a.status, a.changed_on = to, on
    session.flush()
    log_event(session, who=who, action="status", entity="obligation_agreement", entity_id=a.id, subject_id=a.body_id,
              before=before, after={"status": to, "on": on.isoformat(), "reason": reason, "ground": ground},
              request_id=request_id, ip=ip)
    return a


def advance_stage(session: Session, project_id: int, *, to: str, on: date, who: Principal, today: date,
                  request_id: str | None = None, ip: str | None = None) -> PppProject:
    """Move a project to its next stage; out of order (skipping or going back) is refused."""
    p = get(session, PppProject, project_id, who)
    problem = rules.stage_problem(p.stage, to, policy_rules(session).ppp_stages)
    if problem:
        raise InvalidInput(problem, "stage out of order", field="stage")
    if on < p.stage_on or on > today:
        raise InvalidInput("阶段日期应在上一阶段日期与今天之间", "date out of range", field="on")
    before = {"stage": p.stage, "stage_on": p.stage_on.isoformat()}
    p.stage, p.stage_on = to, on
    p.stages = ";".join(x for x in (p.stages, f"{to}:{on.isoformat()}") if x)
    session.flush()
    log_event(session, who=who, action="stage", entity="obligation_ppp", entity_id=p.id, subject_id=p.body_id,
              before=before, after={"stage": to, "stage_on": on.isoformat()}, request_id=request_id, ip=ip)
    return p


def close_judgment(session: Session, judgment_id: int, *, to: str, on: date, who: Principal, today: date,
                   request_id: str | None = None, ip: str | None = None) -> Judgment:
    """A judgment performed, settled and performed, or (once listed) removed from the list: it
    stops counting; a listing's record is re-sent with its end date by the daily run."""
    j = get(session, Judgment, judgment_id, who)
    to = next((k for k, v in JUDGMENT_STATUSES.items() if to in (k, v)), to)
    if to not in ("performed", "settled", "removed"):
        raise InvalidInput("可选：已履行、已和解履行、已移出名单", f"bad status {to}", field="status")
    if j.status not in ("unperformed", "listed"):
        raise InvalidInput(f"该判决已是“{JUDGMENT_STATUSES[j.status]}”", "already closed", field="status")
    if to == "removed" and j.status != "listed":
        raise InvalidInput("未列入失信被执行人名单的，不能移出名单", "not listed", field="status")
    if on < (j.listed_on or j.effective_on) or on > today:
        raise InvalidInput("日期应在生效（列入）日期与今天之间", "date out of range", field="on")
    before = {"status": j.status}
    j.status, j.closed_on, j.overdue = to, on, False
    session.flush()
    log_event(session, who=who, action="status", entity="obligation_judgment", entity_id=j.id, subject_id=j.body_id,
              before=before, after={"status": to, "on": on.isoformat()}, request_id=request_id, ip=ip)
    return j


# --- the daily work -----------------------------------------------------------------------------


def _rc(result) -> int:
    return result.rowcount or 0


def daily_arrears(session: Session, today: date) -> dict[str, int]:
    """Arrears from due dates: two updates — the unpaid amount of every contract past its due
    date where the stored figure differs, and zero where it is no longer owed."""
    owed = Contract.amount - Contract.paid_amount
    past = and_(Contract.pay_due_on.is_not(None), Contract.pay_due_on < today, Contract.amount > Contract.paid_amount)
    started = session.execute(
        update(Contract).where(past, or_(Contract.arrears != owed, Contract.arrears_since.is_(None)))
        .values(arrears=owed, arrears_since=func.coalesce(Contract.arrears_since, today))
        .execution_options(synchronize_session=False))
    cleared = session.execute(
        update(Contract).where(~past, or_(Contract.arrears != 0, Contract.arrears_since.is_not(None)))
        .values(arrears=0, arrears_since=None).execution_options(synchronize_session=False))
    session.expire_all()
    return {"arrears": _rc(started), "cleared": _rc(cleared)}


def daily_debt_levels(session: Session, today: date) -> dict[str, int]:
    """Each debt figure's warning level under the policy in force (lower bounds inclusive,
    compared as balance ≥ bound × resources, so no division), where the stored one differs."""
    policy = policy_rules(session)
    levels = policy.debt_levels
    whens = [(Debt.resources <= 0, literal(levels[-1].code))]
    for lv in reversed(levels[1:]):
        whens.append((Debt.balance >= Debt.resources * lv.min_ratio, literal(lv.code)))
    level = case(*whens, else_=literal(levels[0].code))
    changed = session.execute(
        update(Debt).where(or_(Debt.level.is_(None), Debt.level != level)).values(level=level)
        .execution_options(synchronize_session=False))
    session.expire_all()
    return {"levels": _rc(changed)}


def _superior():
    return select(Subject.parent_id).where(Subject.id == Judgment.body_id).scalar_subquery()


def daily_judgments(session: Session, today: date) -> dict[str, int]:
    """Overdue judgments (unperformed past their deadline) flagged; listed bodies reported to
    their superior (once); listings written as 失信被执行人 records and removals re-sent."""
    open_ = Judgment.status.in_(("unperformed", "listed"))
    late = and_(open_, Judgment.perform_by.is_not(None), Judgment.perform_by < today)
    flagged = session.execute(update(Judgment).where(late, Judgment.overdue.is_(False)).values(overdue=True)
                              .execution_options(synchronize_session=False))
    unflagged = session.execute(update(Judgment).where(~late, Judgment.overdue.is_(True)).values(overdue=False)
                                .execution_options(synchronize_session=False))
    reported = session.execute(
        update(Judgment).where(Judgment.status == "listed", Judgment.reported_to_id.is_(None),
                               _superior().is_not(None))
        .values(reported_to_id=_superior(), reported_on=today).execution_options(synchronize_session=False))
    records = _judgment_records(session, today)
    session.expire_all()
    return {"overdue": _rc(flagged) + _rc(unflagged), "reported": _rc(reported), **records}


JUDGMENT_PREFIX = "obligation-judgment:"
PPP_PREFIX = "obligation-ppp:"


def _plain(subject_code: str, cipher: str | None) -> str:
    from xinyong.commitments.service import _plain_code

    return _plain_code(subject_code, cipher)


def _write(session: Session, rows: list[dict], category: str, today: date) -> tuple[int, int]:
    from xinyong.records.ingest import import_source
    from xinyong.records.readers import rows_from_dicts
    from xinyong.records.validation import Defaults

    if not rows:
        return 0, 0
    result = import_source(session, rows_from_dicts(rows), file_name="obligations", category=category,
                           user=DAILY_USER, defaults=Defaults(today=today))
    return result.new + result.updated, result.rejected


def _record_id(dept, source):
    return (select(Record.id).where(Record.department_code == dept, Record.source_id == source)
            .order_by(Record.id.desc()).limit(1).scalar_subquery())


def _judgment_records(session: Session, today: date) -> dict[str, int]:
    """Listings without their record, and removed ones whose record still lacks its end date:
    one select, one import batch, one update linking them."""
    src = literal(JUDGMENT_PREFIX) + cast(Judgment.id, String)
    new = and_(Judgment.listed_on.is_not(None), Judgment.record_id.is_(None), Judgment.status == "listed")
    ended = and_(Judgment.record_id.is_not(None), Judgment.status.in_(("performed", "settled", "removed")),
                 Judgment.listed_on.is_not(None),
                 ~select(Record.id).where(Record.id == Judgment.record_id,
                                          Record.facts["listing_end"].as_string().is_not(None)).exists())
    found = session.execute(
        select(Judgment, Subject.name, Subject.code, Subject.code_cipher)
        .join(Subject, Subject.id == Judgment.body_id).where(or_(new, ended)).order_by(Judgment.id)).all()
    rows = []
    for j, name, code, cipher in found:
        row = {
            "subject_name": name, "subject_code": _plain(code, cipher), "category": "dishonest_judgment_debtor",
            "decision_no": j.case_no, "decision_date": j.listed_on.isoformat(), "department_name": j.court_name,
            "department_code": j.court_code, "source_id": f"{JUDGMENT_PREFIX}{j.id}",
            "filing_date": j.effective_on.isoformat(), "basis_no": j.case_no, "obligation": j.obligation,
            "performance": "全部未履行",
            "listing_ground": "有履行能力而拒不履行生效法律文书确定义务",
        }
        if j.status != "listed" and j.closed_on:
            row["listing_end"] = row["removal_date"] = j.closed_on.isoformat()
        rows.append(row)
    written, rejected = _write(session, rows, "dishonest_judgment_debtor", today)
    if found:
        session.execute(update(Judgment).where(Judgment.id.in_([j.id for j, *_ in found]))
                        .values(record_id=_record_id(Judgment.court_code, src))
                        .execution_options(synchronize_session=False))
    return {"records": written, "rejected": rejected}


def daily_ppp_breaches(session: Session, today: date) -> dict[str, int]:
    """项目责任回溯: each breach not yet traced gets the person who held its stage's
    responsibility on the day it happened (one correlated update), then breaches without records
    become PPP项目违约 records on the body and on that person (one batch), linked (two updates)."""
    holder = (select(PppHolder.person_id)
              .where(PppHolder.project_id == PppBreach.project_id, PppHolder.stage == PppBreach.stage,
                     PppHolder.start_on <= PppBreach.breach_on,
                     or_(PppHolder.end_on.is_(None), PppHolder.end_on >= PppBreach.breach_on))
              .order_by(PppHolder.start_on.desc()).limit(1).scalar_subquery())
    traced = session.execute(update(PppBreach).where(PppBreach.holder_id.is_(None), holder.is_not(None))
                             .values(holder_id=holder).execution_options(synchronize_session=False))
    person = Subject.__table__.alias("person")
    found = session.execute(
        select(PppBreach, PppProject.name, PppProject.project_code, Subject.name, Subject.code, Subject.code_cipher,
               person.c.name, person.c.code, person.c.code_cipher)
        .join(PppProject, PppProject.id == PppBreach.project_id).join(Subject, Subject.id == PppProject.body_id)
        .outerjoin(person, person.c.id == PppBreach.holder_id)
        .where(or_(PppBreach.body_record_id.is_(None),
                   and_(PppBreach.holder_id.is_not(None), PppBreach.person_record_id.is_(None))))
        .order_by(PppBreach.id)).all()
    rows = []
    for b, pname, pcode, bname, bcode, bcipher, hname, hcode, hcipher in found:
        base = {
            "category": "ppp_breach", "decision_no": f"PPP违约认定〔{b.found_on.year}〕{b.id}",
            "decision_date": b.found_on.isoformat(), "department_name": b.finding_unit,
            "department_code": b.finding_code, "project_name": pname, "project_code": pcode,
            "party_role": "政府方", "stage": b.stage, "breach_date": b.breach_on.isoformat(),
            "breach_facts": b.facts, "finding_basis": b.finding_basis,
            **({"loss_amount": str(b.loss_amount)} if b.loss_amount is not None else {}),
        }
        if b.body_record_id is None:
            rows.append({**base, "subject_name": bname, "subject_code": _plain(bcode, bcipher),
                         "source_id": f"{PPP_PREFIX}{b.id}:body"})
        if b.holder_id is not None and b.person_record_id is None:
            rows.append({**base, "subject_name": hname, "subject_code": _plain(hcode, hcipher),
                         "source_id": f"{PPP_PREFIX}{b.id}:person"})
    written, rejected = _write(session, rows, "ppp_breach", today)
    if found:
        ids = [r[0].id for r in found]
        src = literal(PPP_PREFIX) + cast(PppBreach.id, String)
        session.execute(update(PppBreach).where(PppBreach.id.in_(ids), PppBreach.body_record_id.is_(None))
                        .values(body_record_id=_record_id(PppBreach.finding_code, src + literal(":body")))
                        .execution_options(synchronize_session=False))
        session.execute(update(PppBreach).where(PppBreach.id.in_(ids), PppBreach.holder_id.is_not(None),
                                                PppBreach.person_record_id.is_(None))
                        .values(person_record_id=_record_id(PppBreach.finding_code, src + literal(":person")))
                        .execution_options(synchronize_session=False))
    if found or _rc(traced):
        log_event(session, who=DAILY_USER, action="trace", entity="obligation_ppp_breach",
                  after={"date": today.isoformat(), "traced": _rc(traced), "records": written})
    session.expire_all()
    return {"traced": _rc(traced), "records": written, "rejected": rejected}


# --- counts and export --------------------------------------------------------------------------


def arrears_by_body(session: Session, who: Principal, *, limit: int = 200) -> list[tuple]:
    """Per body: contracts in arrears and the amount (one GROUP BY)."""
    q = (select(Contract.body_id, Subject.name, Contract.region_code, func.count().label("n"),
                func.sum(Contract.arrears).label("amount"))
         .join(Subject, Subject.id == Contract.body_id).where(Contract.arrears > 0))
    q = _scoped(q, Contract.region_code, who).group_by(Contract.body_id, Subject.name, Contract.region_code)
    return list(session.execute(q.order_by(func.sum(Contract.arrears).desc()).limit(limit)))


def listed_under(session: Session, superior_id: int) -> list[tuple[Judgment, Subject]]:
    """The listings reported to a superior body: what its page shows (温 二(二)2)."""
    return list(session.execute(
        select(Judgment, Subject).join(Subject, Subject.id == Judgment.body_id)
        .where(Judgment.reported_to_id == superior_id, Judgment.status == "listed")
        .order_by(Judgment.listed_on)).tuples())


def _cell(v):
    if v is None:
        return ""
    if isinstance(v, (date, Decimal)):
        return v.isoformat() if isinstance(v, date) else float(v)
    if isinstance(v, bool):
        return "是" if v else "否"
    return v


# the registers of bodies and enterprises; the PPP holders and breaches name persons and are not exported
EXPORTABLE = ("agreements", "contracts", "ppp", "judgments", "debts")
EXPORT_EXTRA = {
    "agreements": [("status", "履行状态")],
    "contracts": [("pay_due_on", "付款到期日"), ("arrears", "拖欠金额（万元）"), ("arrears_since", "拖欠起始日")],
    "ppp": [("stage", "当前阶段")],
    "judgments": [("status", "状态"), ("overdue", "逾期未履行"), ("closed_on", "结案或移出日期")],
    "debts": [("ratio", "债务率"), ("level", "预警等级")],
}


def export_bytes(session: Session, key: str, who: Principal, *, region: str | None = None,
                 request_id: str | None = None, ip: str | None = None) -> bytes:
    """A register (bodies and enterprises only: no natural person's data) as XLSX; one download
    entry in the audit log."""
    reg = register(key)
    if key not in EXPORTABLE:
        raise NotFound("该登记簿不提供导出", f"{key} is not exported")
    found = search(session, key, who, region=region, limit=MAX_ROWS)
    log_download(session, who=who, what=f"obligations_{key}_export", persons=0, request_id=request_id, ip=ip)
    cols = [k for k in reg.columns if k not in ("body_code", "body_name")]
    extra = EXPORT_EXTRA.get(key, [])
    wb = streamed_workbook()
    ws = wb.create_sheet(reg.title[:31])
    body_cols = ["单位名称", "单位统一社会信用代码"] if "body_code" in reg.columns else []
    append(ws, body_cols + [reg.columns[k][0][0] for k in cols if not k.startswith("stage_")] + [h for _k, h in extra])
    names = {**AGREEMENT_STATUSES, **JUDGMENT_STATUSES}
    for obj, other in found:
        lead = [other.name, other.code] if body_cols else []
        vals = [_cell(getattr(obj, k, None)) for k in cols if not k.startswith("stage_")]
        more = [names.get(v, v) if isinstance(v, str) else _cell(v) for v in (getattr(obj, k) for k, _h in extra)]
        append(ws, lead + vals + more)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
