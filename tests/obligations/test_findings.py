"""Findings: the daily run proposes (set-based, once per register row), the credit office
confirms — one record through the records' path — or refuses with its reason; both audited."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import delete, func, select, update

from tests.lists.helpers import body
from tests.obligations import helpers as h
from tests.obligations.helpers import FINDER, TODAY
from xinyong.accounts.principal import Principal, cli_principal
from xinyong.audit.models import AuditEntry
from xinyong.commitments.obligations import findings, service
from xinyong.commitments.obligations.models import Agreement, Contract, Debt, Finding
from xinyong.core import daily
from xinyong.core.clock import frozen_today
from xinyong.core.errors import Forbidden, InvalidInput
from xinyong.records.models import Record

WHO = cli_principal("credit_office")


def officer(region: str) -> Principal:
    return Principal(user_id=None, username=f"admin_{region}", role="admin", region_code=region, via="session")


@pytest.fixture
def bureau(session):
    return body(session, "某区经信局", kind="gov_body", region="330106")


def _setup(session, bureau):
    service.import_rows(session, "contracts", [
        h.contract(bureau, amount="100", paid_amount="40", paid_on="2026-03-20"),  # due 2026-04-01: 61 days past
        h.contract(bureau, amount="50", accepted_on="2026-04-10"),                 # due 2026-05-10: 22 days, not yet
        h.contract(bureau, amount="30", paid_amount="30", paid_on="2026-03-10"),   # paid
    ], who=WHO, today=TODAY)
    service.import_rows(session, "debts", [
        h.debt(bureau, as_of="2025-06-30"), h.debt(bureau, overdue_amount="12", next_maturity="2025-11-30"),
    ], who=WHO, today=TODAY)
    service.import_rows(session, "agreements", [
        h.agreement(bureau),                                   # due 2026-03-01, in force: past due
        h.agreement(bureau, due_on="2026-05-20"),              # 12 days past: within the 30 days
        h.agreement(bureau, due_on="2027-01-01"),              # not due
    ], who=WHO, today=TODAY)
    changed = session.scalars(select(Agreement).order_by(Agreement.id)).all()[0]
    service.import_rows(session, "agreements", [h.agreement(bureau, signed_on="2025-01-01")], who=WHO, today=TODAY)
    last = session.scalars(select(Agreement).order_by(Agreement.id.desc())).first()
    service.change_agreement(session, last.id, to="terminated", on=date(2026, 2, 1), reason="规划调整为生态保护区",
                             ground="公共利益", basis="土地管理法 第五十八条", compensation="已补偿",
                             compensation_amount=None, who=WHO, today=TODAY)
    service.daily_arrears(session, TODAY)
    return changed


def test_the_daily_run_proposes_once_per_row_past_the_threshold(session, bureau):
    _setup(session, bureau)
    assert findings.daily_findings(session, TODAY) == {"arrears": 1, "debt_overdue": 1, "agreement_overdue": 1,
                                                       "withdrawn": 0}
    assert findings.daily_findings(session, TODAY) == {"arrears": 0, "debt_overdue": 0, "agreement_overdue": 0,
                                                       "withdrawn": 0}
    rows = session.scalars(select(Finding).order_by(Finding.kind)).all()
    assert {(f.kind, f.category, f.status) for f in rows} == {
        ("agreement_overdue", "investment_attraction_breach", "proposed"),
        ("arrears", "arrears_to_enterprises", "proposed"), ("debt_overdue", "debt_default", "proposed")}
    assert {f.kind: f.amount for f in rows}["arrears"] == 60
    # a lawfully terminated agreement and rows within their 30 days are not proposed; 19 days on, they are
    later = date(2026, 6, 20)
    service.daily_arrears(session, later)
    assert findings.daily_findings(session, later) == {"arrears": 1, "debt_overdue": 0, "agreement_overdue": 1,
                                                       "withdrawn": 0}
    assert session.scalar(select(func.count()).select_from(Record)) == 0  # nothing written before confirmation


def test_confirmation_writes_one_record_and_refusal_none(session, bureau):
    _setup(session, bureau)
    findings.daily_findings(session, TODAY)
    by_kind = {f.kind: f for f in session.scalars(select(Finding))}
    office = officer("330100")
    with pytest.raises(Forbidden):
        findings.confirm(session, by_kind["arrears"].id, unit="某区信用办", unit_code=FINDER, note="", who=officer("330203"),
                         today=TODAY)
    with pytest.raises(InvalidInput) as bad:
        findings.confirm(session, by_kind["arrears"].id, unit="某区信用办", unit_code="123", note="", who=office,
                         today=TODAY)
    assert bad.value.field == "unit_code"
    for kind in ("arrears", "debt_overdue", "agreement_overdue"):
        f = findings.confirm(session, by_kind[kind].id, unit="某区信用办", unit_code=FINDER, note="核实属实", who=office,
                             today=TODAY)
        assert f.status == "confirmed" and f.record_id is not None
    records = session.scalars(select(Record).order_by(Record.id)).all()
    assert sorted(r.category_code for r in records) == ["arrears_to_enterprises", "debt_default",
                                                        "investment_attraction_breach"]
    assert all(r.subject_id == bureau.id and r.source_id.startswith("obligation-finding:") for r in records)
    arrears = next(r for r in records if r.category_code == "arrears_to_enterprises")
    assert float(arrears.facts["arrears_amount"]) == 60
    with pytest.raises(InvalidInput):  # decided once
        findings.confirm(session, by_kind["arrears"].id, unit="某区信用办", unit_code=FINDER, note="", who=office,
                         today=TODAY)
    assert findings.daily_findings(session, TODAY)["arrears"] == 0
    actions = session.scalars(select(AuditEntry.action).where(AuditEntry.entity == "obligation_finding")).all()
    assert actions.count("confirm") == 3 and "propose" in actions


def test_refusal_needs_a_reason_and_is_not_proposed_again(session, bureau):
    _setup(session, bureau)
    findings.daily_findings(session, TODAY)
    f = session.scalars(select(Finding).where(Finding.kind == "arrears")).one()
    with pytest.raises(InvalidInput) as bad:
        findings.refuse(session, f.id, note=" ", who=WHO, today=TODAY)
    assert bad.value.field == "note"
    findings.refuse(session, f.id, note="验收争议经法院审理中，暂不认定", who=WHO, today=TODAY)
    assert (f.status, f.record_id) == ("refused", None)
    assert findings.daily_findings(session, date(2026, 6, 2))["arrears"] == 0
    assert session.scalar(select(func.count()).select_from(Record)) == 0
    assert session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.entity == "obligation_finding", AuditEntry.action == "refuse")) == 1
    assert [x.id for x, _ in findings.search(session, WHO, status="refused")] == [f.id]
    assert findings.search(session, officer("330203"), status=None) == []
    assert session.get(Contract, session.scalars(select(Contract.id)).first()) is not None


def _open_ones(session) -> dict[str, Finding]:
    return {f.kind: f for f in session.scalars(select(Finding).where(Finding.status == "proposed"))}


def test_a_proposal_whose_cause_has_gone_is_withdrawn_with_its_reason_once(session, bureau):
    _setup(session, bureau)
    findings.daily_findings(session, TODAY)
    open_ = _open_ones(session)
    decided = session.scalars(select(Finding).where(Finding.kind == "arrears")).one()
    # the arrears paid, the overdue repayments cleared in a later figure, the agreement fulfilled
    contract = session.get(Contract, decided.row_id)
    session.execute(update(Contract).where(Contract.id == contract.id).values(paid_amount=contract.amount))
    service.import_rows(session, "debts", [h.debt(bureau, as_of="2026-03-31")], who=WHO, today=TODAY)
    service.change_agreement(session, open_["agreement_overdue"].row_id, to="fulfilled", on=date(2026, 5, 30), reason="",
                             ground="", basis="", compensation="", compensation_amount=None, who=WHO, today=TODAY)
    day = date(2026, 6, 2)
    service.daily_arrears(session, day)
    assert findings.daily_findings(session, day) == {"arrears": 0, "debt_overdue": 0, "agreement_overdue": 0,
                                                     "withdrawn": 3}
    rows = {f.kind: f for f in session.scalars(select(Finding))}
    assert {k: (f.status, f.note, f.decided_on, f.decided_by) for k, f in rows.items()} == {
        "arrears": ("withdrawn", "拖欠款项已付清", day, "daily"),
        "debt_overdue": ("withdrawn", "此后的债务统计已无逾期未偿还", day, "daily"),
        "agreement_overdue": ("withdrawn", "协议或承诺已履行", day, "daily")}
    assert all(f.record_id is None for f in rows.values())
    # idempotent: the same day, and a later one, change nothing; a withdrawn row is not proposed again
    assert findings.daily_findings(session, day)["withdrawn"] == 0
    later = findings.daily_findings(session, date(2026, 7, 1))  # the rows within their 30 days at first now are
    assert later["withdrawn"] == 0 and later["debt_overdue"] == 0
    assert all(session.get(Finding, f.id).status == "withdrawn" for f in rows.values())
    entries = session.scalars(select(AuditEntry).where(AuditEntry.entity == "obligation_finding",
                                                       AuditEntry.action == "withdraw")).all()
    assert len(entries) == 1 and entries[0].after["ids"] == sorted(f.id for f in rows.values())
    # it cannot be decided any more, and it is listed under its status
    with pytest.raises(InvalidInput) as late:
        findings.confirm(session, rows["arrears"].id, unit="某区信用办", unit_code=FINDER, note="", who=officer("330100"),
                         today=day)
    assert "已撤回" in late.value.zh
    assert len(findings.search(session, WHO, status="withdrawn")) == 3


def test_a_decided_finding_is_not_withdrawn(session, bureau):
    _setup(session, bureau)
    findings.daily_findings(session, TODAY)
    open_ = _open_ones(session)
    findings.confirm(session, open_["arrears"].id, unit="某区信用办", unit_code=FINDER, note="核实属实",
                     who=officer("330100"), today=TODAY)
    findings.refuse(session, open_["debt_overdue"].id, note="已列入化债方案", who=WHO, today=TODAY)
    session.execute(update(Contract).where(Contract.id == open_["arrears"].row_id).values(paid_amount=Contract.amount))
    service.import_rows(session, "debts", [h.debt(bureau, as_of="2026-03-31")], who=WHO, today=TODAY)
    service.daily_arrears(session, date(2026, 6, 2))
    assert findings.daily_findings(session, date(2026, 6, 2))["withdrawn"] == 0
    assert {f.kind: f.status for f in session.scalars(select(Finding))} == {
        "arrears": "confirmed", "debt_overdue": "refused", "agreement_overdue": "proposed"}


def test_other_causes_gone_a_due_date_moved_a_figure_corrected_but_not_a_partial_payment(session, bureau):
    _setup(session, bureau)
    findings.daily_findings(session, TODAY)
    open_ = _open_ones(session)
    # a part paid: still owed, the proposal stands
    session.execute(update(Contract).where(Contract.id == open_["arrears"].row_id).values(paid_amount=Decimal("90")))
    service.daily_arrears(session, TODAY)
    assert findings.daily_findings(session, TODAY)["withdrawn"] == 0
    # the agreement's due date corrected to 20 days ago: within the 30 days
    session.execute(update(Agreement).where(Agreement.id == open_["agreement_overdue"].row_id)
                    .values(due_on=date(2026, 5, 12)))
    # the debt figure corrected: no overdue repayment
    session.execute(update(Debt).where(Debt.id == open_["debt_overdue"].row_id).values(overdue_amount=Decimal("0")))
    assert findings.daily_findings(session, TODAY)["withdrawn"] == 2
    notes = {f.kind: f.note for f in session.scalars(select(Finding).where(Finding.status == "withdrawn"))}
    assert notes == {"agreement_overdue": "履行期限已变更，届满未满30日",
                     "debt_overdue": "该期债务统计的逾期未偿还金额已付清"}
    assert _open_ones(session).keys() == {"arrears"}
    # the register row gone
    session.execute(delete(Contract).where(Contract.id == open_["arrears"].row_id))
    assert findings.daily_findings(session, TODAY)["withdrawn"] == 1
    assert session.get(Finding, open_["arrears"].id).note == "登记簿中已无该行"


def _jobs(session, day: date, *, twice: bool = False) -> dict[str, dict]:
    """The obligations' registered daily jobs for ``day`` under the fake clock (twice: forced again)."""
    jobs = [j for j in daily.registered() if j.name.startswith("obligations.")]
    with frozen_today(day):
        out = {j.name: j.run(session, day) for j in jobs}
        if twice:
            again = {j.name: j.run(session, day) for j in jobs}
            assert all(daily.changed(v) == 0 for v in again.values()), again
    return out


def test_the_registered_daily_job_withdraws_under_the_fake_clock(session, bureau):
    _setup(session, bureau)
    assert _jobs(session, TODAY, twice=True)["obligations.findings"]["withdrawn"] == 0
    assert session.scalar(select(func.count()).select_from(Finding).where(Finding.status == "proposed")) == 3
    session.execute(update(Contract).values(paid_amount=Contract.amount))
    assert _jobs(session, date(2026, 6, 3), twice=True)["obligations.findings"]["withdrawn"] == 1
    statuses = dict(session.execute(select(Finding.kind, Finding.status)).tuples().all())
    assert statuses == {"arrears": "withdrawn", "debt_overdue": "proposed", "agreement_overdue": "proposed"}
