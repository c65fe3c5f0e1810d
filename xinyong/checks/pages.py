"""Web pages: 联合奖惩核查 — check one subject, upload a batch and watch its progress (htmx
polls the batch row), download the result, report back (反馈), and the statistics page with
ECharts charts and an XLSX export."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Path, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import select
from starlette.responses import Response

from xinyong.accounts.access import allow
from xinyong.accounts.principal import Principal
from xinyong.catalog.deps import PolicyDep
from xinyong.catalog.service import policy_by_id
from xinyong.checks import jobs
from xinyong.checks import service as checks
from xinyong.checks.api import _batch
from xinyong.checks.models import BATCH_STATUSES, FEEDBACK_ACTIONS, MATCHES
from xinyong.checks.schemas import BatchOut, CheckOut, StatsOut
from xinyong.checks.template import XLSX, candidate_template
from xinyong.core.errors import XinyongError
from xinyong.core.http import MAX_ID, SessionDep
from xinyong.core.templating import add_nav, is_htmx, render

router = APIRouter(include_in_schema=False)
add_nav("联合奖惩核查", "/checks", order=40)
add_nav("核查统计", "/checks/stats", order=50)
Checker = Annotated[Principal, allow("checker", "admin")]
Overseer = Annotated[Principal, allow("admin", "supervisor")]


def _recent(session, policy, who) -> list[dict]:
    """The official's recent checks as it reads them: whom each was about (masked, as on the
    result page), the scenario and the feedback by their Chinese names."""
    from xinyong.subjects import schemas as shown
    from xinyong.subjects.models import Subject

    recent = checks.recent_checks(session, who)
    ids = {c.subject_id for c in recent if c.subject_id}
    subjects = {s.id: s for s in session.scalars(select(Subject).where(Subject.id.in_(ids)))} if ids else {}
    names = {s.code: s.name for s in policy.policy.scenarios.scenarios}
    rows = []
    for c in recent:
        s = subjects.get(c.subject_id)
        rows.append({
            "id": c.id, "created_at": c.created_at, "scenario": names.get(c.scenario_code, "（已停用的场景）"),
            "subject": f"{shown.subject_name(s)}（{shown.subject_code(s)}）" if s else "平台无该主体",
            "outcome": c.outcome, "hit_count": c.hit_count,
            "feedback": FEEDBACK_ACTIONS.get(c.feedback_action or "", "") or ("待反馈" if c.hit_count else "—"),
        })
    return rows


def _candidate_rows(session, rows) -> list[dict]:
    """A batch's candidates as the page lists them: the name as given (a person's masked), the
    subject found, how it was matched and what the check answered, by their Chinese names."""
    from xinyong.core.masking import mask_name
    from xinyong.subjects import schemas as shown
    from xinyong.subjects.models import NATURAL_KINDS, Subject

    ids = {c.subject_id for c in rows if c.subject_id}
    subjects = {s.id: s for s in session.scalars(select(Subject).where(Subject.id.in_(ids)))} if ids else {}
    out = []
    for c in rows:
        s = subjects.get(c.subject_id)
        natural = s is None or s.kind in NATURAL_KINDS
        out.append({
            "row_no": c.row_no, "id": c.id, "hit_count": c.hit_count, "outcome": c.outcome,
            "name": (mask_name(c.candidate_name) if natural else c.candidate_name) if c.candidate_name else "—",
            "subject": f"{shown.subject_name(s)}（{shown.subject_code(s)}）" if s else "—",
            "match": MATCHES.get(c.match, "其他"),
        })
    return out


def _form(request, session, policy, who, *, error=None, status_code=200, values=None) -> Response:
    return render(request, "checks/check.html", {
        "active": "/checks", "scenarios": policy.policy.scenarios.scenarios, "error": error,
        "recent": _recent(session, policy, who), "values": values or {},
    }, status_code=status_code)


@router.get("/checks", response_class=HTMLResponse, summary="联合奖惩核查页",
            description="按应用场景核查一个信用主体；列出本人最近的核查。")
def check_page(request: Request, session: SessionDep, policy: PolicyDep, who: Checker) -> Response:
    return _form(request, session, policy, who)


@router.post("/checks", response_class=HTMLResponse, summary="提交核查",
             description="核查一个信用主体，成功后转到核查结果页。")
def check_submit(request: Request, session: SessionDep, policy: PolicyDep, who: Checker,
                 scenario: Annotated[str, Form(max_length=60)], code: Annotated[str, Form(max_length=40)],
                 purpose: Annotated[str, Form(max_length=500)]) -> Response:
    try:
        result = checks.check_one(session, scenario=scenario, code=code, purpose=purpose, who=who,
                                  request_id=getattr(request.state, "request_id", None),
                                  ip=request.client.host if request.client else None)
        session.commit()
    except XinyongError as exc:
        session.rollback()
        return _form(request, session, policy, who, error=exc.zh, status_code=exc.status_code,
                     values={"scenario": scenario, "purpose": purpose})
    return RedirectResponse(f"/checks/{result.check.id}", status_code=303)


def _upload_context(session, policy, who, **extra) -> dict:
    """The batch page: the form, and the official's earlier batches (newest first)."""
    from xinyong.checks.models import CheckBatch

    names = {s.code: s.name for s in policy.policy.scenarios.scenarios}
    earlier = session.scalars(select(CheckBatch).where(CheckBatch.username == who.username)
                              .order_by(CheckBatch.id.desc()).limit(20))
    return {"active": "/checks", "scenarios": policy.policy.scenarios.scenarios, "error": None,
            "max_rows": checks.MAX_BATCH_ROWS, "statuses": BATCH_STATUSES,
            "earlier": [(b, names.get(b.scenario_code, "（已停用的场景）")) for b in earlier], **extra}


