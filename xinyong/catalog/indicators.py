"""Indicator systems (信用评价指标体系) as policy data: ``evaluation.yaml`` beside the other lists.

浙 个人 二(三)1 asks for a personal credit evaluation over five dimensions with an indicator
system and grade standards, improved with use; 浙 政务 二(一)3 for a government public credit
evaluation over five dimensions with graded management. Both change as the credit office learns,
so a system is data: its dimensions, each dimension's indicators, how each indicator is computed
from what the platform holds, how its raw value is mapped onto [0, 1] (1 is best), the weights,
and the grade cut-offs on the 1000-point scale (RULES.md, "Evaluation and grades"). A run names
the system's code and version and the policy version it came from.

An indicator is one of four kinds, each computed set-based by :mod:`xinyong.evaluation.scoring`:

- ``count``: how many shown records match a filter (categories, severities, polarity, a window);
- ``rate``: matching records over other matching records (双公示 reported in time over all
  reported), with ``if_missing`` for a subject that has none to divide by;
- ``recency``: a sum over matching records of a severity weight halved every ``half_life_days``
  since the decision, so an old penalty weighs less than a new one;
- ``flag``: 1 or 0 — on a list now (``list``), or holding a verified identity number
  (``identity``);
- ``supervision``: over the supervision inputs about a government body (上级督查考核, 人大建议
  政协提案, 司法建议, 万人评议, 第三方评价; :mod:`xinyong.supervision`): how many, the mean
  score, the share handled on time / adopted / satisfied, or how many missed their deadline.

The shape is checked here (pydantic); what spans files (a category or list that must exist,
weights that sum to 1, cut-offs in order) by :func:`check_evaluation`, called from
:func:`xinyong.catalog.rules.cross_check` so that ``xinyong policy check`` reports it with the
file and line.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

FILE = "evaluation.yaml"
WEIGHT_TOLERANCE = 1e-6


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RecordFilter(_Strict):
    """Which records an indicator counts. Only records shown on the run's cut-off date count
    (status active — or under objection where the system says so — decided on or before the
    cut-off, display period not over): expired, repaired and revoked records never do.

    ``by``: ``subject`` — records about the subject; ``reporter`` — records the subject reported
    as a department (its 双公示), matched on the reporting department's USCC.
    ``reported_within_days``: only records the platform received within so many days of the
    decision (calendar days; 7 working days are about 9)."""

    categories: list[str] = Field(default_factory=list, description="Category codes; empty: any")
    severities: list[str] = Field(default_factory=list, description="Severity codes; empty: any")
    polarity: Literal["dishonest", "honest", "neutral"] | None = None
    window_months: int | None = Field(None, ge=1, description="Decided within the last N months")
    by: Literal["subject", "reporter"] = "subject"
    reported_within_days: int | None = Field(None, ge=0)


# The supervision inputs an indicator may read (xinyong.supervision.models.KINDS) and the
# categories two of them carry (its CATEGORIES); a test holds the two equal. Stated here because
# the policy files are checked below the supervision package.
SUPERVISION_KINDS = ("inspections", "proposals", "judicial", "appraisals", "ratings")
SUPERVISION_CATEGORIES = {"inspections": ("督查", "考核"), "proposals": ("人大代表建议", "政协提案")}


class SupervisionFilter(_Strict):
    """Which supervision inputs a ``supervision`` indicator reads and what it makes of them.
    Only rows about the body, of a year up to the cut-off's (and issued on or before the cut-off
    where the row carries a date), count.

    ``measure``: ``count`` — how many rows; ``mean_score`` — the mean of their scores (评议得分,
    考核得分, 第三方得分); ``share`` — the share of rows whose ``field`` is yes among those where
    it was filled in (``on_time`` falls back to 办结日期 ≤ 办理期限 where not filled in);
    ``missed`` — how many had a deadline before the cut-off and were not done by it (answered
    late or not at all). ``mean_score`` and ``share`` need the indicator's ``if_missing``."""

    kinds: list[Literal["inspections", "proposals", "judicial", "appraisals", "ratings"]] = Field(min_length=1)
    categories: list[str] = Field(default_factory=list, description="督查/考核, 人大代表建议/政协提案; empty: any")
    years: int | None = Field(None, ge=1, description="Rows of the cut-off's year and the N-1 before it")
    measure: Literal["count", "mean_score", "share", "missed"]
    field: Literal["on_time", "adopted", "satisfied"] | None = None

    @model_validator(mode="after")
    def _field_for_share(self) -> SupervisionFilter:
        if (self.measure == "share") != (self.field is not None):
            raise ValueError("a share names its field (on_time, adopted, satisfied), and only a share does")
        return self


