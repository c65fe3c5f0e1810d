"""The obligations' domain rules without a database: forbidden change reasons, payment due
dates and arrears, the PPP stage order, who held a stage on a day, and the debt warning levels
at their edges."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from xinyong.catalog.loader import DEFAULT_DIR, load_dir
from xinyong.commitments.obligations import rules

POLICY = load_dir(DEFAULT_DIR)[0].obligations
STAGES = POLICY.ppp_stages


@pytest.mark.parametrize("reason", ["因政府换届，原协议不再执行", "县领导人员更替后重新研究", "主要领导变更", "相关责任人更替",
                                    "政府 换届"])
def test_a_change_of_government_or_officials_is_refused(reason):
    problem = rules.check_change(reason, "公共利益", "土地管理法第五十八条", "按评估价补偿", POLICY)
    assert problem and "换届" in problem


def test_a_change_needs_a_legal_ground_the_law_and_the_compensation():
    ok = ("城市规划调整，项目用地收回", "公共利益", "土地管理法第五十八条", "按评估价补偿1200万元")
    assert rules.check_change(*ok, POLICY) is None
    assert "法定事由" in rules.check_change(ok[0], "领导意见", ok[2], ok[3], POLICY)
    assert "法律法规" in rules.check_change(ok[0], ok[1], "", ok[3], POLICY)
    assert "补偿" in rules.check_change(ok[0], ok[1], ok[2], " ", POLICY)


def test_payment_due_and_arrears():
    sme, other = POLICY.payment_term(True), POLICY.payment_term(False)
    accepted = date(2026, 3, 2)
    assert rules.pay_due(accepted, None, sme) == date(2026, 4, 1)  # 30 days
    assert rules.pay_due(accepted, date(2026, 6, 30), sme) == date(2026, 5, 1)  # at most 60 days
    assert rules.pay_due(accepted, date(2026, 3, 20), sme) == date(2026, 3, 20)
    assert rules.pay_due(accepted, date(2026, 6, 30), other) == date(2026, 6, 30)
    assert rules.pay_due(None, None, sme) is None
    due = date(2026, 4, 1)
    assert rules.arrears(Decimal(100), Decimal(30), due, due) == 0  # the due day itself is in time
    assert rules.arrears(Decimal(100), Decimal(30), due, date(2026, 4, 2)) == Decimal(70)
    assert rules.arrears(Decimal(100), Decimal(100), due, date(2026, 5, 1)) == 0


def test_working_day_terms_count_working_days():
    term = POLICY.payment_term(True).model_copy(update={"day_kind": "working", "days": 5})
    assert rules.pay_due(date(2026, 5, 29), None, term) == date(2026, 6, 5)  # Fri + 5 working days


def test_ppp_stages_go_forward_one_at_a_time():
    assert rules.stage_problem(None, "识别", STAGES) is None
    assert "识别" in rules.stage_problem(None, "准备", STAGES)
    assert rules.stage_problem("准备", "采购", STAGES) is None
    assert "不能跳到" in rules.stage_problem("准备", "执行", STAGES)
    assert "不能回到" in rules.stage_problem("执行", "准备", STAGES)
    assert "不是项目阶段" in rules.stage_problem("执行", "运营", STAGES)


def test_the_holder_on_the_day_of_the_breach():
    holders = [(1, date(2022, 1, 1), date(2024, 6, 30)), (2, date(2024, 7, 1), None)]
    assert rules.holder_on(holders, date(2024, 6, 30)) == 1
    assert rules.holder_on(holders, date(2024, 7, 1)) == 2
    assert rules.holder_on(holders, date(2021, 12, 31)) is None


@pytest.mark.parametrize(("balance", "resources", "level"), [
    ("0", "1000", "green"), ("799.99", "1000", "green"), ("800", "1000", "yellow"), ("999.99", "1000", "yellow"),
    ("1000", "1000", "orange"), ("1199.99", "1000", "orange"), ("1200", "1000", "red"), ("5", "0", "red"),
    ("799.999", "1000", "green"),
])
def test_debt_warning_levels_at_their_edges(balance, resources, level):
    assert rules.debt_level(Decimal(balance), Decimal(resources), POLICY) == level


def test_each_finding_rule_names_a_category_for_government_bodies():
    policy = load_dir(DEFAULT_DIR)[0]
    categories = {c.code: c for c in policy.catalog.categories}
    assert {f.kind for f in POLICY.findings} == {"arrears", "debt_overdue", "agreement_overdue"}
    for f in POLICY.findings:
        assert f.category in categories and "gov_body" in categories[f.category].subject_kinds
        assert f.finding_basis and f.basis
