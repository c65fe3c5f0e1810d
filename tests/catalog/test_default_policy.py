"""The default policy lists (xinyong/policy/default) load cleanly and say what the rules say."""

from __future__ import annotations

import pytest

from xinyong.catalog.loader import DEFAULT_DIR, load_dir
from xinyong.catalog.rules import STRONG_LEVELS
from xinyong.catalog.schemas import NATURAL_KINDS, PolicySet

REQUIRED_CATEGORIES = {
    "admin_penalty": "行政处罚",
    "admin_licence": "行政许可",
    "judicial_judgment": "司法判决",
    "dishonest_judgment_debtor": "失信被执行人",
    "refusal_to_perform_judgment": "拒不履行生效判决",
    "disciplinary_sanction": "政务处分/纪律处分",
    "accountability_decision": "问责决定",
    "commitment_breach": "违背信用承诺",
    "exam_cheating": "考试作弊",
    "safety_accident_liability": "安全生产事故责任",
    "procurement_breach": "政府采购失信",
    "investment_attraction_breach": "招商引资失信",
    "arrears_to_enterprises": "拖欠企业账款",
    "debt_default": "政府债务违约",
    "ppp_breach": "PPP项目违约",
    "administrative_enforcement": "行政强制执行",
    "fraudulent_licence": "以欺骗贿赂手段取得行政许可",
    "tax_violation": "重大税收违法",
    "wage_arrears": "恶意欠薪",
    "honour": "表彰奖励",
    "volunteer_service": "志愿服务",
    "blood_donation": "无偿献血",
    "charity_donation": "慈善捐赠",
    "credit_commitment": "信用承诺",
}

REQUIRED_SCENARIOS = {
    "civil_servant_recruitment",
    "city_household_registration",
    "title_evaluation",
    "awards",
    "cadre_selection",
    "special_industry_entry",
    "legal_rep_appointment",
    "fiscal_subsidy",
    "government_procurement",
    "project_approval",
    "financing",
    "administrative_licensing",
}


@pytest.fixture(scope="module")
def policy() -> PolicySet:
    loaded, problems = load_dir(DEFAULT_DIR)
    assert problems == [], "\n".join(str(p) for p in problems)
    assert loaded is not None
    return loaded


def test_default_folder_loads_without_problems(policy: PolicySet) -> None:
    assert policy.meta.region == "330000"
    assert policy.holidays.years == {}


def test_required_categories_are_there_with_their_chinese_names(policy: PolicySet) -> None:
    for code, name in REQUIRED_CATEGORIES.items():
        cat = policy.category(code)
        assert cat is not None, code
        assert cat.name == name


def test_counts(policy: PolicySet) -> None:
    assert len(policy.behaviours.behaviours) >= 40
    assert len(policy.measures.measures) >= 30
    assert REQUIRED_SCENARIOS <= {s.code for s in policy.scenarios.scenarios}


def test_polarities(policy: PolicySet) -> None:
    honest = {"honour", "volunteer_service", "blood_donation", "charity_donation"}
    neutral = {"admin_licence", "credit_commitment"}
    for cat in policy.catalog.categories:
        if cat.code in honest:
            assert cat.polarity == "honest", cat.code
        elif cat.code in neutral:
            assert cat.polarity == "neutral", cat.code
        else:
            assert cat.polarity == "dishonest", cat.code
        if cat.polarity != "dishonest":
            assert cat.severities == []
            assert set(cat.display_period) == {"default"}


def test_natural_persons_are_not_public_without_a_basis(policy: PolicySet) -> None:
    public_natural = set()
    for cat in policy.catalog.categories:
        if cat.disclosure.natural == "public":
            assert cat.disclosure.natural_public_basis, cat.code
            public_natural.add(cat.code)
    # Only the courts' list of dishonest judgment debtors is public for natural persons by default.
    assert public_natural == {"dishonest_judgment_debtor"}
    basis = policy.category("dishonest_judgment_debtor").disclosure.natural_public_basis
    assert "民事诉讼法" in basis and "失信被执行人" in basis


def test_public_servant_sanctions_are_shared_only(policy: PolicySet) -> None:
    cat = policy.category("disciplinary_sanction")
    assert cat.subject_kinds == ["public_servant"]
    assert cat.disclosure.natural == "shared"


def test_every_dishonest_category_keeps_bad_information_five_years(policy: PolicySet) -> None:
    for cat in policy.catalog.categories:
        if cat.polarity == "dishonest":
            assert cat.retention.years == 5, cat.code  # 条例 第十六条
            assert cat.retention.while_listed, cat.code
            for period in cat.display_period.values():
                assert period.max_months is not None and period.max_months <= 60, cat.code