class Normalise(_Strict):
    """Maps a raw value onto [0, 1], 1 the best. ``minmax``: linear between fixed caps ``lo`` and
    ``hi`` (never the data's own minimum and maximum, so a score does not move because someone
    else's did), clipped, ``better`` saying which end is good. ``piecewise``: straight lines
    between ``points`` [raw, score], flat beyond the first and last."""

    method: Literal["minmax", "piecewise"]
    lo: float | None = None
    hi: float | None = None
    better: Literal["higher", "lower"] = "higher"
    points: list[tuple[float, float]] = Field(default_factory=list)

    @model_validator(mode="after")
    def _shape(self) -> Normalise:
        if self.method == "minmax" and (self.lo is None or self.hi is None):
            raise ValueError("minmax normalisation names lo and hi")
        if self.method == "piecewise" and len(self.points) < 2:
            raise ValueError("piecewise normalisation needs at least two points")
        return self


class Indicator(_Strict):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    weight: float = Field(gt=0, le=1, description="Share of its dimension; a dimension's weights sum to 1")
    kind: Literal["count", "rate", "recency", "flag", "supervision"]
    records: RecordFilter | None = Field(None, description="count, recency; a rate's numerator")
    of: RecordFilter | None = Field(None, description="A rate's denominator")
    inputs: SupervisionFilter | None = Field(None, description="supervision: the inputs read and the measure")
    half_life_days: float | None = Field(None, gt=0, description="recency: a record weighs half after so many days")
    severity_weights: dict[str, float] = Field(
        default_factory=dict, description="recency: weight per severity code; others weigh default_weight"
    )
    default_weight: float = Field(1.0, ge=0)
    flag: Literal["list", "identity"] | None = None
    list: str | None = Field(None, description="flag: the list kind (blacklist, redlist, watchlist)")
    if_missing: float | None = Field(
        None, ge=0, le=1, description="rate, mean_score, share: the normalised value when nothing to divide by")
    normalise: Normalise
    assumption: str = Field("", description="What is assumed and awaits confirmation ([待核实])")

    @model_validator(mode="after")
    def _fields_for_kind(self) -> Indicator:
        if self.kind in ("count", "recency", "rate") and self.records is None:
            raise ValueError(f"a {self.kind} indicator names its records")
        if self.kind == "rate" and (self.of is None or self.if_missing is None):
            raise ValueError("a rate indicator names its denominator (of) and if_missing")
        if self.kind == "recency" and self.half_life_days is None:
            raise ValueError("a recency indicator names its half_life_days")
        if self.kind == "flag":
            if self.flag is None:
                raise ValueError("a flag indicator names its flag (list or identity)")
            if self.flag == "list" and not self.list:
                raise ValueError("a list flag names the list")
        elif self.flag is not None or self.list is not None:
            raise ValueError("only a flag indicator has flag or list")
        if self.kind != "recency" and (self.severity_weights or self.half_life_days is not None):
            raise ValueError("only a recency indicator has half_life_days or severity_weights")
        if self.kind == "supervision":
            if self.inputs is None:
                raise ValueError("a supervision indicator names its inputs")
            if self.records is not None:
                raise ValueError("a supervision indicator reads inputs, not records")
            needs = self.inputs.measure in ("mean_score", "share")
            if needs != (self.if_missing is not None):
                raise ValueError("a mean_score or share names if_missing (the value when there is nothing to "
                                 "average), and only those do")
        elif self.inputs is not None:
            raise ValueError("only a supervision indicator has inputs")
        if self.kind != "rate" and self.of is not None:
            raise ValueError("only a rate indicator has of")
        if self.kind not in ("rate", "supervision") and self.if_missing is not None:
            raise ValueError("only a rate (or a supervision mean or share) has if_missing")
        return self

    def filters(self) -> list[RecordFilter]:
        return [f for f in (self.records, self.of) if f is not None]


