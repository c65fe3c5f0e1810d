"""Uploaded files are imported by a job worker, not in the web request (issue 14, finding 8):
the API answers 202 with the job, the worker loop (``xinyong worker --once``) runs it, a job
whose worker died is queued again, and only the uploader and the region's administrators and
auditors read a job."""

from __future__ import annotations

import fcntl
import os

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests import factories as f
from tests.records.test_write_api import csv_bytes
from xinyong.accounts import service as accounts
from xinyong.core import work
from xinyong.core.db import session_scope
from xinyong.records.models import Record
from xinyong.web.app import create_app

PASSWORD = "Baosong-2026-测试密码"


@pytest.fixture
def client(app_env):
    with TestClient(create_app()) as c:
        yield c


@pytest.fixture
def people(app_env):
    with session_scope() as db:
        accounts.create_department(db, code=f.DEPT, name=f.DEPT_NAME, region_code="330100",
                                   categories=["admin_penalty"])
        accounts.create_department(db, code=f.OTHER_DEPT, name="宁波市市场监督管理局", region_code="330200",
                                   categories=["admin_penalty"])
        tokens = {}
        for name, role, region, dept in (("hz-scj", "reporter", "330100", f.DEPT),
                                         ("hz-scj2", "reporter", "330100", f.DEPT),
                                         ("nb-scj", "reporter", "330200", f.OTHER_DEPT),
                                         ("hz-admin", "admin", "330100", None),
                                         ("nb-admin", "admin", "330200", None),
                                         ("hz-audit", "auditor", "330100", None)):
            user, _ = accounts.create_user(db, username=name, role=role, region_code=region,
                                           department_code=dept, password=PASSWORD)
            tokens[name] = accounts.issue_token(db, user, name="t", by="test").token
        return tokens


def send(client, token, rows, name="a.csv"):
    return client.post("/api/v1/records/files", files={"file": (name, csv_bytes(rows), "text/csv")},
                       data={"category": "admin_penalty"}, headers={"Authorization": f"Bearer {token}"})


def read(client, token, url):
    return client.get(url, headers={"Authorization": f"Bearer {token}"})


def records() -> int:
    with session_scope() as db:
        return db.scalar(select(func.count()).select_from(Record))


def test_the_api_answers_202_and_the_job_gives_the_report(client, people):
    r = send(client, people["hz-scj"], [f.penalty_row(1), f.penalty_row(2, code="not-a-code")])
    assert r.status_code == 202, r.text
    url = r.headers["location"]
    assert url == f"/api/v1/records/files/{r.json()['job_id']}"
    job = read(client, people["hz-scj"], url).json()
    assert job["state"] == "done" and job["state_name"] == "已完成" and job["file_name"] == "a.csv"
    assert job["report"]["new"] == 1 and job["report"]["rejected"] == 1 and job["done"] == 2
    assert records() == 1


