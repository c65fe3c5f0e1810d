# ruff: noqa: S608 — statements built from checked policy codes (^[a-z][a-z0-9_]*$) and integers only
"""The model review of a run (浙 个人 二(三)1: the indicators and the algorithm improve with use).

For one finished run, :func:`build_review` computes and stores (``evaluation_reviews``):

- the **distribution** of the score, of each dimension's score and of each indicator's value on
  [0, 1] (ten equal bins, mean), so an indicator that gives everyone the same value shows;
- the **grade shares** overall and per city (the first four digits of the subject's region),
  beside the published spreads the system names (``reference``: Zhejiang's 2018 results);
- the **stability** against the previous finished run of the same system: the population
  stability index (PSI = Σ (a − e) · ln(a / e) over the ten score bins; below 0.1 stable, 0.1–0.25
  moved, above 0.25 shifted) of the score and of each dimension;
- where an **outcome** is known — a serious dishonesty (a serious dishonest record decided, or a
  blacklisting in force from, after the run's cut-off and up to the review day) — the expert
  score's discrimination (AUC, KS; a lower score should mean more risk) and the data-fitted
  alternative (:mod:`xinyong.evaluation.review_fit`: WOE binning + logistic regression on the
  indicators' raw values, fitted on 70% of the subjects, judged on the other 30%) with each
  indicator's information value and fitted coefficient beside its expert weight.

Set-based: the run's scores are read in one statement (the JSON columns as text) into an
in-memory DuckDB, which takes the values apart and bins them in SQL; the outcome is one
statement over records and one over list entries. Nothing loops per subject in Python.
"""

from __future__ import annotations

import math
from datetime import date

from sqlalchemy import String, cast, select
from sqlalchemy.orm import Session

from xinyong.audit.service import log_event
from xinyong.catalog.indicators import IndicatorSystem
from xinyong.catalog.service import policy_by_id
from xinyong.core.db import utcnow
from xinyong.core.errors import InvalidInput, NotFound
from xinyong.evaluation.models import EvaluationRun, EvaluationScore
from xinyong.evaluation.review_models import EvaluationReview
from xinyong.lists.models import ListEntry
from xinyong.records.models import Record
from xinyong.subjects.models import Subject

BINS = 10
EPS = 1e-4  # a bin's share in the PSI is at least this, so an empty bin gives a finite term
MIN_OUTCOMES = 10  # fewer bad (or good) subjects than this: no AUC, no fit
PSI_WORDS = ((0.1, "稳定"), (0.25, "有变化"), (math.inf, "明显偏移"))


def psi_words(value: float | None) -> str:
    if value is None:
        return "—"
    return next(w for cut, w in PSI_WORDS if value < cut)


def psi(expected: list[int], actual: list[int]) -> float | None:
    """PSI of two histograms over the same bins."""
    te, ta = sum(expected), sum(actual)
    if not te or not ta:
        return None
    total = 0.0
    for e, a in zip(expected, actual, strict=True):
        pe, pa = max(e / te, EPS), max(a / ta, EPS)
        total += (pa - pe) * math.log(pa / pe)
    return round(total, 4)


def system_of_run(session: Session, run: EvaluationRun) -> IndicatorSystem:
    system = policy_by_id(session, run.policy_version_id).evaluation.system(run.system_code)
    if system is None:  # pragma: no cover - a run names a system of its version
        raise NotFound(f"评价批次 {run.id} 的指标体系已不存在", f"the system of run {run.id} is gone")
    return system


def _load_scores(session: Session, con, run_id: int, table: str) -> None:
    """One statement: the run's scores (JSON columns as text) into DuckDB ``table``."""
    rows = session.execute(
        select(EvaluationScore.subject_id, Subject.region_code, EvaluationScore.score, EvaluationScore.grade,
               cast(EvaluationScore.dimensions, String), cast(EvaluationScore.contributions, String))
        .join(Subject, Subject.id == EvaluationScore.subject_id)
        .where(EvaluationScore.run_id == run_id)
    ).all()
    con.execute(f"CREATE TABLE {table} (subject_id BIGINT, region_code VARCHAR, score DOUBLE, grade VARCHAR, "
                "dims VARCHAR, contrib VARCHAR)")
    if rows:
        con.executemany(f"INSERT INTO {table} VALUES (?, ?, ?, ?, ?, ?)", [tuple(r) for r in rows])


