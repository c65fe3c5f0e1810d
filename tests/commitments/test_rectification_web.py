"""限期整改 over HTTP: the board by region and status (its statements pinned, not growing with the
tasks), a task's page and its steps through the form and the API (a refused step named, nothing
written), and the body's promise-keeping page with its charts, open tasks and the place kept for
the obligations. The clock is frozen: the pages read today's date."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.accounts.helpers import login_as
from tests.commitments.helpers import row
from tests.records.factories import World, build_world
from xinyong.accounts.principal import cli_principal
from xinyong.commitments import service
from xinyong.commitments.rectification_models import Rectification
from xinyong.core import clock
from xinyong.core.db import get_engine, session_scope
from xinyong.web.app import create_app

DAY = date(2026, 6, 15)
WHO = cli_principal("credit_office")


@pytest.fixture
def world(app_env) -> World:
    with clock.frozen_today(DAY), session_scope() as s:
        w = build_world(s)
        s.flush()
        s.expunge_all()
    return w


@pytest.fixture
def client(app_env):
    with clock.frozen_today(DAY), TestClient(create_app(), follow_redirects=False) as c:
        yield c


def breaches(subject, n: int = 1) -> list[int]:
    """``n`` commitments of ``subject`` past due, turned into records (and so into tasks) today."""
    with clock.frozen_today(DAY), session_scope() as s:
        for _ in range(n):
            service.create(s, row(subject, made_on="2026-03-01", due_on="2026-05-01"), who=WHO, today=DAY)
        service.daily_breaches(s, DAY)
        s.flush()
        return list(s.scalars(select(Rectification.id).where(Rectification.body_id == subject.id)
                              .order_by(Rectification.id)))


def test_the_board_counts_by_region_and_its_statements_are_pinned(client, world, count_queries):
    breaches(world.bureau, 2)
    login_as(client, "supervisor")
    client.get("/commitments/rectifications")  # warm up
    with count_queries(get_engine()) as counter:
        page = client.get("/commitments/rectifications")
    assert page.status_code == 200
    assert "杭州市发展和改革委员会" in page.text and "违背信用承诺" in page.text and "待书面说明" in page.text
    # pinned: the web session, the policy version in force (the category names), the tasks with
    # their bodies and records (one join), the board's one GROUP BY
    expected = 4
    assert counter.count == expected, counter.count
    breaches(world.city_gov, 3)
    with count_queries(get_engine()) as counter:
        assert client.get("/commitments/rectifications").status_code == 200
    assert counter.count == expected  # does not grow with the tasks shown
    api = client.get("/api/v1/rectifications/board")
    assert api.status_code == 200
    assert {r["region_code"]: r["counts"]["open"] for r in api.json()} == {"330100": 5}
    bad = client.get("/commitments/rectifications", params={"status": "飞了"})
    assert bad.status_code == 422 and "不是整改状态" in bad.text


def test_a_task_is_explained_and_closed_through_the_pages_and_a_refused_step_named(client, world):
    [task_id] = breaches(world.bureau)
    logged = login_as(client, "admin")
    page = client.get(f"/commitments/rectifications/{task_id}")
    assert page.status_code == 200 and "提交书面说明" in page.text and "验收办结" not in page.text.split("<select")[1]
    refused = client.post(f"/commitments/rectifications/{task_id}/steps",
                          data={"step": "close", "note": "合格", "csrf_token": logged.csrf})
    assert refused.status_code == 422 and "不能验收办结" in refused.text
    for step, note in (("explain", "已查明原因并制定整改方案"), ("submit", ""), ("close", "验收合格")):
        r = client.post(f"/commitments/rectifications/{task_id}/steps",
                        data={"step": step, "note": note, "csrf_token": logged.csrf})
        assert r.status_code == 303, r.text
    with session_scope() as s:
        t = s.get(Rectification, task_id)
        assert (t.status, t.explanation, t.closed_on) == ("closed", "已查明原因并制定整改方案", DAY)
    api = client.get(f"/api/v1/rectifications/{task_id}")
    assert [e["action"] for e in api.json()["events"]] == ["opened", "explained", "submitted", "closed"]


def test_a_step_over_the_api(client, world):
    [task_id] = breaches(world.bureau)
    from tests.accounts.helpers import token_for

    admin = {"Authorization": f"Bearer {token_for('admin', '330100')}"}
    r = client.post(f"/api/v1/rectifications/{task_id}/steps", json={"step": "submit"}, headers=admin)
    assert r.status_code == 422 and "待书面说明" in r.text
    r = client.post(f"/api/v1/rectifications/{task_id}/steps", json={"step": "explain", "note": "说明"}, headers=admin)
    assert r.status_code == 200 and r.json()["status"] == "explained"
    listed = client.get("/api/v1/rectifications", params={"status": "explained"}, headers=admin).json()
    assert [t["id"] for t in listed] == [task_id]


def test_the_body_page_shows_charts_open_tasks_and_keeps_a_place_for_obligations(client, world):
    breaches(world.bureau)
    login_as(client, "checker")
    page = client.get(f"/commitments/bodies/{world.bureau.id}")
    assert page.status_code == 200
    text = page.text
    assert "守信践诺" in text and "未办结的限期整改" in text and "违背信用承诺" in text
    assert "履约率（按履行结果认定月份）" in text and "2026-06" in text  # the breach's month
    assert "data-chart" in text or "图表组件未安装" in text
