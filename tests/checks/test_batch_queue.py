"""Check batches run on the job queue (issue 14, finding 8): the upload only queues the batch, a
job worker runs it; a batch whose worker died is failed with a message, not loaded twice."""

from __future__ import annotations

from datetime import date

from tests.accounts.helpers import token_for
from tests.checks.helpers import candidates_xlsx
from xinyong.checks.models import CheckBatch
from xinyong.core import work
from xinyong.core.codes import make_ric
from xinyong.core.db import session_scope

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(client):
    rows = [["周考生", make_ric("330106", date(2000, 4, 4), 8), "", ""]]
    headers = {"Authorization": f"Bearer {token_for('checker')}"}
    r = client.post("/api/v1/checks/batches", headers=headers,
                    data={"scenario": "civil_servant_recruitment", "purpose": "2026年度公务员招录资格审查"},
                    files={"file": ("考生.xlsx", candidates_xlsx(rows), XLSX)})
    assert r.status_code == 202, r.text
    return r.json()["id"]


def status(batch_id):
    with session_scope() as s:
        b = s.get(CheckBatch, batch_id)
        return b.status, b.error


def test_a_batch_waits_for_a_worker_then_runs(client, monkeypatch):
    from xinyong.core import settings

    monkeypatch.setenv("XINYONG_JOBS_INLINE", "0")
    settings.reset_settings()
    batch_id = upload(client)
    assert status(batch_id)[0] == "queued"  # nothing run in the request
    assert work.work(once=True) == 1
    assert status(batch_id)[0] == "done"
    assert not list(work.files_folder().iterdir())  # the candidates (raw identity numbers) are gone


def test_a_batch_whose_worker_died_fails_with_a_message(client, monkeypatch):
    from xinyong.core import settings

    monkeypatch.setenv("XINYONG_JOBS_INLINE", "0")
    settings.reset_settings()
    batch_id = upload(client)
    with session_scope() as s:
        work.claim(s, "gone")  # a worker took it, began, and died
        s.get(CheckBatch, batch_id).status = "running"
        s.commit()
        assert work.requeue_dead(s) != []
    assert work.work(once=True) == 1
    state, error = status(batch_id)
    assert state == "failed" and "重新上传" in error
    assert not list(work.files_folder().iterdir())
