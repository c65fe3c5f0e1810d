"""Web pages of the real-time push (实时推送): a department's inbox — the latest messages, how
many wait for acknowledgement, an acknowledge button (htmx), its subscriptions with add (codes in
a textarea, or an XLSX/CSV file of codes) and remove — and the credit office's monitor: messages
per day, event and department, delivered and acknowledged rates, the median delay to an
acknowledgement (ECharts), exported as XLSX by the API.

Every view that shows a natural person's (masked) data logs the read in the audit log: one entry
per view, naming the persons shown in its details."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response

from xinyong.accounts.access import allow
from xinyong.accounts.models import Department
from xinyong.accounts.principal import Principal
from xinyong.core.errors import InvalidInput, XinyongError
from xinyong.core.http import MAX_ID, SessionDep, request_meta
from xinyong.core.settings import get_settings
from xinyong.core.templating import add_nav, is_htmx, render
from xinyong.push import service as push
from xinyong.push.models import PUSH_EVENTS, SUBSCRIPTION_SOURCES

router = APIRouter(include_in_schema=False)
add_nav("实时推送", "/checks/push", order=45)
add_nav("推送监测", "/checks/push/monitor", order=55)
Official = Annotated[Principal, allow(*push.PUSH_ROLES)]
Overseer = Annotated[Principal, allow("admin", "supervisor")]
DepartmentQ = Annotated[str | None, Query(max_length=18)]
MAX_UPLOAD = 20 * 1024 * 1024



def duration(seconds: float | None) -> str:
    """A delay in words: 45 秒, 12 分钟, 3 小时 5 分, 2 天 4 小时."""
    if seconds is None:
        return "—"
    s = int(round(seconds))
    if s < 60:
        return f"{s} 秒"
    if s < 3600:
        return f"{s // 60} 分钟"
    if s < 86_400:
        return f"{s // 3600} 小时 {s % 3600 // 60} 分"
    return f"{s // 86_400} 天 {s % 86_400 // 3600} 小时"


def _no_department(who: Principal) -> bool:
    return who.role != "admin" and not who.department_code


def _inbox(session, dept: Department) -> dict:
    rows = push.latest(session, dept, limit=20)
    return {"dept": dept, "messages": rows, "shown": push.subjects_of(session, rows),
            "unacked": push.unacked_count(session, dept), "events": PUSH_EVENTS}


def _page(request: Request, session, who: Principal, department: str | None, *, offset: int = 0,
          result=None, error: str | None = None, status_code: int = 200) -> Response:
    base = {"active": "/checks/push", "who_admin": who.role == "admin", "watch_days": get_settings().push_watch_days,
            "events": PUSH_EVENTS}
    if _no_department(who):
        return render(request, "push/inbox.html", {**base, "no_department": True})
    if who.role == "admin" and not (department or who.department_code):
        return render(request, "push/inbox.html", {**base, "choose": push.departments_in(session, who)})
    dept = push.department_of(session, who, department)
    inbox = _inbox(session, dept)
    subs, total = push.subscriptions(session, dept, limit=50, offset=offset)
    sub_shown = push.subjects_of(session, [s for s, _ in subs])
    # the page is one view: one audit entry for its messages and its subscriptions together
    push.log_reads(session, inbox["messages"], who, what="push_inbox", channel="page",
                   subscriptions=[s for s, _ in subs], shown={**inbox["shown"], **sub_shown}, **request_meta(request))
    session.commit()
    return render(request, "push/inbox.html", {
        **base, **inbox, "subs": subs, "sub_shown": sub_shown, "sub_total": total, "offset": offset,
        "sources": SUBSCRIPTION_SOURCES, "endpoint": push.endpoint_of(session, dept), "result": result,
        "error": error,
    }, status_code=status_code)


@router.get("/checks/push", response_class=HTMLResponse, summary="实时推送收件箱",
            description="本部门收到的推送消息（最新20条）、未确认数和确认按钮，订阅的信用主体及添加、取消订阅；"
                        "管理员先选择本辖区的部门。显示的自然人信息（脱敏）记入审计日志。")
def inbox_page(request: Request, session: SessionDep, who: Official, department: DepartmentQ = None,
               offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0) -> Response:
    return _page(request, session, who, department, offset=offset)


@router.post("/checks/push/ack", response_class=HTMLResponse, summary="确认推送消息",
             description="确认选中的消息（或全部未确认的消息）；htmx 请求只返回收件箱部分。")
async def ack_submit(request: Request, session: SessionDep, who: Official) -> Response:
    form = await request.form()
    department = str(form.get("department") or "") or None
    dept = push.department_of(session, who, department)
    if form.get("all") == "1":
        ids = [m.id for m in push.messages(session, dept, limit=push.MAX_PAGE * 10, unacked_only=True)]
    else:
        ids = [int(v) for v in form.getlist("ids") if str(v).isdigit() and int(v) <= MAX_ID]
    push.ack(session, dept, ids)
    session.commit()
    if is_htmx(request):
        inbox = _inbox(session, dept)
        push.log_reads(session, inbox["messages"], who, what="push_inbox", channel="page", shown=inbox["shown"],
                       **request_meta(request))
        session.commit()
        return render(request, "push/_inbox.html", {**inbox, "who_admin": who.role == "admin"},
                      headers={"Vary": "HX-Request"})
    return RedirectResponse(f"/checks/push?department={dept.code}" if who.role == "admin" else "/checks/push",
                            status_code=303)


@router.post("/checks/push/subscriptions", response_class=HTMLResponse, summary="添加订阅",
             description="在文本框中填写代码（每行一个，或以逗号、空格分隔），或上传含代码列的 XLSX、CSV 文件，订阅这些信用主体。")
def subscribe_submit(request: Request, session: SessionDep, who: Official,
                     codes: Annotated[str, Form(max_length=2_000_000)] = "",
                     department: Annotated[str, Form(max_length=18)] = "",
                     ends_on: Annotated[str, Form(max_length=10)] = "",
                     file: Annotated[UploadFile | None, File()] = None) -> Response:
    dept_code = department or None
    try:
        dept = push.department_of(session, who, dept_code)
        content = file.file.read(MAX_UPLOAD + 1) if file is not None and file.filename else None
        if content is not None and len(content) > MAX_UPLOAD:
            raise InvalidInput("文件过大（至多20MB）", "the file is too large", field="file")
        given = push.read_codes(codes, file.filename if file is not None else None, content)
        if not given:
            raise InvalidInput("请填写或上传要订阅的代码", "give the codes to subscribe to", field="codes")
        until = date.fromisoformat(ends_on) if ends_on.strip() else None
        result = push.subscribe(session, dept, given, by=who.username, ends_on=until)
        from xinyong.audit.service import log_event

        log_event(session, who=who, action="create", entity="push_subscription", entity_id=dept.code,
                  after={"added": len(result.added), "existing": len(result.existing),
                         "unknown": len(result.unknown), "invalid": len(result.invalid)}, **request_meta(request))
        session.commit()
    except ValueError:
        session.rollback()
        return _page(request, session, who, dept_code, error="截止日期格式应为 YYYY-MM-DD", status_code=422)
    except XinyongError as exc:
        session.rollback()
        if exc.status_code in (403, 404) or _no_department(who):
            raise
        return _page(request, session, who, dept_code, error=exc.zh, status_code=exc.status_code)
    return _page(request, session, who, dept_code, result=result)


@router.post("/checks/push/subscriptions/remove", response_class=HTMLResponse, summary="取消订阅",
             description="取消本部门对一个信用主体的订阅，回到收件箱。")
def unsubscribe_submit(request: Request, session: SessionDep, who: Official,
                       subject_id: Annotated[int, Form(ge=1, le=MAX_ID)],
                       department: Annotated[str, Form(max_length=18)] = "") -> Response:
    dept = push.department_of(session, who, department or None)
    r = push.unsubscribe(session, dept, subject_ids=[subject_id])
    from xinyong.audit.service import log_event

    log_event(session, who=who, action="delete", entity="push_subscription", entity_id=dept.code,
              subject_id=subject_id, after={"removed": r.removed}, **request_meta(request))
    session.commit()
    return RedirectResponse(f"/checks/push?department={dept.code}" if who.role == "admin" else "/checks/push",
                            status_code=303)


@router.get("/checks/push/monitor", response_class=HTMLResponse, summary="实时推送监控",
            description="本辖区各部门的推送消息：按日、按事件、按部门的数量（ECharts），送达率、确认率、从生成到确认的用时中位数，可导出 XLSX。")
def monitor_page(request: Request, session: SessionDep, who: Overseer) -> Response:
    s = push.statistics(session, region=who.region_code)
    days = [d for d, _ in s.by_day][-60:]
    by_day = dict(s.by_day)
    totals = {k: sum(c.get(k, 0) for _, c in s.by_day) for k in PUSH_EVENTS}
    return render(request, "push/monitor.html", {
        "active": "/checks/push", "s": s, "events": PUSH_EVENTS, "totals": totals, "duration": duration,
        "days": [(d, by_day[d]) for d in days],
        "day_chart": {"labels": days, "values": [sum(by_day[d].values()) for d in days], "name": "推送消息"},
        "event_chart": {"labels": list(PUSH_EVENTS.values()), "values": list(totals.values()), "name": "推送消息",
                        "horizontal": True},
        "department_chart": {"labels": [r["name"] for r in s.by_department[:15]],
                             "values": [r["total"] for r in s.by_department[:15]], "name": "推送消息",
                             "horizontal": True},
    })
