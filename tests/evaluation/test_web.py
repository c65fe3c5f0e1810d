"""The evaluation pages and API as their readers meet them: the public reads the published
governments' results (map, rankings, distribution) and a government's score with its radar and
explanation; a person's score is the credit office's only, masked, and its read is audited; the
overview runs as many statements whatever the number of governments. Fixed dates."""

from __future__ import annotations

import json
import re
from datetime import date
from itertools import count

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.accounts.helpers import login_as, logout
from tests.evaluation.test_runs import record
from tests.supervision.helpers import gov
from xinyong.audit.models import AuditEntry
from xinyong.core import clock
from xinyong.core.db import get_engine, session_scope
from xinyong.evaluation import service
from xinyong.subjects.models import Subject
from xinyong.web.app import create_app

from .helpers import AS_OF

DAY = date(2026, 7, 1)
_n = count(1)


@pytest.fixture
def client(app_env):
    with clock.frozen_today(DAY), TestClient(create_app(), follow_redirects=False) as c:
        yield c


def _people(s, n: int = 0) -> dict:
    out = {"city": gov(s, "杭州市人民政府", "330100"), "xihu": gov(s, "杭州市西湖区人民政府", "330106"),
           "haishu": gov(s, "宁波市海曙区人民政府", "330203")}
    for _ in range(3):
        record(s, out["haishu"], "refusal_to_perform_judgment")
    for i in range(n):
        gov(s, f"测试{i}县人民政府", "330122")
    person = Subject(kind="person", code=f"evalperson{next(_n):04d}", code_cipher="x", name="张三丰", region_code="330106")
    s.add(person)
    s.flush()
    out["person"] = person
    service.run_evaluation(s, "government", as_of=AS_OF, user="test")
    service.run_evaluation(s, "personal", as_of=AS_OF, user="test")
    return {k: v.id for k, v in out.items()}


def test_the_public_reads_the_published_government_results(client):
    with session_scope() as s:
        ids = _people(s)
    logout(client)
    page = client.get("/evaluation")
    assert page.status_code == 200
    html = page.text
    assert "data-grade-map=" in html and "县（市、区）人民政府排名" in html and "设区市人民政府排名" in html
    spec = json.loads(re.search(r"data-grade-map='([^']*)'", html).group(1).replace("&#34;", '"')) \
        if "data-grade-map='" in html else None
    if spec:
        assert {c["code"] for c in spec["counties"]} == {"330106", "330203"}
        assert [p["label"][:2] for p in spec["pieces"]] == ["较差", "中等", "良好", "优秀"]
    # the county ranking: 西湖区 (no records) above 海曙区 (refusals to perform judgments)
    assert html.index("杭州市西湖区人民政府") < html.index("宁波市海曙区人民政府")
    assert "评价批次" not in html  # the runs are the officials'
    body = client.get(f"/evaluation/subjects/{ids['xihu']}")
    assert body.status_code == 200 and "data-radar=" in body.text and "得分说明" in body.text
    assert "“依法行政”中的" in body.text
    api = client.get(f"/api/v1/evaluation/subjects/{ids['haishu']}").json()
    [score] = api["scores"]
    assert score["system_code"] == "government" and score["explanation"][0].endswith("分。")
    assert "扣" in score["explanation"][0]  # the indicator that cost the most comes first
    ranks = client.get("/api/v1/evaluation/government/rankings", params={"level": "county"}).json()
    assert [r["region_code"] for r in ranks["items"]] == ["330106", "330203"]
    assert client.get("/api/v1/evaluation/government/rankings", params={"level": "city"}).json()["items"][0][
        "name"] == "杭州市人民政府"
    assert client.get("/api/v1/evaluation/personal/grades").status_code == 401
    assert client.get(f"/evaluation/subjects/{ids['person']}").status_code in (303, 401)


def test_a_persons_score_is_the_offices_masked_and_audited(client):
    with session_scope() as s:
        ids = _people(s)
    login_as(client, "supervisor")
    assert client.get(f"/api/v1/evaluation/subjects/{ids['person']}").status_code == 403
    login_as(client, "admin")
    r = client.get(f"/api/v1/evaluation/subjects/{ids['person']}")
    assert r.status_code == 200 and r.json()["name"] == "张*丰"
    page = client.get(f"/evaluation/subjects/{ids['person']}")
    assert page.status_code == 200 and "张*丰" in page.text and "张三丰" not in page.text
    with session_scope() as s:
        reads = s.scalars(select(AuditEntry).where(AuditEntry.subject_id == ids["person"],
                                                   AuditEntry.action == "read")).all()
        assert len(reads) == 2 and {e.entity for e in reads} == {"evaluation_score"}
    runs = client.get("/evaluation/runs")
    assert runs.status_code == 200 and "个人公共信用评价" in runs.text
    grades = client.get("/api/v1/evaluation/personal/grades").json()
    assert sum(g["count"] for g in grades["grades"]) == 1


def test_the_pages_are_in_chinese(client):
    from tests.web.test_pages_in_chinese import latin_words

    with session_scope() as s:
        ids = _people(s)
    login_as(client, "admin")
    for url in ("/evaluation", "/evaluation/runs", f"/evaluation/subjects/{ids['xihu']}",
                f"/evaluation/subjects/{ids['person']}", "/evaluation?system=personal"):
        page = client.get(url)
        assert page.status_code == 200, url
        assert not latin_words(page.text), (url, latin_words(page.text))


def test_the_overview_runs_as_many_statements_whatever_the_governments(client, count_queries):
    def statements(n: int) -> int:
        with session_scope() as s:
            _people(s, n)
        client.get("/evaluation")  # the policy read once
        with count_queries(get_engine()) as q:
            assert client.get("/evaluation").status_code == 200
        return q.count

    logout(client)
    few = statements(0)
    more = statements(30)
    assert more == few
    assert few <= 6, few


def test_the_home_page_shows_the_grade_map_once_a_run_exists(client):
    logout(client)
    assert "尚未进行政府公共信用评价" in client.get("/").text
    assert "地图将在后续版本提供" not in client.get("/").text
    with session_scope() as s:
        _people(s)
    html = client.get("/").text
    assert "政府公共信用评价等级地图" in html and "尚未进行" not in html
