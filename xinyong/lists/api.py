"""API: the published lists (public, masked), their XLSX export, and the credit office's
decisions — listing by decision, removal, the subject's statement and its decision, refresh."""

from __future__ import annotations

import tempfile
from pathlib import Path as FsPath
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Path, Query, Request
from fastapi.responses import FileResponse, Response

from xinyong.accounts.access import allow, ensure_region
from xinyong.accounts.principal import Principal
from xinyong.audit.deps import AuditDep
from xinyong.catalog.deps import PolicyDep
from xinyong.core.errors import Forbidden
from xinyong.core.http import MAX_ID, SessionDep, error_responses, xlsx_response
from xinyong.lists import exports
from xinyong.lists import service as lists
from xinyong.lists.schemas import (
    EntryOut,
    IncludeIn,
    PublishedEntryOut,
    PublishedPage,
    RefreshOut,
    RemoveIn,
    StatementDecisionIn,
    StatementIn,
)
from xinyong.subjects.models import Subject

router = APIRouter()
TAG = "红黑名单"
Anyone = Annotated[Principal, allow(public=True)]
Admin = Annotated[Principal, allow("admin")]
ListKindQ = Annotated[str | None, Query(description="blacklist 严重失信主体名单 / redlist 红名单 / watchlist 重点关注名单",
                                        pattern="^(blacklist|redlist|watchlist)$")]
RegionQ = Annotated[str | None, Query(description="行政区划代码（含下级）", pattern=r"^\d{6}$")]
EntryId = Annotated[int, Path(ge=1, le=MAX_ID, description="名单记录编号")]


@router.get("/lists", tags=[TAG], response_model=PublishedPage, summary="公示名单",
            description="在列的红名单、严重失信主体名单、重点关注名单（公开发布的），自然人姓名和身份证号码脱敏；"
                        "未登录的公众和信用主体看不到自然人（自然人只能按身份证号码和姓名查询）；"
                        "可按名单和地区筛选，按列入日期倒序分页。")
def published(session: SessionDep, policy: PolicyDep, who: Anyone, list_kind: ListKindQ = None, region: RegionQ = None,
              limit: Annotated[int, Query(ge=1, le=200)] = 50, offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0) -> PublishedPage:
    rows, total = lists.published(session, list_kind=list_kind, region=region, limit=limit, offset=offset,
                                  kinds=exports.public_kinds(policy.policy), persons=who.is_official)
    return PublishedPage(total=total, limit=limit, offset=offset,
                         entries=[PublishedEntryOut.build(r.entry, r.subject, policy.policy) for r in rows])


@router.get("/lists/export.xlsx", tags=[TAG], summary="导出公示名单（XLSX）",
            description="与公示名单相同的内容（脱敏），整表导出为 XLSX，流式写出；含自然人时记入审计日志。", response_class=Response,
            responses={**xlsx_response("公示名单 XLSX 文件"), **error_responses(422)})
