"""The checker names the file, the line and the problem when an official breaks a list.

Each test copies the default folder, breaks one thing, and looks for the problem where the
official would: ``file:line path: message``. The expected line is found by searching the text
the test wrote, never hard-coded.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from xinyong.catalog.loader import DEFAULT_DIR, Problem, load_dir


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "policy"
    shutil.copytree(DEFAULT_DIR, target)
    return target


def line_of(text: str, needle: str, after: str | None = None) -> int:
    """1-based line of the first ``needle`` in ``text`` (after ``after`` when given)."""
    start = text.index(after) if after is not None else 0
    return text.count("\n", 0, text.index(needle, start)) + 1


def replace_after(text: str, after: str, old: str, new: str) -> str:
    """Replace the first ``old`` that follows ``after``."""
    start = text.index(after)
    pos = text.index(old, start)
    return text[:pos] + new + text[pos + len(old) :]


def only_problem(folder: Path) -> Problem:
    policy, problems = load_dir(folder)
    assert policy is None
    assert len(problems) == 1, "\n".join(str(p) for p in problems)
    return problems[0]


def edit(folder: Path, name: str, fn) -> str:
    file = folder / name
    text = fn(file.read_text(encoding="utf-8"))
    file.write_text(text, encoding="utf-8")
    return text


def test_the_copy_is_sound(folder: Path) -> None:
    policy, problems = load_dir(folder)
    assert problems == []
    assert policy is not None


def test_yaml_syntax_error(folder: Path) -> None:
    text = edit(
        folder,
        "behaviours.yaml",
        lambda t: t.replace("    name: 商业贿赂\n", "    name: 商业贿赂: 错误\n"),
    )
    problem = only_problem(folder)
    assert problem.file == "behaviours.yaml"
    assert problem.line == line_of(text, "商业贿赂: 错误")
    assert "YAML syntax" in problem.message
    assert str(problem).startswith(f"behaviours.yaml:{problem.line}")


def test_unknown_field(folder: Path) -> None:
    anchor = "  - code: blood_donation\n"
    text = edit(folder, "catalog.yaml", lambda t: t.replace(anchor, anchor + "    colour: red\n"))
    problem = only_problem(folder)
    assert problem.file == "catalog.yaml"
    assert problem.line == line_of(text, "    colour: red")
    assert problem.path.endswith(".colour")
    assert "Extra inputs are not permitted" in problem.message


def test_missing_required_file(folder: Path) -> None:
    (folder / "scenarios.yaml").unlink()
    problem = only_problem(folder)
    assert problem.file == "scenarios.yaml"
    assert problem.line is None
    assert problem.message == "file is missing"


def test_holidays_file_is_optional(folder: Path) -> None:
    (folder / "holidays.yaml").unlink()
    policy, problems = load_dir(folder)
    assert problems == [] and policy is not None


def test_severity_not_in_the_category(folder: Path) -> None:
    after = "  - code: exam_impersonation\n"
    text = edit(
        folder,
        "behaviours.yaml",
        lambda t: replace_after(t, after, "severity: serious", "severity: grave"),
    )
    problem = only_problem(folder)
    assert problem.file == "behaviours.yaml"
    assert problem.line == line_of(text, "severity: grave", after=after)
    assert problem.path.endswith(".severity")
    assert "severity 'grave' is not allowed for category 'exam_cheating'" in problem.message


def test_forbidden_fact_blood_type(folder: Path) -> None:
    donation = "      - {key: donation_date, name: 献血日期, type: date, required: true}\n"
    bad = "      - {key: blood_type, name: 血型, type: string}\n"
    text = edit(folder, "catalog.yaml", lambda t: t.replace(donation, donation + bad))
    problem = only_problem(folder)
    assert problem.file == "catalog.yaml"
    assert problem.line == line_of(text, "{key: blood_type", after="  - code: blood_donation")
    assert "may never be collected" in problem.message
    assert "血型" in problem.message
    assert problem.path.endswith(".facts[1]")


def test_consent_only_fact_needs_the_flag(folder: Path) -> None:
    after = "  - code: volunteer_service\n"
    first = "      - {key: volunteer_no, name: 志愿者编号, type: string}\n"
    bad = "      - {key: personal_income, name: 个人收入, type: decimal}\n"
    text = edit(folder, "catalog.yaml", lambda t: replace_after(t, after, first, first + bad))
    problem = only_problem(folder)
    assert problem.file == "catalog.yaml"
    assert problem.line == line_of(text, "{key: personal_income")
    assert "written consent" in problem.message and "consent_required" in problem.message


def test_consent_only_fact_with_the_flag_is_accepted(folder: Path) -> None:
    after = "  - code: volunteer_service\n"
    first = "      - {key: volunteer_no, name: 志愿者编号, type: string}\n"
    ok = "      - {key: personal_income, name: 个人收入, type: decimal, consent_required: true}\n"
    edit(folder, "catalog.yaml", lambda t: replace_after(t, after, first, first + ok))
    policy, problems = load_dir(folder)
    assert problems == [] and policy is not None


def test_natural_persons_public_without_basis(folder: Path) -> None:
    after = "  - code: exam_cheating\n"
    text = edit(
        folder,
        "catalog.yaml",
        lambda t: replace_after(t, after, "natural: authorized", "natural: public"),
    )
    problem = only_problem(folder)
    assert problem.file == "catalog.yaml"
    # The whole category is at fault: the checker points at its first line.
    assert problem.line == line_of(text, after)
    assert "natural persons' records are not public unless a law says so" in problem.message
    assert "natural_public_basis" in problem.message


def test_behaviour_naming_an_unknown_category(folder: Path) -> None:
    after = "  - code: pyramid_selling\n"
    text = edit(
        folder,
        "behaviours.yaml",
        lambda t: replace_after(t, after, "category: admin_penalty", "category: no_such_category"),
    )
    problem = only_problem(folder)
    assert problem.file == "behaviours.yaml"
    assert problem.line == line_of(text, "category: no_such_category")
    assert problem.path.endswith(".category")
    assert "unknown category 'no_such_category'" in problem.message


NEW_MEASURE = """
  - code: test_new_measure
    name: 新增测试措施
    type: punish
    content: 测试用
    legal_basis:
      - {{title: 某市信用管理办法, level: {level}}}
    restricts_rights: true
    department: 测试部门
    mandatory: true
    triggers:
      - {{kind: list, list: blacklist}}
    subject_kinds: [enterprise]
    national_item: {national_item}