@router.get("/checks/batch", response_class=HTMLResponse, summary="批量核查页",
            description="上传候选人名单（XLSX、CSV，最多 100,000 行）进行批量核查；列出本人此前的批次，提供名单模板。")
def batch_page(request: Request, session: SessionDep, policy: PolicyDep, who: Checker, error: str = "") -> Response:
    return render(request, "checks/batch_upload.html", _upload_context(session, policy, who, error=error or None))


@router.get("/checks/batch/template.xlsx", summary="批量核查名单模板",
            description="候选人名单的 XLSX 模板：姓名/名称、统一社会信用代码或公民身份号码、地区、出生日期，附填写说明。")
def batch_template(who: Checker) -> Response:
    return Response(candidate_template(), media_type=XLSX, headers={
        "Content-Disposition": "attachment; filename*=UTF-8''" + quote("批量核查名单模板.xlsx")})


@router.post("/checks/batch", response_class=HTMLResponse, summary="上传批量核查名单",
             description="保存名单并在后台开始核查，转到进度页。")
def batch_submit(request: Request, session: SessionDep, policy: PolicyDep, who: Checker,
                 file: Annotated[UploadFile, File()], scenario: Annotated[str, Form(max_length=60)],
                 purpose: Annotated[str, Form(max_length=500)]) -> Response:
    received = None
    try:
        received = jobs.receive(file.filename or "", file.file)  # a bad file is refused here, nothing stored
        batch = checks.create_batch(session, scenario=scenario, purpose=purpose, who=who, file_name=file.filename or "")
        session.commit()
    except XinyongError as exc:
        session.rollback()
        if received is not None:
            jobs.discard(received)
        return render(request, "checks/batch_upload.html", _upload_context(session, policy, who, error=exc.zh),
                      status_code=exc.status_code)
    jobs.start(batch.id, jobs.place(received, batch.id), who)
    return RedirectResponse(f"/checks/batches/{batch.id}", status_code=303)


@router.get("/checks/batches/{batch_id}", response_class=HTMLResponse, summary="批量核查进度页",
            description="批次进度（htmx 每秒刷新进度部分），完成后可下载结果文件并查看逐行结果。")
def batch_progress(request: Request, session: SessionDep, policy: PolicyDep, who: Checker,
                   batch_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> Response:
    batch = _batch(session, who, batch_id)
    rows = _candidate_rows(session, checks.batch_checks(session, batch.id, limit=200)) if batch.status == "done" else []
    scenario = next((s.name for s in policy.policy.scenarios.scenarios if s.code == batch.scenario_code), "（已停用的场景）")
    context = {"active": "/checks", "b": BatchOut.build(batch), "rows": rows, "scenario_name": scenario}
    if is_htmx(request):
        return render(request, "checks/_progress.html", context, headers={"Vary": "HX-Request"})
    return render(request, "checks/batch.html", context, headers={"Vary": "HX-Request"})


@router.get("/checks/stats", response_class=HTMLResponse, summary="核查统计页",
            description="核查次数、命中率、反馈率，按场景、部门、地区、月份的图表（ECharts）和表格，可导出 XLSX。")
def stats_page(request: Request, session: SessionDep, policy: PolicyDep, who: Overseer) -> Response:
    s = StatsOut.build(checks.statistics(session, region=who.region_code), policy.policy)

    def chart(rows, horizontal=False):
        return {"labels": [r.name for r in rows], "values": [r.checks for r in rows], "name": "核查次数",
                "horizontal": horizontal}

    return render(request, "checks/stats.html", {
        "active": "/checks", "s": s,
        "scenario_chart": chart(s.by_scenario, True), "region_chart": chart(s.by_region),
        "month_chart": chart(s.by_month), "department_chart": chart(s.by_department, True),
        "measure_chart": {"labels": [m["measure_name"] for m in s.measures_applied[:15]],
                          "values": [m["hits"] for m in s.measures_applied[:15]], "name": "命中次数", "horizontal": True},
    })


def _result_page(request, session, who, check_id: int, *, error=None, status_code=200) -> Response:
    c = checks.get_check(session, check_id)
    checks.ensure_sees(who, c)
    out = CheckOut.build(checks.stored_result(session, c), policy_by_id(session, c.policy_version_id))
    return render(request, "checks/result.html", {
        "active": "/checks", "r": out, "error": error, "actions": FEEDBACK_ACTIONS,
        "may_feedback": c.username == who.username,
    }, status_code=status_code)


@router.get("/checks/{check_id}", response_class=HTMLResponse, summary="核查结果页",
            description="一次核查的结果：命中的记录和名单、适用措施（是否强制、对谁）、建议结论，以及反馈表单。")
def result_page(request: Request, session: SessionDep, who: Checker, check_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> Response:
    return _result_page(request, session, who, check_id)


@router.post("/checks/{check_id}/feedback", response_class=HTMLResponse, summary="提交反馈",
             description="反馈措施执行情况：已执行、部分执行或未执行（说明理由）。")
async def feedback_submit(request: Request, session: SessionDep, who: Checker,
                          check_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> Response:
    form = await request.form()
    action = str(form.get("action") or "")
    note = str(form.get("note") or "")[:2000]
    measures = {k[2:]: str(v) == "1" for k, v in form.items() if k.startswith("m_")} or None
    try:
        checks.feedback(session, check_id, action=action, note=note, who=who,
                        measures=measures if action == "partly" else None)
        session.commit()
    except XinyongError as exc:
        session.rollback()
        return _result_page(request, session, who, check_id, error=exc.zh, status_code=exc.status_code)
    return RedirectResponse(f"/checks/{check_id}", status_code=303)
