"""The audit log over the API: the auditor's listing and chain check, a subject's readers."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from xinyong.accounts.access import allow
from xinyong.accounts.principal import Principal
from xinyong.audit import anchors, service
from xinyong.audit.schemas import EntryOut, EntryPage, ReadOut, ReadsPage, VerdictOut
from xinyong.core.errors import Forbidden
from xinyong.core.http import MAX_ID, SessionDep, error_responses

router = APIRouter(prefix="/audit", tags=["审计日志"])

Auditor = Annotated[Principal, allow("auditor")]
SubjectUser = Annotated[Principal, allow("subject")]


@router.get(
    "/entries",
    response_model=EntryPage,
    summary="审计日志",
    description=(
        "审计员查阅审计日志（新的在前），可按用户、信用主体编号（含一条记录涉及的多个主体）、操作、对象和日期筛选。"
        "每条记录含哈希链字段（prev_hash、hash）。仅审计员可用；市、县审计员只看到本地区用户的操作（按操作人所属地区），"
        "省级审计员看到全部。"
    ),
    responses=error_responses(401, 403, 422),
)
def list_entries(
    session: SessionDep,
    who: Auditor,
    user: Annotated[str | None, Query(max_length=100, description="用户名")] = None,
    subject_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="信用主体编号")] = None,
    action: Annotated[str | None, Query(max_length=20, description="操作：read、create、update、import …")] = None,
    entity: Annotated[str | None, Query(max_length=50, description="对象：credit_file、record …")] = None,
    date_from: Annotated[date | None, Query(description="起始日期（含）")] = None,
    date_to: Annotated[date | None, Query(description="截止日期（含）")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> EntryPage:
    f = service.EntryFilter(username=user or None, subject_id=subject_id, action=action or None,
                            entity=entity or None, date_from=date_from, date_to=date_to,
                            within=service.scope_of(who))
    rows = service.entries(session, f, limit=limit, offset=offset)
    links = service.linked_subjects(session, [e.seq for e in rows])
    return EntryPage(total=service.count(session, f), limit=limit, offset=offset,
                     entries=[EntryOut.of(e, links.get(e.seq, [])) for e in rows])


@router.get(
    "/verify",
    response_model=VerdictOut,
    summary="校验审计日志哈希链",
    description="逐条校验审计日志的 SM3 哈希链并与库外的签名锚点比对，指出第一个被篡改或删除的条目（含从末尾截断的）。仅审计员可用。",
    responses=error_responses(401, 403),
)
def verify_chain(session: SessionDep, who: Auditor) -> VerdictOut:
    v = anchors.verify(session)
    return VerdictOut(ok=v.ok, checked=v.checked, first_bad_seq=v.first_bad_seq, problem=v.problem,
                      message=v.zh, message_en=v.en)


@router.get(
    "/my-readers",
    response_model=ReadsPage,
    summary="谁查询了我的信用档案",
    description="信用主体本人查看谁（用户、角色）在何时、出于什么目的查阅、核查了自己的信用档案和信用记录或查看了完整身份证号码（含涉及多个主体的批量核查、推送消息查阅）。仅信用主体本人可用。",
    responses=error_responses(401, 403),
)
def my_readers(
    session: SessionDep,
    who: SubjectUser,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> ReadsPage:
    if who.subject_id is None:
        raise Forbidden("该账户未关联信用主体", "this account is not linked to a credit subject")
    rows = service.readers_of(session, who.subject_id, limit=limit, offset=offset)
    return ReadsPage(subject_id=who.subject_id, total=service.count_readers(session, who.subject_id),
                     reads=[ReadOut.of(e) for e in rows])