"""


def test_restricting_measure_citing_only_a_normative_document(folder: Path) -> None:
    block = NEW_MEASURE.format(level="normative_document", national_item="nat_procurement_limit")
    text = edit(folder, "measures.yaml", lambda t: t + block)
    problem = only_problem(folder)
    assert problem.file == "measures.yaml"
    assert problem.line == line_of(text, "    legal_basis:", after="code: test_new_measure")
    assert problem.path.endswith(".legal_basis")
    assert "restricts rights" in problem.message
    assert "no law or administrative regulation" in problem.message


def test_punishment_not_on_the_national_list(folder: Path) -> None:
    block = NEW_MEASURE.format(level="law", national_item="nat_not_listed")
    text = edit(folder, "measures.yaml", lambda t: t + block)
    problem = only_problem(folder)
    assert problem.file == "measures.yaml"
    assert problem.line == line_of(text, "national_item: nat_not_listed")
    assert "not on the national basic measures list" in problem.message


def test_a_principal_decided_by_job_title_words_is_refused(folder: Path) -> None:
    """A measure that reaches persons other than the subject names the stored fact that decides
    who (a registered designation), never a job-title pattern: 书记员 contains 书记."""
    text = edit(
        folder,
        "measures.yaml",
        lambda t: replace_after(t, "  - role: principal", "    designation: principal",
                                "    titles: [局长, 书记, 主任]\n    exclude: [副]"),
    )
    problem = only_problem(folder)
    assert problem.file == "measures.yaml"
    assert problem.line == line_of(text, "    titles: [局长, 书记, 主任]")
    assert "job titles" in problem.message and "'principal'" in problem.message


def test_a_reached_role_that_names_no_fact_is_refused(folder: Path) -> None:
    text = edit(
        folder,
        "measures.yaml",
        lambda t: replace_after(t, "  - role: actual_controller", "    manual: true\n", ""),
    )
    problem = only_problem(folder)
    assert problem.file == "measures.yaml"
    assert problem.line == line_of(text, "  - role: actual_controller")
    assert "names no stored fact" in problem.message


def test_a_measure_reaching_an_undefined_role_is_refused(folder: Path) -> None:
    text = edit(
        folder,
        "measures.yaml",
        lambda t: replace_after(t, "  - role: financial_head", "  - role: financial_head\n    name: 财政（财务）部门负责人\n"
                                "    designation: financial_head\n", ""),
    )
    policy, problems = load_dir(folder)
    assert policy is None and problems
    assert all(p.file == "measures.yaml" and "'financial_head'" in p.message for p in problems)
    assert problems[0].line == line_of(text, "financial_head]")


def test_directly_responsible_persons_named_by_a_fact_no_category_has_are_refused(folder: Path) -> None:
    text = edit(folder, "measures.yaml", lambda t: t.replace("record_fact: responsible_persons", "record_fact: culprits"))
    problem = only_problem(folder)
    assert problem.file == "measures.yaml"
    assert problem.line == line_of(text, "record_fact: culprits")
    assert "no category has a fact 'culprits' of type ric_list" in problem.message


def test_an_act_date_that_is_no_date_fact_is_refused(folder: Path) -> None:
    text = edit(folder, "catalog.yaml", lambda t: t.replace("act_date_fact: breach_date", "act_date_fact: breach_facts"))
    problem = only_problem(folder)
    assert problem.file == "catalog.yaml"
    assert problem.line == line_of(text, "act_date_fact: breach_facts")
    assert "not a date fact" in problem.message


def test_scenario_naming_an_unknown_measure(folder: Path) -> None:
    block = """
  - code: test_scenario
    name: 测试场景
    departments: [测试部门]
    subject_kinds: [person]
    measures:
      - rec_blacklisted
      - no_such_measure
    outcomes:
      mandatory_hit: 不予办理
      reference_hit: 审慎审查
