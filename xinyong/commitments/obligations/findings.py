"""Findings: when an obligation unkept becomes a record, in two steps.

A record punishes, and dishonesty enters a credit file only once it is found by law (浙江省公共
信用信息管理条例 第十一条(六)“经依法认定”; the record's 认定依据 is required). So the daily run
(``obligations.findings``) only *proposes*: one insert-select per rule of ``obligations.yaml``
``findings`` writes a ``proposed`` row for every register row past the rule's threshold that has
none yet (a contract in arrears → 拖欠企业账款, a debt figure with overdue repayments → 政府债务违约,
an agreement in force past its due date, not lawfully changed or terminated → 招商引资失信). The
credit office then confirms a proposal — the record is written through the records' own path
(:func:`xinyong.records.ingest.import_source`, source id ``obligation-finding:{id}``, so once) —
or refuses it with its reason. Each decision is an audit entry. A row is proposed once: a refused
proposal is not proposed again.

A proposal whose cause has gone before the office decides — the arrears paid (or no longer past
the threshold), the overdue repayments cleared in a later debt figure of the same body, the
agreement fulfilled or lawfully changed or terminated, a due date moved — is withdrawn by the same
daily run (``withdrawn``, the reason in ``note``), before anything is proposed: one update per
rule, every proposal whose row no longer meets the rule, so every proposal left open stands. A decided finding
(confirmed, refused) is never touched, and a withdrawn one is not proposed again (the row keeps
its one finding).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import Date, and_, case, exists, func, literal, or_, select, update
from sqlalchemy.orm import Session, aliased

from xinyong.accounts.principal import Principal
from xinyong.audit.service import log_event
from xinyong.commitments.obligations import service
from xinyong.commitments.obligations.models import (
    AGREEMENT_STATUSES,
    FINDING_KINDS,
    FINDING_STATUSES,
    Agreement,
    Contract,
    Debt,
    Finding,
)
from xinyong.core.codes import CodeError, validate_uscc
from xinyong.core.errors import Forbidden, InvalidInput, NotFound
from xinyong.records.models import Record
from xinyong.subjects.models import Subject

SOURCE_PREFIX = "obligation-finding:"
_COLUMNS = ["kind", "row_id", "body_id", "region_code", "category", "due_on", "amount", "status", "proposed_on"]


def _amount(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _standing(kind: str, rule, today: date):
    """The register model and the condition under which a row of it is (still) a cause for a
    finding of ``kind`` under ``rule`` on ``today``; with the withdrawal reasons, in order, each
    a condition on the model's row and its reason in Chinese."""
    least = Decimal(str(rule.min_amount))
    days = rule.days_past_due
    cutoff = today - timedelta(days=days)
    under = "已付清" if least == 0 else f"已降至认定门槛（{_amount(least)}万元）及以下"
    if kind == "arrears":
        where = and_(Contract.arrears > least, Contract.pay_due_on.is_not(None), Contract.pay_due_on < cutoff)
        reasons = [(Contract.arrears <= least, f"拖欠款项{under}"),
                   (or_(Contract.pay_due_on.is_(None), Contract.pay_due_on >= cutoff),
                    f"付款期限已变更，逾期未满{days}日")]
        return Contract, where, reasons
    if kind == "debt_overdue":
        later = aliased(Debt)
        cured = exists().where(later.body_id == Debt.body_id, later.as_of > Debt.as_of, later.overdue_amount <= least)
        where = and_(Debt.overdue_amount > least, ~cured)
        cleared = "已无逾期未偿还" if least == 0 else f"逾期未偿还金额已降至认定门槛（{_amount(least)}万元）及以下"
        reasons = [(Debt.overdue_amount <= least, f"该期债务统计的逾期未偿还金额{under}"),
                   (cured, f"此后的债务统计{cleared}")]
        return Debt, where, reasons
    where = and_(Agreement.status == "in_force", Agreement.due_on.is_not(None), Agreement.due_on < cutoff,
                 func.coalesce(Agreement.incentive_amount, 0) >= least)
    reasons = [(Agreement.status == status, f"协议或承诺{name}") for status, name in AGREEMENT_STATUSES.items()
               if status != "in_force"]
    reasons.append((or_(Agreement.due_on.is_(None), Agreement.due_on >= cutoff), f"履行期限已变更，届满未满{days}日"))
    return Agreement, where, reasons


