"""Uploaded files imported by a job worker (:mod:`xinyong.core.work`), not inside the request:
the page and the API store the file and queue a ``records.import`` job; the worker imports it as
the reporter who sent it (the same :func:`xinyong.records.uploads.import_upload` the request
used to call) and records the import report as the job's result. A file that cannot be read
fails the job with the same Chinese message the page used to show at once."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from xinyong.accounts.principal import Principal
from xinyong.core import spool, work
from xinyong.core.db import get_engine, session_factory
from xinyong.core.errors import Forbidden, NotFound, XinyongError
from xinyong.records import uploads
from xinyong.records.readers import FileUnusable

KIND = "records.import"


def queue_upload(session: Session, saved: Path, *, original_name: str, who: Principal,
                 category: str | None) -> work.WorkJob:
    """Move a saved upload where its job finds it, and queue the job (the caller commits, then
    calls :func:`xinyong.core.work.after_commit`)."""
    target = work.files_folder() / saved.name
    spool.moved(saved, target)
    spool.release(target)  # the queue owns it now: work.sweep_files keeps it while its job waits
    return work.enqueue(session, KIND, {
        "files": [target.name], "original_name": original_name, "category": category,
        "user_id": who.user_id, "username": who.username, "role": who.role, "region_code": who.region_code,
        "department_code": who.department_code, "categories": sorted(who.categories), "via": who.via,
    }, created_by=who.username, region_code=who.region_code)


@work.handler(KIND)
def run_import(ctx: work.Context) -> dict:
    from xinyong.records.write_api import reporter_scope

    p = ctx.payload
    who = Principal(user_id=p.get("user_id"), username=p["username"], role=p.get("role"),
                    region_code=p.get("region_code"), department_code=p.get("department_code"),
                    categories=frozenset(p.get("categories") or ()), via=p.get("via") or "session")
    path = work.payload_file(p)
    with session_factory(get_engine())() as session:
        try:
            result = uploads.import_upload(
                session, path, original_name=p.get("original_name") or path.name, scope=reporter_scope(who, session),
                department_name=uploads.department_name(session, who.department_code),
                category=p.get("category"), user=who.label,
                progress=lambda rows: ctx.progress(rows, None),
            )
            session.commit()
        except FileUnusable as exc:
            session.rollback()
            raise work.JobFailed(f"文件无法导入，未存入任何数据：{exc.zh}") from None
        except XinyongError as exc:
            session.rollback()
            raise work.JobFailed(f"未存入任何数据：{exc.zh}") from None
    summary = result.summary()
    summary["has_report"] = bool(result.rejected)
    summary["first_errors"] = [list(e) for e in uploads.first_errors(result.batch_id, 20)]
    return summary


def job_for(session: Session, job_id: int, who: Principal) -> work.WorkJob:
    """An import job, for the reporter who sent it, or an administrator or auditor whose region
    covers the sender's. Anyone else's job does not exist for a reporter (404); outside an
    administrator's or auditor's region it is refused (403)."""
    job = session.get(work.WorkJob, job_id)
    if job is None or job.kind != KIND:
        raise NotFound(f"上传任务 {job_id} 不存在", f"upload job {job_id} not found")
    if who.role in ("admin", "auditor"):
        if not who.covers(job.region_code):
            raise Forbidden("该上传任务不在您的地区权限范围内", f"job {job_id} is outside {who.label}'s region")
        return job
    if job.created_by != who.username:
        raise NotFound(f"上传任务 {job_id} 不存在", f"upload job {job_id} not found")
    return job
