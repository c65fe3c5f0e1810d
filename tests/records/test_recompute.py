"""`xinyong records recompute`: the stored periods of every record brought in line with the active
policy by set-based SQL that gives, on both databases, the dates the import's Python rule gives
(month ends, leap days, date facts that start, end or cap a period, open-ended listings, a
court's removal). A changed record keeps its state before as a version and names the policy
version; a dry run writes nothing; a second run changes nothing."""

from __future__ import annotations

import itertools
from datetime import date

import pytest
from sqlalchemy import func, select

from xinyong.audit.models import AuditEntry
from xinyong.catalog.service import active_version
from xinyong.core.clock import frozen_today
from xinyong.records import periods
from xinyong.records.models import Record, RecordVersion
from xinyong.records.recompute import recompute
from xinyong.subjects.models import Subject

DAYS = [date(2020, 1, 31), date(2020, 2, 29), date(2021, 2, 28), date(2023, 8, 31), date(2024, 12, 31),
        date(2019, 3, 15), date(2022, 10, 30)]
FACT_DAYS = [None, "", "2018-05-31", "2024-02-29", "2027-01-31", "2031-08-31", "2034-12-04"]


def _subject(session) -> Subject:
    s = Subject(kind="enterprise", code="key-recompute", code_cipher=None, name="测试公司", region_code="330106")
    session.add(s)
    session.flush()
    return s


def _facts_for(category, rule, i: int) -> dict:
    """Facts that walk the rule's branches: each date fact absent, empty, earlier or later than
    the decision, and the open-ended condition met or not."""
    facts: dict = {}
    for k, key in enumerate(dict.fromkeys([*rule.date_facts(), category.retention.from_fact])):
        if key:
            value = FACT_DAYS[(i + 3 * k) % len(FACT_DAYS)]
            if value is not None:
                facts[key] = value
    for c, cond in enumerate(rule.open_when):
        if (i >> c) % 2:
            facts[cond.fact] = sorted(cond.values)[0] if cond.values else "故意伤害罪"
        else:
            facts[cond.fact] = "其他"
    if rule.ended_by and i % 3:
        facts.pop(rule.ended_by, None)  # mostly not removed
    return facts


def _fill(session) -> list[int]:
    """One record per category, severity, decision day and fact variant, its periods stored wrong."""
    vid, policy = active_version(session)
    s = _subject(session)
    rows = []
    n = itertools.count()
    for category in policy.catalog.categories:
        for key, rule in category.display_period.items():
            for i, day in enumerate(DAYS * 2):
                k = next(n)
                rows.append(dict(
                    subject_id=s.id, category_code=category.code, polarity=category.polarity,
                    severity=None if key == "default" else key, department_code="113301000025000010",
                    department_name="测试局", source_id=f"src{k}", decision_no=f"测〔2026〕{k}号",
                    decision_date=day, subject_name=s.name, region_code="330106", disclosure="public",
                    display_from=day, display_until=day, repair_from=None, retention_until=day, status="active",
                    facts=_facts_for(category, rule, i + (k % 5)), content_hash="0" * 32,
                    policy_version_id=vid, changed_by="test"))
    session.execute(Record.__table__.insert(), rows)
    session.flush()
    return [r["source_id"] for r in rows]


def _python(policy, r: Record) -> periods.Periods:
    return periods.compute(policy.category(r.category_code), r.severity, r.decision_date, r.facts,
                           policy.catalog.condition_values)


def test_the_sql_periods_are_the_python_periods(session):
    _fill(session)
    _, policy = active_version(session)
    result = recompute(session, by="测试")
    session.expire_all()
    records = list(session.scalars(select(Record)))
    assert result.records == len(records) > 500
    wrong = []
    for r in records:
        want = _python(policy, r)
        got = (r.display_until, r.repair_from, r.retention_until)
        if got != (want.display_until, want.repair_from, want.retention_until):
            wrong.append((r.category_code, r.severity, r.decision_date, r.facts, got, want))
    assert not wrong, wrong[:5]
    # every branch of the rule was walked: an open end, a date fact's end, a sentence's end
    assert any(r.display_until == periods.OPEN_END for r in records)
    assert any(r.display_until.day == 29 and r.display_until.month == 2 for r in records)


def test_a_changed_record_keeps_its_state_before_and_names_the_policy(session):
    _fill(session)
    vid, _ = active_version(session)
    result = recompute(session, by="测试")
    assert result.changed > 0
    session.expire_all()
    versions = session.scalar(select(func.count()).select_from(RecordVersion))
    assert versions == result.changed
    old = session.scalars(select(RecordVersion).limit(1)).one()
    assert old.display_until == old.decision_date  # as it was stored
    now = session.get(Record, old.record_id)
    assert now.version == old.version + 1 and now.policy_version_id == vid and now.changed_by == "测试"
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "recompute")).one()
    assert entry.after["changed"] == result.changed


def test_a_dry_run_writes_nothing_and_a_second_run_changes_nothing(session):
    _fill(session)
    before = sorted(session.execute(select(Record.id, Record.display_until, Record.version)).all())
    dry = recompute(session, dry_run=True)
    assert dry.changed > 0 and any(g.samples for g in dry.groups)
    sample = next(g for g in dry.groups if g.samples).samples[0]
    assert sample["display_until"][0] != sample["display_until"][1] or sample["retention_until"][0] != sample["retention_until"][1]
    session.expire_all()
    assert sorted(session.execute(select(Record.id, Record.display_until, Record.version)).all()) == before
    assert session.scalar(select(func.count()).select_from(RecordVersion)) == 0
    first = recompute(session)
    assert first.changed == dry.changed
    again = recompute(session)
    assert again.changed == 0 and again.records == first.records


def test_records_the_policy_has_no_period_for_are_named_and_left(session):
    _fill(session)
    session.execute(Record.__table__.update().where(Record.source_id == "src0").values(category_code="gone"))
    result = recompute(session)
    [(key, n)] = result.unknown_categories.items()
    assert key.startswith("gone/") and n == 1
    assert session.scalar(select(Record.display_until).where(Record.source_id == "src0")) == DAYS[0]


def test_only_the_named_categories(session):
    _fill(session)
    _, policy = active_version(session)
    code = policy.catalog.categories[0].code
    result = recompute(session, categories=[code])
    assert {g.category for g in result.groups} == {code}
    with pytest.raises(ValueError):
        recompute(session, categories=["nope"])


def test_the_command_says_what_it_would_change_then_changes_it(app_env, monkeypatch):
    from typer.testing import CliRunner

    from xinyong.cli import app
    from xinyong.core.db import session_scope
    from xinyong.records import cli

    monkeypatch.setattr(cli.console, "width", 200)
    with session_scope() as session:
        _fill(session)
    runner = CliRunner()
    with frozen_today(date(2026, 12, 2)):
        dry = runner.invoke(app, ["records", "recompute", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "试算" in dry.output and "公示截止" in dry.output and "需改" in dry.output
    with session_scope() as session:
        assert session.scalar(select(func.count()).select_from(RecordVersion)) == 0
    with frozen_today(date(2026, 12, 2)):
        done = runner.invoke(app, ["records", "recompute", "--user", "信用办"])
    assert done.exit_code == 0, done.output
    assert "名单已按今日更新" in done.output
    again = runner.invoke(app, ["records", "recompute"])
    assert again.exit_code == 0 and "已改 0 条" in again.output
    bad = runner.invoke(app, ["records", "recompute", "--category", "nope"])
    assert bad.exit_code == 2 and "没有这个记录类别" in bad.output