def _candidates(kind: str, rule, today: date):
    """The select of one rule's candidate rows (in the column order of :data:`_COLUMNS`)."""
    model, where, _reasons = _standing(kind, rule, today)
    due, amount = {"arrears": (Contract.pay_due_on, Contract.arrears),
                   "debt_overdue": (Debt.next_maturity, Debt.overdue_amount),
                   "agreement_overdue": (Agreement.due_on, Agreement.incentive_amount)}[kind]
    known = exists().where(Finding.kind == kind, Finding.row_id == model.id)
    return select(literal(kind), model.id, model.body_id, model.region_code, literal(rule.category), due, amount,
                  literal("proposed"), literal(today, Date())).where(where, ~known)


GONE = "认定建议所依据的情形已消除"


def _withdrawals(kind: str, rule, today: date) -> list:
    """The update that withdraws the open proposals of ``kind`` whose row is no longer a cause
    (or is gone), the reason being the first of :func:`_standing`'s that applies to the row (one
    correlated look-up, only for the rows withdrawn); it returns the ids it withdrew."""
    model, where, reasons = _standing(kind, rule, today)
    table = Finding.__table__
    reason = (select(case(*[(cond, literal(text)) for cond, text in reasons], else_=literal(GONE)))
              .where(model.id == table.c.row_id).scalar_subquery())
    return [update(table).where(table.c.kind == kind, table.c.status == "proposed",
                                ~exists().where(model.id == table.c.row_id, where))
            .values(status="withdrawn", decided_by=service.DAILY_USER, decided_on=today,
                    note=func.coalesce(reason, "登记簿中已无该行"))
            .returning(table.c.id)]


def _withdraw(session: Session, kind: str, rule, today: date) -> list[int]:
    return [i for stmt in _withdrawals(kind, rule, today) for (i,) in session.execute(stmt).all()]


def daily_findings(session: Session, today: date) -> dict[str, int]:
    """First the open proposals whose cause has gone are withdrawn (with the reason), then one
    insert-select per rule of the policy in force: rows past the threshold without a finding get
    a proposed one. A second run the same day changes nothing; decided findings stay as they are."""
    policy = service.policy_rules(session)
    out: dict[str, int] = {}
    withdrawn: dict[str, list[int]] = {}
    for kind in FINDING_KINDS:
        rule = policy.finding(kind)
        if rule is None:
            out[kind] = 0
            continue
        ids = _withdraw(session, kind, rule, today)
        if ids:
            withdrawn[kind] = ids
        # RETURNING for the count: an INSERT … SELECT's rowcount is -1 on PostgreSQL's driver
        result = session.execute(Finding.__table__.insert().from_select(_COLUMNS, _candidates(kind, rule, today))
                                 .returning(Finding.__table__.c.id))
        out[kind] = len(result.all())
    out["withdrawn"] = sum(len(v) for v in withdrawn.values())
    if any(out[k] for k in FINDING_KINDS):
        log_event(session, who=service.DAILY_USER, action="propose", entity="obligation_finding",
                  after={"date": today.isoformat(), **{k: out[k] for k in FINDING_KINDS}})
    if withdrawn:
        log_event(session, who=service.DAILY_USER, action="withdraw", entity="obligation_finding",
                  after={"date": today.isoformat(), **{k: len(v) for k, v in withdrawn.items()},
                         "ids": sorted(i for v in withdrawn.values() for i in v)[:1000]})
    session.expire_all()
    return out


def search(session: Session, who: Principal, *, status: str | None = "proposed", region: str | None = None,
           limit: int = 200, offset: int = 0) -> list[tuple[Finding, str]]:
    q = select(Finding, Subject.name).join(Subject, Subject.id == Finding.body_id)
    q = service._region_filter(service._scoped(q, Finding.region_code, who), Finding.region_code, who, region)
    if status:
        q = q.where(Finding.status == status)
    return list(session.execute(q.order_by(Finding.id).limit(limit).offset(offset)).tuples())