def test_criminal_retention_counts_from_the_end_of_the_sentence(policy: PolicySet) -> None:
    cat = policy.category("judicial_judgment")
    fact = cat.fact(cat.retention.from_fact)
    assert fact is not None and fact.type == "date"
    assert "刑罚执行完毕" in fact.name


def test_lists_are_not_repaired_by_the_ordinary_procedure(policy: PolicySet) -> None:
    for code in ("dishonest_judgment_debtor", "tax_violation"):
        assert policy.category(code).repairable is False, code
    assert policy.category("admin_penalty").repairable is True


def test_dishonest_judgment_debtor(policy: PolicySet) -> None:
    """若干规定（2017）第二条: two years for grounds (二)–(六), up to five with the court's
    extension (its 失信期限届满日期), and ground (一) until the court removes the listing."""
    cat = policy.category("dishonest_judgment_debtor")
    period = cat.display_period["serious"]
    assert (period.max_months, period.until_fact, period.fact_max_months) == (24, "listing_end", 60)
    assert [c.values for c in period.open_when] == [["有履行能力而拒不履行生效法律文书确定义务"]]
    assert period.ended_by == "removal_date"
    grounds = cat.fact("listing_ground")
    assert grounds.type == "enum" and len(grounds.choices) == 6
    assert "gov_body" in cat.subject_kinds


def test_admin_licence_carries_the_national_double_publicity_fields(policy: PolicySet) -> None:
    cat = policy.category("admin_licence")
    names = {f.name for f in cat.facts}
    for header in (
        "行政许可决定文书名称",
        "许可类别",
        "许可证书名称",
        "许可编号",
        "许可内容",
        "有效期自",
        "有效期至",
        "许可机关统一社会信用代码",
        "当前状态",
        "备注",
        "法定代表人",
    ):
        assert header in names, header
    assert cat.fact("licence_class").choices == ["普通", "特许", "认可", "核准", "登记", "其他"]
    assert cat.header_signature == ["行政许可决定文书号"]
    assert cat.source_id_from == "decision_no"
    assert cat.display_period["default"].until_fact == "valid_to"
    assert "许可决定日期" in cat.columns.decision_date
    assert "行政许可决定文书号" in cat.columns.decision_no
    assert {"许可机关", "数据来源单位"} <= set(cat.columns.department_name)
    assert "数据来源单位统一社会信用代码" in cat.columns.department_code
    assert cat.columns.subject_code == policy.category("admin_penalty").columns.subject_code


def test_no_fact_is_forbidden_and_consent_facts_are_marked(policy: PolicySet) -> None:
    rules_ = policy.catalog.collection_rules
    for cat in policy.catalog.categories:
        for fact in cat.facts:
            words = [fact.name, *fact.aliases]
            for term in rules_.forbidden:
                assert fact.key != term.key
                assert not any(n in w for n in term.names for w in words), (cat.code, fact.key)
            for term in rules_.consent_required:
                if any(n in w for n in term.names for w in words):
                    assert fact.consent_required, (cat.code, fact.key)


def test_blood_donation_records_the_donation_not_the_blood_type(policy: PolicySet) -> None:
    cat = policy.category("blood_donation")
    assert cat.fact("donation_date") is not None
    for fact in cat.facts:
        assert "血型" not in fact.name and all("血型" not in a for a in fact.aliases)
        assert "blood_type" not in fact.key


def test_behaviours_name_known_categories_and_severities(policy: PolicySet) -> None:
    for beh in policy.behaviours.behaviours:
        cat = policy.category(beh.category)
        assert cat is not None, beh.code
        assert beh.polarity == cat.polarity, beh.code
        if cat.polarity == "dishonest":
            assert beh.severity in cat.severities, beh.code
        else:
            assert beh.severity is None, beh.code
        assert beh.basis, beh.code


def test_serious_dishonesty_triggers_put_subjects_on_the_blacklist(policy: PolicySet) -> None:
    by_code = {b.code: b for b in policy.behaviours.behaviours}
    triggers = [
        "food_drug_serious_violation",
        "environment_serious_violation",
        "construction_quality_serious_violation",
        "work_safety_serious_violation",
        "fire_safety_serious_violation",
        "commercial_bribery",
        "tax_evasion",
        "malicious_wage_arrears",
        "illegal_fundraising",
        "pyramid_selling",
        "counterfeiting",
        "bid_rigging",
        "national_defence_refusal",
        "refuse_judgment_able",
        "fraudulent_licence_health_safety",
    ]
    for code in triggers:
        beh = by_code[code]
        assert beh.severity == "serious", code
        assert any(e.list == "blacklist" for e in beh.lists), code
    assert any(e.list == "redlist" for b in by_code.values() for e in b.lists)
    for code in (
        "gov_breaks_investment_promise",
        "gov_arrears_to_enterprises",
        "gov_refuses_court_judgment",
        "gov_debt_overdue",
        "gov_on_debtor_list",
    ):
        assert code in by_code, code


