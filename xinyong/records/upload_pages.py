"""Web pages for a department reporter: 数据报送 — download the XLSX template of a category,
upload a file of credit records, see what became of it, and download the error report. Included
by :mod:`xinyong.records.pages`.

The request only checks what is cheap (type, size, an empty or mislabelled file: refused at once
with a 4xx), stores the file and queues its import (:mod:`xinyong.records.import_jobs`); a job
worker imports it, as ``xinyong import`` does — one transaction, so a failure leaves nothing
half-stored — and the upload's page polls the job for its progress and shows the import report
when it is done. A large or hostile file thus never holds a web worker.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Path, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse
from starlette.responses import Response

from xinyong.accounts.access import allow
from xinyong.accounts.principal import Principal
from xinyong.audit.deps import AuditDep
from xinyong.catalog.deps import PolicyDep
from xinyong.core import work
from xinyong.core.errors import NotFound, XinyongError
from xinyong.core.http import MAX_ID, SessionDep
from xinyong.core.settings import get_settings
from xinyong.core.templating import render
from xinyong.records import import_jobs, uploads
from xinyong.records.template import template_bytes

router = APIRouter(include_in_schema=False)
REPORTERS = ("reporter",)
VIEWERS = ("reporter", "admin")
JOB_VIEWERS = ("reporter", "admin", "auditor")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FIRST_ERRORS = 20  # errors shown on the batch page; the report has them all


def _form(request: Request, session, policy, who: Principal, *, error: str | None = None,
          status_code: int = 200) -> Response:
    cats = [c for c in policy.policy.catalog.categories if c.code in who.categories]
    return render(request, "records/upload.html", {
        "who": who,
        "categories": cats,
        "department_name": uploads.department_name(session, who.department_code),
        "batches": uploads.batches_of(session, who.department_code, limit=20),
        "error": error,
        "max_mb": get_settings().max_request_mb,
    }, status_code=status_code)


@router.get("/records/upload", response_class=HTMLResponse, summary="数据报送页",
            description="部门报送员上传信用记录文件（CSV、XLSX、JSON Lines），并查看本部门最近的导入批次。")
def upload_page(request: Request, session: SessionDep, policy: PolicyDep,
                who: Annotated[Principal, allow(*REPORTERS)]) -> Response:
    return _form(request, session, policy, who)


@router.post("/records/upload", response_class=HTMLResponse, summary="上传信用记录文件",
             description="保存上传的文件并排队导入，转到上传进度页；类型、大小不符或空文件在原页面说明原因。")
def upload_file(
    request: Request,
    session: SessionDep,
    policy: PolicyDep,
    who: Annotated[Principal, allow(*REPORTERS)],
    file: Annotated[UploadFile, File(description="CSV、XLSX 或 JSON Lines 文件")],
    category: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    if category and category not in who.categories:
        return _form(request, session, policy, who, error="本部门未获准报送该类信用记录", status_code=403)
    path = None
    try:
        path = uploads.save_upload(file.file, file.filename or "")
        job = import_jobs.queue_upload(session, path, original_name=file.filename or path.name, who=who,
                                       category=category or None)
        session.commit()
        path = None  # the queue owns it
    except XinyongError as exc:
        session.rollback()
        return _form(request, session, policy, who, error=exc.zh, status_code=exc.status_code)
    finally:
        if path is not None:
            uploads.discard_upload(path)
    work.after_commit(job.id)
    return RedirectResponse(f"/records/uploads/{job.id}", status_code=303)


@router.get("/records/uploads/{job_id}", response_class=HTMLResponse, summary="上传进度",
            description="一个上传文件的导入进度（排队中、处理中、已完成、失败；已处理行数），完成后显示导入结果，失败时说明原因。"
                        "页面每秒刷新进度；htmx 请求只返回进度部分。")
def upload_progress(request: Request, session: SessionDep, who: Annotated[Principal, allow(*JOB_VIEWERS)],
                    job_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> Response:
    job = import_jobs.job_for(session, job_id, who)
    done, total = work.progress_of(job)
    context = {"job": job, "done": done, "total": total,
               "percent": 100 if job.state == "done" else (int(100 * done / total) if total else 0)}
    if request.headers.get("HX-Request"):
        return render(request, "records/_upload_progress.html", context, headers={"Vary": "HX-Request"})
    return render(request, "records/upload_job.html", context, headers={"Vary": "HX-Request"})


@router.get("/records/templates/{category}.xlsx", summary="下载导入模板",
            description="一类信用记录的 XLSX 导入模板：按数据目录生成的中文表头（必填黄色、选填灰色，表头批注说明填写要求）、"
                        "下拉选项、文本格式的号码列和填写说明。模板只含公开的数据目录，任何人可下载。")
def template_download(policy: PolicyDep, who: Annotated[Principal, allow(public=True)],
                      category: Annotated[str, Path(max_length=100)]) -> Response:
    cat = policy.policy.category(category)
    if cat is None:
        raise NotFound(f"未知的记录类别“{category}”，请从政策清单页选择", f"unknown category {category!r}")
    body = template_bytes(policy.policy, cat, version_label=policy.policy.meta.label)
    name = f"{cat.name}-导入模板.xlsx"
    return Response(body, media_type=XLSX, headers={
        "Content-Disposition": f"attachment; filename=\"{cat.code}-template.xlsx\"; filename*=UTF-8''{quote(name)}",
    })


@router.get("/records/batches/{batch_id}", response_class=HTMLResponse, summary="导入批次结果",
            description="一个导入批次的结果：总行数、新增、更新、未变化、退回，前 20 条错误（行号、列名、原值、说明），以及错误报告下载。")
def batch_page(request: Request, session: SessionDep, who: Annotated[Principal, allow(*VIEWERS)],
               batch_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> Response:
    batch = uploads.batch_for(session, batch_id, who)
    report = uploads.report_file(batch.id)
    return render(request, "records/batch.html", {
        "batch": batch, "has_report": report.is_file(), "errors": uploads.first_errors(batch.id, FIRST_ERRORS),
    })


@router.get("/records/batches/{batch_id}/errors.xlsx", summary="下载错误报告",
            description="导入批次的错误报告（XLSX）：行号、列名、原值、错误说明。因身份证号码以外的原因退回的行，"
                        "其身份证号码脱敏；每次下载记入审计日志。")
def batch_report(session: SessionDep, audit: AuditDep, who: Annotated[Principal, allow(*VIEWERS)],
                 batch_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> Response:
    batch = uploads.batch_for(session, batch_id, who)
    report = uploads.report_file(batch.id)
    if not report.is_file():
        raise NotFound("该批次没有错误报告（全部行已接收）", "this batch has no error report")
    audit.download("import_error_report", uploads.rows_in_report(report), entity_id=batch.id)
    stem = (batch.file_name or f"batch-{batch.id}").rsplit(".", 1)[0]
    return FileResponse(report, filename=f"{stem}.errors.xlsx", media_type=XLSX)
