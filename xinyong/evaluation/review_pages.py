"""Web pages of the model review (模型复核, 浙 个人 二(三)1): the finished evaluation runs with
their review's headline figures, and one run's review report — distributions, grade shares per
city beside Zhejiang's published spreads, stability against the previous run, discrimination and
the fitted alternative (:mod:`xinyong.evaluation.review`).

The credit office (admin) makes a review; supervisors and auditors read them. Mounted by
:func:`xinyong.web.app.create_app` beside the capabilities' page routers.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response

from xinyong.accounts.access import allow
from xinyong.accounts.principal import Principal
from xinyong.core.clock import today
from xinyong.core.errors import InvalidInput, NotFound, XinyongError
from xinyong.core.http import SessionDep
from xinyong.core.templating import add_nav, render
from xinyong.evaluation import review
from xinyong.evaluation.models import ENGINES, EvaluationRun

router = APIRouter(include_in_schema=False)
add_nav("模型复核", "/evaluation/reviews", order=56)

Maker = Annotated[Principal, allow("admin")]
Reader = Annotated[Principal, allow("admin", "supervisor", "auditor")]
RunId = Annotated[int, Path(ge=1, le=2_000_000_000, description="评价批次")]


@router.get("/evaluation/reviews", response_class=HTMLResponse, summary="模型复核",
            description="已完成的评价批次及其模型复核的主要指标：主体数、后续严重失信数、PSI、AUC 和 KS。")
def reviews_page(request: Request, session: SessionDep, who: Reader) -> Response:
    return render(request, "evaluation/review.html", {
        "active": "/evaluation/reviews", "runs": review.runs_with_reviews(session), "run": None, "r": None,
        "engines": ENGINES, "psi_words": review.psi_words, "can_make": who.role == "admin", "error": None,
    })


def _run_page(request: Request, session, who: Principal, run_id: int, *, error: str | None = None,
              status_code: int = 200) -> Response:
    run = session.get(EvaluationRun, run_id)
    if run is None:
        raise NotFound(f"评价批次 {run_id} 不存在", f"evaluation run {run_id} does not exist")
    r = review.review_of(session, run_id)
    charts = {}
    if r is not None:
        rep = r.report
        lo, hi = rep["scale"]
        width = (hi - lo) / rep["bins"]
        labels = [f"{lo + k * width:g}–{lo + (k + 1) * width:g}" for k in range(rep["bins"])]
        charts["score"] = {"labels": labels, "values": rep["score"]["hist"], "name": "主体数"}
        charts["grades"] = {"labels": [g["name"] for g in reversed(rep["grades"])],
                            "values": [g["count"] for g in reversed(rep["grades"])], "name": "主体数"}
    return render(request, "evaluation/review.html", {
        "active": "/evaluation/reviews", "runs": None, "run": run, "r": r, "charts": charts, "engines": ENGINES,
        "psi_words": review.psi_words, "can_make": who.role == "admin", "error": error,
        "today": today(), "min_outcomes": review.MIN_OUTCOMES,
    }, status_code=status_code)


@router.get("/evaluation/runs/{run_id}/review", response_class=HTMLResponse, summary="评价批次的模型复核",
            description="一个评价批次的模型复核报告：各指标和维度的分布、各地区等级占比（对照浙江公布的分布）、"
                        "与上一批次相比的稳定性（PSI）、后续严重失信的区分度（AUC、KS）和数据拟合模型。")
def run_review_page(request: Request, session: SessionDep, who: Reader, run_id: RunId) -> Response:
    return _run_page(request, session, who, run_id)


@router.post("/evaluation/runs/{run_id}/review", response_class=HTMLResponse, summary="生成模型复核（表单）",
             description="计算并保存该批次的模型复核（已有的复核被替换）；结果观察截止日默认今天。")
def run_review_make(request: Request, session: SessionDep, who: Maker, run_id: RunId,
                    outcome_until: Annotated[str, Form(max_length=10)] = "") -> Response:
    try:
        try:
            day = date.fromisoformat(outcome_until) if outcome_until.strip() else today()
        except ValueError:
            raise InvalidInput(f"结果观察截止日“{outcome_until}”不是日期，请写作 2026-11-30",
                               "outcome_until is not a date", field="outcome_until") from None
        review.build_review(session, run_id, outcome_until=day, user=who.username)
        session.commit()
    except NotFound:
        raise
    except XinyongError as exc:
        session.rollback()
        return _run_page(request, session, who, run_id, error=exc.zh, status_code=exc.status_code)
    return RedirectResponse(f"/evaluation/runs/{run_id}/review", status_code=303)
