"""``xinyong policy check`` refuses a broken indicator system and says where: weights that do not
sum to 1, cut-offs out of order or not covering the scale, an unknown category, list or severity."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from xinyong.catalog.loader import DEFAULT_DIR, load_dir

FILE = "evaluation.yaml"


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    target = tmp_path / "policy"
    shutil.copytree(DEFAULT_DIR, target)
    return target


def break_it(folder: Path, old: str, new: str, after: str | None = None) -> str:
    file = folder / FILE
    text = file.read_text(encoding="utf-8")
    start = text.index(after) if after else 0
    pos = text.index(old, start)
    text = text[:pos] + new + text[pos + len(old):]
    file.write_text(text, encoding="utf-8")
    return text


def problems_of(folder: Path):
    policy, problems = load_dir(folder)
    assert policy is None
    return problems


def line_of(text: str, needle: str, after: str | None = None) -> int:
    start = text.index(after) if after else 0
    return text.count("\n", 0, text.index(needle, start)) + 1


def test_the_shipped_systems_are_sound():
    policy, problems = load_dir(DEFAULT_DIR)
    assert problems == []
    codes = {s.code: s for s in policy.evaluation.systems}
    assert set(codes) >= {"personal", "government"}
    assert [d.name for d in codes["personal"].dimensions] == ["身份特质", "履约能力", "遵纪守法", "经济行为", "社会公德"]
    assert [d.name for d in codes["government"].dimensions] == ["依法行政", "政务公开", "勤政高效", "守信践诺", "履职成效"]
    for sys in codes.values():
        assert [g.name for g in sys.grades] == ["较差", "中等", "良好", "优秀"]
        assert (sys.scale.min, sys.scale.max) == (0, 1000)


def test_the_evaluation_file_is_optional(folder: Path):
    (folder / FILE).unlink()
    policy, problems = load_dir(folder)
    assert problems == [] and policy.evaluation.systems == []


def test_dimension_weights_must_sum_to_one(folder: Path):
    text = break_it(folder, "weight: 0.10", "weight: 0.20", after="code: identity")
    [p] = problems_of(folder)
    assert p.file == FILE and "sum to 1.1, not 1" in p.message
    assert p.path == "systems[0].dimensions"
    assert p.line == line_of(text, "dimensions:", after="code: personal")


def test_indicator_weights_must_sum_to_one_in_each_dimension(folder: Path):
    text = break_it(folder, "weight: 0.6", "weight: 0.5", after="code: identity_verified")
    [p] = problems_of(folder)
    assert "身份特质" in p.message and "sum to 0.9" in p.message
    assert p.path == "systems[0].dimensions[0].indicators"
    assert p.line == line_of(text, "indicators:", after="code: identity")


def test_cut_offs_must_rise(folder: Path):
    text = break_it(folder, "min: 750}", "min: 550}", after="code: personal")
    [p] = problems_of(folder)
    assert "must rise" in p.message and p.path == "systems[0].grades[2].min"
    assert p.line == line_of(text, "min: 550}")


def test_cut_offs_must_cover_the_scale_from_its_bottom(folder: Path):
    break_it(folder, "{code: poor, name: 较差, min: 0}", "{code: poor, name: 较差, min: 100}")
    [p] = problems_of(folder)
    assert "bottom of the scale" in p.message and p.path == "systems[0].grades[0].min"


def test_a_cut_off_at_the_top_of_the_scale_is_refused(folder: Path):
    break_it(folder, "min: 900}", "min: 1000}", after="code: personal")
    [p] = problems_of(folder)
    assert "top of the scale" in p.message


def test_an_unknown_category_is_refused(folder: Path):
    text = break_it(folder, "[admin_licence]", "[admin_license]", after="code: licences_held")
    [p] = problems_of(folder)
    assert p.message == "unknown category 'admin_license'"
    assert p.path == "systems[0].dimensions[0].indicators[1].records.categories[0]"
    assert p.line == line_of(text, "admin_license")


def test_a_category_that_never_concerns_the_subjects_is_refused(folder: Path):
    break_it(folder, "[student_loan_default, wage_arrears]", "[debt_default]")
    [p] = problems_of(folder)
    assert "debt_default" in p.message and "none of the subjects" in p.message


def test_an_unknown_list_and_severity_are_refused(folder: Path):
    break_it(folder, "list: blacklist", "list: greylist")
    break_it(folder, "{minor: 0.5,", "{trivial: 0.5,")
    messages = sorted(p.message for p in problems_of(folder))
    assert messages == ["unknown list 'greylist'", "unknown severity 'trivial'"]


def test_piecewise_points_must_rise(folder: Path):
    break_it(folder, "[[0, 0.6], [1, 0.8], [3, 1.0]]", "[[0, 0.6], [3, 0.8], [1, 1.0]]")
    [p] = problems_of(folder)
    assert "rise strictly" in p.message


def test_a_rate_without_if_missing_is_refused(folder: Path):
    break_it(folder, "if_missing: 1.0", "assumption: 无", after="code: commitment_breach_rate")
    [p] = problems_of(folder)
    assert "if_missing" in p.message


def test_the_check_command_names_the_problem(folder: Path):
    from typer.testing import CliRunner

    from xinyong.catalog.cli import app

    break_it(folder, "weight: 0.10", "weight: 0.20", after="code: identity")
    result = CliRunner().invoke(app, ["check", str(folder)])
    assert result.exit_code == 1
    assert "evaluation.yaml" in result.output and "not 1" in result.output
