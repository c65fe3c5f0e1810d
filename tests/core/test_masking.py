"""One set of masking rules (xinyong/core/masking.py) for every public or lower-privilege output."""

from __future__ import annotations

from xinyong.core import masking
from xinyong.core.codes import make_ric, make_uscc


def test_names():
    assert masking.mask_name("张三丰") == "张*丰"
    assert masking.mask_name("张三") == "张*"
    assert masking.mask_name("欧阳娜娜") == "欧**娜"
    assert masking.mask_name(" 张三丰 ") == "张*丰"
    assert masking.mask_name("阿依古丽·买买提") == "阿******提"
    assert masking.mask_name("张") == "张" and masking.mask_name(None) == "" and masking.mask_name("") == ""


def test_identity_numbers_phones_addresses():
    assert masking.mask_ric("330106199001011234") == "330106************"
    assert masking.mask_ric("33010619900101123X") == "330106************"
    assert masking.mask_ric("330106900101123") == "330106*********"  # first generation, 15 digits
    assert masking.mask_ric("330106************") == "330106************"  # masking twice changes nothing
    assert masking.mask_ric("330106********1234") == "330106************"  # nor masked the old way
    assert masking.mask_ric("E1234567") == "********" and masking.mask_ric(None) == ""
    assert masking.mask_phone("13812345678") == "138****5678"
    assert masking.mask_phone("12345") == "*****" and masking.mask_phone("") == ""
    assert masking.mask_address("浙江省杭州市西湖区文三路1号") == "浙江省杭州市****"
    assert masking.mask_address("杭州") == "杭州" and masking.mask_address(None) == ""


def test_identity_numbers_inside_text():
    ric = make_ric("330106", __import__("datetime").date(1970, 2, 3), 11)
    uscc = make_uscc("91", "330106", "12345678")
    text = f"法定代表人李四光（{ric}）指使发布虚假广告；公司代码 {uscc}；旧证 330106700203011；电话13812345678"
    out = masking.mask_ids_in_text(text)
    assert ric not in out and masking.mask_ric(ric) in out
    assert uscc in out  # an organisation's code is public
    assert "330106700203011" not in out  # a first-generation number too
    assert masking.mask_ids_in_text("无") == "无" and masking.mask_ids_in_text("") == ""


def test_numbers_masked_the_old_way_are_masked_again_in_text():
    """Facts stored before 2026-12 hold 330106********1234 (last four kept): shown, they lose
    the last four too, and other starred text is left alone."""
    text = "法定代表人李*光（330106********1234），旧证 330106*****1123，评级 A***"
    assert masking.mask_ids_in_text(text) == "法定代表人李*光（330106************），旧证 330106*********，评级 A***"
