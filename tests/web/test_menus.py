"""Every role's menu holds its own work and nothing that would answer 403 or 404; the public's
menu holds nothing that only sends it to the login page."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from tests.accounts.helpers import login_as, logout
from xinyong.web.app import create_app

# What each role must find in its menu (the pages of its daily work).
EXPECTED = {
    None: {"首页", "信用主体查询", "政策清单", "信用名单", "报告核验", "信用承诺公示", "投诉举报", "进度查询", "投诉统计", "授权码查询",
           "信用评价",
           # the public portal and its tabs; the policy lists' tabs
           "信用公示", "行政许可", "行政处罚", "典型案例", "数据目录清单", "信用行为清单", "奖惩措施清单", "应用清单"},
    "admin": {"联合奖惩核查", "核查统计", "推送监测", "名单管理", "异议处理", "信用修复审核", "系统管理", "督查看板",
              "投诉办理", "限期整改", "模型复核", "典型案例管理", "履约失信认定"},
    "reporter": {"数据报送", "实时推送", "投诉办理", "履约失信认定"},
    "checker": {"联合奖惩核查", "实时推送", "履约失信认定"},
    "supervisor": {"核查统计", "推送监测", "督查看板", "模型复核", "履约失信认定"},
    "auditor": {"审计日志", "督查看板", "模型复核", "履约失信认定"},
    "subject": {"我的信用档案", "我的名单记录", "我的异议", "我的信用修复", "谁查询了我", "我的完整信用信息", "授权查询"},
}
ADMIN_TABS = {"用户管理", "信用主体用户", "部门管理", "政策清单版本"}

_NAV = re.compile(r'<nav class="(?:nav|tabs)"[^>]*>(.*?)</nav>', re.S)
_LINK = re.compile(r'<a href="([^"]+)"[^>]*>([^<]+)</a>')


def menu_of(html: str) -> dict[str, str]:
    """The links of the page's menus (top navigation and section tabs): label → href."""
    return {label.strip(): href for block in _NAV.findall(html) for href, label in _LINK.findall(block)}


@pytest.fixture
def client(app_env):
    with TestClient(create_app(), follow_redirects=False) as c:
        yield c


def walk(client: TestClient, start: str = "/") -> dict[str, str]:
    """Every menu link reachable from ``start`` through menus, each answering 200."""
    seen: dict[str, str] = {}
    visited: set[str] = set()
    todo = [start]
    while todo:
        url = todo.pop()
        if url in visited:
            continue
        visited.add(url)
        r = client.get(url)
        assert r.status_code == 200, (url, r.status_code, r.headers.get("location"))
        for label, href in menu_of(r.text).items():
            seen[label] = href
            todo.append(href)
    return seen


@pytest.mark.parametrize("role", ["admin", "reporter", "checker", "supervisor", "auditor", "subject"])
def test_every_menu_link_of_a_role_opens(client, world, role):
    kw = {"subject_id": world.person.id, "region": None} if role == "subject" else {}
    login_as(client, role, **kw)
    seen = walk(client)
    assert EXPECTED[None] | EXPECTED[role] <= set(seen), sorted(seen)
    if role == "admin":
        assert ADMIN_TABS <= set(seen)
    else:
        assert not ADMIN_TABS & set(seen)
    others = set().union(*(v for k, v in EXPECTED.items() if k not in (None, role, "admin"))) - EXPECTED[role]
    if role != "admin":
        assert not others & set(seen), others & set(seen)


def test_the_public_menu_has_no_login_only_page(client, world):
    logout(client)
    seen = walk(client)
    assert set(seen) == EXPECTED[None]


def test_my_file_is_the_subjects_own_file(client, world):
    login_as(client, "subject", None, subject_id=world.person.id)
    html = client.get("/my/file").text
    assert 'aria-current="page">我的信用档案' in html
    assert "张*丰" in html


def test_admin_adds_a_department_and_its_categories(client, world):
    login_as(client, "admin")
    from xinyong.core.codes import make_uscc

    code = make_uscc("11", "330100", "00777001")
    r = client.post("/admin/departments", data={"code": code, "name": "杭州市测试局", "region_code": "330100",
                                                "categories": ["admin_penalty"]})
    assert r.status_code == 201 and "部门“杭州市测试局”已建立" in r.text
    html = client.get("/admin/departments").text
    assert "杭州市测试局" in html and "行政处罚" in html
    r = client.post("/admin/departments", data={"code": code, "name": "重复", "region_code": "330100"})
    assert r.status_code == 422 and "已存在" in r.text
    r = client.post("/admin/departments", data={"code": make_uscc("11", "330200", "00777002"), "name": "宁波某局",
                                                "region_code": "330200"})
    assert r.status_code == 403 and "宁波某局" not in client.get("/admin/departments").text
    r = client.post(f"/admin/departments/{code}/categories", data={"categories": ["admin_licence"]})
    assert r.status_code == 200 and "可报送类别已更新" in r.text


def test_admin_creates_a_subject_user_by_code(client, world):
    login_as(client, "admin")
    r = client.post("/admin/subject-users", data={"username": "zhang_self", "subject_code": world.person_ric})
    assert r.status_code == 201 and "初始密码" in r.text
    html = client.get("/admin/subject-users").text
    assert "zhang_self" in html and f'href="/subjects/{world.person.id}"' in html
    r = client.post("/admin/subject-users", data={"username": "nobody_self", "subject_code": "91330100MA00000000"})
    assert r.status_code == 404 and "nobody_self" not in client.get("/admin/subject-users").text


def test_the_batch_page_offers_a_template_and_lists_earlier_batches(client, world):
    import io

    from openpyxl import load_workbook

    from xinyong.checks.models import CheckBatch
    from xinyong.core.db import session_scope

    me = login_as(client, "checker")
    r = client.get("/checks/batch/template.xlsx")
    assert r.status_code == 200
    headers = [c.value for c in load_workbook(io.BytesIO(r.content)).worksheets[0][1]]
    assert headers == ["姓名", "统一社会信用代码或公民身份号码", "行政区划代码", "出生日期"]
    with session_scope() as db:
        from xinyong.catalog.service import active_version

        db.add(CheckBatch(scenario_code="awards", purpose="评优", username=me.username, region_code="330100",
                          file_name="三月名单.xlsx", status="done", total=12, done=12, hits=2, possible=1,
                          policy_version_id=active_version(db)[0]))
    html = client.get("/checks/batch").text
    assert 'href="/checks/batch/template.xlsx"' in html
    assert "三月名单.xlsx" in html and "评优评先信用审查" in html and "已完成" in html
