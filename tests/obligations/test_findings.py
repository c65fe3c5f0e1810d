"""Findings: the daily run proposes (set-based, once per register row), the credit office
confirms — one record through the records' path — or refuses with its reason; both audited."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from tests.lists.helpers import body
from tests.obligations import helpers as h
from tests.obligations.helpers import FINDER, TODAY
from xinyong.accounts.principal import Principal, cli_principal
from xinyong.audit.models import AuditEntry
from xinyong.commitments.obligations import findings, service
from xinyong.commitments.obligations.models import Agreement, Contract, Finding
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
        h.debt(bureau, as_of="2025-06-30", overdue_amount="12", next_maturity="2025-05-31"), h.debt(bureau),
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
    assert findings.daily_findings(session, TODAY) == {"arrears": 1, "debt_overdue": 1, "agreement_overdue": 1}
    assert findings.daily_findings(session, TODAY) == {"arrears": 0, "debt_overdue": 0, "agreement_overdue": 0}
    rows = session.scalars(select(Finding).order_by(Finding.kind)).all()
    assert {(f.kind, f.category, f.status) for f in rows} == {
        ("agreement_overdue", "investment_attraction_breach", "proposed"),
        ("arrears", "arrears_to_enterprises", "proposed"), ("debt_overdue", "debt_default", "proposed")}
    assert {f.kind: f.amount for f in rows}["arrears"] == 60
    # a lawfully terminated agreement and rows within their 30 days are not proposed; 19 days on, they are
    later = date(2026, 6, 20)
    service.daily_arrears(session, later)
    assert findings.daily_findings(session, later) == {"arrears": 1, "debt_overdue": 0, "agreement_overdue": 1}
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
