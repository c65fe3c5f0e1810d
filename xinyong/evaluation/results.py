"""Reading the runs' results: the latest run of a system, its grade distribution, the rankings
and the grade map of governments by city and county, and one subject's score with the
contributions that explain it in plain Chinese.

Every read is a fixed number of statements whatever the number of subjects (a GROUP BY, a
ranked SELECT of the governments of one level); the map and the rankings read only government
bodies (政府机构 named 人民政府), the bodies whose credit a region's evaluation is about.
Who may read which result is the web layer's rule (docs/evaluation.md, 谁能看到评价结果):
governments' results are the credit office's, the supervisors' and the auditors', and everyone's
where the system's ``publish`` says so; persons' scores only the credit office's, masked, and
every such read is in the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xinyong.catalog.indicators import Indicator, IndicatorSystem
from xinyong.core import regions
from xinyong.evaluation.models import EvaluationRun, EvaluationScore
from xinyong.subjects.models import Subject

GOVERNMENT_SUFFIX = "人民政府"
LEVELS = {"city": "设区市", "county": "县（市、区）"}


def latest_run(session: Session, system_code: str) -> EvaluationRun | None:
    """The newest finished run of the system (``None`` before the first)."""
    return session.scalar(select(EvaluationRun)
                          .where(EvaluationRun.system_code == system_code, EvaluationRun.status == "done")
                          .order_by(EvaluationRun.id.desc()).limit(1))


@dataclass
class GradeShare:
    code: str
    name: str
    count: int
    share: float


def distribution(session: Session, run: EvaluationRun, system: IndicatorSystem) -> list[GradeShare]:
    """How many subjects the run put in each grade (every grade of the system, the best first)."""
    got = dict(session.execute(select(EvaluationScore.grade, func.count())
                               .where(EvaluationScore.run_id == run.id).group_by(EvaluationScore.grade)).all())
    total = sum(got.values()) or 1
    return [GradeShare(g.code, g.name, got.get(g.code, 0), got.get(g.code, 0) / total)
            for g in reversed(system.grades)]


def _level_of(code: str) -> str | None:
    if code.endswith("0000"):
        return None
    return "city" if code.endswith("00") else "county"


@dataclass
class Ranked:
    rank: int
    subject_id: int
    name: str
    region_code: str
    region_name: str
    city_name: str
    score: float
    grade: str
    grade_name: str
    dimensions: dict[str, float]


def rankings(session: Session, run: EvaluationRun, system: IndicatorSystem, level: str | None,
             scope: str | None = None) -> list[Ranked]:
    """The governments of a level (``city``: 设区市人民政府, ``county``: 县（市、区）人民政府)
    within ``scope`` (a region code, ``None``: the province), best score first; equal scores
    share a rank. ``level`` ``None``: both, each ranked among its own. One statement."""
    s = EvaluationScore
    q = (select(s.subject_id, Subject.name, Subject.region_code, s.score, s.grade, s.dimensions)
         .join(Subject, Subject.id == s.subject_id)
         .where(s.run_id == run.id, Subject.kind == "gov_body", Subject.name.like(f"%{GOVERNMENT_SUFFIX}")))
    if level == "city":
        q = q.where(Subject.region_code.like("%00"), ~Subject.region_code.like("%0000"))
    elif level == "county":
        q = q.where(~Subject.region_code.like("%00"))
    else:  # both levels, each ranked on its own (what the board reads in one statement)
        q = q.where(~Subject.region_code.like("%0000"))
    if scope:
        q = q.where(Subject.region_code.like(regions.scope_prefix(scope) + "%"))
    rows = session.execute(q.order_by(s.score.desc(), Subject.region_code)).all()
    out: list[Ranked] = []
    last: dict[str, Ranked] = {}
    seen: dict[str, int] = {}
    for sid, name, code, score, grade, dims in rows:
        lv = _level_of(code) or "city"
        seen[lv] = seen.get(lv, 0) + 1
        prev = last.get(lv)
        rank = prev.rank if prev and abs(prev.score - score) < 1e-9 else seen[lv]
        r = Ranked(rank, sid, name, code, regions.name_of(code), regions.name_of(regions.city_of(code)),
                   score, grade, system.grade_name(grade), dims or {})
        last[lv] = r
        out.append(r)
    return out


def map_data(ranked_cities: list[Ranked], ranked_counties: list[Ranked], system: IndicatorSystem) -> dict:
    """What the grade map draws: each county (and each city, for a map of cities) by its
    government's score, and the grade bands as the map's legend (ECharts ``visualMap`` pieces)."""
    bands = []
    grades = system.grades
    for i, g in enumerate(grades):
        top = grades[i + 1].min if i + 1 < len(grades) else system.scale.max
        band = {"min": g.min, "label": f"{g.name}（{g.min:g}–{top:g}）"}
        if i + 1 < len(grades):
            band["lt"] = top
        else:
            band["max"] = top
        bands.append(band)
    return {
        "counties": [{"name": r.region_name, "code": r.region_code, "value": round(r.score, 1),
                      "grade": r.grade_name, "body": r.name} for r in ranked_counties],
        "cities": [{"name": r.region_name, "code": r.region_code, "value": round(r.score, 1),
                    "grade": r.grade_name, "body": r.name} for r in ranked_cities],
        "pieces": bands,
        "min": system.scale.min,
        "max": system.scale.max,
    }


# --- one subject's score -------------------------------------------------------------------------


@dataclass
class Explained:
    system: IndicatorSystem
    run: EvaluationRun
    score: float
    grade: str
    grade_name: str
    dimensions: list[tuple[str, str, float]]  # (code, name, score on the scale)
    sentences: list[str]
    history: list[tuple[EvaluationRun, float, str]] = field(default_factory=list)
    radar: dict = field(default_factory=dict)


def latest_score(session: Session, subject_id: int, system_code: str) -> tuple[EvaluationRun, EvaluationScore] | None:
    """The subject's score in the newest finished run of the system that scored it."""
    row = session.execute(
        select(EvaluationRun, EvaluationScore)
        .join(EvaluationScore, EvaluationScore.run_id == EvaluationRun.id)
        .where(EvaluationScore.subject_id == subject_id, EvaluationRun.system_code == system_code,
               EvaluationRun.status == "done")
        .order_by(EvaluationRun.id.desc()).limit(1)
    ).first()
    return (row[0], row[1]) if row else None


