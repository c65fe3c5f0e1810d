"""A run over the platform's database: the run names its system, version, cut-off and engine;
every subject's score, grade, dimensions and contributions are kept per run; a grade that
changes between runs is an event row. On SQLite and PostgreSQL; a fixed cut-off date."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from xinyong.catalog.service import active_version
from xinyong.core.errors import InvalidInput, NotFound
from xinyong.evaluation import service
from xinyong.evaluation.models import EvaluationScore
from xinyong.records.models import Record
from xinyong.subjects.models import Subject

from .helpers import AS_OF

_n = iter(range(1, 10_000))


def subject(session, kind: str = "person", name: str = "测试人", cipher: str | None = "x") -> Subject:
    s = Subject(kind=kind, code=f"key{next(_n):06d}", code_cipher=cipher, name=name, region_code="330106")
    session.add(s)
    session.flush()
    return s


def record(session, s: Subject, category: str, *, severity: str | None = "serious", polarity: str = "dishonest",
           decided: date = date(2026, 3, 1), until: date = date(2029, 3, 1), status: str = "active") -> Record:
    vid, _ = active_version(session)
    n = next(_n)
    r = Record(subject_id=s.id, category_code=category, polarity=polarity, severity=severity,
               department_code="113301000025000010", department_name="测试局", source_id=f"src{n}",
               decision_no=f"测〔2026〕{n}号", decision_date=decided, subject_name=s.name, region_code="330106",
               disclosure="public", display_from=decided, display_until=until, retention_until=until,
               status=status, facts={}, content_hash="0" * 32, policy_version_id=vid, changed_by="test")
    session.add(r)
    session.flush()
    return r


def test_a_run_stores_scores_with_what_explains_them(session):
    clean = subject(session)
    fined = subject(session)
    for _ in range(3):
        record(session, fined, "admin_penalty")
    record(session, fined, "admin_penalty", status="repaired")  # does not count
    body = subject(session, "gov_body", "测试县人民政府", cipher=None)
    result = service.run_evaluation(session, "personal", as_of=AS_OF, user="test")
    assert result.subjects == 2 and result.grade_changes == 0
    [run] = service.list_runs(session)
    assert (run.system_code, run.system_version, run.as_of, run.engine, run.status) == (
        "personal", "2026.1", AS_OF, "duckdb", "done")
    assert run.finished_at is not None and run.policy_version_id
    scores = {s.subject_id: s for s in service.scores_of(session, run.id)}
    assert set(scores) == {clean.id, fined.id}  # the body is not a person
    a, b = scores[clean.id], scores[fined.id]
    assert a.score > b.score
    assert set(a.dimensions) == {"identity", "performance", "law", "economy", "morality"}
    assert b.contributions["penalties"]["raw"] == pytest.approx(3 * 4.0 * 0.5 ** (121 / 365), abs=1e-3)
    assert sum(c["points"] for c in b.contributions.values()) == pytest.approx(b.score, abs=0.2)
    assert body.id not in scores


def test_a_second_run_with_changed_data_records_the_grade_change(session):
    steady = subject(session)
    falls = subject(session)
    first = service.run_evaluation(session, "personal", as_of=AS_OF, user="test")
    for _ in range(4):
        record(session, falls, "admin_penalty")
    record(session, falls, "judicial_judgment")
    record(session, falls, "tax_violation")
    second = service.run_evaluation(session, "personal", as_of=AS_OF, user="test")
    assert second.grade_changes == 1
    [change] = service.grade_changes(session, second.run_id)
    assert (change.subject_id, change.previous_run_id, change.system_code) == (falls.id, first.run_id, "personal")
    assert change.from_grade != change.to_grade and change.to_score < change.from_score
    # history: both runs' scores are kept
    rows = session.scalars(select(EvaluationScore).where(EvaluationScore.subject_id == steady.id)).all()
    assert sorted(r.run_id for r in rows) == [first.run_id, second.run_id]


def test_an_unknown_system_or_engine_is_refused_in_chinese(session):
    with pytest.raises(NotFound) as exc:
        service.run_evaluation(session, "nope", as_of=AS_OF)
    assert "评价指标体系 nope 不存在" in exc.value.zh
    with pytest.raises(InvalidInput):
        service.run_evaluation(session, "personal", as_of=AS_OF, engine="oracle")


def test_the_cli_runs_and_lists(app_env, monkeypatch):
    from typer.testing import CliRunner

    from xinyong.cli import app
    from xinyong.evaluation import cli

    monkeypatch.setattr(cli.console, "width", 200)

    runner = CliRunner()
    result = runner.invoke(app, ["evaluate", "run", "--system", "government", "--as-of", "2026-06-30"])
    assert result.exit_code == 0, result.output
    assert "评价批次 1" in result.output
    result = runner.invoke(app, ["evaluate", "runs"])
    assert result.exit_code == 0 and "government" in result.output and "2026-06-30" in result.output
    result = runner.invoke(app, ["evaluate", "run", "--system", "nope", "--as-of", "2026-06-30"])
    assert result.exit_code == 1 and "不存在" in result.output


@pytest.mark.spark
def test_a_spark_run_stores_the_scores_a_duckdb_run_stores(session, spark_ready):
    a, b = subject(session), subject(session, cipher=None)
    record(session, a, "admin_penalty")
    record(session, b, "volunteer_service", polarity="honest", severity=None)
    duck = service.run_evaluation(session, "personal", as_of=AS_OF, user="test")
    spark = service.run_evaluation(session, "personal", as_of=AS_OF, engine="spark", user="test")
    assert spark.grade_changes == 0
    got = {s.subject_id: (s.score, s.grade, s.dimensions) for s in service.scores_of(session, spark.run_id)}
    want = {s.subject_id: (s.score, s.grade, s.dimensions) for s in service.scores_of(session, duck.run_id)}
    assert got.keys() == want.keys()
    for sid, (score, grade, dims) in want.items():
        assert got[sid][0] == pytest.approx(score, abs=0.01) and got[sid][1] == grade
        assert got[sid][2] == pytest.approx(dims, abs=0.01)