def test_cheap_checks_stay_at_upload_and_a_bad_file_fails_its_job(client, people):
    token = people["hz-scj"]
    empty = client.post("/api/v1/records/files", files={"file": ("a.csv", b"", "text/csv")},
                        headers={"Authorization": f"Bearer {token}"})
    assert empty.status_code == 422 and "空" in empty.json()["detail"]["message"]
    exe = client.post("/api/v1/records/files", files={"file": ("a.exe", b"MZ", "application/octet-stream")},
                      headers={"Authorization": f"Bearer {token}"})
    assert exe.status_code == 422 and "只接受" in exe.json()["detail"]["message"]
    r = client.post("/api/v1/records/files", files={"file": ("a.jsonl", b'{"a": ' + b"[" * 100_000 + b"}\n",
                                                             "application/jsonl")},
                    headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 202
    job = read(client, token, r.headers["location"]).json()
    assert job["state"] == "failed" and "未存入任何数据" in job["error"] and job["report"] is None
    assert records() == 0
    assert not list(work.files_folder().iterdir())  # the upload (raw identity numbers) is gone


def test_only_the_uploader_and_the_regions_admins_and_auditors_read_a_job(client, people):
    url = send(client, people["hz-scj"], [f.penalty_row(1)]).headers["location"]
    assert read(client, people["hz-scj"], url).status_code == 200
    assert read(client, people["hz-admin"], url).status_code == 200
    assert read(client, people["hz-audit"], url).status_code == 200
    assert read(client, people["hz-scj2"], url).status_code == 404  # a colleague's upload: not his
    assert read(client, people["nb-scj"], url).status_code == 404
    assert read(client, people["nb-admin"], url).status_code == 403
    assert client.get(url).status_code == 401


def test_the_worker_loop_runs_queued_jobs(client, people, monkeypatch):
    from xinyong.core import settings

    monkeypatch.setenv("XINYONG_JOBS_INLINE", "0")
    settings.reset_settings()
    r = send(client, people["hz-scj"], [f.penalty_row(1), f.penalty_row(2)])
    assert r.status_code == 202 and r.json()["state"] == "queued" and r.json()["state_name"] == "排队中"
    assert records() == 0  # nothing imported in the request
    assert work.work(once=True) == 1
    job = read(client, people["hz-scj"], r.headers["location"]).json()
    assert job["state"] == "done" and job["report"]["new"] == 2
    assert records() == 2
    assert work.work(once=True) == 0  # nothing left


def test_the_upload_page_polls_a_queued_job(client, people, monkeypatch):
    from xinyong.core import settings

    monkeypatch.setenv("XINYONG_JOBS_INLINE", "0")
    settings.reset_settings()
    with session_scope() as db:
        cookie, ws = accounts.start_session(db, accounts.get_user(db, "hz-scj"))
    client.cookies.set("xinyong_session", cookie)
    r = client.post("/records/upload", files={"file": ("三月.csv", csv_bytes([f.penalty_row(1)]), "text/csv")},
                    data={"category": "admin_penalty", "csrf_token": ws.csrf_token}, follow_redirects=False)
    assert r.status_code == 303
    page = client.get(r.headers["location"]).text
    assert "排队中" in page and "hx-get" in page and "已处理 0 行" in page
    part = client.get(r.headers["location"], headers={"HX-Request": "true"}).text
    assert part.startswith('<div id="progress"') and "排队中" in part
    work.work(once=True)
    page = client.get(r.headers["location"]).text
    assert "已完成" in page and "已处理 1 / 共 1 行" in page and "hx-get" not in page


def test_a_dead_workers_job_is_queued_again_then_failed(client, people, monkeypatch):
    from xinyong.core import settings

    monkeypatch.setenv("XINYONG_JOBS_INLINE", "0")
    monkeypatch.setenv("XINYONG_JOBS_MAX_ATTEMPTS", "2")
    settings.reset_settings()
    job_id = send(client, people["hz-scj"], [f.penalty_row(1)]).json()["job_id"]
    # a worker claims it and dies (its lock file stays, nobody holds it)
    with session_scope() as db:
        assert work.claim(db, "gone-1").id == job_id
    (work.folder() / "worker-gone-1.lock").write_text("")
    # a live worker's job is left alone
    live = work.folder() / "worker-live.lock"
    fd = os.open(live, os.O_CREAT | os.O_WRONLY, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        assert work.worker_alive("live") and not work.worker_alive("gone-1") and not work.worker_alive(None)
    finally:
        os.close(fd)
    with session_scope() as db:
        assert work.requeue_dead(db) == [job_id]
        assert db.get(work.WorkJob, job_id).state == "queued"
        # claimed and killed again: the last attempt is spent, the job fails and its file goes
        assert work.claim(db, "gone-2").id == job_id
        assert work.requeue_dead(db) == [job_id]
        job = db.get(work.WorkJob, job_id)
        assert job.state == "failed" and "不再重试" in job.error
    assert not list(work.files_folder().iterdir())
    assert work.work(once=True) == 0 and records() == 0


def test_a_job_is_claimed_once(app_env):
    with session_scope() as db:
        job = work.enqueue(db, "records.import", {"files": []}, created_by="x", region_code="330100")
        db.commit()
        first = work.claim(db, "w1")
        assert first is not None and first.id == job.id and first.attempts == 1
        assert work.claim(db, "w2") is None  # nothing else queued