def history(session: Session, subject_id: int, system_code: str, limit: int = 12) -> list[tuple[EvaluationRun, float, str]]:
    rows = session.execute(
        select(EvaluationRun, EvaluationScore.score, EvaluationScore.grade)
        .join(EvaluationScore, EvaluationScore.run_id == EvaluationRun.id)
        .where(EvaluationScore.subject_id == subject_id, EvaluationRun.system_code == system_code,
               EvaluationRun.status == "done")
        .order_by(EvaluationRun.id.desc()).limit(limit)
    ).all()
    return [(r, s, g) for r, s, g in rows]


def _raw_words(ind: Indicator, raw: float | None) -> str:
    """An indicator's raw value as a reader says it."""
    if ind.kind == "flag":
        if ind.flag == "identity":
            return "身份信息已核验" if raw else "身份信息未核验"
        return "是" if raw else "否"
    if raw is None:
        return "无可计算的数据"
    if ind.kind == "count":
        return f"{raw:g} 条"
    if ind.kind == "rate":
        return f"{100 * raw:.1f}%"
    return f"按严重程度和时间衰减折合 {raw:.2f} 条"


def sentences(system: IndicatorSystem, contributions: dict) -> list[str]:
    """The contributions in plain Chinese, the indicators that cost the most points first: each
    says what was found, the points it gave and the most it could give."""
    span = system.scale.max - system.scale.min
    items = []
    for dim, ind in system.indicators():
        c = contributions.get(ind.code)
        if c is None:
            continue
        full = span * dim.weight * ind.weight
        lost = full - float(c["points"])
        items.append((lost, dim, ind, c, full))
    items.sort(key=lambda x: -x[0])
    out = []
    for lost, dim, ind, c, full in items:
        found = _raw_words(ind, c.get("raw"))
        if lost < 0.05:
            out.append(f"“{dim.name}”中的“{ind.name}”：{found}，得满分 {full:.1f} 分。")
        else:
            out.append(f"“{dim.name}”中的“{ind.name}”：{found}，得 {float(c['points']):.1f} 分，"
                       f"满分 {full:.1f} 分，扣 {lost:.1f} 分。")
    return out