def export(session: SessionDep, policy: PolicyDep, audit: AuditDep, who: Anyone, background: BackgroundTasks,
           list_kind: ListKindQ = None, region: RegionQ = None) -> FileResponse:
    tmp = FsPath(tempfile.mkstemp(suffix=".xlsx")[1])
    tally: dict[str, int] = {}
    exports.write_xlsx(session, policy.policy, tmp, list_kind=list_kind, region=region, tally=tally,
                       with_persons=who.is_official)
    if tally["persons"]:  # masked, but still persons' names: the file leaves the platform
        audit.download("published_list_export", tally["persons"], entity_id=list_kind or "all")
    background.add_task(tmp.unlink, missing_ok=True)
    return FileResponse(tmp, filename=exports.file_name(policy.policy, list_kind),
                        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _full(session, policy, entry) -> EntryOut:
    return EntryOut.full(entry, session.get(Subject, entry.subject_id), policy.policy, lists.history(session, entry.id))


@router.get("/lists/entries/{entry_id}", tags=[TAG], response_model=EntryOut, summary="名单记录及其历史",
            description="一条名单记录的全部信息和历史（拟列入、告知、陈述申辩、列入、移出），信用办管理员可见（限本辖区）。",
            responses=error_responses(403, 404))
def get_entry(session: SessionDep, policy: PolicyDep, who: Admin, entry_id: EntryId) -> EntryOut:
    entry = lists.get_entry(session, entry_id)
    ensure_region(who, entry.region_code)
    return _full(session, policy, entry)


@router.post("/lists/entries", tags=[TAG], response_model=EntryOut, status_code=201, summary="按决定列入名单",
             description="按决定书列入名单：写明决定文书号、决定机关和日期；惩戒类名单须写明告知日期，"
                         "并已听取陈述申辩或陈述申辩期已满（条例第二十八条）。",
             responses=error_responses(403, 404, 422))
def include(session: SessionDep, policy: PolicyDep, who: Admin, audit: AuditDep, body: IncludeIn) -> EntryOut:
    entry = lists.include(session, by=who.username, **body.model_dump())
    ensure_region(who, entry.region_code)
    audit.event(action="create", entity="list_entry", entity_id=entry.id, subject_id=entry.subject_id,
                after={"list_kind": entry.list_kind, "decision_no": entry.decision_no})
    out = _full(session, policy, entry)
    session.commit()
    return out


@router.post("/lists/entries/{entry_id}/removal", tags=[TAG], response_model=EntryOut, summary="移出名单",
             description="按决定或因信用修复移出名单（写明文书号）。", responses=error_responses(403, 404, 422))
def remove(session: SessionDep, policy: PolicyDep, who: Admin, audit: AuditDep, entry_id: EntryId, body: RemoveIn) -> EntryOut:
    ensure_region(who, lists.get_entry(session, entry_id).region_code)
    entry = lists.remove(session, entry_id, reason=body.reason, by=who.username, decision_no=body.decision_no, note=body.note)
    audit.event(action="update", entity="list_entry", entity_id=entry.id, subject_id=entry.subject_id,
                after={"status": "removed", "reason": body.reason, "decision_no": body.decision_no})
    out = _full(session, policy, entry)
    session.commit()
    return out


@router.post("/lists/entries/{entry_id}/statement", tags=[TAG], response_model=EntryOut, summary="陈述申辩",
             description="拟列入（告知期内）的主体陈述申辩：主体本人或代为登记的信用办管理员提交；列入待处理后再定。",
             responses=error_responses(403, 404, 422))
def state_case(session: SessionDep, policy: PolicyDep, who: Annotated[Principal, allow("admin", "subject")],
               audit: AuditDep, entry_id: EntryId, body: StatementIn) -> EntryOut:
    entry = lists.get_entry(session, entry_id)
    if who.role == "subject":
        if not who.owns(entry.subject_id):
            raise Forbidden("只能对本人的名单记录陈述申辩", "a subject states its case on its own listing only")
    else:
        ensure_region(who, entry.region_code)
    entry = lists.state_case(session, entry_id, statement=body.statement, by=who.username)
    audit.event(action="update", entity="list_entry", entity_id=entry.id, subject_id=entry.subject_id,
                after={"statement": True})
    out = _full(session, policy, entry)
    session.commit()
    return out


@router.post("/lists/entries/{entry_id}/statement-decision", tags=[TAG], response_model=EntryOut,
             summary="处理陈述申辩", description="陈述申辩成立的不予列入；不成立的，告知期满后列入生效。",
             responses=error_responses(403, 404, 422))
def decide_statement(session: SessionDep, policy: PolicyDep, who: Admin, audit: AuditDep, entry_id: EntryId,
                     body: StatementDecisionIn) -> EntryOut:
    ensure_region(who, lists.get_entry(session, entry_id).region_code)
    entry = lists.decide_statement(session, entry_id, accepted=body.accepted, by=who.username, note=body.note)
    audit.event(action="update", entity="list_entry", entity_id=entry.id, subject_id=entry.subject_id,
                after={"statement_result": entry.statement_result})
    out = _full(session, policy, entry)
    session.commit()
    return out


@router.post("/lists/refresh", tags=[TAG], response_model=RefreshOut, summary="按规则更新名单",
             description="按行为清单规则更新名单（拟列入、告知期满生效、期满或修复撤销后移出），集合运算，可重复执行。",
             responses=error_responses(403))
def refresh(request: Request, session: SessionDep, who: Admin, audit: AuditDep) -> RefreshOut:
    result = lists.refresh(session, by=who.username)
    audit.event(action="update", entity="lists", after=result.summary())
    session.commit()
    return RefreshOut(**result.summary())
