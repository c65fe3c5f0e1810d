"""API: the daily runs' history (the credit office and supervisors) and a run on demand (the
credit office's administrators, audited)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from xinyong.accounts.access import allow
from xinyong.accounts.principal import Principal
from xinyong.audit.deps import AuditDep
from xinyong.core.clock import today
from xinyong.core.http import MAX_ID, SessionDep, error_responses
from xinyong.jobs import service
from xinyong.jobs.schemas import DailyRunOut, HistoryOut, JobOut, OutcomeOut, RunIn, RunOut

router = APIRouter()
TAG = "每日任务"
Readers = Annotated[Principal, allow("admin", "supervisor")]
Admin = Annotated[Principal, allow("admin")]


@router.get("/jobs/daily", tags=[TAG], response_model=HistoryOut, summary="每日任务运行记录",
            description="每日任务（名单按规则更新、到期处理、审计锚定等）的运行记录：日期新的在前，同一天失败的在前，"
            "每条写明变更了什么。信用办管理员和督导考核人员可查。",
            responses=error_responses(401, 403, 422))
def daily_history(
    session: SessionDep,
    who: Readers,
    on: Annotated[date | None, Query(alias="date", description="只看这一天")] = None,
    state: Annotated[str | None, Query(pattern="^(done|failed)$", description="done 已完成 / failed 失败")] = None,
    job: Annotated[str | None, Query(max_length=64, description="任务名")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> HistoryOut:
    jobs = service.labels()
    rows = service.history(session, day=on, state=state, job=job, limit=limit, offset=offset)
    return HistoryOut(total=service.count(session, day=on, state=state, job=job), limit=limit, offset=offset,
                      jobs=[JobOut(name=j.name, label=j.label, order=j.order) for j in jobs.values()],
                      runs=[DailyRunOut.of(r, jobs) for r in rows])


@router.post("/jobs/daily", tags=[TAG], response_model=RunOut, summary="立即运行每日任务",
             description="立即运行某一天（默认今天）的每日任务：当天已完成的任务跳过（force 时重新运行），"
             "每项任务各自一个事务、各写一条审计日志，失败的任务不影响其他任务。仅信用办管理员可用，本次触发也记入审计日志。",
             responses=error_responses(401, 403, 422))
def run_daily(session: SessionDep, who: Admin, audit: AuditDep, body: RunIn | None = None) -> RunOut:
    body = body or RunIn()
    day = body.date or today()
    service.check_names(body.jobs)
    audit.event(action="daily_trigger", entity="daily_run",
                after={"day": day.isoformat(), "force": body.force, "jobs": body.jobs})
    session.commit()  # the trigger is logged before the jobs run (each in its own transaction)
    result = service.run_daily(day, by=who.username, force=body.force, only=body.jobs or None)
    return RunOut(date=day, busy=result.busy, failed=len(result.failed), changed=result.changed,
                  outcomes=[OutcomeOut.of(o) for o in result.outcomes])