def counts(session: Session, who: Principal, *, region: str | None = None) -> dict[str, int]:
    """How many findings of each status in the caller's scope (and ``region``): one grouped count."""
    q = select(Finding.status, func.count()).group_by(Finding.status)
    q = service._region_filter(service._scoped(q, Finding.region_code, who), Finding.region_code, who, region)
    found = dict(session.execute(q).tuples().all())
    return {status: found.get(status, 0) for status in FINDING_STATUSES}


def _money(v: Decimal | None) -> str:
    return "—" if v is None else f"{v:,.2f}"


def facts(session: Session, found: list[Finding], today: date) -> dict[int, list[str]]:
    """The facts each finding rests on, in Chinese, from its register row as it is now: one
    query per kind for the rows shown."""
    from xinyong.commitments.obligations import rules

    ids: dict[str, list[int]] = {}
    for f in found:
        ids.setdefault(f.kind, []).append(f.row_id)
    model = {"arrears": Contract, "debt_overdue": Debt, "agreement_overdue": Agreement}
    rows = {(kind, r.id): r for kind, keys in ids.items()
            for r in session.scalars(select(model[kind]).where(model[kind].id.in_(keys)))}
    out: dict[int, list[str]] = {}
    for f in found:
        r = rows.get((f.kind, f.row_id))
        if r is None:
            out[f.id] = ["登记簿中已无该行"]
        elif f.kind == "arrears":
            late = (today - r.pay_due_on).days if r.pay_due_on else 0
            out[f.id] = [f"{r.kind}合同“{r.name}”（合同编号 {r.contract_no}），签订于 {r.signed_on.isoformat()}",
                         f"供应商：{r.supplier_name}{'（中小企业）' if r.sme else ''}",
                         f"合同金额 {_money(r.amount)} 万元，已付 {_money(r.paid_amount)} 万元"
                         + (f"（{r.paid_on.isoformat()}）" if r.paid_on else ""),
                         f"付款到期日 {r.pay_due_on.isoformat() if r.pay_due_on else '未定'}；现拖欠 {_money(r.arrears)} 万元"
                         + (f"，已逾期 {late} 日" if r.arrears and late > 0 else "")]
        elif f.kind == "debt_overdue":
            ratio = rules.debt_ratio(r.balance, r.resources)
            out[f.id] = [f"债务统计截至 {r.as_of.isoformat()}：政府债务余额 {_money(r.balance)} 万元，"
                         f"综合财力 {_money(r.resources)} 万元，债务率 {'—' if ratio is None else f'{ratio * 100:.2f}%'}",
                         f"逾期未偿还 {_money(r.overdue_amount)} 万元"
                         + (f"；下一到期日 {r.next_maturity.isoformat()}" if r.next_maturity else "")]
        else:
            out[f.id] = [f"{r.kind}“{r.name}”（编号 {r.ref_no}），签订于 {r.signed_on.isoformat()}，对方：{r.counterpart_name}",
                         f"约定 {r.due_on.isoformat() if r.due_on else '（未定期限）'} 前兑现：{r.incentives}"
                         + (f"（{_money(r.incentive_amount)} 万元）" if r.incentive_amount is not None else ""),
                         f"现状态：{AGREEMENT_STATUSES.get(r.status, r.status)}"]
    return out


def get(session: Session, finding_id: int, who: Principal) -> Finding:
    f = session.get(Finding, finding_id)
    if f is None:
        raise NotFound("该认定建议不存在", f"no finding {finding_id}")
    if not who.covers(f.region_code):
        raise Forbidden("超出您的地区权限范围", f"finding {finding_id} is outside {who.label}'s scope")
    return f


