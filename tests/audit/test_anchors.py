"""Cutting the tail off the audit log and setting the chain head back is found: the head is
anchored outside the database (a signed line in a file), and ``xinyong audit verify`` compares
the chain with every anchor. The attack: delete the last entries with the triggers bypassed,
then move ``audit_chain_head`` back to the new last entry."""

from __future__ import annotations

import json

from sqlalchemy import select, text
from typer.testing import CliRunner

from tests.audit.test_chain import CHECKER, tamper
from xinyong.audit import anchors, service
from xinyong.audit.models import AuditEntry
from xinyong.cli import app
from xinyong.core import db


def log_reads(n: int, start: int = 0) -> None:
    with db.session_scope() as s:
        for i in range(start, start + n):
            service.log_read(s, who=CHECKER, subject_id=10 + i, purpose=f"核查{i}", what="credit_file")


def cut_tail(keep: int) -> None:
    """Delete the entries after ``keep`` and set the chain head back: the chain alone verifies."""
    with db.session_scope() as s:
        tamper(s, "DELETE FROM audit_entries WHERE seq > :keep", keep=keep)
        last = s.execute(select(AuditEntry.hash).where(AuditEntry.seq == keep)).scalar_one()
        s.execute(text("UPDATE audit_chain_head SET seq = :keep, hash = :h WHERE id = 1"), {"keep": keep, "h": last})
        s.commit()
        assert service.verify(s).ok  # without the anchor the cut is invisible


def test_a_truncated_tail_is_found_against_the_anchor(app_env):
    runner = CliRunner()
    log_reads(6)
    done = runner.invoke(app, ["audit", "anchor"])
    assert done.exit_code == 0 and "第 6 条" in done.output, done.output
    line = json.loads(anchors.anchor_file().read_text().splitlines()[-1])
    assert line["seq"] == 6 and len(line["sig"]) == 64
    assert anchors.anchor_file().stat().st_mode & 0o777 == 0o600
    log_reads(2, start=6)  # the log goes on past the anchor: still intact
    ok = runner.invoke(app, ["audit", "verify"])
    assert ok.exit_code == 0 and "锚点" in ok.output, ok.output

    cut_tail(4)
    bad = runner.invoke(app, ["audit", "verify"])
    assert bad.exit_code == 1, bad.output
    assert "seq=5" in bad.output and "removed" in bad.output and "锚点" in bad.output


def test_a_rebuilt_chain_behind_an_anchor_is_found(app_env):
    log_reads(3)
    with db.session_scope() as s:
        anchors.write_anchor(s)
    cut_tail(2)
    log_reads(2, start=100)  # new entries fill the numbers again: entry 3 is a different one now
    with db.session_scope() as s:
        verdict = anchors.verify(s)
    assert not verdict.ok and (verdict.first_bad_seq, verdict.problem) == (3, "anchor")


def test_an_edited_anchor_line_is_a_finding(app_env):
    log_reads(3)
    with db.session_scope() as s:
        anchors.write_anchor(s)
    path = anchors.anchor_file()
    forged = json.loads(path.read_text())
    forged["seq"] = 2  # whoever wants the cut to pass moves the anchor back
    path.write_text(json.dumps(forged) + "\n")
    result = CliRunner().invoke(app, ["audit", "verify"])
    assert result.exit_code == 1 and "签名不符" in result.output
