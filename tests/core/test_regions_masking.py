from xinyong.core import masking, regions


def test_zhejiang_tree():
    cities = regions.cities("330000")
    assert len(cities) == 11
    assert sum(len(regions.counties(c.code)) for c in cities) == 90
    assert regions.name_of("330113") == "临平区"
    assert regions.city_of("330113") == "330100"
    assert [r.name for r in regions.path("330113")] == ["浙江省", "杭州市", "临平区"]
    assert regions.scope_prefix("330100") == "3301"


def test_historical_and_other_provinces():
    assert regions.get("330103").abolished == 2021
    assert regions.get("440306") is not None  # from python-stdnum's table
    assert regions.get("999999") is None


def test_masking_rules():
    assert masking.mask_name("张三") == "张*"
    assert masking.mask_name("张三丰") == "张*丰"
    assert masking.mask_name("欧阳娜娜") == "欧**娜"
    assert masking.mask_ric("330106199001011234") == "330106************"
    assert masking.mask_phone("13812345678") == "138****5678"
    assert masking.mask_address("浙江省杭州市西湖区文三路1号") == "浙江省杭州市****"
