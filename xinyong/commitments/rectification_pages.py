"""Web pages: 限期整改 — the credit office's board by region and status with the task list, one
task with its steps, and the open tasks on a body's promise-keeping page.

The board counts tasks per county by status, the overdue ones and those reported to the
superior body (one ``GROUP BY``), and lists the tasks, overdue first. A task's page shows the
record that opened it, the written explanation, every progress note, piece of evidence, return,
closing and escalation, and the steps the reader may take now. Tasks name government bodies
only, so a read is no audit entry; every step is.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response

from xinyong.accounts.access import allow
from xinyong.accounts.principal import Principal
from xinyong.commitments import rectification as service
from xinyong.commitments import rectification_rules as rules
from xinyong.commitments.rectification_api import category_names
from xinyong.commitments.rectification_models import EVENT_ACTIONS, RECT_STATUSES, Rectification
from xinyong.core import regions
from xinyong.core.clock import today
from xinyong.core.errors import XinyongError
from xinyong.core.http import MAX_ID, SessionDep
from xinyong.core.templating import add_nav, render
from xinyong.records.models import Record
from xinyong.subjects.models import Subject

router = APIRouter(include_in_schema=False)
add_nav("限期整改", "/commitments/rectifications", order=47)

Official = Annotated[Principal, allow("admin", "reporter", "checker", "supervisor", "auditor")]
Reader = Annotated[Principal, allow("admin", "reporter", "checker", "supervisor", "auditor", "subject")]
Actor = Annotated[Principal, allow("admin", "subject")]
PAGE = 100
FILTERS = {"pending": "未办结", "overdue": "逾期未办结", "escalated": "已报告上级", **RECT_STATUSES}


def rows(found: list[tuple[Rectification, Subject, Record]], names: dict[str, str], day) -> list[dict]:
    return [{
        "id": t.id, "body": b.name, "body_id": b.id, "region": regions.name_of(t.region_code),
        "category": names.get(t.category_code, t.category_code), "decision_no": r.decision_no, "act_date": t.act_date,
        "opened_on": t.opened_on, "due_on": t.due_on, "status": t.status, "status_name": RECT_STATUSES[t.status],
        "overdue": rules.is_overdue(t.status, t.due_on, day), "escalated_on": t.escalated_on,
        "escalated_region": regions.name_of(t.escalated_region) if t.escalated_region else None,
    } for t, b, r in found]


@router.get("/commitments/rectifications", response_class=HTMLResponse, summary="限期整改看板",
            description="信用办的整改看板：各区县整改任务按状态、逾期、已报告上级的件数（图表和表格），以及任务列表（逾期的在前）。")
def board_page(request: Request, session: SessionDep, who: Official,
               region: Annotated[str, Query(max_length=6)] = "", status: Annotated[str, Query(max_length=20)] = "",
               offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0) -> Response:
    day = today()
    error, code = None, 200
    try:
        found = service.search(session, who, today=day, region=region or None, status=status or None, limit=PAGE,
                               offset=offset)
    except XinyongError as exc:
        found, error, code = [], exc.zh, exc.status_code
    board = service.board(session, who, today=day)
    chart = {"labels": [r.name for r in board], "values": [r.total - r.counts["closed"] for r in board],
             "name": "未办结整改", "horizontal": True}
    params = {k: v for k, v in (("region", region), ("status", status)) if v}
    return render(request, "commitments/rectifications.html", {
        "active": "/commitments/rectifications", "board": board, "statuses": RECT_STATUSES, "filters": FILTERS,
        "rows": rows(found, category_names(session), day), "region": region, "status": status, "chart": chart,
        "regions": [r for r in regions.all_regions() if r.level != "province" and who.covers(r.code)],
        "offset": offset, "limit": PAGE, "query": urlencode(params), "error": error,
    }, status_code=code)


def _task_context(session, who: Principal, task_id: int, **extra) -> dict:
    task = service.get(session, task_id, who)
    record = session.get(Record, task.record_id)
    names = category_names(session)
    office = service.is_office(who) and who.covers(task.region_code)
    may = who.owns(task.body_id) or office
    steps = {s: rules.STEP_NAMES[s] for s in rules.STEPS
             if may and rules.next_status(task.status, s) is not None and (office or not rules.office_only(s))}
    return {
        "active": "/commitments/rectifications", "task": task, "record": record, "body": task.body,
        "row": rows([(task, task.body, record)], names, today())[0],
        "events": service.events(session, [task.id])[task.id], "actions": EVENT_ACTIONS, "steps": steps,
        "superior": task.superior, "persons": service.person_records(session, task.id), "error": None, **extra,
    }


@router.get("/commitments/rectifications/{task_id}", response_class=HTMLResponse, summary="整改任务详情",
            description="一项整改任务：所涉失信记录、书面说明、整改进展、佐证、验收、逾期上报及责任人信用记录；可办理的步骤。")
def task_page(request: Request, session: SessionDep, who: Reader,
              task_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> Response:
    return render(request, "commitments/rectification.html", _task_context(session, who, task_id))


@router.post("/commitments/rectifications/{task_id}/steps", response_class=HTMLResponse, summary="办理整改",
             description="提交书面说明、整改进展、佐证，申请验收；信用办退回或验收办结。不允许的步骤显示原因，不写入任何数据。")
def step_page(request: Request, session: SessionDep, who: Actor, task_id: Annotated[int, Path(ge=1, le=MAX_ID)],
              step: Annotated[str, Form(max_length=20)], note: Annotated[str, Form(max_length=4000)] = "",
              evidence: Annotated[str, Form(max_length=4000)] = "") -> Response:
    try:
        service.take_step(session, who, task_id, step, today=today(), note=note, evidence=evidence,
                          request_id=getattr(request.state, "request_id", None),
                          ip=request.client.host if request.client else None)
        session.commit()
    except XinyongError as exc:
        session.rollback()
        return render(request, "commitments/rectification.html", _task_context(session, who, task_id, error=exc.zh),
                      status_code=exc.status_code)
    return RedirectResponse(f"/commitments/rectifications/{task_id}", status_code=303)
