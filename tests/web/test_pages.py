from __future__ import annotations

import re

import pytest

from tests.accounts.helpers import login_as
from tests.records.factories import World, revise
from tests.web.conftest import assert_masked
from xinyong.core.db import get_engine


def page(client, url: str, **kwargs) -> str:
    r = client.get(url, **kwargs)
    assert r.status_code == 200, (url, r.text[:500])
    assert r.headers["content-type"].startswith("text/html")
    return r.text


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_home(client, world, policy):
    html = page(client, "/")
    assert '<html lang="zh-CN">' in html
    assert "浙江省公共信用信息平台" in html
    for item in ("首页", "信用主体查询", "政策清单"):
        assert item in html
    assert f"政策清单版本：{policy.meta.label}" in html
    text = text_of(html)
    assert "5 公示期内信用记录" in text
    assert "2 政府机构" in text and "1 公务人员" in text and "1 自然人" in text and "2 法人和其他组织" in text
    assert "行政处罚 3" in text and "失信被执行人 2" in text
    assert "杭州市 4" in text and "宁波市 1" in text
    assert "data-chart" in html or "npm install" in html


def test_home_empty(client):
    html = page(client, "/")
    assert "暂无公示期内的信用记录" in html


def test_search_page(client, world):
    html = page(client, "/subjects")
    assert "信用主体查询" in html and "杭州市" in html  # the city filter
    html = page(client, "/subjects", params={"q": "公司"})
    assert "杭州甲科技有限公司" in html and "宁波乙贸易有限公司" in html
    assert f'href="/subjects/{world.ent_hz.code}"' in html
    html = page(client, "/subjects", params={"q": "公司", "region": "330200"})
    assert "宁波乙贸易有限公司" in html and "杭州甲科技有限公司" not in html
    html = page(client, "/subjects", params={"kind": "person"})
    assert "张*丰" not in html and "未找到符合条件的信用主体" in html  # the public lists no persons
    assert 'action="/subjects/lookup"' in html  # but may look one up by number and name
    login_as(client, "checker", "330100")
    html = page(client, "/subjects", params={"kind": "person"})
    assert "张*丰" in html and f'href="/subjects/{world.person.id}"' in html
    assert 'action="/subjects/lookup"' not in html
    assert_masked(html, world)
    html = page(client, "/subjects", params={"q": "没有这家"})
    assert "未找到符合条件的信用主体" in html


def test_search_page_htmx_fragment(client, world):
    html = page(client, "/subjects", params={"q": "公司"}, headers={"HX-Request": "true"})
    assert "<html" not in html and "杭州甲科技有限公司" in html
    html = page(client, "/subjects", params={"q": world.person_ric}, headers={"HX-Request": "true"})
    assert "张*丰" not in html and "未找到符合条件的信用主体" in html
    login_as(client, "checker", "330100")
    html = page(client, "/subjects", params={"q": world.person_ric}, headers={"HX-Request": "true"})
    assert "张*丰" in html
    assert_masked(html, world)