def _wide(con, system: IndicatorSystem, table: str) -> None:
    """``{table}_w``: one row per subject, the dimensions and indicator values as columns."""
    cols = [f"CAST(json_extract(dims, '$.{d.code}') AS DOUBLE) AS d_{d.code}" for d in system.dimensions]
    for _d, i in system.indicators():
        cols.append(f"CAST(json_extract(contrib, '$.{i.code}.value') AS DOUBLE) AS n_{i.code}")
        cols.append(f"CAST(json_extract(contrib, '$.{i.code}.raw') AS DOUBLE) AS r_{i.code}")
    con.execute(f"CREATE TABLE {table}_w AS SELECT subject_id, region_code, score, grade, {', '.join(cols)} "
                f"FROM {table}")


def _hist(con, table: str, expr: str, lo: float, hi: float) -> list[int]:
    """Counts over ``BINS`` equal bins of [lo, hi] (the top edge in the last bin)."""
    width = (hi - lo) / BINS
    got = dict(con.execute(
        f"SELECT LEAST({BINS - 1}, GREATEST(0, CAST(FLOOR(({expr} - {lo!r}) / {width!r}) AS INTEGER))) AS b, "
        f"count(*) FROM {table} WHERE {expr} IS NOT NULL GROUP BY b").fetchall())
    return [int(got.get(b, 0)) for b in range(BINS)]


def _stats(con, table: str, expr: str) -> dict:
    n, mean, lo, hi, sd = con.execute(
        f"SELECT count({expr}), avg({expr}), min({expr}), max({expr}), stddev_pop({expr}) FROM {table}").fetchone()
    return {"n": int(n), "mean": None if mean is None else round(mean, 4), "min": lo, "max": hi,
            "sd": None if sd is None else round(sd, 4)}


def _outcome(session: Session, con, run: EvaluationRun, until: date) -> None:
    """``bad``: the run's subjects with a serious dishonesty after the cut-off, up to ``until``."""
    scored = select(EvaluationScore.subject_id).where(EvaluationScore.run_id == run.id)
    recs = select(Record.subject_id).where(
        Record.subject_id.in_(scored), Record.polarity == "dishonest", Record.severity == "serious",
        Record.status != "revoked", Record.decision_date > run.as_of, Record.decision_date <= until)
    listed = select(ListEntry.subject_id).where(
        ListEntry.subject_id.in_(scored), ListEntry.list_kind == "blacklist",
        ListEntry.effective_from > run.as_of, ListEntry.effective_from <= until)
    ids = set(session.scalars(recs.distinct())) | set(session.scalars(listed.distinct()))
    con.execute("CREATE TABLE bad (subject_id BIGINT)")
    if ids:
        con.executemany("INSERT INTO bad VALUES (?)", [(i,) for i in sorted(ids)])


def _city(code: str | None) -> str:
    return (code or "")[:4] + "00" if code else "—"


