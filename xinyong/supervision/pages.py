"""Web pages: 督查看板 (the supervisor's board) and one page per supervision input — its rows
within the reader's region, the template to download and the upload (:mod:`xinyong.supervision.service`).

The board is in the menu of the supervisors (督导考核人员), the auditors and the credit office;
the input pages are reached from its tabs, each with its XLSX export. The board ends with the
sections other packages register (:mod:`xinyong.supervision.hooks`: the governments' rankings). The upload is the same call as the API's (each row
checked whole, the good rows written in one transaction); a workbook is at most
:data:`xinyong.supervision.service.MAX_ROWS` rows, so it runs within the request.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Path, Query, Request, UploadFile
from fastapi.responses import HTMLResponse
from starlette.responses import Response

from xinyong.accounts.access import allow
from xinyong.accounts.principal import Principal
from xinyong.core.clock import today
from xinyong.core.errors import InvalidInput, XinyongError
from xinyong.core.http import XLSX, SessionDep
from xinyong.core.templating import add_nav, render
from xinyong.supervision import hooks, service
from xinyong.supervision.export import export_bytes
from xinyong.supervision.models import KINDS, SHORT_NAMES

router = APIRouter(include_in_schema=False)
add_nav("督查看板", "/supervision", order=52)

WRITERS = ("admin", "supervisor")
Writer = Annotated[Principal, allow(*WRITERS)]
Reader = Annotated[Principal, allow("admin", "supervisor", "auditor")]
Kind = Annotated[str, Path(pattern="^(inspections|proposals|judicial|appraisals|ratings)$", description="监督信息类别")]
Year = Annotated[int | None, Query(ge=2000, le=2100, description="年度")]
MAX_UPLOAD = 20 * 1024 * 1024
ERRORS_SHOWN = 100
PAGE = 100


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"


@router.get("/supervision", response_class=HTMLResponse, summary="督查看板",
            description="本地区各类监督信息的年度汇总、逾期未答复的司法建议、建议提案办理情况和万人评议得分。")
def board_page(request: Request, session: SessionDep, who: Reader, year: Year = None) -> Response:
    day = today()
    b = service.board(session, region=who.region_code, year=year or day.year, today=day)
    chart = {"labels": [r.region_name for r in b.regions], "values": [r.total for r in b.regions],
             "name": f"{b.year}年监督信息条数", "horizontal": len(b.regions) > 8}
    return render(request, "supervision/board.html", {
        "active": "/supervision", "tab": "board", "b": b, "kinds": KINDS, "short": SHORT_NAMES, "chart": chart,
        "pct": _pct, "rates": b.rates(), "years": list(range(day.year, day.year - 6, -1)),
        "sections": hooks.sections(session, who.region_code),
    })


def _inputs_context(who: Principal, kind: str, **extra) -> dict:
    return {"active": "/supervision", "tab": kind, "kind": kind, "kind_name": KINDS[kind], "kinds": KINDS,
            "short": SHORT_NAMES, "columns": service.FIELDS[kind], "guide": service.GUIDES[kind],
            "can_import": who.role in WRITERS, "result": None, "error": None, "errors_shown": ERRORS_SHOWN,
            "max_rows": service.MAX_ROWS, **extra}


def _listed(session, who: Principal, kind: str, year: int | None, offset: int) -> dict:
    total, rows = service.listing(session, kind, region=who.region_code, today=today(), year=year, limit=PAGE,
                                  offset=offset)
    return {"total": total, "rows": rows, "year": year, "offset": offset, "page": PAGE}


@router.get("/supervision/{kind}", response_class=HTMLResponse, summary="监督信息",
            description="某类监督信息：本地区的记录（司法建议标出逾期未答复），下载模板并上传导入。")
def inputs_page(request: Request, session: SessionDep, who: Reader, kind: Kind, year: Year = None,
                offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0) -> Response:
    return render(request, "supervision/inputs.html",
                  _inputs_context(who, kind, **_listed(session, who, kind, year, offset)))


@router.get("/supervision/{kind}/template.xlsx", summary="下载监督信息导入模板",
            description="中文表头、填写说明、下拉列表的 XLSX 模板。")
def template_download(who: Writer, kind: Kind) -> Response:
    name = quote(f"{KINDS[kind]}导入模板.xlsx")
    return Response(service.template_bytes(kind), media_type=XLSX,
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"})


@router.get("/supervision/{kind}/export.xlsx", summary="导出监督信息",
            description="本地区该类监督信息的 XLSX（列与导入模板相同，可修改后再导入；司法建议附逾期天数）。")
def export_download(session: SessionDep, who: Reader, kind: Kind, year: Year = None) -> Response:
    data, _ = export_bytes(session, kind, region=who.region_code, today=today(), year=year)
    name = quote(f"{KINDS[kind]}{year or ''}.xlsx")
    return Response(data, media_type=XLSX, headers={"Content-Disposition": f"attachment; filename*=UTF-8''{name}"})


@router.post("/supervision/{kind}", response_class=HTMLResponse, summary="导入监督信息",
             description="上传按模板填写的 XLSX：每行单独校验，退回的行列出行号、列名和原因，正确的行在一个事务中写入。")
async def inputs_import(request: Request, session: SessionDep, who: Writer, kind: Kind,
                        file: Annotated[UploadFile, File(description="XLSX 文件")]) -> Response:
    try:
        data = await file.read(MAX_UPLOAD + 1)
        if len(data) > MAX_UPLOAD:
            raise InvalidInput("文件过大（上限 20MB），请分成几个文件上传", "file too large", field="file")
        if not data:
            raise InvalidInput("上传的文件是空的", "the file is empty", field="file")
        rows = service.read_xlsx(kind, data)
        result = service.import_rows(session, kind, rows, who=who, today=today(),
                                     request_id=getattr(request.state, "request_id", None),
                                     ip=request.client.host if request.client else None)
        session.commit()
    except XinyongError as exc:
        session.rollback()
        return render(request, "supervision/inputs.html",
                      _inputs_context(who, kind, error=f"文件未能导入，未写入任何数据：{exc.zh}",
                                      **_listed(session, who, kind, None, 0)), status_code=exc.status_code)
    return render(request, "supervision/inputs.html",
                  _inputs_context(who, kind, result=result, **_listed(session, who, kind, None, 0)))
