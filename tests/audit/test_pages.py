"""The audit log on the web: the auditor's view, and a subject seeing who read its file."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from tests.accounts.helpers import login_as, logout
from tests.records.factories import World, build_world
from xinyong.core.masking import mask_ric
from xinyong.web.app import create_app


@pytest.fixture
def world(session) -> World:
    return build_world(session)


@pytest.fixture
def client(app_env):
    with TestClient(create_app(), follow_redirects=False) as c:
        yield c


def test_a_subject_sees_who_read_its_file_and_why(client, world):
    checker = login_as(client, "checker", "330100")
    r = client.get(f"/api/v1/subjects/{world.person.id}", params={"purpose": "公务员录用资格核查"})
    assert r.status_code == 200, r.text
    client.get(f"/api/v1/subjects/{world.servant.id}", params={"purpose": "评优评先核查"})
    logout(client)

    login_as(client, "subject", None, subject_id=world.person.id)
    body = client.get("/api/v1/audit/my-readers").json()
    assert body["subject_id"] == world.person.id and body["total"] == 1
    (read,) = body["reads"]
    assert (read["reader"], read["role_name"], read["what"], read["purpose"]) == (
        checker.username, "核查人员", "信用档案", "公务员录用资格核查")
    page = client.get("/my/readers")
    assert page.status_code == 200
    assert "谁查询了我的信用档案" in page.text and "公务员录用资格核查" in page.text
    assert checker.username in page.text and "评优评先核查" not in page.text  # another subject's reader
    assert client.get("/audit").status_code == 403


def test_the_auditor_filters_the_log_and_checks_the_chain(client, world):
    login_as(client, "checker", "330100")
    client.get(f"/api/v1/subjects/{world.person.id}", params={"purpose": "财政资金补助核查"})
    logout(client)
    login_as(client, "auditor", "330000")
    body = client.get("/api/v1/audit/entries", params={"subject_id": world.person.id, "action": "read"}).json()
    assert body["total"] == 1
    (e,) = body["entries"]
    assert (e["username"], e["role"], e["purpose"], e["entity"]) == ("checker_330100", "checker", "财政资金补助核查",
                                                                      "credit_file")
    assert e["request_id"] and e["ip"] and len(e["hash"]) == 64
    imports = client.get("/api/v1/audit/entries", params={"action": "import"}).json()
    assert imports["total"] == 2  # the world's two import batches, one entry each
    assert imports["entries"][0]["after"]["new"] >= 1
    page = client.get("/audit", params={"user": "checker_330100", "from": "2000-01-01"})
    assert page.status_code == 200 and "财政资金补助核查" in page.text
    assert client.get("/audit", params={"from": "not a day"}).status_code == 422
    verdict = client.get("/api/v1/audit/verify").json()
    assert verdict["ok"] and verdict["checked"] >= 3
    assert "完整" in client.get("/audit/verify").text
    assert client.get("/my/readers").status_code == 403


def test_the_auditor_finds_a_subjects_entries_by_its_name_or_code(client, world):
    login_as(client, "checker", "330100")
    client.get(f"/api/v1/subjects/{world.person.id}", params={"purpose": "职称评定核查"})
    client.get(f"/api/v1/subjects/{world.servant.id}", params={"purpose": "干部选拔核查"})
    logout(client)
    login_as(client, "auditor", "330000")
    for named in (world.person_ric, World.PERSON_NAME):
        r = client.post("/audit", data={"subject": named})
        assert r.status_code == 303 and world.person_ric not in r.headers["location"]
        page = client.get(r.headers["location"]).text
        assert "职称评定核查" in page and "干部选拔核查" not in page, named
        assert "张*丰" in page and world.person_ric not in page
    page = client.get("/audit", params={"subject": "没有这个人"}).text
    assert "没有符合条件的审计记录" in page
    assert "信用主体（名称或代码）" in page


def test_a_full_identity_number_never_comes_back_from_the_log_page(client, world, session, monkeypatch):
    """An auditor types a whole identity number: the URL the form leads to, page 1's HTML (the
    input's value, the paging links) and page 2 carry it sealed or masked, never whole."""
    from xinyong.accounts.principal import Principal
    from xinyong.audit import service
    from xinyong.core import settings

    monkeypatch.setenv("XINYONG_PAGE_SIZE", "5")
    settings.reset_settings()
    reader = Principal(user_id=None, username="checker_x", role="checker", region_code="330100", via="session")
    for i in range(7):
        service.log_read(session, who=reader, subject_id=world.person.id, purpose=f"资格核查第{i}次", what="credit_file")
    session.commit()
    login_as(client, "auditor", "330000")
    ric = world.person_ric
    r = client.post("/audit", data={"subject": ric.lower()})
    assert r.status_code == 303
    url = r.headers["location"]
    assert ric not in url.upper() and "subject_ref=" in url
    page1 = client.get(url)
    assert page1.status_code == 200
    assert "资格核查第6次" in page1.text and "资格核查第1次" not in page1.text and "下一页" in page1.text
    assert ric not in page1.text.upper() and mask_ric(ric) in page1.text  # the input shows it masked
    next_url = re.search(r'<a href="([^"]+)">下一页</a>', page1.text).group(1).replace("&amp;", "&")
    assert ric not in next_url.upper()
    page2 = client.get(next_url)
    assert "资格核查第1次" in page2.text and ric not in page2.text.upper()
    # the form sent back unchanged (the masked value and its sealed number) still means that person
    ref = re.search(r'name="subject_ref" value="([^"]+)"', page1.text).group(1)
    again = client.post("/audit", data={"subject": mask_ric(ric), "subject_ref": ref})
    assert "资格核查第6次" in client.get(again.headers["location"]).text
    # a link typed with the whole number is sent on at once to the sealed form
    typed = client.get("/audit", params={"subject": ric})
    assert typed.status_code == 303 and ric not in typed.headers["location"]
    assert client.get("/audit", params={"subject_ref": "k$bogus"}).status_code == 422