def test_search_page_by_code_goes_to_the_file(client, world):
    r = client.get("/subjects", params={"q": world.person_ric}, follow_redirects=False)
    assert r.status_code == 200 and "张*丰" not in r.text  # the public: no person by number alone
    login_as(client, "checker", "330100")
    r = client.get("/subjects", params={"q": world.person_ric}, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == f"/subjects/{world.person.id}"
    r = client.get("/subjects", params={"q": world.ent_hz.code.lower()}, follow_redirects=False)
    assert r.headers["location"] == f"/subjects/{world.ent_hz.code}"


def test_search_page_paging(client, world, monkeypatch):
    monkeypatch.setenv("XINYONG_PAGE_SIZE", "5")
    from xinyong.core import settings

    settings.reset_settings()
    login_as(client, "checker", "330000")
    html = page(client, "/subjects", params={"region": "330000"})
    assert "下一页" in html and "上一页" not in html
    html = page(client, "/subjects", params={"region": "330000", "offset": 5})
    assert "上一页" in html and "下一页" not in html and "第 2 页" in html


def test_search_page_bad_filter(client, world):
    r = client.get("/subjects", params={"region": "999999"})
    assert r.status_code == 422 and "行政区划代码" in r.text


def test_credit_file_page_enterprise(client, world):
    html = page(client, f"/subjects/{world.ent_hz.code}")
    text = text_of(html)
    assert "杭州甲科技有限公司" in text and world.ent_hz.code in text
    assert "浙江省 › 杭州市 › 西湖区" in text
    assert "法定代表人 李*光" in text
    assert "公示期内信用记录" in text
    for word in ("行政处罚", "失信", "一般", "杭市监罚〔2026〕1号", "杭州市市场监督管理局", "有效", "公开"):
        assert word in text
    assert "杭市监罚〔2024〕2号" not in text  # expired: not in the file
    assert f'href="/records/{world.hz_recent_id}"' in html
    assert "?archive=1" in html
    assert_masked(html, world)


def test_credit_file_page_archive(client, world):
    html = page(client, f"/subjects/{world.ent_hz.code}?archive=1")
    text = text_of(html)
    assert "杭市监罚〔2024〕2号" in text and "杭市监罚〔2026〕1号" in text
    assert "已过公示期" in text and "档案" in text
    assert html.count('class="expired"') == 1


def test_credit_file_page_person(client, world):
    """The public: the file through the look-up form (number and name), without links to
    pages it may not open; by subject number or identity number, 404."""
    form = {"code": world.person_ric, "name": World.PERSON_NAME, "csrf_token": client.get("/subjects").cookies.get(
        "xinyong_csrf") or client.cookies.get("xinyong_csrf")}
    r = client.post("/subjects/lookup", data=form)
    assert r.status_code == 200, r.text[:500]
    html = r.text
    text = text_of(html)
    assert "张*丰" in text and world.person_ric[:6] + "*" * 12 in text
    assert "失信被执行人" in text
    assert "另有 1 条授权查询信息" in text
    assert "杭市监罚〔2026〕4号" not in text  # withheld content
    assert 'href="/records/' not in html and "?archive=1" not in html
    assert_masked(html, world)
    r = client.post("/subjects/lookup", data={**form, "name": "张三"})
    assert r.status_code == 404 and "未找到与该身份证号码和姓名相符" in r.text and 'value="张三"' in r.text
    for ref in (world.person.id, world.person_ric):
        r = client.get(f"/subjects/{ref}")
        assert r.status_code == 404 and "未找到该信用主体" in r.text
    login_as(client, "checker", "330100")
    html = page(client, f"/subjects/{world.person_ric}?archive=1")
    assert "杭市监罚〔2026〕4号" in html  # an official of his region: everything
    assert_masked(html, world)


def test_credit_file_page_public_servant_and_gov_body(client, world):
    login_as(client, "checker", "330100")
    html = page(client, f"/subjects/{world.servant.id}")
    text = text_of(html)
    assert "欧**娜" in text and "公务人员" in text
    assert "任职情况" in text and "杭州市发展和改革委员会 处长" in text and "现任" in text and "曾任" in text
    assert_masked(html, world)
    html = page(client, f"/subjects/{world.bureau.code}")
    assert "上级机构" in html and "杭州市人民政府" in html
    assert "公示期内没有信用记录" in html


def test_credit_file_page_404(client, world):
    r = client.get("/subjects/91330106MA2XXXXX00")
    assert r.status_code == 404 and "代码格式不正确" in r.text


def test_record_page(client, session, world):
    revise(session, world)
    html = page(client, f"/records/{world.hz_recent_id}")
    text = text_of(html)
    assert "行政处罚" in text and "杭市监罚〔2026〕1号" in text
    assert "处罚内容 罚款人民币五万元" in text  # fact names from the catalog
    assert "违法行为类型 虚假宣传" in text
    assert "历史版本" in text and "第 1 版" in text and "第 2 版" in text and "当前" in text
    assert "首次接收" in text
    assert_masked(html, world)


def test_record_page_person(client, world):
    for record_id in (world.person_debtor_id, world.person_penalty_id, 999999):
        r = client.get(f"/records/{record_id}")
        assert r.status_code == 404 and "不存在或不公开" in r.text
    login_as(client, "checker", "330100")
    html = page(client, f"/records/{world.person_debtor_id}")
    assert "张*丰" in html
    assert_masked(html, world)


def test_policy_page(client, policy):
    html = page(client, "/policy")
    text = text_of(html)
    assert policy.meta.label in text and policy.meta.title in text
    for c in policy.catalog.categories:
        assert c.name in text
    assert "一般：3–12个月" in text
    assert "公开 / 授权查询" in text


# --- pinned query counts -----------------------------------------------------------------------
# Every page looks the active policy up (1 query: its id and content hash; the content is
# cached) for the footer and the names. Anything above these numbers is an N+1.

PAGES = {
    # policy 1; the counts are remembered from the warm-up view (counting them is 2 statements,
    # pinned in tests/records/test_home_counts.py)
    "home": ("/", 1),
    "search empty": ("/subjects", 1),  # nothing asked: no search
    "search": ("/subjects?q=公司", 3),  # policy 1, page of subjects, record counts
    "search all": ("/subjects?region=330000", 3),
    "search htmx": ("/subjects?q=公司", 3),
    # a file: subject, counts by category, one page of records, + the lists the subject is on
    "enterprise file": ("/subjects/{ent}", 5),  # policy 1, subject, counts, one page of records, lists
    "enterprise archive": ("/subjects/{ent}?archive=1", 5),
    "enterprise category": ("/subjects/{ent}?category=admin_penalty&page=2", 5),
    "gov body file": ("/subjects/{bureau}", 6),  # policy 1, subject, counts (none: no records query), parent, lists, grade
    "record": ("/records/{record}", 3),  # policy 1, record with subject, versions
    "policy": ("/policy", 1),
}


def _url(template: str, world: World) -> str:
    return template.format(ent=world.ent_hz.code, person=world.person.id, servant=world.servant.id,
                           bureau=world.bureau.code, record=world.hz_recent_id)


@pytest.mark.parametrize("name", PAGES)
def test_page_query_count(client, session, world, count_queries, name):
    revise(session, world)
    template, expected = PAGES[name]
    url = _url(template, world)
    headers = {"HX-Request": "true"} if "htmx" in name else {}
    client.get(url, headers=headers)  # warm up: first connection, policy cache
    with count_queries(get_engine()) as counter:
        r = client.get(url, headers=headers)
    assert r.status_code == 200
    assert counter.count == expected, f"{name}: {counter.count} queries"


def test_query_counts_do_not_grow_with_data(client, session, world, count_queries):
    """Search over many subjects with many records still costs the same."""
    from tests.records.factories import load, penalty
    from xinyong.core.clock import today
    from xinyong.core.codes import make_uscc

    rows = [penalty(f"杭州丁{i}号有限公司", make_uscc("91", "330106", f"{30000000 + i:08d}"), today(), f"X{i}")
            for i in range(60)]
    load(session, rows, "admin_penalty")
    client.get("/subjects?q=丁")
    with count_queries(get_engine()) as counter:
        html = page(client, "/subjects?q=丁")
    assert counter.count == 3
    assert html.count("杭州丁") == 50  # one page (XINYONG_PAGE_SIZE default 50)
