"""An upload orphaned by a crash (raw identity numbers on disk) is deleted when a web process
starts, and the check batch it fed is marked failed; a file a live process holds stays."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from fastapi.testclient import TestClient
from sqlalchemy import select

from xinyong.accounts.principal import cli_principal
from xinyong.checks import jobs
from xinyong.checks import service as checks
from xinyong.checks.models import CheckBatch
from xinyong.core import spool
from xinyong.core.db import session_scope
from xinyong.records import uploads
from xinyong.web.app import create_app

HOLD = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
fcntl.flock(fd, fcntl.LOCK_EX)
os.write(fd, b"330106199001011234")
print("held", flush=True)
time.sleep(float(sys.argv[2]))
"""


def aged(path, seconds=3600):
    past = time.time() - seconds
    os.utime(path, (past, past))


def test_orphans_are_swept_at_start_up(app_env):
    with session_scope() as db:
        batch = checks.create_batch(db, scenario="civil_servant_recruitment", purpose="招录", who=cli_principal("t"),
                                    file_name="c.csv")
        batch.status = "running"
        db.flush()
        batch_id = batch.id
    updir = uploads.upload_dir()
    updir.mkdir(parents=True, exist_ok=True)
    # a process killed mid-import: its upload, nobody holding it
    killed = subprocess.Popen([sys.executable, "-c", HOLD, str(updir / "dead.csv"), "60"], stdout=subprocess.PIPE)
    assert killed.stdout.readline().strip() == b"held"
    killed.kill()
    killed.wait()
    aged(updir / "dead.csv")
    orphan_batch = jobs.folder() / f"batch-{batch_id}.csv"
    orphan_batch.write_bytes(b"330106199001011234\n")
    aged(orphan_batch)
    # a live process importing: its file is held and stays
    alive = subprocess.Popen([sys.executable, "-c", HOLD, str(updir / "live.csv"), "60"], stdout=subprocess.PIPE)
    try:
        assert alive.stdout.readline().strip() == b"held"
        aged(updir / "live.csv")
        result = jobs.folder() / f"batch-{batch_id}.result.xlsx"
        result.write_bytes(b"masked result")
        aged(result)
        with TestClient(create_app()):
            pass
        assert not (updir / "dead.csv").exists() and not orphan_batch.exists()
        assert (updir / "live.csv").exists() and spool.is_held(updir / "live.csv")
        assert result.exists()  # the result file is not an upload
    finally:
        alive.kill()
        alive.wait()
    with session_scope() as db:
        b = db.scalar(select(CheckBatch).where(CheckBatch.id == batch_id))
        assert b.status == "failed" and "重新上传" in b.error
