"""API: 限期整改 — the board by region and status, the tasks, one task with its events, a step.

Read by officials of the task's region and by the body itself (its subject account); the body
or the credit office of its region takes the steps, only the credit office returns or closes.
Tasks name government bodies only: no natural person is shown, so a read is not an audit entry;
every step is.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from xinyong.accounts.access import allow
from xinyong.accounts.principal import Principal
from xinyong.catalog import service as catalog_service
from xinyong.commitments import rectification as service
from xinyong.commitments import rectification_rules as rules
from xinyong.commitments.rectification_models import (
    EVENT_ACTIONS,
    RECT_STATUSES,
    Rectification,
    RectificationEvent,
)
from xinyong.commitments.rectification_schemas import (
    BoardRowOut,
    EventOut,
    RectificationOut,
    StepIn,
)
from xinyong.core.clock import today
from xinyong.core.http import MAX_ID, SessionDep, error_responses
from xinyong.records.models import Record
from xinyong.subjects.models import Subject

router = APIRouter()
TAG = "限期整改"
Official = Annotated[Principal, allow("admin", "reporter", "checker", "supervisor", "auditor")]
Reader = Annotated[Principal, allow("admin", "reporter", "checker", "supervisor", "auditor", "subject")]
Actor = Annotated[Principal, allow("admin", "subject")]


def out(task: Rectification, body: Subject, record: Record, names: dict[str, str],
        events: list[RectificationEvent] | None = None, superior: str | None = None) -> RectificationOut:
    return RectificationOut(
        id=task.id, record_id=task.record_id, body_id=task.body_id, body_name=body.name, region_code=task.region_code,
        category_code=task.category_code, category_name=names.get(task.category_code, task.category_code),
        decision_no=record.decision_no, act_date=task.act_date, opened_on=task.opened_on, due_on=task.due_on,
        status=task.status, status_name=RECT_STATUSES.get(task.status, task.status),
        overdue=rules.is_overdue(task.status, task.due_on, today()), explanation=task.explanation,
        explained_on=task.explained_on, closed_on=task.closed_on, escalated_on=task.escalated_on,
        escalated_to=superior, escalated_region=task.escalated_region,
        events=[EventOut(action=e.action, action_name=EVENT_ACTIONS.get(e.action, e.action), on=e.on, by=e.by,
                         note=e.note, evidence=e.evidence) for e in events or []],
    )


def category_names(session) -> dict[str, str]:
    return {c.code: c.name for c in catalog_service.active_version(session)[1].catalog.categories}


@router.get("/rectifications", tags=[TAG], response_model=list[RectificationOut], summary="限期整改任务列表",
            description="权限范围内的整改任务：逾期的在前，其余按整改期限。status 可为 open / explained / submitted / "
                        "closed / pending（未办结）/ overdue（逾期）/ escalated（已报告上级）。",
            responses=error_responses(401, 403, 422))
def list_tasks(session: SessionDep, who: Reader,
               region: Annotated[str | None, Query(max_length=6, description="行政区划代码")] = None,
               status: Annotated[str | None, Query(max_length=20, description="整改状态")] = None,
               limit: Annotated[int, Query(ge=1, le=500)] = 100,
               offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0) -> list[RectificationOut]:
    found = service.search(session, who, today=today(), region=region or None, status=status or None,
                           limit=limit, offset=offset)
    names = category_names(session)
    return [out(t, b, r, names) for t, b, r in found]


@router.get("/rectifications/board", tags=[TAG], response_model=list[BoardRowOut], summary="限期整改看板（按地区、状态）",
            description="各区县整改任务按状态的件数、逾期件数、已报告上级件数。", responses=error_responses(401, 403))
def board(session: SessionDep, who: Official) -> list[BoardRowOut]:
    return [BoardRowOut(region_code=r.region_code, name=r.name, counts=r.counts, total=r.total, overdue=r.overdue,
                        escalated=r.escalated) for r in service.board(session, who, today=today())]


@router.get("/rectifications/{task_id}", tags=[TAG], response_model=RectificationOut, summary="一项整改任务及其办理过程",
            description="书面说明、整改进展、佐证、验收和逾期上报的全部过程。", responses=error_responses(401, 403, 404))
def one(session: SessionDep, who: Reader, task_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> RectificationOut:
    task = service.get(session, task_id, who)
    return out(task, task.body, session.get(Record, task.record_id), category_names(session),
               service.events(session, [task.id])[task.id], task.superior.name if task.superior else None)


@router.post("/rectifications/{task_id}/steps", tags=[TAG], response_model=RectificationOut,
             summary="办理整改（书面说明、进展、佐证、申请验收、退回、办结）",
             description="被整改单位或所在地区信用办提交书面说明、整改进展和佐证并申请验收；退回和验收办结只能由信用办办理。"
                         "不允许的步骤 422 并说明当前状态；每一步记入审计日志。",
             responses=error_responses(401, 403, 404, 422))
def step(request: Request, session: SessionDep, who: Actor, body: StepIn,
         task_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> RectificationOut:
    task = service.take_step(session, who, task_id, body.step, today=today(), note=body.note, evidence=body.evidence,
                             request_id=getattr(request.state, "request_id", None),
                             ip=request.client.host if request.client else None)
    session.commit()
    return one(session, who, task.id)
