"""API: supervision inputs (上级督查考核、人大建议政协提案、司法建议、万人评议、第三方评价) and the
supervisor's board (:mod:`xinyong.supervision.service`).

Written by the credit office and the supervisors (a superior government's assessors), each row
within the caller's region (a row outside it is refused in the answer's errors); read by
supervisors, auditors and the credit office within their region.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Path, Query, Request, Response, UploadFile

from xinyong.accounts.access import allow
from xinyong.accounts.principal import Principal
from xinyong.core.clock import today
from xinyong.core.errors import InvalidInput
from xinyong.core.http import XLSX, SessionDep, error_responses, request_meta, xlsx_response
from xinyong.supervision import service
from xinyong.supervision.export import export_bytes
from xinyong.supervision.schemas import (
    BoardOut,
    ImportOut,
    SupervisionBatchIn,
    SupervisionOut,
    SupervisionPage,
)

router = APIRouter()
TAG = "政务诚信监督"
WRITERS = ("admin", "supervisor")
READERS = ("admin", "supervisor", "auditor")
Writer = Annotated[Principal, allow(*WRITERS)]
Reader = Annotated[Principal, allow(*READERS)]
Kind = Annotated[str, Path(pattern="^(inspections|proposals|judicial|appraisals|ratings)$",
                           description="inspections 督查考核 / proposals 建议提案 / judicial 司法建议 / "
                                       "appraisals 万人评议 / ratings 第三方评价")]
MAX_UPLOAD = 20 * 1024 * 1024



@router.get("/supervision/board", tags=[TAG], response_model=BoardOut, summary="督查看板",
            description="按地区汇总某年度各类监督信息条数、逾期未答复的司法建议（不限年度，逾期最久的在前）、"
                        "人大代表建议和政协提案的按时办结率、采纳率、满意率，以及各单位最近的万人评议得分。",
            responses=error_responses(401, 403, 422))
def board(session: SessionDep, who: Reader,
          year: Annotated[int | None, Query(ge=2000, le=2100, description="年度（默认今年）")] = None) -> BoardOut:
    day = today()
    return BoardOut.build(service.board(session, region=who.region_code, year=year or day.year, today=day))


@router.get("/supervision/{kind}/template.xlsx", tags=[TAG], summary="下载监督信息导入模板（XLSX）",
            description="中文表头、每列的填写说明、固定取值的下拉列表和填写说明页。", response_class=Response,
            responses={**xlsx_response("导入模板 XLSX 文件"), **error_responses(401, 403, 422)})
def template(who: Writer, kind: Kind) -> Response:
    return Response(service.template_bytes(kind), media_type=XLSX,
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''supervision-{kind}.xlsx"})


@router.get("/supervision/{kind}/export.xlsx", tags=[TAG], summary="导出监督信息（XLSX）",
            description="调用者地区范围内该类监督信息（可按年度），列与导入模板相同，司法建议附逾期天数；至多 10 万行。",
            response_class=Response,
            responses={**xlsx_response("监督信息 XLSX 文件"), **error_responses(401, 403, 422)})
def export(session: SessionDep, who: Reader, kind: Kind,
           year: Annotated[int | None, Query(ge=2000, le=2100, description="年度")] = None) -> Response:
    data, _ = export_bytes(session, kind, region=who.region_code, today=today(), year=year)
    return Response(data, media_type=XLSX,
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''supervision-{kind}.xlsx"})


@router.post("/supervision/{kind}/import", tags=[TAG], response_model=ImportOut, summary="导入监督信息（XLSX）",
             description="按模板填写的 XLSX：每行单独校验，错误行给出行号、列名和原因；正确的行在一个事务中写入；"
                         "同一条再次报送即更新（记入审计日志，含修改前后）。",
             responses=error_responses(401, 403, 422))
async def import_file(request: Request, session: SessionDep, who: Writer, kind: Kind,
                      file: Annotated[UploadFile, File(description="XLSX 文件")]) -> ImportOut:
    data = await file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise InvalidInput("文件过大（上限 20MB）", "file too large", field="file")
    rows = service.read_xlsx(kind, data)
    result = service.import_rows(session, kind, rows, who=who, today=today(), **request_meta(request))
    session.commit()
    return ImportOut.build(result)


@router.post("/supervision/{kind}", tags=[TAG], response_model=ImportOut, summary="报送监督信息（批量）",
             description="与 XLSX 导入相同的列和校验；`errors` 给出每个错误行的行号、列名和原因。",
             responses=error_responses(401, 403, 422))
def post_rows(request: Request, session: SessionDep, who: Writer, kind: Kind, body: SupervisionBatchIn) -> ImportOut:
    rows = [r.model_dump() for r in body.rows]
    result = service.import_rows(session, kind, rows, who=who, today=today(), **request_meta(request))
    session.commit()
    return ImportOut.build(result)


@router.get("/supervision/{kind}", tags=[TAG], response_model=SupervisionPage, summary="监督信息列表",
            description="调用者地区范围内某类监督信息，按年度倒序；司法建议附逾期天数（日历日，按当天计）。",
            responses=error_responses(401, 403, 422))
def list_inputs(session: SessionDep, who: Reader, kind: Kind,
                year: Annotated[int | None, Query(ge=2000, le=2100, description="年度")] = None,
                body: Annotated[str | None, Query(max_length=40, description="单位统一社会信用代码")] = None,
                limit: Annotated[int, Query(ge=1, le=500)] = 100,
                offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0) -> SupervisionPage:
    total, items = service.listing(session, kind, region=who.region_code, today=today(), year=year, body=body,
                                   limit=limit, offset=offset)
    return SupervisionPage(total=total, items=[SupervisionOut.build(x) for x in items])