class Dimension(_Strict):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    weight: float = Field(gt=0, le=1, description="Share of the score; a system's weights sum to 1")
    indicators: list[Indicator] = Field(min_length=1)


class Grade(_Strict):
    """A grade from ``min`` (inclusive) up to the next grade's ``min`` (the last up to the top of
    the scale, inclusive)."""

    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    min: float


class Scale(_Strict):
    min: float = 0
    max: float = 1000


class Reference(_Strict):
    """A published spread of grades the model's own is set beside in its review (RULES.md,
    "Evaluation and grades": Zhejiang's 2018 results per subject type)."""

    source: str
    shares: dict[str, float] = Field(default_factory=dict, description="grade code → share; empty: not banded")
    note: str = ""


class IndicatorSystem(_Strict):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    version: str = Field(min_length=1, description="Named by every run scored under it")
    subject_kinds: list[Literal["gov_body", "public_servant", "person", "enterprise"]] = Field(min_length=1)
    scale: Scale = Scale()
    count_under_objection: bool = Field(
        True, description="A record under objection counts until the objection is decided (条例: shown meanwhile)"
    )
    dimensions: list[Dimension] = Field(min_length=1)
    grades: list[Grade] = Field(min_length=1, description="From the lowest up")
    basis: list[str] = Field(default_factory=list)
    notes: str = ""
    reference: list[Reference] = Field(default_factory=list, description="Published grade spreads to compare with")
    publish: bool = Field(
        False, description="The results of government bodies are published (政府公共信用评价结果公开): "
                           "anyone may read their scores, rankings and the grade map, and the current grade is shown "
                           "on the public portal and the credit file"
    )
    feeds_checks: bool = Field(
        False, description="The latest run's grades are the grades the checks trigger on (分级管理), "
                           "in place of grades loaded from a file"
    )

    def indicators(self) -> list[tuple[Dimension, Indicator]]:
        return [(d, i) for d in self.dimensions for i in d.indicators]

    def grade_name(self, code: str | None) -> str:
        return next((g.name for g in self.grades if g.code == code), code or "")


class EvaluationList(_Strict):
    systems: list[IndicatorSystem] = Field(default_factory=list)

    def system(self, code: str) -> IndicatorSystem | None:
        return next((s for s in self.systems if s.code == code), None)


# --- checks that span the files ------------------------------------------------------------

Check = tuple[str, tuple[str, ...], str]


def _sums_to_one(weights: list[float]) -> bool:
    return abs(sum(weights) - 1.0) <= WEIGHT_TOLERANCE


def check_normalise(norm: Normalise, path: tuple[str, ...]) -> Iterator[Check]:
    if norm.method == "minmax" and norm.lo is not None and norm.hi is not None and norm.lo >= norm.hi:
        yield FILE, (*path, "hi"), f"hi ({norm.hi:g}) must be above lo ({norm.lo:g})"
    if norm.method == "piecewise":
        xs = [p[0] for p in norm.points]
        if any(b <= a for a, b in zip(xs, xs[1:], strict=False)):
            yield FILE, (*path, "points"), "the points' raw values must rise strictly"
        if any(not 0 <= p[1] <= 1 for p in norm.points):
            yield FILE, (*path, "points"), "the points' scores must lie between 0 and 1"


