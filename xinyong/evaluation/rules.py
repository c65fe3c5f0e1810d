"""The evaluation's domain rules as plain functions: a raw value onto [0, 1], points onto the
scale, a score onto its grade. :mod:`xinyong.evaluation.scoring` states the same rules in SQL;
a test holds the two to the same answers, so these are the reference a reader can follow."""

from __future__ import annotations

from xinyong.catalog.indicators import IndicatorSystem, Normalise


def normalise(value: float | None, norm: Normalise, if_missing: float | None = None) -> float:
    """``value`` on [0, 1], 1 the best; ``if_missing`` when there is no value (a rate with
    nothing to divide by)."""
    if value is None:
        return if_missing if if_missing is not None else 0.0
    if norm.method == "minmax":
        lo, hi = float(norm.lo), float(norm.hi)  # type: ignore[arg-type]
        share = min(1.0, max(0.0, (value - lo) / (hi - lo)))
        return share if norm.better == "higher" else 1.0 - share
    points = norm.points
    if value <= points[0][0]:
        return points[0][1]
    for (x0, y0), (x1, y1) in zip(points, points[1:], strict=False):
        if value <= x1:
            return y0 + (value - x0) * (y1 - y0) / (x1 - x0)
    return points[-1][1]


def grade_for(score: float, system: IndicatorSystem) -> str:
    """The code of the highest grade whose cut-off the score reaches (a score on a cut-off
    belongs to the grade above it)."""
    code = system.grades[0].code
    for g in system.grades:
        if score >= g.min:
            code = g.code
    return code


def score_of(normalised: dict[str, float], system: IndicatorSystem) -> tuple[float, dict[str, float], dict[str, float]]:
    """(score, dimension scores, indicator points) from each indicator's normalised value: an
    indicator adds span × dimension weight × its weight × its value; a dimension's score is its
    own weighted mean on the same scale (for a radar chart)."""
    span = system.scale.max - system.scale.min
    points: dict[str, float] = {}
    dims: dict[str, float] = {}
    for dim in system.dimensions:
        mean = 0.0
        for ind in dim.indicators:
            n = normalised[ind.code]
            points[ind.code] = span * dim.weight * ind.weight * n
            mean += ind.weight * n
        dims[dim.code] = system.scale.min + span * mean
    return system.scale.min + sum(points.values()), dims, points
