"""The model review of a run: distributions, grade shares per city, PSI against the previous run,
and — where later serious dishonesty is known — AUC/KS of the expert score beside the fitted
WOE + logistic regression model; stored per run, rebuilt on demand. A fixed cut-off and review day."""

from __future__ import annotations

from datetime import date

import pytest

from xinyong.core.errors import InvalidInput, NotFound
from xinyong.evaluation import review, service

from .helpers import AS_OF
from .test_runs import record, subject

LATER = date(2026, 11, 30)


def _population(session, n: int = 60) -> list:
    """Persons, a third with penalties before the cut-off; most of those (and a few others)
    get a serious record after it."""
    people = []
    for k in range(n):
        s = subject(session, cipher=None if k % 7 == 0 else "x")
        s.region_code = "330106" if k % 2 else "330203"
        people.append(s)
        if k % 3 == 0:
            for _ in range(1 + k % 4):
                record(session, s, "admin_penalty", severity="general", decided=date(2026, 2, 1))
    session.flush()
    return people


def _outcomes(session, people) -> set[int]:
    bad = set()
    for k, s in enumerate(people):
        if (k % 3 == 0 and k % 4 != 1) or k % 11 == 5:
            record(session, s, "tax_violation", severity="serious", decided=date(2026, 9, 1))
            bad.add(s.id)
    record(session, people[1], "tax_violation", severity="serious", decided=date(2026, 12, 15))  # after the review day
    return bad


def test_a_review_without_outcomes_or_previous_run(session):
    _population(session, 12)
    run = service.run_evaluation(session, "personal", as_of=AS_OF, user="test")
    r = review.build_review(session, run.run_id, outcome_until=LATER, user="test")
    rep = r.report
    assert r.subjects == 12 and r.outcomes == 0 and r.previous_run_id is None and r.psi is None and r.auc is None
    assert sum(rep["score"]["hist"]) == 12
    assert [d["name"] for d in rep["dimensions"]] == ["身份特质", "履约能力", "遵纪守法", "经济行为", "社会公德"]
    penalties = next(i for i in rep["indicators"] if i["code"] == "penalties")
    assert sum(penalties["hist"]) == 12 and not penalties["same_for_all"]
    blacklist = next(i for i in rep["indicators"] if i["code"] == "on_blacklist")
    assert blacklist["same_for_all"]  # nobody listed: the indicator separates no one here
    assert sum(g["count"] for g in rep["grades"]) == 12
    assert [c["region"] for c in rep["regions"]] == ["330100", "330200"]
    assert all(sum(c["shares"].values()) == pytest.approx(1) for c in rep["regions"])
    assert rep["reference"][0]["source"].startswith("浙江省 2018 年")
    assert "expert" not in rep["outcome"]


def test_discrimination_and_the_fitted_model_where_outcomes_are_known(session):
    people = _population(session)
    run = service.run_evaluation(session, "personal", as_of=AS_OF, user="test")
    bad = _outcomes(session, people)
    r = review.build_review(session, run.run_id, outcome_until=LATER, user="test")
    assert r.outcomes == len(bad) >= review.MIN_OUTCOMES
    assert r.auc > 0.7 and 0 < r.ks <= 1  # penalties before the cut-off foretell the later ones
    fitted = r.report["outcome"]["fitted"]
    assert fitted["train"] + fitted["test"] == 60 and r.fitted_auc is not None
    top = fitted["indicators"][0]
    assert top["code"] == "penalties" and top["iv"] > 0.1 and top["coefficient"] < 0
    assert "on_blacklist" in fitted["left_out"]  # the same for everyone: nothing to fit
    # the review is stored once per run; building it again replaces it
    again = review.build_review(session, run.run_id, outcome_until=LATER, user="test")
    assert again.id == r.id and review.review_of(session, run.run_id).id == r.id


def test_stability_against_the_previous_run(session):
    people = _population(session, 30)
    first = service.run_evaluation(session, "personal", as_of=AS_OF, user="test")
    second = service.run_evaluation(session, "personal", as_of=AS_OF, user="test")
    same = review.build_review(session, second.run_id, outcome_until=LATER, user="test")
    assert same.previous_run_id == first.run_id and same.psi == 0
    for s in people[:15]:
        for _ in range(3):
            record(session, s, "judicial_judgment", severity="serious", decided=date(2026, 5, 1))
    third = service.run_evaluation(session, "personal", as_of=AS_OF, user="test")
    moved = review.build_review(session, third.run_id, outcome_until=LATER, user="test")
    assert moved.psi > 0.25 and review.psi_words(moved.psi) == "明显偏移"
    assert moved.report["stability"]["dimensions"]["law"] > 0.25
    assert moved.report["stability"]["dimensions"]["identity"] == 0


def test_psi_of_histograms():
    assert review.psi([10, 10], [10, 10]) == 0
    assert review.psi([50, 50], [90, 10]) == pytest.approx((0.9 - 0.5) * 0.5878 + (0.1 - 0.5) * -1.6094, abs=1e-3)
    assert review.psi([0, 0], [1, 1]) is None


def test_an_unknown_run_or_an_early_outcome_day_is_refused(session):
    with pytest.raises(NotFound):
        review.build_review(session, 999, outcome_until=LATER, user="test")
    _population(session, 3)
    run = service.run_evaluation(session, "personal", as_of=AS_OF, user="test")
    with pytest.raises(InvalidInput) as exc:
        review.build_review(session, run.run_id, outcome_until=date(2026, 1, 1), user="test")
    assert "早于" in exc.value.zh


def test_the_review_command(app_env, monkeypatch):
    from typer.testing import CliRunner

    from xinyong.cli import app
    from xinyong.evaluation import cli

    monkeypatch.setattr(cli.console, "width", 200)
    runner = CliRunner()
    result = runner.invoke(app, ["evaluate", "run", "--system", "supervision", "--as-of", "2026-06-30"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["evaluate", "review", "1", "--outcome-until", "2026-11-30"])
    assert result.exit_code == 0, result.output
    assert "评价批次 1 的模型复核" in result.output and "没有上一批次可比" in result.output
    result = runner.invoke(app, ["evaluate", "review", "9", "--outcome-until", "2026-11-30"])
    assert result.exit_code == 1 and "评价批次 9 不存在" in result.output