def compute(session: Session, run: EvaluationRun, outcome_until: date) -> tuple[dict, dict]:
    """(report, headline figures) of ``run``."""
    import duckdb
    import numpy as np

    from xinyong.evaluation import review_fit
    from xinyong.evaluation.service import previous_run

    system = system_of_run(session, run)
    lo, hi = system.scale.min, system.scale.max
    con = duckdb.connect()
    try:
        _load_scores(session, con, run.id, "cur")
        _wide(con, system, "cur")
        n = con.execute("SELECT count(*) FROM cur_w").fetchone()[0]
        report: dict = {"system": {"code": system.code, "name": system.name, "version": system.version},
                        "as_of": run.as_of.isoformat(), "outcome_until": outcome_until.isoformat(),
                        "subjects": n, "bins": BINS, "scale": [lo, hi]}
        report["score"] = {**_stats(con, "cur_w", "score"), "hist": _hist(con, "cur_w", "score", lo, hi)}
        report["dimensions"] = [
            {"code": d.code, "name": d.name, "weight": d.weight, **_stats(con, "cur_w", f"d_{d.code}"),
             "hist": _hist(con, "cur_w", f"d_{d.code}", lo, hi)} for d in system.dimensions]
        report["indicators"] = [
            {"code": i.code, "name": i.name, "dimension": d.name, "weight": round(d.weight * i.weight, 4),
             **_stats(con, "cur_w", f"n_{i.code}"), "hist": _hist(con, "cur_w", f"n_{i.code}", 0.0, 1.0),
             "same_for_all": con.execute(f"SELECT count(DISTINCT n_{i.code}) FROM cur_w").fetchone()[0] <= 1}
            for d, i in system.indicators()]

        # grade shares, overall and per city
        grades = [g.code for g in system.grades]
        counts = dict(con.execute("SELECT grade, count(*) FROM cur_w GROUP BY grade").fetchall())
        report["grades"] = [{"code": g.code, "name": g.name, "min": g.min, "count": int(counts.get(g.code, 0)),
                             "share": round(counts.get(g.code, 0) / n, 4) if n else None} for g in system.grades]
        by_city: dict[str, dict[str, int]] = {}
        for region, grade, k in con.execute(
                "SELECT region_code, grade, count(*) FROM cur_w GROUP BY region_code, grade").fetchall():
            city = by_city.setdefault(_city(region), {})
            city[grade] = city.get(grade, 0) + int(k)
        report["regions"] = [
            {"region": city, "count": sum(c.values()),
             "shares": {g: round(c.get(g, 0) / sum(c.values()), 4) for g in grades}}
            for city, c in sorted(by_city.items())]
        report["reference"] = [r.model_dump() for r in system.reference]

        # stability against the previous run
        prev = previous_run(session, run)
        report["previous_run_id"] = prev.id if prev else None
        head: dict = {"previous_run_id": prev.id if prev else None, "psi": None}
        if prev is not None:
            _load_scores(session, con, prev.id, "prv")
            _wide(con, system, "prv")
            pscore = psi(_hist(con, "prv_w", "score", lo, hi), report["score"]["hist"])
            dims = {}
            for d in system.dimensions:
                try:
                    dims[d.code] = psi(_hist(con, "prv_w", f"d_{d.code}", lo, hi),
                                       _hist(con, "cur_w", f"d_{d.code}", lo, hi))
                except duckdb.Error:  # the previous run's system lacked the dimension
                    dims[d.code] = None
            report["stability"] = {"score": pscore, "dimensions": dims,
                                   "previous_subjects": con.execute("SELECT count(*) FROM prv_w").fetchone()[0]}
            head["psi"] = pscore

        # outcome: discrimination and the fitted alternative
        _outcome(session, con, run, outcome_until)
        cols = ["score"] + [f"r_{i.code}" for _d, i in system.indicators()]
        data = con.execute(
            f"SELECT {', '.join(cols)}, CASE WHEN b.subject_id IS NULL THEN 0 ELSE 1 END AS y "
            "FROM cur_w LEFT JOIN bad b USING (subject_id) ORDER BY cur_w.subject_id").fetchnumpy()
        y = np.asarray(data["y"], dtype=int)
        bads = int(y.sum())
        out: dict = {"bad": bads, "good": int(len(y) - bads), "definition":
                     "截止日之后、复核日之前新增严重失信记录或被列入严重失信主体名单"}
        head.update(outcomes=bads, auc=None, ks=None, fitted_auc=None, fitted_ks=None)
        if bads >= MIN_OUTCOMES and len(y) - bads >= MIN_OUTCOMES:
            score = np.asarray(data["score"], dtype=float)
            auc, ks = review_fit.auc_ks(y, -score)
            out["expert"] = {"auc": round(auc, 4), "ks": round(ks, 4)}
            columns = {i.code: np.asarray(data[f"r_{i.code}"], dtype=float) for _d, i in system.indicators()}
            columns = {c: v for c, v in columns.items() if np.unique(np.nan_to_num(v, nan=-1e300)).size > 1}
            if columns:
                train, test = review_fit.split(len(y), y)
                model = review_fit.fit({c: v[train] for c, v in columns.items()}, y[train])
                f_auc, f_ks = review_fit.auc_ks(y[test], model.risk({c: v[test] for c, v in columns.items()}))
                e_auc, e_ks = review_fit.auc_ks(y[test], -score[test])
                weights = {i.code: (i.name, round(d.weight * i.weight, 4)) for d, i in system.indicators()}
                out["fitted"] = {
                    "train": int(len(train)), "test": int(len(test)),
                    "auc": round(f_auc, 4), "ks": round(f_ks, 4),
                    "expert_on_test": {"auc": round(e_auc, 4), "ks": round(e_ks, 4)},
                    "intercept": round(model.intercept, 4),
                    "indicators": [
                        {"code": b.name, "name": weights[b.name][0], "expert_weight": weights[b.name][1],
                         "iv": round(b.iv, 4), "coefficient": round(model.coefficients[b.name], 4),
                         "bins": [{"range": lab, "good": g, "bad": bb, "woe": round(w, 4)}
                                  for lab, g, bb, w in zip(b.labels(), b.goods, b.bads, b.woe, strict=True)]}
                        for b in sorted(model.binnings, key=lambda b: -b.iv)],
                    "left_out": sorted(set(weights) - set(columns)),
                }
                head.update(fitted_auc=round(f_auc, 4), fitted_ks=round(f_ks, 4))
            head.update(auc=round(auc, 4), ks=round(ks, 4))
        report["outcome"] = out
        return report, head
    finally:
        con.close()


