"""The runner against a database: idempotent per day, one transaction and one audit entry per
job, a failing job recorded and the others still run, the day given is the day used."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select, text
from typer.testing import CliRunner

from tests.lists.helpers import person, record
from xinyong.audit.models import AuditEntry
from xinyong.cli import app
from xinyong.core.clock import frozen_today
from xinyong.core.db import get_engine, session_scope
from xinyong.core.errors import InvalidInput
from xinyong.jobs import service
from xinyong.jobs.models import DailyRun
from xinyong.lists.models import ListEntry

DAY = date(2026, 3, 2)


def audit_count(session, action=None):
    q = select(func.count()).select_from(AuditEntry)
    if action:
        q = q.where(AuditEntry.action == action)
    return session.scalar(q)


def counter(own_jobs, name="t.count", *, fail=False, order=100):
    """A job that writes a row of its own (so a rolled-back one leaves none) and counts its calls."""
    calls = []

    def run(session, day):
        calls.append(day)
        session.execute(text("INSERT INTO daily_runs (day, job, attempt, state, started_at, changed, by) "
                             "VALUES (:d, :j, :n, 'done', CURRENT_TIMESTAMP, 0, 'probe')"),
                        {"d": day, "j": f"{name}.probe", "n": len(calls)})
        if fail:
            raise RuntimeError("磁盘已满")
        return {"made": 1, "note": "探针"}

    own_jobs.register(name, f"测试任务 {name}", run, order=order, counts={"made": "新增"})
    return calls


def test_a_second_run_on_the_same_day_changes_nothing(engine, session, own_jobs):
    calls = counter(own_jobs)
    first = service.run_daily(DAY, by="test", engine=engine)
    assert [(o.name, o.state, o.changed) for o in first.outcomes] == [("t.count", "done", 1)]
    rows_before, audit_before = session.scalar(select(func.count()).select_from(DailyRun)), audit_count(session)
    assert audit_count(session, "daily_job") == 1  # one audit entry per job run
    second = service.run_daily(DAY, by="test", engine=engine)
    assert [(o.state, o.changed, o.summary) for o in second.outcomes] == [("skipped", 0, {"made": 1, "note": "探针"})]
    assert calls == [DAY]  # not called again
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(DailyRun)) == rows_before
    assert audit_count(session) == audit_before  # not even an audit entry


def test_force_runs_a_done_job_again_as_a_new_attempt(engine, session, own_jobs):
    calls = counter(own_jobs)
    service.run_daily(DAY, by="test", engine=engine)
    again = service.run_daily(DAY, by="test", engine=engine, force=True)
    assert again.outcomes[0].state == "done" and again.outcomes[0].attempt == 2 and calls == [DAY, DAY]
    runs = service.history(session, job="t.count")
    assert [(r.attempt, r.state) for r in runs] == [(2, "done"), (1, "done")]


def test_a_failing_job_is_recorded_and_the_others_still_run(engine, session, own_jobs):
    counter(own_jobs, "t.first", order=1)
    counter(own_jobs, "t.broken", fail=True, order=2)
    last = counter(own_jobs, "t.last", order=3)
    result = service.run_daily(DAY, by="test", engine=engine)
    assert [(o.name, o.state) for o in result.outcomes] == [("t.first", "done"), ("t.broken", "failed"),
                                                            ("t.last", "done")]
    assert "磁盘已满" in result.failed[0].error and last == [DAY]
    # the failed job's work was rolled back; its failure is recorded and audited
    assert session.scalar(select(func.count()).select_from(DailyRun).where(DailyRun.job == "t.broken.probe")) == 0
    [failed] = service.history(session, state="failed")
    assert (failed.job, failed.attempt, failed.changed) == ("t.broken", 1, 0) and "磁盘已满" in failed.error
    assert audit_count(session, "daily_job_failed") == 1 and audit_count(session, "daily_job") == 2
    # failed ones first within a day
    assert service.history(session, day=DAY)[0].state == "failed"
    # the next run tries the failed one again (a new attempt) and skips the others
    again = service.run_daily(DAY, by="test", engine=engine)
    assert [(o.name, o.state, o.attempt) for o in again.outcomes] == [
        ("t.first", "skipped", 1), ("t.broken", "failed", 2), ("t.last", "skipped", 1)]


def test_a_job_claimed_by_another_process_is_left_to_it(engine, session, own_jobs, monkeypatch):
    calls = counter(own_jobs)
    service.run_daily(DAY, by="test", engine=engine)
    # as a second process sees it before the first committed: no row yet; its claim then collides
    monkeypatch.setattr(service, "_last_attempt", lambda s, d, j: None)
    result = service.run_daily(DAY, by="test", engine=engine)
    assert result.outcomes[0].state == "busy" and calls == [DAY]


def test_unknown_job_names_are_refused(engine, own_jobs):
    counter(own_jobs)
    with pytest.raises(InvalidInput) as err:
        service.run_daily(DAY, by="test", engine=engine, only=["nope"])
    assert "没有这些每日任务" in err.value.zh and "t.count" in err.value.zh


def test_the_command_uses_the_date_given_not_the_clock(app_env, own_jobs):
    calls = counter(own_jobs)
    with frozen_today(date(2026, 7, 1)):
        result = CliRunner().invoke(app, ["jobs", "daily", "--date", "2026-03-02"])
        assert result.exit_code == 0, result.output
        assert calls == [DAY] and "新增 1" in result.output
        result = CliRunner().invoke(app, ["jobs", "daily"])  # no date: the (frozen) today
        assert calls == [DAY, date(2026, 7, 1)]
        result = CliRunner().invoke(app, ["jobs", "daily", "--date", "2026-03-02"])
        assert result.exit_code == 0 and calls == [DAY, date(2026, 7, 1)] and "当天已完成" in result.output
        result = CliRunner().invoke(app, ["jobs", "history"])
        assert result.exit_code == 0 and "2026-03-02" in result.output and "2026-07-01" in result.output
        result = CliRunner().invoke(app, ["jobs", "daily", "--date", "3/2/2026"])
        assert result.exit_code != 0


def test_the_command_exits_1_when_a_job_failed(app_env, own_jobs):
    counter(own_jobs, "t.broken", fail=True)
    counter(own_jobs, "t.fine", order=200)
    result = CliRunner().invoke(app, ["jobs", "daily", "--date", "2026-03-02"])
    assert result.exit_code == 1 and "失败" in result.output and "磁盘已满" in result.output
    assert "新增 1" in result.output  # the other one ran


def test_the_platforms_jobs_list_anchor_and_then_change_nothing(app_env):
    """The registered jobs on real data: the lists refresh lists a debtor, the anchor anchors
    the head; the same day again changes nothing; forced, the refresh still changes nothing."""
    names = [j.name for j in service.load_jobs()]
    assert names[0] == "lists.refresh" and names[-1] == "audit.anchor"
    with session_scope() as s:
        debtor, _ = person(s, "李债务")
        record(s, debtor, "dishonest_judgment_debtor", "serious", decided=date(2026, 11, 1))
    day = date(2026, 12, 4)
    with frozen_today(day):
        first = service.run_daily(day, by="test")
    got = {o.name: o for o in first.outcomes}
    assert got["lists.refresh"].state == "done" and got["lists.refresh"].summary["included"] == 1
    assert got["audit.anchor"].summary["anchors"] == 1
    with session_scope() as s:
        entries, audits = s.scalar(select(func.count()).select_from(ListEntry)), audit_count(s)
    second = service.run_daily(day, by="test")
    assert {o.state for o in second.outcomes} == {"skipped"} and second.changed == 0
    forced = service.run_daily(day, by="test", force=True, only=["lists.refresh"])
    assert forced.outcomes[0].state == "done" and forced.outcomes[0].changed == 0
    with session_scope() as s:
        assert s.scalar(select(func.count()).select_from(ListEntry)) == entries
        assert audit_count(s) == audits + 1  # the forced run's one entry
    from xinyong.audit import anchors

    with session_scope() as s:
        assert anchors.verify(s).ok
    assert get_engine() is not None


def test_jobs_left_out_by_the_setting_do_not_run_unless_named(engine, own_jobs, monkeypatch):
    from xinyong.core import settings

    kept, left = counter(own_jobs, "t.kept"), counter(own_jobs, "t.left")
    monkeypatch.setenv("XINYONG_DAILY_SKIP", "t.left, other")
    settings.reset_settings()
    try:
        assert [o.name for o in service.run_daily(DAY, by="test", engine=engine).outcomes] == ["t.kept"]
        assert kept == [DAY] and left == []
        service.run_daily(DAY, by="test", engine=engine, only=["t.left"])
        assert left == [DAY]
    finally:
        settings.reset_settings()


def test_a_second_process_leaves_at_once_while_the_run_is_held(engine, own_jobs):
    """PostgreSQL: the run's advisory lock, held by another session, makes a run leave at once
    (every job ``busy``, nothing done, nothing written). SQLite has one writer and no lock."""
    calls = counter(own_jobs)
    if engine.dialect.name != "postgresql":
        pytest.skip("the advisory lock is PostgreSQL's")
    with engine.connect() as other:
        other.execute(text(f"SELECT pg_advisory_lock({service._LOCK_KEY})"))
        other.commit()
        result = service.run_daily(DAY, by="test", engine=engine)
        assert result.busy and [o.state for o in result.outcomes] == ["busy"] and calls == []
        other.execute(text(f"SELECT pg_advisory_unlock({service._LOCK_KEY})"))
        other.commit()
    assert service.run_daily(DAY, by="test", engine=engine).outcomes[0].state == "done" and calls == [DAY]


def test_the_lock_is_the_schemas_own(engine, own_jobs):
    """Two platforms in schemas of one database (or two test runs side by side) each take their
    own lock: another schema's running daily run does not make this one leave."""
    calls = counter(own_jobs)
    if engine.dialect.name != "postgresql":
        pytest.skip("the advisory lock is PostgreSQL's")
    with engine.connect() as other:
        other.execute(text("SELECT pg_advisory_lock(hashtextextended('xinyong.jobs:' || 'another_schema', 0))"))
        other.commit()
        result = service.run_daily(DAY, by="test", engine=engine)
        assert not result.busy and calls == [DAY]
        other.execute(text("SELECT pg_advisory_unlock(hashtextextended('xinyong.jobs:' || 'another_schema', 0))"))
        other.commit()
