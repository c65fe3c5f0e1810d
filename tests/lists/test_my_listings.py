"""A subject is told before a listing and may state its case (国办发〔2020〕49号; the Zhejiang
regulation): its own listings page shows a proposed listing with its reason, basis and notice
period, and takes the statement online; the listing waits for the credit office's decision."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.accounts.helpers import login_as
from tests.lists.helpers import person
from xinyong.audit.models import AuditEntry
from xinyong.catalog import service as catalog_service
from xinyong.core.clock import today
from xinyong.lists import service as lists
from xinyong.lists.models import ListEntry, ListEntryEvent
from xinyong.web.app import create_app


@pytest.fixture
def client(app_env):
    with TestClient(create_app(), follow_redirects=False) as c:
        yield c


def _proposed(session, subject, reason="拒不履行生效判决，拟列入严重失信主体名单") -> ListEntry:
    vid, _ = catalog_service.active_version(session)
    e = ListEntry(subject_id=subject.id, list_kind="blacklist", basis="rule", region_code=subject.region_code,
                  decided_by="杭州市中级人民法院", reason=reason, status="proposed", notified_on=today(),
                  effective_from=today() + timedelta(days=7), policy_version_id=vid, created_by="test")
    session.add(e)
    session.commit()
    return e


def test_the_subject_reads_the_notice_and_states_its_case(client, session):
    me, _ = person(session, "祝申辩")
    other, _ = person(session, "郑他人")
    mine, theirs = _proposed(session, me), _proposed(session, other, "别人的事由")
    login_as(client, "subject", None, subject_id=me.id, username="zhushenbian")

    page = client.get("/my/listings")
    assert page.status_code == 200
    assert "严重失信主体名单" in page.text and "拒不履行生效判决" in page.text and "别人的事由" not in page.text
    assert "告知期至" in page.text and (today() + timedelta(days=7)).isoformat() in page.text
    assert "提交陈述申辩" in page.text

    r = client.post(f"/my/listings/{mine.id}/statement", data={"statement": "  判决已于上月履行完毕，附履行凭证。 "})
    assert r.status_code == 303 and r.headers["location"] == "/my/listings"
    session.expire_all()
    stored = session.get(ListEntry, mine.id)
    assert (stored.statement, stored.status, stored.statement_result) == ("判决已于上月履行完毕，附履行凭证。", "proposed", None)
    assert session.scalar(select(ListEntryEvent.action).where(ListEntryEvent.entry_id == mine.id)) == "statement"
    assert session.scalar(select(AuditEntry).where(AuditEntry.entity == "list_entry",
                                                   AuditEntry.entity_id == str(mine.id))).username == "zhushenbian"
    assert "待处理" in client.get("/my/listings").text

    assert client.post(f"/my/listings/{theirs.id}/statement", data={"statement": "冒名"}).status_code == 403
    assert session.get(ListEntry, theirs.id).statement is None
    blank = client.post(f"/my/listings/{mine.id}/statement", data={"statement": "   "})
    assert blank.status_code == 422 and "请填写陈述申辩的内容" in blank.text


def test_a_decided_or_active_listing_takes_no_statement(client, session):
    me, _ = person(session, "钱已列")
    e = _proposed(session, me)
    lists.state_case(session, e.id, statement="说明", by="x")
    lists.decide_statement(session, e.id, accepted=False, by="admin", note="不成立")
    session.commit()
    login_as(client, "subject", None, subject_id=me.id, username="qianyilie")
    page = client.get("/my/listings").text
    assert "不成立" in page and "提交陈述申辩" not in page and "修改陈述申辩" not in page
    e.status = "active"
    session.commit()
    r = client.post(f"/my/listings/{e.id}/statement", data={"statement": "再说明"})
    assert r.status_code == 422 and "只有拟列入" in r.text



def test_the_manage_page_puts_what_waits_for_a_decision_first(client, session):
    waiting, _ = person(session, "钱待定")
    quiet, _ = person(session, "孙告知")
    w = _proposed(session, waiting, "待决定的事由")
    w.statement, w.statement_on = "已整改", today()
    _proposed(session, quiet, "告知中的事由")
    session.commit()
    login_as(client, "admin", "330000")
    html = client.get("/lists/manage").text
    assert "待处理陈述申辩 <strong>1</strong> 条" in html and "告知期内拟列入 <strong>1</strong> 条" in html
    assert html.index("待决定的事由") < html.index("告知中的事由") < html.index("按决定列入名单")


def test_an_entry_not_listed_shows_no_listing_period(client, session):
    me, _ = person(session, "吴不列")
    e = _proposed(session, me)
    e.statement, e.statement_on, e.statement_result, e.status = "判决已履行", today(), "accepted", "withdrawn"
    session.commit()
    login_as(client, "admin", "330000")
    html = client.get(f"/lists/entries/{e.id}").text
    assert "不予列入" in html and "列入期间" not in html
    login_as(client, "subject", None, subject_id=me.id, username="wubulie")
    html = client.get("/my/listings").text
    assert "不予列入" in html and "列入期间" not in html


def test_a_credit_file_shows_the_lists_and_grade_as_each_reader_may(client, session):
    from xinyong.lists.models import SubjectGrade

    me, _ = person(session, "冯在列")
    vid, _ = catalog_service.active_version(session)
    for kind in ("blacklist", "watchlist"):
        session.add(ListEntry(subject_id=me.id, list_kind=kind, basis="decision", region_code=me.region_code,
                              decision_no=f"杭〔2026〕{kind}", decided_by="信用办", reason="测试", status="active",
                              effective_from=today() - timedelta(days=30), policy_version_id=vid, created_by="test"))
    session.add(SubjectGrade(subject_id=me.id, grade="较差", graded_on=today(), source="测试", created_by="test"))
    session.commit()
    since = (today() - timedelta(days=30)).isoformat()

    # the public cannot browse a person's file at all (it finds a person only by number and name)
    assert client.get(f"/subjects/{me.id}").status_code == 404
    login_as(client, "checker", me.region_code)
    html = client.get(f"/subjects/{me.id}").text  # an official of its region: all, and the grade
    assert f"列入严重失信主体名单（自 {since} 起）" in html and "列入重点关注名单" in html
    assert "信用评价等级" in html and "较差" in html
