"""API: the real-time push (实时推送) for departments' business systems — pull their messages,
acknowledge them, listen to the event stream, manage subscriptions — and for the credit office:
webhook endpoints and statistics. Translates HTTP to :mod:`xinyong.push.service`.

The event stream (``GET /push/stream``) is Server-Sent Events: it polls the outbox every
``push_poll_seconds``, sends each new message as an event whose ``id`` is the message id (so a
reconnecting ``EventSource`` resumes with ``Last-Event-ID``), a comment as a heartbeat when it
has been quiet, and ends after ``wait`` seconds (``push_stream_seconds`` at most) or when the
client goes away; the client reconnects. Each poll runs in a worker thread with a session of its
own, so a long-lived stream holds no connection between polls.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
from pathlib import Path as FsPath
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Header, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, Response, StreamingResponse

from xinyong.accounts.access import allow
from xinyong.accounts.models import Department
from xinyong.accounts.principal import Principal
from xinyong.audit.deps import AuditDep
from xinyong.core.db import session_factory
from xinyong.core.http import MAX_ID, SessionDep, error_responses, request_meta, xlsx_response
from xinyong.core.settings import get_settings
from xinyong.push import service as push
from xinyong.push.schemas import (
    AckIn,
    AckOut,
    EndpointIn,
    EndpointOut,
    PushMessageOut,
    PushPage,
    PushStatsOut,
    SubscribeIn,
    SubscribeOut,
    SubscriptionOut,
    SubscriptionPage,
    UnsubscribeIn,
    UnsubscribeOut,
)

router = APIRouter()
TAG = "实时推送"
Official = Annotated[Principal, allow(*push.PUSH_ROLES)]
Admin = Annotated[Principal, allow("admin")]
Overseer = Annotated[Principal, allow("admin", "supervisor")]
DepartmentQ = Annotated[str | None, Query(max_length=18, description="部门的统一社会信用代码：管理员须指定；本部门人员可省略")]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STREAM_BATCH = 100
HEARTBEAT_SECONDS = 15.0



@router.get("/push/messages", tags=[TAG], response_model=PushPage, summary="拉取推送消息",
            description=(
                "本部门的推送消息（列入/移出名单、新增信用记录、信用记录变更），按编号从 `after` 之后起，最多 `limit` 条；"
                "返回即记为已送达。部门核查人员、报送员取本部门的；信用办管理员以 `department` 指定本辖区的部门。"
                "自然人的消息每次读取记入审计日志。处理后以 `POST /api/v1/push/ack` 确认。"),
            responses=error_responses(403, 404, 422))
def pull(request: Request, session: SessionDep, who: Official, department: DepartmentQ = None,
         after: Annotated[int, Query(ge=0, le=MAX_ID, description="上次取到的最后一条消息编号")] = 0,
         limit: Annotated[int, Query(ge=1, le=push.MAX_PAGE)] = 100) -> PushPage:
    dept = push.department_of(session, who, department)
    rows = push.messages(session, dept, after=after, limit=limit)
    shown = push.subjects_of(session, rows)
    push.deliver(session, rows, who, channel="pull", shown=shown, **request_meta(request))
    out = PushPage(department=dept.code, messages=[PushMessageOut.build(m, shown.get(m.subject_id)) for m in rows],
                   next_after=rows[-1].id if rows else after, unacked=push.unacked_count(session, dept))
    session.commit()
    return out


@router.post("/push/ack", tags=[TAG], response_model=AckOut, summary="确认推送消息",
             description="确认本部门已处理（实施或解除措施）的消息；他部门的、已确认的编号不计。",
             responses=error_responses(403, 404, 422))
def ack(session: SessionDep, who: Official, body: AckIn) -> AckOut:
    dept = push.department_of(session, who, body.department)
    n = push.ack(session, dept, body.ids)
    out = AckOut(acked=n, unacked=push.unacked_count(session, dept))
    session.commit()
    return out


def _poll(dept: Department, cursor: int, who: Principal, meta: dict) -> list[dict]:
    """One look at the outbox for the stream, in a session of its own: the next messages after
    ``cursor``, marked delivered (and their reads logged), as dicts ready to send."""
    with session_factory()() as session:
        rows = push.messages(session, dept, after=cursor, limit=STREAM_BATCH)
        if not rows:
            return []
        shown = push.subjects_of(session, rows)
        push.deliver(session, rows, who, channel="stream", shown=shown, **meta)
        out = [push.message_dict(m, shown.get(m.subject_id)) for m in rows]
        session.commit()
        return out


async def _events(request: Request, dept: Department, who: Principal, cursor: int, wait: float, meta: dict):
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    poll = get_settings().push_poll_seconds
    yield "retry: 3000\n\n"  # EventSource reconnects after 3 s (with Last-Event-ID)
    quiet_since = loop.time()
    while True:
        if await request.is_disconnected():
            return
        batch = await run_in_threadpool(_poll, dept, cursor, who, meta)
        for item in batch:
            cursor = item["id"]
            yield f"id: {item['id']}\nevent: {item['event']}\ndata: {json.dumps(item, ensure_ascii=False)}\n\n"
        now = loop.time()
        if batch:
            quiet_since = now
            if len(batch) >= STREAM_BATCH:
                continue  # more waiting: no sleep
        if now >= deadline:
            return
        if now - quiet_since >= HEARTBEAT_SECONDS:
            yield ": keep-alive\n\n"
            quiet_since = now
        await asyncio.sleep(min(poll, max(deadline - now, 0)))


@router.get("/push/stream", tags=[TAG], summary="推送消息流（Server-Sent Events）",
            description=(
                "`text/event-stream`：本部门的新消息一到即送出（事件名为消息类型，`id` 为消息编号，`data` 为消息 JSON），"
                "每 `push_poll_seconds` 秒查看一次；安静时发送注释作心跳。断线重连时浏览器带 `Last-Event-ID` 续传，"
                "也可用 `after` 指定起点。连接保持 `wait` 秒（默认且至多为 `push_stream_seconds`）后结束，客户端重连即可；"
                "`wait=0` 只送出已有的消息。"),
            responses={200: {"content": {"text/event-stream": {}}, "description": "事件流"},
                       **error_responses(403, 404, 422)})
async def stream(request: Request, session: SessionDep, who: Official, department: DepartmentQ = None,
                 after: Annotated[int | None, Query(ge=0, le=MAX_ID, description="从此编号之后开始")] = None,
                 wait: Annotated[int | None, Query(ge=0, le=3600, description="连接保持的秒数")] = None,
                 last_event_id: Annotated[str | None, Header(max_length=20)] = None) -> StreamingResponse:
    dept = await run_in_threadpool(push.department_of, session, who, department)
    # give the request's connection back now: the stream may last minutes, and each poll opens
    # a session of its own (close detaches the department, with its attributes loaded)
    await run_in_threadpool(session.close)
    cursor = after or 0
    if last_event_id and last_event_id.strip().isdigit():
        cursor = max(cursor, min(int(last_event_id.strip()), MAX_ID))
    limit = get_settings().push_stream_seconds
    seconds = float(limit if wait is None else min(wait, limit))
    return StreamingResponse(
        _events(request, dept, who, cursor, seconds, request_meta(request)), media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.get("/push/subscriptions", tags=[TAG], response_model=SubscriptionPage, summary="本部门的订阅",
            description="本部门主动订阅的信用主体（名称、代码脱敏），按订阅时间倒序分页。曾核查的主体自动关注，不在此列。",
            responses=error_responses(403, 404, 422))
def list_subscriptions(request: Request, session: SessionDep, who: Official, department: DepartmentQ = None,
                       limit: Annotated[int, Query(ge=1, le=push.MAX_PAGE)] = 50,
                       offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0) -> SubscriptionPage:
    dept = push.department_of(session, who, department)
    rows, total = push.subscriptions(session, dept, limit=limit, offset=offset)
    shown = push.subjects_of(session, [s for s, _ in rows])
    push.log_reads(session, [], who, what="push_subscription", channel="api", subscriptions=[s for s, _ in rows],
                   shown=shown, **request_meta(request))
    out = SubscriptionPage(department=dept.code, total=total, limit=limit, offset=offset,
                           subscriptions=[SubscriptionOut.build(s, shown[s.subject_id]) for s, _ in rows])
    session.commit()
    return out


@router.post("/push/subscriptions", tags=[TAG], response_model=SubscribeOut, status_code=201, summary="订阅信用主体",
             description=(
                 "按统一社会信用代码或公民身份号码（精确匹配，逐个校验）订阅：这些主体列入或移出名单、新增或变更信用记录时，"
                 "本部门即收到推送。返回每个代码对应的主体编号（消息以此标识主体）、已订阅的、平台无此主体的和校验不通过的代码。"),
             responses=error_responses(403, 404, 422))
def subscribe(session: SessionDep, who: Official, audit: AuditDep, body: SubscribeIn) -> SubscribeOut:
    dept = push.department_of(session, who, body.department)
    result = push.subscribe(session, dept, body.codes, by=who.username, ends_on=body.ends_on)
    audit.event(action="create", entity="push_subscription", entity_id=dept.code,
                after={"added": len(result.added), "existing": len(result.existing), "unknown": len(result.unknown),
                       "invalid": len(result.invalid), "ends_on": body.ends_on})
    session.commit()
    return SubscribeOut.build(dept.code, result)


@router.delete("/push/subscriptions", tags=[TAG], response_model=UnsubscribeOut, summary="取消订阅",
               description="按代码或主体编号取消本部门的订阅（请求体为 JSON）。", responses=error_responses(403, 404, 422))
def unsubscribe(session: SessionDep, who: Official, audit: AuditDep, body: UnsubscribeIn) -> UnsubscribeOut:
    dept = push.department_of(session, who, body.department)
    r = push.unsubscribe(session, dept, codes=body.codes, subject_ids=body.subject_ids)
    audit.event(action="delete", entity="push_subscription", entity_id=dept.code, after={"removed": r.removed})
    session.commit()
    return UnsubscribeOut(removed=r.removed, unknown=r.unknown, invalid=r.invalid)


@router.put("/push/endpoint", tags=[TAG], response_model=EndpointOut, summary="设置部门的推送地址（Webhook）",
            description=(
                "信用办管理员为本辖区的部门设置接收推送的地址和签名密钥（不给则生成，仅此一次返回，平台加密保存）。"
                "`xinyong push deliver` 将新消息以 JSON POST 到该地址，请求头 `X-Xinyong-Signature: hmac-sm3=<十六进制>` "
                "为以密钥对请求体计算的 HMAC-SM3；失败按指数退避重试。"),
            responses=error_responses(403, 404, 422))
def set_endpoint(session: SessionDep, who: Admin, audit: AuditDep, body: EndpointIn) -> EndpointOut:
    dept = push.department_of(session, who, body.department)
    ep, secret = push.set_endpoint(session, dept, body.url, by=who.username, secret=body.secret, active=body.active)
    audit.event(action="update", entity="push_endpoint", entity_id=dept.code, after={"url": ep.url, "active": ep.active})
    session.commit()
    return EndpointOut(department=dept.code, url=ep.url, active=ep.active, secret=secret)


@router.get("/push/stats", tags=[TAG], response_model=PushStatsOut, summary="推送统计",
            description="推送消息按日、按事件、按部门的数量，送达率、确认率、从生成到确认的用时中位数；"
                        "督导考核人员、信用办管理员可见（限本辖区的部门）。", responses=error_responses(403))
def stats(session: SessionDep, who: Overseer) -> PushStatsOut:
    return PushStatsOut.build(push.statistics(session, region=who.region_code))


@router.get("/push/stats.xlsx", tags=[TAG], summary="导出推送统计（XLSX）", description="与推送统计相同的内容，分表导出。",
            response_class=Response, responses={**xlsx_response("推送统计 XLSX 文件"), **error_responses(403)})
def stats_xlsx(session: SessionDep, who: Overseer, background: BackgroundTasks) -> FileResponse:
    s = push.statistics(session, region=who.region_code)
    tmp = FsPath(tempfile.mkstemp(suffix=".xlsx")[1])
    push.statistics_xlsx(s, tmp)
    background.add_task(tmp.unlink, missing_ok=True)
    return FileResponse(tmp, filename="推送统计.xlsx", media_type=XLSX)
