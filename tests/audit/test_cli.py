"""``xinyong audit verify`` and ``xinyong audit log``."""

from __future__ import annotations

import json

from sqlalchemy import text
from typer.testing import CliRunner

from tests.audit.test_chain import CHECKER, tamper
from xinyong.audit import service
from xinyong.cli import app
from xinyong.core import db


def test_verify_exit_codes_and_log(app_env):
    with db.session_scope() as s:
        for i in range(4):
            service.log_read(s, who=CHECKER, subject_id=10 + i % 2, purpose=f"核查{i}", what="credit_file")
    runner = CliRunner()
    ok = runner.invoke(app, ["audit", "verify"])
    assert ok.exit_code == 0, ok.output
    assert "4" in ok.output

    listed = runner.invoke(app, ["audit", "log", "--subject", "11", "--json"])
    assert listed.exit_code == 0, listed.output
    lines = [json.loads(x) for x in listed.output.splitlines() if x.startswith("{")]
    assert [(x["seq"], x["purpose"]) for x in lines] == [(4, "核查3"), (2, "核查1")]
    table = runner.invoke(app, ["audit", "log", "--user", "checker_hz", "--action", "read", "--from", "2000-01-01"])
    assert table.exit_code == 0 and "checker_hz" in table.output
    assert runner.invoke(app, ["audit", "log", "--from", "yesterday"]).exit_code == 2

    with db.session_scope() as s:
        tamper(s, "DELETE FROM audit_entries WHERE seq = 2")
    bad = runner.invoke(app, ["audit", "verify"])
    assert bad.exit_code == 1
    assert "seq=2" in bad.output and "removed" in bad.output


def test_verify_names_an_edited_entry_from_the_cli(app_env):
    with db.session_scope() as s:
        for i in range(3):
            service.log_event(s, who=CHECKER, action="update", entity="record", entity_id=i)
    with db.session_scope() as s:
        tamper(s, "UPDATE audit_entries SET entity_id = '99' WHERE seq = 2")
        assert s.execute(text("SELECT entity_id FROM audit_entries WHERE seq = 2")).scalar() == "99"
    bad = CliRunner().invoke(app, ["audit", "verify"])
    assert bad.exit_code == 1 and "seq=2" in bad.output and "altered" in bad.output