def _record_row(session: Session, f: Finding, rule, unit: str, unit_code: str, on: date) -> dict:
    body = session.get(Subject, f.body_id)
    base = {"subject_name": body.name, "subject_code": service._plain(body.code, body.code_cipher),
            "category": f.category, "decision_no": f"履约认定〔{on.year}〕{f.id}号", "decision_date": on.isoformat(),
            "department_name": unit, "department_code": unit_code, "source_id": f"{SOURCE_PREFIX}{f.id}",
            "finding_basis": rule.finding_basis if rule else "经信用办核实认定"}
    if f.kind == "arrears":
        c = session.get(Contract, f.row_id)
        return {**base, "contract_name": c.name, "creditor_name": c.supplier_name, "creditor_code": c.supplier_code,
                "arrears_amount": str(c.arrears if c.arrears else f.amount), "agreed_pay_date": c.pay_due_on.isoformat(),
                "overdue_days": str(max((on - c.pay_due_on).days, 0))}
    if f.kind == "debt_overdue":
        d = session.get(Debt, f.row_id)
        return {**base, "debt_name": f"{body.name}政府债务（{d.as_of.isoformat()}）", "debt_type": "政府负有偿还责任的债务",
                "violation_type": "逾期未偿还", "overdue_principal": str(d.overdue_amount),
                **({"due_date": d.next_maturity.isoformat()} if d.next_maturity and d.next_maturity <= on else {})}
    a = session.get(Agreement, f.row_id)
    return {**base, "project_name": a.name, "agreement_name": f"{a.name}（{a.ref_no}）",
            "agreement_date": a.signed_on.isoformat(), "counterpart_name": a.counterpart_name,
            **({"counterpart_code": a.counterpart_code} if a.counterpart_code else {}),
            "breach_type": "不履行政策承诺" if a.kind == "政策承诺" else "不履行合同协议",
            "breach_facts": f"{a.kind}“{a.name}”约定于{a.due_on.isoformat()}前兑现：{a.incentives}；期限届满未履行，"
                            "亦未依法变更或解除"}


def _open(f: Finding) -> None:
    if f.status != "proposed":
        raise InvalidInput(f"该认定建议已是“{FINDING_STATUSES[f.status]}”", "already decided", field="status")


def confirm(session: Session, finding_id: int, *, unit: str, unit_code: str, note: str, who: Principal, today: date,
            request_id: str | None = None, ip: str | None = None) -> Finding:
    """The credit office confirms: the record is written through the records' path (once, by its
    source id), linked, and the decision audited. A record the records' checks refuse leaves
    the proposal open and says why."""
    from xinyong.records.ingest import import_source
    from xinyong.records.readers import rows_from_dicts
    from xinyong.records.validation import Defaults

    f = get(session, finding_id, who)
    _open(f)
    unit = (unit or "").strip()
    if not unit:
        raise InvalidInput("须填写认定单位", "no unit", field="unit")
    try:
        unit_code = validate_uscc((unit_code or "").strip())
    except CodeError as e:
        raise InvalidInput(f"认定单位统一社会信用代码不正确：{e}", "bad unit code", field="unit_code") from None
    rule = service.policy_rules(session).finding(f.kind)
    row = _record_row(session, f, rule, unit, unit_code, today)
    result = import_source(session, rows_from_dicts([row]), file_name="obligations-finding", category=f.category,
                           user=who.username, defaults=Defaults(today=today))
    if result.rejected:
        reasons = "；".join(f"{e.field}：{e.zh}" for e in result.errors[:3])
        raise InvalidInput(f"记录未能写入：{reasons or '记录校验未通过'}", "record rejected", field="finding")
    f.record_id = session.execute(select(Record.id).where(Record.department_code == unit_code,
                                                          Record.source_id == row["source_id"])
                                  .order_by(Record.id.desc()).limit(1)).scalar_one_or_none()
    f.status, f.decided_by, f.decided_on, f.note = "confirmed", who.username, today, (note or "").strip() or None
    session.flush()
    log_event(session, who=who, action="confirm", entity="obligation_finding", entity_id=f.id, subject_id=f.body_id,
              before={"status": "proposed"}, after={"status": "confirmed", "record_id": f.record_id, "unit": unit},
              request_id=request_id, ip=ip)
    return f


def refuse(session: Session, finding_id: int, *, note: str, who: Principal, today: date,
           request_id: str | None = None, ip: str | None = None) -> Finding:
    """The credit office refuses a proposal, saying why (e.g. paid, the delay lawful); no record."""
    f = get(session, finding_id, who)
    _open(f)
    if not (note or "").strip():
        raise InvalidInput("不予认定须写明理由", "no reason", field="note")
    f.status, f.decided_by, f.decided_on, f.note = "refused", who.username, today, note.strip()
    session.flush()
    log_event(session, who=who, action="refuse", entity="obligation_finding", entity_id=f.id, subject_id=f.body_id,
              before={"status": "proposed"}, after={"status": "refused", "note": f.note}, request_id=request_id, ip=ip)
    return f
