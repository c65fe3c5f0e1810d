"""``xinyong policy check`` keeps a measure inside what its basis covers (issue: measures within
the law). Each rule is a test with a policy that breaks it: a restricting measure on a record with
a term of its own that names no period; a punishment on convictions or exam records that names
neither the offences or exams its basis covers nor ``all_kinds``; a listing by rule that no
record can be told to make. Plus the shape of the new policy fields (conditions, periods)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.catalog.test_policy_check import edit, line_of, only_problem
from xinyong.catalog.loader import DEFAULT_DIR, load_dir
from xinyong.catalog.schemas import FactCondition, PolicySet

PROMOTION = "  - code: ps_promotion_bar"


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "policy"
    shutil.copytree(DEFAULT_DIR, target)
    return target

COMPANY = "  - code: post_limit_company"


def _drop_block(text: str, after: str, start: str, end: str) -> str:
    """Remove the text from ``start`` up to (not including) ``end``, first found after ``after``."""
    a = text.index(start, text.index(after))
    b = text.index(end, a)
    return text[:a] + text[b:]


def test_a_sanction_measure_without_its_period_fails(folder: Path) -> None:
    """公务员法第六十四条 ties the promotion bar to the sanction's period, not to the display period."""
    text = edit(folder, "measures.yaml", lambda t: _drop_block(
        t, PROMOTION, "        period:\n          months_by_fact: sanction_type", "    subject_kinds: [public_servant]"))
    p = only_problem(folder)
    assert (p.file, p.line) == ("measures.yaml", line_of(text, "- kind: record\n        category: disciplinary_sanction", after=PROMOTION))
    assert "ps_promotion_bar" in p.message and "处分期间" in p.message and "period" in p.message


def test_a_conviction_measure_that_names_no_offence_fails(folder: Path) -> None:
    """公司法第一百七十八条 covers some offences only: the trigger must name them."""
    text = edit(folder, "measures.yaml", lambda t: _drop_block(
        t, COMPANY, "        where:\n          - fact: crime", "        period: {from_fact: sentence_end"))
    p = only_problem(folder)
    assert (p.file, p.line) == ("measures.yaml", line_of(text, "- kind: record\n        category: judicial_judgment", after=COMPANY))
    assert "post_limit_company" in p.message and "罪名" in p.message and "all_kinds" in p.message


def test_an_exam_measure_that_names_no_exam_fails(folder: Path) -> None:
    after = "  - code: rec_exam_cheating"
    edit(folder, "measures.yaml", lambda t: _drop_block(
        t, after, "        where: [{fact: exam_kind", "        period:\n          until_fact: ban_until"))
    p = only_problem(folder)
    assert "rec_exam_cheating" in p.message and "考试类别" in p.message


def test_a_listing_no_record_can_make_fails_with_the_reason(folder: Path) -> None:
    """The watch-list rules for 非法集资 once never took effect: a conviction record says its
    category and severity, shared with convictions that list nobody. Without ``when`` the check
    says so."""
    after = "  - code: illegal_fundraising"
    text = edit(folder, "behaviours.yaml", lambda t: _drop_block(
        t, after, "    when: [{fact: crime", "    lists:"))
    p = only_problem(folder)
    assert (p.file, p.line) == ("behaviours.yaml", line_of(text, "{list: watchlist", after=after))
    assert "illegal_fundraising" in p.message and "criminal_conviction_custodial" in p.message
    assert "when" in p.message


def test_a_condition_must_name_a_choice_of_its_fact(folder: Path) -> None:
    edit(folder, "behaviours.yaml", lambda t: t.replace("values: [非法吸收公众存款罪, 集资诈骗罪]", "values: [非法集资罪]"))
    p = only_problem(folder)
    assert "'非法集资罪' is not a choice of 'crime'" in p.message


def test_chapters_select_only_the_offence_fact(folder: Path) -> None:
    after = "  - code: rec_exam_cheating"
    edit(folder, "measures.yaml", lambda t: t.replace(
        "where: [{fact: exam_kind, values: [公务员录用考试]}]", "where: [{fact: exam_kind, chapters: [3]}]", 1)
        if after in t else t)
    _policy, problems = load_dir(folder)
    assert any("not the offence fact" in p.message for p in problems)


def test_the_shipped_policy_is_sound_under_the_new_rules() -> None:
    policy, problems = load_dir(DEFAULT_DIR)
    assert problems == [] and policy is not None


@pytest.fixture()
def shipped() -> PolicySet:
    policy, _ = load_dir(DEFAULT_DIR)
    assert policy is not None
    return policy


def test_offence_conditions_resolve_through_the_chapters(shipped: PolicySet) -> None:
    cat = shipped.catalog
    economic = cat.condition_values(FactCondition(fact="crime", chapters=[3]))
    assert {"非法吸收公众存款罪", "合同诈骗罪", "非法经营罪"} <= economic
    assert "寻衅滋事罪" not in economic and "贪污罪" not in economic
    intentional = cat.condition_values(FactCondition(fact="crime", intentional=True))
    assert "寻衅滋事罪" in intentional and "交通肇事罪" not in intentional
    # the 罪名 fact takes the fixed list as its choices: an import refuses an unknown 罪名
    crime = shipped.category("judicial_judgment").fact("crime")
    assert crime.type == "enum" and "寻衅滋事罪" in crime.choices and len(crime.choices) == len(cat.offences)
