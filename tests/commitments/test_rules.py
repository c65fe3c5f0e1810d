"""The 20-character commitment code (RULES.md: region, date, serial): a good one passes, each
wrong structure is refused with a Chinese message naming the part that is wrong."""

from __future__ import annotations

from datetime import date

import pytest

from xinyong.commitments import rules


def test_a_good_code_passes_cleaned_of_spaces():
    assert rules.validate_code(" 330106 20260301 000001 ") == "33010620260301000001"
    assert rules.code_date("33010620260301000001") == date(2026, 3, 1)


def test_a_historical_region_code_stays_valid():
    # 下城区 (330103) was abolished in 2021; a code accepted there keeps its place
    assert rules.validate_code("33010320190301000001") == "33010320190301000001"


@pytest.mark.parametrize(("code", "words"), [
    ("", "必填"),
    ("3301062026030100001", "应为20位"),
    ("330106202603010000011", "应为20位"),
    ("33010620260301A00001", "只能由数字组成"),
    ("３３０１０６20260301000001", "只能由数字组成"),
    ("99999920260301000001", "前6位“999999”不是有效的行政区划代码"),
    ("33010620261301000001", "第7至14位“20261301”不是有效日期"),
    ("33010620260230000001", "不是有效日期"),
    ("33010620260301000000", "顺序号不能为000000"),
])
def test_each_wrong_structure_is_named(code, words):
    with pytest.raises(rules.CodeProblem) as exc:
        rules.validate_code(code)
    assert words in exc.value.zh


def test_status_moves_once_from_in_force():
    assert rules.may_move("in_force", "fulfilled") and rules.may_move("in_force", "breached")
    assert rules.may_move("in_force", "withdrawn")
    assert not rules.may_move("fulfilled", "breached") and not rules.may_move("breached", "in_force")
    assert not rules.may_move("withdrawn", "fulfilled")


def test_overdue_and_rate():
    assert rules.is_overdue("in_force", date(2026, 5, 1), date(2026, 5, 2))
    assert not rules.is_overdue("in_force", date(2026, 5, 1), date(2026, 5, 1))
    assert not rules.is_overdue("fulfilled", date(2026, 5, 1), date(2026, 6, 1))
    assert rules.rate(3, 1) == 0.75 and rules.rate(0, 0) is None
