"""The free-text masker (security finding 12): a table of what the public reads, and properties
over generated text — whatever surrounds them, a phone number, an e-mail address or a named person
never comes through whole, and text without any of them comes through unchanged."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xinyong.core.codes import make_ric
from xinyong.core.masking import mask_name, mask_personal_text, names_in

RIC = make_ric("330106", date(1990, 1, 1), 123)

TABLE = [
    ("联系电话13812345678。", "联系电话138****5678。"),
    ("手机 138 1234 5678", "手机 138****5678"),
    ("+86-13912345678", "+86-139****5678"),
    ("座机0571-87654321", "座机0571-****4321"),
    ("（0571）87654321转801", "（0571）****4321转801"),
    ("057187654321", "0571****4321"),
    ("电话：87654321", "电话：****4321"),
    ("邮箱zhang.san@example.com。", "邮箱z***@example.com。"),
    ("杭州市西湖区文三路478号华星时代广场A座1201室，经营", "杭州市西湖区文三路****，经营"),
    ("文三路478号华星大厦经营", "文三路****"),  # to the next punctuation: more, not less
    ("滨江区长河街道江南大道3688号，", "滨江区长河街道江南大道****，"),
    ("某小区3幢2单元501室", "某小区****"),
    (f"当事人身份证{RIC}", f"当事人身份证{RIC[:6]}{'*' * 12}"),
    # what must stay as it is
    ("杭市监罚〔2026〕123号", "杭市监罚〔2026〕123号"),
    ("罚款5000元，2026年3月5日", "罚款5000元，2026年3月5日"),
    ("依据《食品安全法》第一百二十四条第一款", "依据《食品安全法》第一百二十四条第一款"),
    ("统一社会信用代码91330106MA2XXXXXX0", "统一社会信用代码91330106MA2XXXXXX0"),
    ("金额12345678901元", "金额12345678901元"),
    ("一座桥在三楼", "一座桥在三楼"),
    ("", ""),
]


@pytest.mark.parametrize(("text", "shown"), TABLE)
def test_table(text, shown):
    assert mask_personal_text(text) == shown


def test_named_persons_are_masked_longest_first():
    text = "雇员王小二、欧阳娜娜和王小二的妻子"
    assert mask_personal_text(text, "王小二", "欧阳娜娜", "", None, "王") == "雇员王*二、欧**娜和王*二的妻子"


def test_names_in_a_fact():
    assert names_in("张三、李四，王五 赵六;钱七") == ["张三", "李四", "王五", "赵六", "钱七"]
    assert names_in(None) == [] and names_in("") == []


PLAIN = st.text(alphabet=st.sampled_from(list("的了是在有和违法事实经查处罚当事人，。；（）")), max_size=30)
MOBILES = st.from_regex(r"\A1[3-9][0-9]{9}\Z")
EMAILS = st.from_regex(r"\A[a-z][a-z0-9]{1,8}@[a-z]{2,8}\.(com|cn|org)\Z")
NAMES = st.text(alphabet=st.sampled_from(list("王李张刘陈杨赵黄周吴小明华娜丰建")), min_size=2, max_size=4)


@settings(max_examples=200, deadline=None)
@given(PLAIN, MOBILES, PLAIN)
def test_a_mobile_never_comes_through(before, mobile, after):
    shown = mask_personal_text(before + mobile + after)
    assert mobile not in shown and mobile[:3] + "****" + mobile[-4:] in shown


@settings(max_examples=200, deadline=None)
@given(PLAIN, EMAILS, PLAIN)
def test_an_email_never_comes_through(before, email, after):
    shown = mask_personal_text(before + email + after)
    assert email not in shown and email.split("@")[1] in shown


@settings(max_examples=200, deadline=None)
@given(PLAIN, NAMES, PLAIN)
def test_a_named_person_never_comes_through(before, name, after):
    shown = mask_personal_text(before + name + after, name)
    assert name not in shown and mask_name(name) in shown


@settings(max_examples=200, deadline=None)
@given(PLAIN)
def test_text_without_personal_data_is_unchanged(text):
    assert mask_personal_text(text) == text