def check_evaluation(evaluation: EvaluationList, catalog, behaviours) -> Iterator[Check]:
    """Weights sum to 1 at each level, cut-offs rise and cover the scale, and every category,
    severity and list an indicator names exists (and concerns the subjects the system scores)."""
    categories = {c.code: c for c in catalog.categories}
    severities = {s.code for s in catalog.severities}
    lists = {k.code for k in behaviours.list_kinds} or {"blacklist", "redlist", "watchlist"}
    seen_systems: set[str] = set()
    for si, system in enumerate(evaluation.systems):
        sp = ("systems", str(si))
        if system.code in seen_systems:
            yield FILE, (*sp, "code"), f"system code {system.code!r} appears twice"
        seen_systems.add(system.code)
        if system.scale.min >= system.scale.max:
            yield FILE, (*sp, "scale"), "the scale's max must be above its min"
        if not _sums_to_one([d.weight for d in system.dimensions]):
            total = sum(d.weight for d in system.dimensions)
            yield FILE, (*sp, "dimensions"), f"the dimensions' weights sum to {total:g}, not 1"
        seen_dims: set[str] = set()
        seen_inds: set[str] = set()
        for di, dim in enumerate(system.dimensions):
            dp = (*sp, "dimensions", str(di))
            if dim.code in seen_dims:
                yield FILE, (*dp, "code"), f"dimension code {dim.code!r} appears twice"
            seen_dims.add(dim.code)
            if not _sums_to_one([i.weight for i in dim.indicators]):
                total = sum(i.weight for i in dim.indicators)
                yield FILE, (*dp, "indicators"), f"the weights of {dim.name}'s indicators sum to {total:g}, not 1"
            for ii, ind in enumerate(dim.indicators):
                ip = (*dp, "indicators", str(ii))
                if ind.code in seen_inds:
                    yield FILE, (*ip, "code"), f"indicator code {ind.code!r} appears twice in the system"
                seen_inds.add(ind.code)
                yield from check_normalise(ind.normalise, (*ip, "normalise"))
                if ind.flag == "list" and ind.list not in lists:
                    yield FILE, (*ip, "list"), f"unknown list {ind.list!r}"
                if ind.inputs is not None:
                    if "gov_body" not in system.subject_kinds:
                        yield FILE, (*ip, "inputs"), ("supervision inputs concern government bodies, "
                                                      "none of the subjects this system scores")
                    allowed = {c for k in ind.inputs.kinds for c in SUPERVISION_CATEGORIES.get(k, ())}
                    for ci, cat in enumerate(ind.inputs.categories):
                        if cat not in allowed:
                            yield FILE, (*ip, "inputs", "categories", str(ci)), (
                                f"unknown category {cat!r} for {', '.join(ind.inputs.kinds)} "
                                f"(known: {', '.join(sorted(allowed)) or 'none'})")
                for sev in ind.severity_weights:
                    if sev not in severities:
                        yield FILE, (*ip, "severity_weights", sev), f"unknown severity {sev!r}"
                for key, flt in (("records", ind.records), ("of", ind.of)):
                    if flt is None:
                        continue
                    for ci, code in enumerate(flt.categories):
                        fp = (*ip, key, "categories", str(ci))
                        cat = categories.get(code)
                        if cat is None:
                            yield FILE, fp, f"unknown category {code!r}"
                        elif flt.by == "subject" and not set(cat.subject_kinds) & set(system.subject_kinds):
                            yield FILE, fp, (f"category {code!r} concerns {cat.subject_kinds}, "
                                             f"none of the subjects this system scores")
                    for vi, sev in enumerate(flt.severities):
                        if sev not in severities:
                            yield FILE, (*ip, key, "severities", str(vi)), f"unknown severity {sev!r}"
        gp = (*sp, "grades")
        mins = [g.min for g in system.grades]
        if mins and mins[0] != system.scale.min:
            yield FILE, (*gp, "0", "min"), (f"the lowest grade must start at the bottom of the scale "
                                            f"({system.scale.min:g}), not {mins[0]:g}")
        for gi in range(1, len(mins)):
            if mins[gi] <= mins[gi - 1]:
                yield FILE, (*gp, str(gi), "min"), "the grades' cut-offs must rise from the lowest grade up"
        if mins and mins[-1] >= system.scale.max:
            yield FILE, (*gp, str(len(mins) - 1), "min"), "a cut-off lies at or above the top of the scale"
        codes = [g.code for g in system.grades]
        if len(set(codes)) != len(codes):
            yield FILE, gp, "a grade code appears twice"
        for ri, ref in enumerate(system.reference):
            rp = (*sp, "reference", str(ri), "shares")
            unknown = sorted(set(ref.shares) - set(codes))
            if unknown:
                yield FILE, rp, f"unknown grade {', '.join(unknown)}"
            elif ref.shares and abs(sum(ref.shares.values()) - 1) > 0.01:
                yield FILE, rp, f"the shares sum to {sum(ref.shares.values()):g}, not 1"
