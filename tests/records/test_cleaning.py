from datetime import date, datetime
from decimal import Decimal

import pytest

from xinyong.records import cleaning
from xinyong.records.cleaning import CellError


@pytest.mark.parametrize(
    "value",
    ["2024-03-05", "2024/3/5", "2024.3.5", "20240305", "2024年3月5日", "２０２４年３月５日", " 2024-03-05 00:00:00 ",
     "2024-03-05T08:30", datetime(2024, 3, 5, 8, 0), date(2024, 3, 5), 20240305],
)
def test_dates_written_several_ways(value):
    assert cleaning.parse_date(value) == date(2024, 3, 5)


@pytest.mark.parametrize("value", ["24-3-5", "5/3/2024", "2024-02-30", "明天", "45000.5", "2024-13-01"])
def test_dates_not_guessed(value):
    with pytest.raises(CellError) as exc:
        cleaning.parse_date(value)
    assert exc.value.zh and exc.value.en


def test_scientific_notation_identity_number_is_refused_with_a_fix():
    for value in ["3.30106199001011E+17", 3.30106199001011e17, "3.30106199001011e17"]:
        with pytest.raises(CellError) as exc:
            cleaning.clean_code_cell(value)
        assert "文本" in exc.value.zh


def test_codes_fold_width_spaces_and_lowercase_x():
    assert cleaning.clean_code_cell("３３０１０６ １９９００１０１１２３ｘ") == "33010619900101123X"
    assert cleaning.clean_code_cell(330106199001011234) == "330106199001011234"


def test_numbers_and_booleans():
    assert cleaning.parse_decimal("１，２３４.５") == Decimal("1234.5")
    assert cleaning.parse_integer("12") == 12
    with pytest.raises(CellError):
        cleaning.parse_integer("1.5")
    with pytest.raises(CellError):
        cleaning.parse_decimal("abc")
    assert cleaning.parse_boolean("是") is True
    assert cleaning.parse_boolean("否") is False
    with pytest.raises(CellError):
        cleaning.parse_boolean("也许")


def test_text_and_headers():
    assert cleaning.clean_text("  杭州\u3000测试  公司 ") == "杭州 测试 公司"
    assert cleaning.clean_header("罚款金额（万元）") == cleaning.clean_header("罚款金额(万元)")