def test_every_measure_cites_a_legal_basis(policy: PolicySet) -> None:
    national = set(policy.measures.national_items)
    for m in policy.measures.measures:
        assert m.legal_basis, m.code
        if m.restricts_rights:
            assert any(b.level in STRONG_LEVELS for b in m.legal_basis), m.code
        if m.type == "punish":
            assert m.national_item in national, m.code
            assert m.notice_before_listing


def test_high_consumption_limits_reach_the_responsible_persons(policy: PolicySet) -> None:
    cons = [m for m in policy.measures.measures if m.code.startswith("cons_")]
    assert len(cons) == 9
    for m in cons:
        assert set(m.reaches) >= {
            "legal_rep",
            "principal",
            "directly_responsible",
            "actual_controller",
        }
        assert {b.level for b in m.legal_basis} >= {"law", "judicial_interpretation"}
        assert any(t.category == "dishonest_judgment_debtor" for t in m.triggers)
    gov = next(m for m in policy.measures.measures if m.code == "gov_debtor_officials_consumption")
    assert gov.subject_kinds == ["gov_body"]
    assert {"legal_rep", "principal", "financial_head"} <= set(gov.reaches)


def test_a_reward_follows_three_clean_years(policy: PolicySet) -> None:
    rewards = [m for m in policy.measures.measures if m.type == "reward"]
    clean = [
        m for m in rewards if any(t.kind == "clean_years" and t.years == 3 for t in m.triggers)
    ]
    assert clean
    assert any("绿色通道" in m.name for m in clean)


def test_measures_apply_only_to_kinds_their_categories_hold(policy: PolicySet) -> None:
    for m in policy.measures.measures:
        for t in m.triggers:
            if t.kind == "record":
                cat = policy.category(t.category)
                if t.min_severity:
                    assert t.min_severity in cat.severities, (m.code, t.category)


def test_recruitment_scenario(policy: PolicySet) -> None:
    sc = next(s for s in policy.scenarios.scenarios if s.code == "civil_servant_recruitment")
    measures = {m.code: m for m in policy.measures.measures}
    assert all(code in measures for code in sc.measures)
    assert sc.outcomes.mandatory_hit == "取消报考资格/不予录用"
    assert sc.outcomes.reference_hit == "审慎审查"
    assert sc.outcomes.clean == "通过"
    assert set(sc.subject_kinds) <= NATURAL_KINDS
    mandatory = [measures[c] for c in sc.measures if measures[c].mandatory]
    covered = {t.category or t.list for m in mandatory for t in m.triggers}
    assert {
        "exam_cheating",
        "judicial_judgment",
        "refusal_to_perform_judgment",
        "blacklist",
    } <= covered
    assert any(not measures[c].mandatory for c in sc.measures)


def test_every_scenario_names_existing_measures(policy: PolicySet) -> None:
    codes = {m.code for m in policy.measures.measures}
    for sc in policy.scenarios.scenarios:
        assert set(sc.measures) <= codes, sc.code
    licensing = next(s for s in policy.scenarios.scenarios if s.code == "administrative_licensing")
    assert "绿色通道" in licensing.outcomes.reward and "容缺受理" in licensing.outcomes.reward


def test_each_category_is_recognised_from_its_own_headers(policy: PolicySet) -> None:
    """A department's file with a category's headers is detected as that category, and no
    other category's header signature hides inside it."""
    from xinyong.records.columns import detect_category, template_headers

    cats = policy.catalog.categories
    for cat in cats:
        assert cat.header_signature, cat.code
        headers = [f.name for f in cat.facts]
        for field in type(cat.columns).model_fields:
            headers += getattr(cat.columns, field)
        found = detect_category(headers, cats)
        assert found is not None and found.code == cat.code, cat.code
        template = [h for h, _desc, _req in template_headers(cat)]
        others = [
            c.code
            for c in cats
            if c.code != cat.code and all(s in template for s in c.header_signature)
        ]
        assert others == [], (cat.code, others)
