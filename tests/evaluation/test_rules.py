"""The domain rules as plain functions: normalisation, weights, grade cut-offs at their edges."""

from __future__ import annotations

import pytest

from xinyong.catalog.indicators import Normalise
from xinyong.evaluation.rules import grade_for, normalise, score_of

from .helpers import system


def test_minmax_clips_at_its_caps_and_turns_for_lower_is_better():
    higher = Normalise(method="minmax", lo=0.5, hi=1.0)
    assert normalise(0.2, higher) == 0.0
    assert normalise(0.75, higher) == pytest.approx(0.5)
    assert normalise(1.5, higher) == 1.0
    lower = Normalise(method="minmax", lo=0, hi=4, better="lower")
    assert normalise(0, lower) == 1.0
    assert normalise(1, lower) == pytest.approx(0.75)
    assert normalise(9, lower) == 0.0


def test_piecewise_is_flat_outside_and_straight_between_points():
    n = Normalise(method="piecewise", points=[(0, 1.0), (1, 0.8), (4, 0.4), (8, 0.0)])
    assert normalise(-1, n) == 1.0
    assert normalise(0, n) == 1.0
    assert normalise(0.5, n) == pytest.approx(0.9)
    assert normalise(1, n) == pytest.approx(0.8)
    assert normalise(2.5, n) == pytest.approx(0.6)
    assert normalise(100, n) == 0.0


def test_missing_value_takes_if_missing():
    n = Normalise(method="minmax", lo=0, hi=1)
    assert normalise(None, n, 0.5) == 0.5


def test_weights_split_the_scale_between_dimensions_and_indicators():
    sys = system([
        {"code": "a", "name": "甲", "weight": 0.75, "indicators": [
            {"code": "x", "name": "x", "weight": 0.5, "kind": "flag", "flag": "identity",
             "normalise": {"method": "minmax", "lo": 0, "hi": 1}},
            {"code": "y", "name": "y", "weight": 0.5, "kind": "flag", "flag": "identity",
             "normalise": {"method": "minmax", "lo": 0, "hi": 1}}]},
        {"code": "b", "name": "乙", "weight": 0.25, "indicators": [
            {"code": "z", "name": "z", "weight": 1, "kind": "flag", "flag": "identity",
             "normalise": {"method": "minmax", "lo": 0, "hi": 1}}]},
    ])
    score, dims, points = score_of({"x": 1.0, "y": 0.0, "z": 1.0}, sys)
    assert points == {"x": 375.0, "y": 0.0, "z": 250.0}
    assert score == 625.0
    assert dims == {"a": 500.0, "b": 1000.0}


@pytest.mark.parametrize(("score", "grade"), [
    (0, "poor"), (599.99, "poor"), (600, "fair"), (749.99, "fair"), (750, "good"),
    (899.99, "good"), (900, "excellent"), (1000, "excellent"),
])
def test_a_score_on_a_cut_off_takes_the_grade_above(score, grade):
    sys = system([{"code": "a", "name": "甲", "weight": 1, "indicators": [
        {"code": "x", "name": "x", "weight": 1, "kind": "flag", "flag": "identity",
         "normalise": {"method": "minmax", "lo": 0, "hi": 1}}]}])
    assert grade_for(score, sys) == grade