"""
    text = edit(folder, "scenarios.yaml", lambda t: t + block)
    problem = only_problem(folder)
    assert problem.file == "scenarios.yaml"
    assert problem.line == line_of(text, "- no_such_measure")
    assert problem.path.endswith(".measures[1]")
    assert "unknown measure 'no_such_measure'" in problem.message


def test_holiday_on_a_weekend(folder: Path) -> None:
    text = (
        "years:\n"
        "  2027:\n"
        "    source: 测试\n"
        "    holidays:\n"
        "      - 2027-01-01\n"
        "      - 2027-01-02\n"  # a Saturday
        "    workdays: [2027-02-06]\n"
    )
    (folder / "holidays.yaml").write_text(text, encoding="utf-8")
    problem = only_problem(folder)
    assert problem.file == "holidays.yaml"
    assert problem.line == line_of(text, "- 2027-01-02")
    assert problem.path == "years[2027].holidays[1]"
    assert "2027-01-02 is a weekend day already" in problem.message


def test_a_well_formed_holiday_year_loads(folder: Path) -> None:
    text = "years:\n  2027:\n    holidays: [2027-01-01]\n    workdays: [2027-02-06]\n"
    (folder / "holidays.yaml").write_text(text, encoding="utf-8")
    policy, problems = load_dir(folder)
    assert problems == [] and policy is not None
    assert 2027 in policy.holidays.years


# --- constraints between facts, and severity floors ---------------------------------------


def test_a_constraint_naming_an_unknown_fact_is_refused_with_its_line(folder):
    text = edit(folder, "catalog.yaml", lambda t: t.replace(
        "{fact: valid_to, rule: not_before, other: valid_from",
        "{fact: valid_to, rule: not_before, other: valid_since", 1))
    problem = only_problem(folder)
    assert problem.file == "catalog.yaml"
    assert problem.line == line_of(text, "other: valid_since")
    assert "unknown fact 'valid_since'" in problem.message
    assert problem.path.endswith("constraints[0].other")


def test_a_constraint_comparing_a_date_with_an_amount_is_refused(folder):
    text = edit(folder, "catalog.yaml", lambda t: t.replace(
        "{fact: penalty_valid_to, rule: not_before, other: decision_date}",
        "{fact: penalty_valid_to, rule: not_before, other: fine_amount}", 1))
    problem = only_problem(folder)
    assert problem.line == line_of(text, "other: fine_amount}")
    assert "different types" in problem.message and "fine_amount" in problem.message


def test_not_negative_on_a_date_is_refused(folder):
    text = edit(folder, "catalog.yaml", lambda t: t.replace(
        "{fact: fine_amount, rule: not_negative}", "{fact: publish_until, rule: not_negative}", 1))
    problem = only_problem(folder)
    assert problem.line == line_of(text, "{fact: publish_until, rule: not_negative}")
    assert "not_negative needs an integer or decimal fact" in problem.message


def test_a_severity_floor_naming_an_unknown_severity_is_refused(folder):
    text = edit(folder, "catalog.yaml", lambda t: t.replace("min_severity: serious", "min_severity: grave", 1))
    problem = only_problem(folder)
    assert problem.line == line_of(text, "min_severity: grave")
    assert "'grave' is not allowed for category 'admin_penalty'" in problem.message


def test_the_default_catalog_ships_constraints_where_they_hold():
    policy, problems = load_dir(DEFAULT_DIR)
    assert policy is not None, problems
    licence = policy.category("admin_licence")
    assert [(c.fact, c.rule, c.other) for c in licence.constraints] == [("valid_to", "not_before", "valid_from")]
    penalty = policy.category("admin_penalty")
    assert ("fine_amount", "not_negative", None) in [(c.fact, c.rule, c.other) for c in penalty.constraints]
    assert [f.min_severity for f in penalty.severity_floors] == ["serious"]
    # every amount and count the catalog collects is checked not to be negative
    for cat in policy.catalog.categories:
        numeric = {f.key for f in cat.facts if f.type in ("decimal", "integer")}
        checked = {c.fact for c in cat.constraints if c.rule == "not_negative"}
        assert numeric <= checked, (cat.code, numeric - checked)