def build_review(session: Session, run_id: int, *, outcome_until: date, user: str) -> EvaluationReview:
    """Compute the review of run ``run_id`` and store it (replacing an earlier one of the run)."""
    run = session.get(EvaluationRun, run_id)
    if run is None:
        raise NotFound(f"评价批次 {run_id} 不存在", f"evaluation run {run_id} does not exist")
    if run.status != "done":
        raise InvalidInput(f"评价批次 {run_id} 尚未完成，不能复核", f"run {run_id} is not finished")
    if outcome_until < run.as_of:
        raise InvalidInput(f"结果观察截止日 {outcome_until} 早于评价的数据截止日 {run.as_of}",
                           "the outcome day is before the run's cut-off")
    report, head = compute(session, run, outcome_until)
    review = session.scalar(select(EvaluationReview).where(EvaluationReview.run_id == run_id))
    if review is None:
        review = EvaluationReview(run_id=run_id)
        session.add(review)
    review.previous_run_id = head["previous_run_id"]
    review.outcome_until = outcome_until
    review.subjects = report["subjects"]
    review.outcomes = head["outcomes"]
    review.psi, review.auc, review.ks = head["psi"], head["auc"], head["ks"]
    review.fitted_auc, review.fitted_ks = head["fitted_auc"], head["fitted_ks"]
    review.report = report
    review.created_by, review.created_at = user, utcnow()
    session.flush()
    log_event(session, who=user, action="create", entity="evaluation_review", entity_id=review.id,
              after={"run": run_id, "outcome_until": outcome_until.isoformat(), "subjects": review.subjects,
                     "outcomes": review.outcomes, "psi": review.psi, "auc": review.auc})
    return review


def review_of(session: Session, run_id: int) -> EvaluationReview | None:
    return session.scalar(select(EvaluationReview).where(EvaluationReview.run_id == run_id))


def runs_with_reviews(session: Session, limit: int = 50) -> list[tuple[EvaluationRun, EvaluationReview | None]]:
    """The newest finished runs, each with its review if one was made (one statement)."""
    rows = session.execute(
        select(EvaluationRun, EvaluationReview)
        .outerjoin(EvaluationReview, EvaluationReview.run_id == EvaluationRun.id)
        .where(EvaluationRun.status == "done")
        .order_by(EvaluationRun.id.desc()).limit(limit)
    ).all()
    return [(r, v) for r, v in rows]
