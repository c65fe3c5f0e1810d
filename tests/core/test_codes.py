from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xinyong.core import codes
from xinyong.core.codes import CodeError, make_ric, make_uscc, validate_ric, validate_uscc


def test_valid_uscc_and_its_parts():
    code = make_uscc("91", "330106", "12345678")
    assert validate_uscc(code) == code
    assert codes.uscc_region(code) == "330106"
    assert codes.uscc_kind(code) == "enterprise"
    assert codes.uscc_kind(make_uscc("11", "330100", "00250001")) == "gov_body"


def test_uscc_cleaning_folds_fullwidth_and_spaces():
    code = make_uscc("91", "330106", "12345678")
    fullwidth = "".join(chr(ord(c) + 0xFEE0) for c in code)
    assert validate_uscc(" " + fullwidth[:9] + "　" + fullwidth[9:] + " ") == code
    assert validate_uscc(code.lower()) == code


@pytest.mark.parametrize(
    ("mutate", "part"),
    [
        (lambda c: c[:-1], "length"),
        (lambda c: c[:-1] + ("1" if c[-1] != "1" else "2"), "check"),
        (lambda c: c[:9] + "I" + c[10:], "format"),
        (lambda c: c[:2] + "999999" + c[8:], None),  # region or check, either named
    ],
)
def test_uscc_errors_name_the_part(mutate, part):
    code = make_uscc("91", "330106", "12345678")
    with pytest.raises(CodeError) as exc:
        validate_uscc(mutate(code))
    if part:
        assert exc.value.part == part
    assert exc.value.zh and exc.value.en


def test_uscc_region_must_be_a_region_code():
    bad = make_uscc("91", "010619", "12345678")
    with pytest.raises(CodeError) as exc:
        validate_uscc(bad)
    assert exc.value.part == "region"


def test_ric_parts():
    ric = make_ric("330106", date(1990, 1, 1), 123)
    info = validate_ric(ric)
    assert info.birth_date == date(1990, 1, 1)
    assert info.gender == "M"
    assert info.region_code == "330106"
    assert validate_ric(make_ric("330106", date(1990, 1, 1), 124)).gender == "F"


def test_ric_new_district_code_is_not_a_crash():
    # 临平区 330113 (2021) is missing from python-stdnum's table, which raises a bare KeyError.
    ric = make_ric("330113", date(2022, 3, 4), 5)
    assert validate_ric(ric).region_code == "330113"


def test_ric_historical_district_code_stays_valid():
    assert validate_ric(make_ric("330103", date(1980, 3, 4), 5)).region_code == "330103"


@pytest.mark.parametrize(
    ("value", "part"),
    [
        ("3301061990010112", "length"),
        ("33010619900101123A", "format"),
        ("330106199002301236", None),
        ("999999198001011234", None),
    ],
)
def test_ric_errors(value, part):
    with pytest.raises(CodeError) as exc:
        validate_ric(value)
    if part:
        assert exc.value.part == part


def test_ric_bad_birth_date_named():
    body = "33010619900230123"
    from stdnum.cn import ric

    value = body + ric.calc_check_digit(body + "0")
    with pytest.raises(CodeError) as exc:
        validate_ric(value)
    assert exc.value.part == "birth_date"


def test_ric_unknown_region_named():
    body = "99999919800101123"
    from stdnum.cn import ric

    value = body + ric.calc_check_digit(body + "0")
    with pytest.raises(CodeError) as exc:
        validate_ric(value)
    assert exc.value.part == "region"


@given(st.text(max_size=30))
def test_validation_never_crashes(text):
    for fn in (validate_ric, validate_uscc):
        try:
            fn(text)
        except CodeError:
            pass
