"""每日任务 page: the last runs with what each changed, failed ones first; an administrator can
run the day's jobs from it (audited, as the API's POST)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse
from starlette.responses import Response

from xinyong.accounts.access import allow
from xinyong.accounts.principal import Principal
from xinyong.audit.service import log_event
from xinyong.core.clock import today
from xinyong.core.errors import InvalidInput, XinyongError
from xinyong.core.http import MAX_ID, SessionDep
from xinyong.core.settings import get_settings
from xinyong.core.templating import add_nav, render
from xinyong.jobs import service

router = APIRouter(include_in_schema=False)
add_nav("每日任务", "/jobs/daily", order=85)

Readers = Annotated[Principal, allow("admin", "supervisor")]
Admin = Annotated[Principal, allow("admin")]


def _context(session, who: Principal, *, offset: int = 0, failed_only: bool = False, **extra) -> dict:
    jobs = service.labels()
    limit = get_settings().page_size
    rows = service.history(session, state="failed" if failed_only else None, limit=limit + 1, offset=offset)
    settings = get_settings()
    return {
        "active": "/jobs/daily", "jobs": list(jobs.values()), "job_map": jobs, "rows": rows[:limit],
        "has_more": len(rows) > limit, "offset": offset, "limit": limit, "failed_only": failed_only,
        "failed_count": service.count(session, state="failed"), "latest": service.latest_day(session),
        "today": today(), "describe": service.describe, "state_names": service.STATE_NAMES,
        "daily_at": settings.daily_at.strftime("%H:%M"), "daily_enabled": settings.daily_enabled,
        "can_run": who.role == "admin", "outcome": None, "error": None, **extra,
    }


@router.get("/jobs/daily", response_class=HTMLResponse, summary="每日任务",
            description="每日任务的运行记录：日期新的在前，同一天失败的在前，每条写明变更了什么；管理员可立即运行。")
def daily_page(
    request: Request,
    session: SessionDep,
    who: Readers,
    failed: Annotated[int, Query(ge=0, le=1)] = 0,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> Response:
    return render(request, "jobs/daily.html", _context(session, who, offset=offset, failed_only=bool(failed)))


@router.post("/jobs/daily", response_class=HTMLResponse, summary="立即运行每日任务",
             description="管理员立即运行某一天的每日任务（当天已完成的跳过，勾选“重新运行”时重做），记入审计日志。")
def run_page(
    request: Request,
    session: SessionDep,
    who: Admin,
    on: Annotated[str, Form(alias="date", max_length=10)] = "",
    force: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    try:
        try:
            day = date.fromisoformat(on) if on else today()
        except ValueError:
            raise InvalidInput(f"日期“{on}”格式应为 YYYY-MM-DD", f"invalid date {on!r}", field="date") from None
        log_event(session, who=who, action="daily_trigger", entity="daily_run",
                  after={"day": day.isoformat(), "force": bool(force)},
                  request_id=getattr(request.state, "request_id", None),
                  ip=request.client.host if request.client else None)
        session.commit()
        result = service.run_daily(day, by=who.username, force=bool(force))
    except XinyongError as exc:
        session.rollback()
        return render(request, "jobs/daily.html", _context(session, who, error=exc.zh), status_code=exc.status_code)
    return render(request, "jobs/daily.html", _context(session, who, outcome=result))