def explain(session: Session, subject_id: int, system: IndicatorSystem) -> Explained | None:
    found = latest_score(session, subject_id, system.code)
    if found is None:
        return None
    run, score = found
    dims = [(d.code, d.name, float((score.dimensions or {}).get(d.code, 0.0))) for d in system.dimensions]
    radar = {"indicators": [{"name": n, "max": system.scale.max} for _, n, _ in dims],
             "values": [round(v, 1) for _, _, v in dims], "name": f"{system.name} · 各维度得分"}
    return Explained(system, run, score.score, score.grade, system.grade_name(score.grade), dims,
                     sentences(system, score.contributions or {}), history(session, subject_id, system.code), radar)


def systems_for(kind: str, systems: list[IndicatorSystem]) -> list[IndicatorSystem]:
    return [s for s in systems if kind in s.subject_kinds]


# --- the home page's map ------------------------------------------------------------------------

_HOME: dict[str, tuple[float, dict | None]] = {}
HOME_SECONDS = 60.0


def home_map(session: Session, systems: list[IndicatorSystem]) -> dict | None:
    """The grade map of the first published system that scores government bodies, from its
    latest run (``None`` before one), remembered for a minute per database — the home page's
    cost stays one statement — and forgotten when a run finishes (:func:`forget_home_map`)."""
    import time

    spec = next((s for s in systems if s.publish and "gov_body" in s.subject_kinds), None)
    if spec is None:
        return None
    key = f"{session.get_bind().url}|{spec.code}"
    now = time.monotonic()
    hit = _HOME.get(key)
    if hit and now - hit[0] < HOME_SECONDS:
        return hit[1]
    run = latest_run(session, spec.code)
    data = None
    if run is not None:
        counties = rankings(session, run, spec, "county")
        data = {**map_data([], counties, spec), "system": spec.name, "run_id": run.id,
                "as_of": run.as_of.isoformat(), "code": spec.code}
    _HOME[key] = (now, data)
    return data


def forget_home_map() -> None:
    _HOME.clear()


# --- the supervisor's board ---------------------------------------------------------------------

BOARD_ROWS = 20


def board_sections(session: Session, region: str | None) -> list[dict]:
    """The supervisor's board's rankings (:mod:`xinyong.supervision.hooks`): for each system that
    scores government bodies, its latest run's city and county governments within ``region``, the
    best first (the first :data:`BOARD_ROWS` of each)."""
    from xinyong.catalog.service import active_version

    _, policy = active_version(session)
    out = []
    for spec in policy.evaluation.systems:
        if "gov_body" not in spec.subject_kinds:
            continue
        run = latest_run(session, spec.code)
        if run is None:
            out.append({"title": f"{spec.name}排名", "headers": [], "rows": [], "link": f"/evaluation?system={spec.code}",
                        "note": "尚未评价。"})
            continue
        both = rankings(session, run, spec, None, region)
        for level, words in LEVELS.items():
            ranked = [r for r in both if _level_of(r.region_code) == level]
            if not ranked:
                continue
            out.append({
                "title": f"{spec.name}：{words}人民政府排名",
                "headers": ["名次", "单位", "地区", "得分", "等级"],
                "rows": [[r.rank, r.name, r.region_name, f"{r.score:.1f}", r.grade_name] for r in ranked[:BOARD_ROWS]],
                "link": f"/evaluation?system={spec.code}",
                "note": f"第 {run.id} 批评价，数据截止 {run.as_of.isoformat()}；共 {len(ranked)} 个"
                        + (f"，列出前 {BOARD_ROWS} 个。" if len(ranked) > BOARD_ROWS else "。"),
            })
    return out
