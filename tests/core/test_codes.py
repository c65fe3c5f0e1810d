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


# --- what a USCC says the body is (GB 32100-2015 表1, and 民政's 54 / 55) ----------------------

@pytest.mark.parametrize(
    ("prefix", "kind", "label"),
    [
        ("54", "gov_body", "村民委员会"),  # 基层群众性自治组织特别法人, coded by 民政
        ("55", "gov_body", "居民委员会"),
        ("11", "gov_body", "机关"),
        ("12", "gov_body", "事业单位"),  # a public library
        ("13", "gov_body", "群众团体"),
        ("N2", "enterprise", "农村集体经济组织"),  # a village's 股份经济合作社: not a government body
        ("51", "enterprise", "社会团体"),
        ("91", "enterprise", "企业"),
        ("92", "enterprise", "个体工商户"),
        ("93", "enterprise", "农民专业合作社"),
        ("59", "enterprise", None),  # 民政 其他: the kind's own name is shown
        ("Y1", "enterprise", None),
    ],
)
def test_kind_and_label_follow_registration_authority_and_type(prefix, kind, label):
    code = make_uscc(prefix, "330382", "1234567" + ("8" if prefix[0] != "N" else "9"))
    assert validate_uscc(code) == code
    assert codes.uscc_kind(code) == kind
    assert codes.uscc_label(code) == label


def test_labels_shown_for_subjects():
    from xinyong.catalog.schemas import kind_label

    village = make_uscc("54", "330382", "MA2H0Q7K")
    library = make_uscc("12", "330106", "47005512")
    collective = make_uscc("N2", "330382", "MA2H7702")
    assert kind_label("gov_body", village) == "村民委员会"
    assert kind_label("gov_body", library) == "事业单位"
    assert kind_label("enterprise", collective) == "农村集体经济组织"
    assert kind_label("gov_body", make_uscc("19", "330106", "47005513")) == "政府机构"
    # a natural person's stored code never reads as an organisation type
    assert kind_label("person", "54" * 9) == "自然人"
