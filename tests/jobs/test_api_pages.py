"""每日任务 over the API and on its page: the history (failed first, what each changed), a run
on demand by an administrator, audited; refused input in Chinese."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.accounts.helpers import login_as
from tests.jobs.test_runner import counter
from xinyong.audit.models import AuditEntry
from xinyong.core.clock import frozen_today
from xinyong.core.db import session_scope
from xinyong.web.app import create_app


@pytest.fixture
def client(app_env):
    with TestClient(create_app()) as c:
        yield c


def test_an_admin_runs_the_jobs_and_the_history_shows_failed_first(client, own_jobs):
    counter(own_jobs, "t.fine", order=1)
    counter(own_jobs, "t.broken", fail=True, order=2)
    admin = login_as(client, "admin", "330000")
    with frozen_today(date(2026, 3, 2)):
        r = client.post("/api/v1/jobs/daily", json={})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["date"] == "2026-03-02" and body["failed"] == 1 and body["changed"] == 1
    assert [(o["job"], o["state"]) for o in body["outcomes"]] == [("t.fine", "done"), ("t.broken", "failed")]
    assert body["outcomes"][0]["description"] == "新增 1；探针"
    with session_scope() as s:
        actions = [a for (a,) in s.execute(select(AuditEntry.action).order_by(AuditEntry.seq))]
        trigger = s.scalar(select(AuditEntry).where(AuditEntry.action == "daily_trigger"))
    assert actions[-3:] == ["daily_trigger", "daily_job", "daily_job_failed"]
    assert trigger.username == admin.username and trigger.after["day"] == "2026-03-02"

    h = client.get("/api/v1/jobs/daily").json()
    runs = [r for r in h["runs"] if not r["job"].endswith(".probe")]  # (the test jobs' own rows)
    assert h["total"] == 3 and [r["state"] for r in runs] == ["failed", "done"]
    assert "磁盘已满" in runs[0]["error"] and [j["name"] for j in h["jobs"]] == ["t.fine", "t.broken"]
    assert client.get("/api/v1/jobs/daily", params={"state": "failed"}).json()["total"] == 1

    page = client.get("/jobs/daily")
    assert page.status_code == 200 and "每日任务" in page.text and "磁盘已满" in page.text
    assert page.text.index("磁盘已满") < page.text.index("新增 1")  # failed first
    assert "立即运行" in page.text

    r = client.post("/api/v1/jobs/daily", json={"date": "2026-03-02", "jobs": ["nope"]})
    assert r.status_code == 422 and "没有这些每日任务" in r.json()["detail"]["message"]
    r = client.post("/api/v1/jobs/daily", json={"date": "2026-02-30"})
    assert r.status_code == 422


def test_the_page_runs_them_and_a_supervisor_only_reads(client, own_jobs):
    counter(own_jobs, "t.fine")
    login_as(client, "admin", "330000")
    r = client.post("/jobs/daily", data={"date": "2026-03-02"})
    assert r.status_code == 200 and "本次运行：2026-03-02" in r.text and "新增 1" in r.text
    r = client.post("/jobs/daily", data={"date": "2026-03-02"})
    assert "当天已完成，跳过" in r.text
    r = client.post("/jobs/daily", data={"date": "2026年3月2日"})
    assert r.status_code == 422 and "格式应为 YYYY-MM-DD" in r.text
    login_as(client, "supervisor", "330000")
    page = client.get("/jobs/daily")
    assert page.status_code == 200 and "新增 1" in page.text and "立即运行" not in page.text
    assert client.post("/api/v1/jobs/daily", json={}).status_code == 403
