"""The model review pages as the credit office meets them: 模型复核 in its menu, a run without a
review, making one with the outcome day, the report with its sections; a reader may not make one;
a bad date is refused in Chinese naming the field."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient

from tests.accounts.helpers import login_as
from xinyong.core import clock
from xinyong.core.db import session_scope
from xinyong.evaluation import service
from xinyong.web.app import create_app

from .helpers import AS_OF
from .test_runs import record, subject

DAY = date(2026, 11, 30)


@pytest.fixture
def client(app_env):
    with clock.frozen_today(DAY), TestClient(create_app(), follow_redirects=False) as c:
        yield c


@pytest.fixture
def run_id(app_env) -> int:
    with session_scope() as s:
        for k in range(6):
            p = subject(s)
            if k % 2:
                record(s, p, "admin_penalty", severity="general", decided=date(2026, 2, 1))
        return service.run_evaluation(s, "personal", as_of=AS_OF, user="test").run_id


def test_the_credit_office_makes_and_reads_a_review(client, run_id):
    login_as(client, "admin")
    home = client.get("/evaluation/reviews")
    assert home.status_code == 200 and "模型复核" in home.text and "尚未复核" in home.text
    assert f'href="/evaluation/runs/{run_id}/review"' in home.text
    page = client.get(f"/evaluation/runs/{run_id}/review")
    assert page.status_code == 200 and "该批次尚未复核" in page.text and "生成复核" in page.text
    made = client.post(f"/evaluation/runs/{run_id}/review", data={"outcome_until": "2026-11-30"})
    assert made.status_code == 303 and made.headers["location"] == f"/evaluation/runs/{run_id}/review"
    page = client.get(f"/evaluation/runs/{run_id}/review")
    for words in ("得分分布", "等级分布", "各地市", "稳定性", "维度和指标的分布", "区分度：后续严重失信",
                  "浙江省 2018 年公共信用评价结果：自然人", "重新生成复核", "无从比较"):
        assert words in page.text, words
    assert "不计算区分度" in page.text  # no later serious dishonesty in these data
    assert "尚未复核" not in client.get("/evaluation/reviews").text


def test_a_bad_outcome_day_is_refused_naming_the_field(client, run_id):
    login_as(client, "admin")
    r = client.post(f"/evaluation/runs/{run_id}/review", data={"outcome_until": "2026-13-01"})
    assert r.status_code == 422 and "结果观察截止日“2026-13-01”不是日期" in r.text
    r = client.post(f"/evaluation/runs/{run_id}/review", data={"outcome_until": "2026-01-01"})
    assert r.status_code == 422 and "早于评价的数据截止日" in r.text


def test_a_supervisor_reads_but_does_not_make(client, run_id):
    login_as(client, "supervisor")
    page = client.get(f"/evaluation/runs/{run_id}/review")
    assert page.status_code == 200 and "生成复核" not in page.text
    assert client.post(f"/evaluation/runs/{run_id}/review", data={}).status_code == 403
    assert client.get("/evaluation/runs/999/review").status_code == 404
