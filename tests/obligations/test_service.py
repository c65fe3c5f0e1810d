"""The registers: import with per-row errors (nothing stored for a bad row, the others kept),
a forbidden change reason refused, arrears from due dates, debt warning levels, a PPP breach
traced across a change of the person in post into that person's file, a listed body reported
to its superior with its 失信被执行人 record, and every daily run changing nothing the second time."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.lists.helpers import body, person
from tests.obligations import helpers as h
from tests.obligations.helpers import TODAY
from xinyong.accounts.principal import Principal, cli_principal
from xinyong.commitments.obligations import service
from xinyong.commitments.obligations.models import (
    Agreement,
    Contract,
    Debt,
    Judgment,
    PppBreach,
    PppProject,
)
from xinyong.core.errors import InvalidInput
from xinyong.records.models import Record

WHO = cli_principal("credit_office")


def officer(region: str = "330100") -> Principal:
    return Principal(user_id=None, username=f"admin_{region}", role="admin", region_code=region, via="session")


@pytest.fixture
def bureau(session):
    return body(session, "某区财政局", kind="gov_body", region="330106")


def _import(session, key, rows, who=WHO):
    return service.import_rows(session, key, rows, who=who, today=TODAY)


def test_bad_rows_are_named_and_left_out_the_others_kept(session, bureau):
    far = body(session, "宁波某局", kind="gov_body", region="330203")
    result = _import(session, "contracts", [
        h.contract(bureau),                                                        # 1 good
        h.contract(bureau, paid_amount="10", paid_on="2025-12-01"),                # 2 paid before the contract
        h.contract(bureau, amount="-5"),                                           # 3 negative
        h.contract(far),                                                           # 4 outside the region
        h.contract(bureau, accepted_on="2025-01-01"),                              # 5 accepted before signed
        h.contract(bureau, supplier_code="123"),                                   # 6 bad USCC
    ], who=officer())
    assert (result.rows, result.created, result.rejected) == (6, 1, 5)
    by_row = {e.row: (e.column, e.reason) for e in result.errors}
    assert by_row[2] == ("付款日期", "付款日期早于合同签订日期")
    assert by_row[3][0] == "合同金额（万元）" and "负数" in by_row[3][1]
    assert by_row[4] == ("单位统一社会信用代码", "该政府机构不在您的地区权限范围内")
    assert by_row[5][0] == "验收日期"
    assert by_row[6][0] == "供应商统一社会信用代码"
    assert session.scalar(select(func.count()).select_from(Contract)) == 1


def test_ppp_stage_out_of_order_and_negative_debt_are_refused(session, bureau):
    result = _import(session, "ppp", [h.ppp(bureau, stage_1=None), h.ppp(bureau, stage_2="2023-03-01"), h.ppp(bureau)])
    by_row = {e.row: (e.column, e.reason) for e in result.errors}
    assert by_row[1][0] == "采购阶段日期" and "未经“准备”阶段" in by_row[1][1]
    assert by_row[2][0] == "采购阶段日期" and "顺序颠倒" in by_row[2][1]
    assert result.created == 1
    debts = _import(session, "debts", [h.debt(bureau, balance="-1"), h.debt(bureau)])
    assert [(e.row, e.column) for e in debts.errors] == [(1, "债务余额（万元）")]
    assert "负数" in debts.errors[0].reason and debts.created == 1


def test_a_forbidden_change_reason_is_refused_on_import_and_on_change(session, bureau):
    result = _import(session, "agreements", [
        h.agreement(bureau, status="已依法解除", changed_on="2026-02-01", change_reason="因政府换届，新一届政府不再执行",
                    legal_ground="公共利益", legal_basis="依法", compensation="不予补偿"),
        h.agreement(bureau, status="已依法变更", changed_on="2026-02-01", change_reason="国土空间规划调整",
                    legal_ground="公共利益", legal_basis="土地管理法第五十八条", compensation="按评估价补偿", compensation_amount="-3"),
        h.agreement(bureau),
    ])
    by_row = {e.row: (e.column, e.reason) for e in result.errors}
    assert by_row[1][0] == "变更或解除理由" and "换届" in by_row[1][1]
    assert by_row[2][0] == "补偿金额（万元）"
    a = session.scalar(select(Agreement))
    with pytest.raises(InvalidInput) as refused:
        service.change_agreement(session, a.id, to="terminated", on=TODAY, reason="县主要领导变更，重新研究",
                                 ground="其他法定事由", basis="依法", compensation="无", compensation_amount=None,
                                 who=WHO, today=TODAY)
    assert "换届" in refused.value.zh
    done = service.change_agreement(session, a.id, to="changed", on=TODAY, reason="国家重大项目选址调整",
                                    ground="国家利益", basis="土地管理法第五十八条，经县政府常务会议决定",
                                    compensation="按评估价补偿", compensation_amount=Decimal("120"), who=WHO, today=TODAY)
    assert done.status == "changed"


def test_arrears_from_due_dates_counted_per_body_and_idempotent(session, bureau):
    _import(session, "contracts", [
        h.contract(bureau, amount="100", paid_amount="40", paid_on="2026-03-20"),  # due 2026-04-01, 60 owed
        h.contract(bureau, amount="50", accepted_on="2026-05-20"),                 # due 2026-06-19, not yet
        h.contract(bureau, amount="30", paid_amount="30", paid_on="2026-03-10"),   # paid
    ])
    session.execute(Contract.__table__.update().values(arrears=0, arrears_since=None))
    assert service.daily_arrears(session, TODAY) == {"arrears": 1, "cleared": 0}
    assert service.daily_arrears(session, TODAY) == {"arrears": 0, "cleared": 0}
    [(body_id, _name, _region, n, amount)] = service.arrears_by_body(session, WHO)
    assert (body_id, n, Decimal(amount)) == (bureau.id, 1, Decimal("60"))
    later = date(2026, 6, 20)
    assert service.daily_arrears(session, later)["arrears"] == 1
    assert service.daily_arrears(session, later) == {"arrears": 0, "cleared": 0}
    session.execute(Contract.__table__.update().where(Contract.amount == 100).values(paid_amount=100))
    assert service.daily_arrears(session, later) == {"arrears": 0, "cleared": 1}


def test_debt_levels_follow_the_policy_and_a_second_run_changes_nothing(session, bureau):
    _import(session, "debts", [h.debt(bureau, as_of="2025-06-30", balance="1000"), h.debt(bureau, balance="799.99")])
    assert {d.level for d in session.scalars(select(Debt))} == {"orange", "green"}
    session.execute(Debt.__table__.update().values(level=None))
    assert service.daily_debt_levels(session, TODAY) == {"levels": 2}
    assert {d.as_of: d.level for d in session.scalars(select(Debt))} == {date(2025, 6, 30): "orange",
                                                                         date(2025, 12, 31): "green"}
    assert service.daily_debt_levels(session, TODAY) == {"levels": 0}


def test_a_ppp_breach_is_traced_to_whoever_held_the_stage_then(session, bureau):
    old, old_ric = person(session, "张前任", kind="public_servant", region="330106")
    new, new_ric = person(session, "李现任", kind="public_servant", region="330106")
    _import(session, "ppp", [h.ppp(bureau, project_code="PPP-T1")])
    held = _import(session, "ppp_holders", [
        {"project_code": "PPP-T1", "stage": "执行", "person_code": old_ric, "person_name": "张前任", "post": "副局长",
         "start_on": "2024-09-01", "end_on": "2025-06-30"},
        {"project_code": "PPP-T1", "stage": "执行", "person_code": new_ric, "person_name": "李现任", "post": "副局长",
         "start_on": "2025-07-01"},
        {"project_code": "PPP-T1", "stage": "运营", "person_code": new_ric, "person_name": "李现任", "start_on": "2025-07-01"},
    ])
    assert held.created == 2 and held.errors[0].column == "项目阶段"
    breach = _import(session, "ppp_breaches", [
        {"project_code": "PPP-T1", "stage": "执行", "breach_on": "2025-05-10", "found_on": "2026-02-01",
         "facts": "未按合同约定支付可行性缺口补助", "finding_basis": "仲裁裁决", "finding_unit": "某区财政局",
         "finding_code": h.FINDER, "loss_amount": "85"},
        {"project_code": "PPP-T1", "stage": "移交", "breach_on": "2025-05-10", "found_on": "2026-02-01",
         "facts": "x", "finding_basis": "x", "finding_unit": "x", "finding_code": h.FINDER},
    ])
    assert breach.created == 1 and "尚未进入" in breach.errors[0].reason
    first = service.daily_ppp_breaches(session, TODAY)
    assert first == {"traced": 1, "records": 2, "rejected": 0}
    b = session.scalar(select(PppBreach))
    assert b.holder_id == old.id  # the one in post on the day, not the one in post now
    person_record = session.get(Record, b.person_record_id)
    assert person_record.subject_id == old.id and person_record.category_code == "ppp_breach"
    assert session.get(Record, b.body_record_id).subject_id == bureau.id
    assert service.daily_ppp_breaches(session, TODAY) == {"traced": 0, "records": 0, "rejected": 0}


def test_stage_moves_in_order_only(session, bureau):
    _import(session, "ppp", [h.ppp(bureau, project_code="PPP-S1")])
    p = session.scalar(select(PppProject).where(PppProject.project_code == "PPP-S1"))
    with pytest.raises(InvalidInput):
        service.advance_stage(session, p.id, to="识别", on=TODAY, who=WHO, today=TODAY)
    assert service.advance_stage(session, p.id, to="移交", on=TODAY, who=WHO, today=TODAY).stage == "移交"


def test_a_listed_body_is_reported_to_its_superior_and_written_as_a_debtor_record(session, bureau):
    county = body(session, "某区人民政府", kind="gov_body", region="330106")
    bureau.parent_id = county.id
    _import(session, "judgments", [h.judgment(bureau, listed_on="2026-01-15"), h.judgment(bureau, perform_by=None)])
    first = service.daily_judgments(session, TODAY)
    assert first == {"overdue": 1, "reported": 1, "records": 1, "rejected": 0}
    [(j, s)] = service.listed_under(session, county.id)
    assert s.id == bureau.id and j.reported_on == TODAY
    record = session.get(Record, j.record_id)
    assert record.category_code == "dishonest_judgment_debtor" and record.subject_id == bureau.id
    assert service.daily_judgments(session, TODAY) == {"overdue": 0, "reported": 0, "records": 0, "rejected": 0}
    service.close_judgment(session, j.id, to="removed", on=TODAY, who=WHO, today=TODAY)
    after = service.daily_judgments(session, TODAY + timedelta(days=1))
    assert after["records"] == 1 and service.listed_under(session, county.id) == []
    session.expire_all()
    assert session.scalar(select(Judgment).where(Judgment.id == j.id)).status == "removed"
    assert service.daily_judgments(session, TODAY + timedelta(days=1))["records"] == 0



def test_body_summary_gives_the_figures_of_one_body(session, bureau):
    from xinyong.commitments.obligations.summary import body_summary

    _import(session, "contracts", [h.contract(bureau, amount="100", paid_amount="40", paid_on="2026-03-20")])
    _import(session, "debts", [h.debt(bureau, balance="1000", resources="1000")])
    _import(session, "ppp", [h.ppp(bureau)])
    _import(session, "judgments", [h.judgment(bureau, listed_on="2026-01-15")])
    service.daily_judgments(session, TODAY)
    s = body_summary(session, bureau.id)
    assert (s.contracts, s.arrears_contracts, s.arrears_amount) == (1, 1, Decimal("60"))
    assert (s.ppp_projects, s.judgments_listed, s.judgments_overdue) == (1, 1, 1)
    assert (s.debt_ratio, s.debt_level) == (Decimal("1.0000"), "orange")
    assert s.chart["values"] == [60.0]


def test_a_listed_body_loses_honours_eligibility_until_removed(session, bureau):
    from xinyong.checks import service as checks

    _import(session, "judgments", [h.judgment(bureau, listed_on="2026-01-15")])
    service.daily_judgments(session, TODAY)

    def honours() -> set[str]:
        result = checks.check_one(session, scenario="awards", code=bureau.code, purpose="评优评先", who=WHO, on=TODAY)
        return {hit.measure.code for hit in result.hits}

    assert "gov_honour_disqualification" in honours()
    j = session.scalar(select(Judgment))
    service.close_judgment(session, j.id, to="removed", on=TODAY, who=WHO, today=TODAY)
    service.daily_judgments(session, TODAY)
    later = TODAY + timedelta(days=1)
    result = checks.check_one(session, scenario="awards", code=bureau.code, purpose="评优评先", who=WHO, on=later)
    assert "gov_honour_disqualification" not in {hit.measure.code for hit in result.hits}
