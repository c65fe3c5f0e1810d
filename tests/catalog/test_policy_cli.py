"""``xinyong policy load``: a new version stored, made active and written to the audit log."""

from __future__ import annotations

import shutil

from sqlalchemy import select
from typer.testing import CliRunner

from xinyong.audit import service as audit
from xinyong.audit.models import AuditEntry
from xinyong.catalog import service
from xinyong.catalog.loader import DEFAULT_DIR
from xinyong.cli import app
from xinyong.core.db import session_scope


def test_loading_a_version_is_audited(app_env, tmp_path):
    folder = tmp_path / "policy"
    shutil.copytree(DEFAULT_DIR, folder)
    meta = folder / "policy.yaml"
    meta.write_text(meta.read_text(encoding="utf-8").replace("label:", "label: 杭州修订-", 1), encoding="utf-8")
    runner = CliRunner()
    first = runner.invoke(app, ["policy", "load", str(folder), "--user", "hz-office"])
    assert first.exit_code == 0, first.output
    assert "新版本" in first.output
    again = runner.invoke(app, ["policy", "load", str(folder), "--user", "hz-office"])
    assert again.exit_code == 0 and "已设为当前版本" in again.output
    with session_scope() as db:
        vid, policy = service.active_version(db)
        assert policy.meta.label.startswith("杭州修订-")
        entries = db.scalars(select(AuditEntry).where(AuditEntry.entity == "policy_version")
                             .order_by(AuditEntry.seq)).all()
        assert [(e.action, e.entity_id, e.username) for e in entries] == [
            ("create", str(vid), "hz-office"), ("update", str(vid), "hz-office")]
        assert entries[0].after["label"] == policy.meta.label
        assert audit.verify(db).ok
