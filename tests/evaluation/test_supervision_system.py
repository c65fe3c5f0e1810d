"""The ``supervision`` system (政府监管达标评价, 浙 政务 征求意见稿 二(一)2: 自身信用, 履职情况,
监管成效, 外部监督) and the ``supervision`` indicator kind it reads the supervision inputs with:
each measure, the year window and cut-off, and ``policy check`` refusing a broken one."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from xinyong.catalog import indicators
from xinyong.catalog.loader import DEFAULT_DIR, load_dir
from xinyong.supervision import models as supervision_models

from .helpers import AS_OF, Duck, one

PCT = {"method": "minmax", "lo": 0, "hi": 100}


def sup(**inputs) -> dict:
    extra = {"if_missing": 0.5} if inputs["measure"] in ("mean_score", "share") else {}
    return {"code": "s", "kind": "supervision", "inputs": inputs, "normalise": inputs.pop("norm", PCT), **extra}


def test_the_shipped_system_has_the_four_dimensions_and_reads_the_inputs():
    policy, problems = load_dir(DEFAULT_DIR)
    assert problems == []
    system = policy.evaluation.system("supervision")
    assert [d.name for d in system.dimensions] == ["自身信用", "履职情况", "监管成效", "外部监督"]
    assert system.subject_kinds == ["gov_body"]
    kinds = {k for _d, i in system.indicators() if i.inputs for k in i.inputs.kinds}
    assert kinds == set(supervision_models.KINDS)  # every supervision input feeds it


def test_the_kinds_and_categories_match_the_supervision_package():
    assert set(indicators.SUPERVISION_KINDS) == set(supervision_models.KINDS)
    assert indicators.SUPERVISION_CATEGORIES == supervision_models.CATEGORIES


def test_count_and_the_year_window_and_cut_off():
    db = Duck()
    db.subject(1, "gov_body")
    db.input(1, "inspections", category="督查", year=2026, issued=date(2026, 3, 1))
    db.input(1, "inspections", category="督查", year=2025)
    db.input(1, "inspections", category="督查", year=2024)  # outside two years
    db.input(1, "inspections", category="督查", year=2026, issued=date(2026, 7, 1))  # after the cut-off
    db.input(1, "inspections", category="考核", year=2026, score=90)  # another category
    db.input(1, "proposals", category="人大代表建议")  # another kind
    row = db.score(one(sup(kinds=["inspections"], categories=["督查"], years=2, measure="count",
                           norm={"method": "minmax", "lo": 0, "hi": 10})))[1]
    assert row["r_s"] == 2
    assert row["score"] == 200


def test_mean_score_and_if_missing():
    db = Duck()
    db.subject(1, "gov_body")
    db.subject(2, "gov_body")
    db.input(1, "appraisals", score=80)
    db.input(1, "appraisals", score=91, year=2025)
    db.input(1, "appraisals", score=None)  # a result without a score does not count
    rows = db.score(one(sup(kinds=["appraisals"], measure="mean_score")))
    assert rows[1]["r_s"] == pytest.approx(85.5)
    assert rows[1]["score"] == pytest.approx(855)
    assert rows[2]["r_s"] is None and rows[2]["n_s"] == 0.5  # nothing to average


def test_share_on_time_falls_back_to_the_dates():
    db = Duck()
    db.subject(1, "gov_body")
    db.input(1, "proposals", on_time=True)
    db.input(1, "proposals", on_time=False)
    db.input(1, "proposals", deadline=date(2026, 3, 1), done=date(2026, 3, 1))  # on the deadline: on time
    db.input(1, "proposals", deadline=date(2026, 3, 1), done=date(2026, 3, 2))  # late
    db.input(1, "proposals", deadline=date(2026, 3, 1))  # not done: not known yet
    row = db.score(one(sup(kinds=["proposals"], measure="share", field="on_time",
                           norm={"method": "minmax", "lo": 0, "hi": 1})))[1]
    assert row["r_s"] == pytest.approx(0.5)


def test_share_satisfied_over_the_rows_that_say():
    db = Duck()
    db.subject(1, "gov_body")
    for flag in (True, True, False, None):
        db.input(1, "proposals", satisfied=flag)
    row = db.score(one(sup(kinds=["proposals"], measure="share", field="satisfied",
                           norm={"method": "minmax", "lo": 0, "hi": 1})))[1]
    assert row["r_s"] == pytest.approx(2 / 3)


def test_missed_counts_late_and_unanswered_suggestions_by_the_cut_off():
    db = Duck()
    db.subject(1, "gov_body")
    db.input(1, "judicial", deadline=date(2026, 5, 1), done=date(2026, 4, 30))  # in time
    db.input(1, "judicial", deadline=date(2026, 5, 1), done=date(2026, 5, 1))  # on the day: in time
    db.input(1, "judicial", deadline=date(2026, 5, 1), done=date(2026, 5, 9))  # late
    db.input(1, "judicial", deadline=date(2026, 5, 1))  # unanswered, overdue
    db.input(1, "judicial", deadline=AS_OF)  # due on the cut-off: not yet missed
    row = db.score(one(sup(kinds=["judicial"], measure="missed",
                           norm={"method": "minmax", "lo": 0, "hi": 10, "better": "lower"})))[1]
    assert row["r_s"] == 2


# --- policy check ---------------------------------------------------------------------------


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "policy"
    shutil.copytree(DEFAULT_DIR, target)
    return target


def edit(folder: Path, old: str, new: str) -> None:
    f = folder / "evaluation.yaml"
    text = f.read_text(encoding="utf-8")
    assert old in text
    f.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_an_unknown_input_category_is_refused(folder: Path):
    edit(folder, "categories: [考核]", "categories: [考评]")
    policy, problems = load_dir(folder)
    assert policy is None
    [p] = problems
    assert "unknown category '考评'" in p.message and p.path.endswith("inputs.categories[0]")


def test_an_unknown_input_kind_and_a_share_without_field_are_refused(folder: Path):
    edit(folder, "kinds: [appraisals]", "kinds: [petitions]")
    edit(folder, "measure: share, field: satisfied", "measure: share")
    policy, problems = load_dir(folder)
    assert policy is None and len(problems) == 2
    text = " ".join(p.message for p in problems)
    assert "should be 'inspections'" in text and "names its field" in text


def test_supervision_inputs_in_a_system_without_bodies_are_refused(folder: Path):
    edit(folder, "      - code: morality\n", """      - code: oversight
        name: 监督
        weight: 0.05
        indicators:
          - {code: x, name: x, weight: 1, kind: supervision, inputs: {kinds: [judicial], measure: missed},
             normalise: {method: minmax, lo: 0, hi: 3, better: lower}}
      - code: morality
""")
    edit(folder, "        name: 社会公德\n        weight: 0.15", "        name: 社会公德\n        weight: 0.10")
    policy, problems = load_dir(folder)
    assert policy is None
    [p] = problems
    assert "government bodies" in p.message
