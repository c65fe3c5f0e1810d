"""API: checks for departments' systems (``POST /api/v1/checks``), their feedback, batches
(upload, progress, result file) and statistics. Translates HTTP to :mod:`xinyong.checks.service`.
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path as FsPath
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, File, Form, Path, Request, UploadFile
from fastapi.responses import FileResponse, Response

from xinyong.accounts.access import allow
from xinyong.accounts.principal import Principal
from xinyong.audit.deps import AuditDep
from xinyong.catalog.deps import PolicyDep
from xinyong.catalog.service import policy_by_id
from xinyong.checks import jobs
from xinyong.checks import service as checks
from xinyong.checks.schemas import BatchOut, CheckIn, CheckOut, FeedbackIn, StatsOut
from xinyong.core.errors import Forbidden, NotFound
from xinyong.core.http import MAX_ID, SessionDep, error_responses, xlsx_response

router = APIRouter()
TAG = "联合奖惩核查"
Checker = Annotated[Principal, allow("checker", "admin")]
Overseer = Annotated[Principal, allow("admin", "supervisor")]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _request_meta(request: Request) -> dict:
    return {"request_id": getattr(request.state, "request_id", None),
            "ip": request.client.host if request.client else None}


@router.post("/checks", tags=[TAG], response_model=CheckOut, status_code=201, summary="核查一个信用主体",
             description=(
                 "按应用场景核查一个信用主体（统一社会信用代码或公民身份号码，精确匹配）：命中的信用记录和名单、"
                 "适用的措施（对谁、是否强制）、建议结论（场景用语，如 取消报考资格/不予录用、通过、容缺受理）。"
                 "核查机构、企业时列出措施延伸到的责任人；核查个人时一并给出其作为法定代表人、主要负责人等所负责的"
                 "机构、企业所受的措施。每次核查记入日志并返回核查编号，用于反馈。"),
             responses=error_responses(403, 404, 422))
def check(request: Request, session: SessionDep, who: Checker, body: CheckIn) -> CheckOut:
    # no PolicyDep: the check reads the active version in its own first statement, and a
    # synchronous dependency fewer is a trip through the thread pool fewer
    result = checks.check_one(session, scenario=body.scenario, code=body.code, purpose=body.purpose, who=who,
                              **_request_meta(request))
    out = CheckOut.build(result, result.policy)
    session.commit()
    return out


@router.post("/checks/batches", tags=[TAG], response_model=BatchOut, status_code=202, summary="批量核查（上传名单）",
             description="上传 XLSX 或 CSV 名单（姓名/名称、统一社会信用代码或公民身份号码，无代码的行给出地区和出生日期），"
                         "最多 100,000 行；后台集合比对，返回批次，按批次查询进度并下载结果文件。",
             responses=error_responses(403, 404, 422))
def upload_batch(session: SessionDep, who: Checker, file: Annotated[UploadFile, File(description="XLSX 或 CSV")],
                 scenario: Annotated[str, Form(max_length=60)], purpose: Annotated[str, Form(max_length=500)]) -> BatchOut:
    received = jobs.receive(file.filename or "", file.file)  # a bad file is refused here (422), nothing stored
    try:
        batch = checks.create_batch(session, scenario=scenario, purpose=purpose, who=who, file_name=file.filename or "")
        session.commit()
    except BaseException:
        jobs.discard(received)
        raise
    jobs.start(batch.id, jobs.place(received, batch.id), who)
    return BatchOut.build(batch)


def _batch(session, who: Principal, batch_id: int):
    batch = checks.get_batch(session, batch_id)
    if who.via != "cli" and batch.username != who.username and not (who.role == "admin" and who.covers(batch.region_code)):
        raise Forbidden("只能查看本人发起或本辖区的核查批次", "a batch is seen by whoever ran it or the region's admin")
    return batch


@router.get("/checks/batches/{batch_id}", tags=[TAG], response_model=BatchOut, summary="批量核查进度",
            description="批次状态（排队中、核查中、已完成、失败）、进度百分比和命中数；完成后给出结果文件地址。",
            responses=error_responses(403, 404))
def batch_status(session: SessionDep, who: Checker, batch_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> BatchOut:
    return BatchOut.build(_batch(session, who, batch_id))


@router.get("/checks/batches/{batch_id}/result.xlsx", tags=[TAG], summary="下载批量核查结果",
            description="结果 XLSX：每行一个候选人（姓名、代码脱敏）、匹配方式、建议结论、强制性措施、命中措施、核查编号。"
                        "每次下载记入审计日志。",
            response_class=Response, responses={**xlsx_response("核查结果 XLSX 文件"), **error_responses(403, 404)})
def batch_result(session: SessionDep, audit: AuditDep, who: Checker,
                 batch_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> FileResponse:
    batch = _batch(session, who, batch_id)
    if batch.status != "done" or not batch.result_path or not FsPath(batch.result_path).is_file():
        raise NotFound("结果文件尚未生成", "the result file is not ready")
    audit.download("check_batch_result", batch.total, entity_id=batch.id)
    return FileResponse(batch.result_path, filename=f"核查结果-{batch.id}.xlsx", media_type=XLSX)


@router.get("/checks/stats", tags=[TAG], response_model=StatsOut, summary="核查统计",
            description="按场景、部门、地区（市）、月份统计核查次数和命中次数；命中率、反馈率、措施执行情况。"
                        "督导考核人员、信用办管理员可见（限本辖区）。", responses=error_responses(403))
def stats(session: SessionDep, policy: PolicyDep, who: Overseer, since: date | None = None,
          until: date | None = None) -> StatsOut:
    s = checks.statistics(session, region=who.region_code, since=since, until=until)
    out = StatsOut.build(s, policy.policy)
    out.since, out.until = since, until
    return out


@router.get("/checks/stats.xlsx", tags=[TAG], summary="导出核查统计（XLSX）",
            description="与核查统计相同的内容，分表导出。", response_class=Response,
            responses={**xlsx_response("核查统计 XLSX 文件"), **error_responses(403)})
def stats_xlsx(session: SessionDep, policy: PolicyDep, who: Overseer, background: BackgroundTasks,
               since: date | None = None, until: date | None = None) -> FileResponse:
    s = checks.statistics(session, region=who.region_code, since=since, until=until)
    tmp = FsPath(tempfile.mkstemp(suffix=".xlsx")[1])
    checks.statistics_xlsx(s, policy.policy, tmp)
    background.add_task(tmp.unlink, missing_ok=True)
    return FileResponse(tmp, filename="核查统计.xlsx", media_type=XLSX)


@router.get("/checks/{check_id}", tags=[TAG], response_model=CheckOut, summary="核查结果",
            description="一次核查的结果（按核查时的政策清单版本）及反馈情况；本辖区的核查人员、管理员可见。",
            responses=error_responses(403, 404))
def get_check(session: SessionDep, who: Checker, check_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> CheckOut:
    c = checks.get_check(session, check_id)
    checks.ensure_sees(who, c)
    result = checks.stored_result(session, c)
    return CheckOut.build(result, policy_by_id(session, c.policy_version_id))


@router.post("/checks/{check_id}/feedback", tags=[TAG], response_model=CheckOut, summary="反馈核查结果的应用",
             description="发起核查的人员反馈措施的执行情况：已执行、部分执行（逐项说明）或未执行（说明理由）。",
             responses=error_responses(403, 404, 422))
def feedback(session: SessionDep, who: Checker, check_id: Annotated[int, Path(ge=1, le=MAX_ID)], body: FeedbackIn) -> CheckOut:
    c = checks.feedback(session, check_id, action=body.action, note=body.note, who=who, measures=body.measures)
    out = CheckOut.build(checks.stored_result(session, c), policy_by_id(session, c.policy_version_id))
    session.commit()
    return out

