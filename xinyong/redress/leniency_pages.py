"""Web page of self-corrections (自我纠错) for leniency, reached from a record's page: the
record's corrections (in force and revoked), what each kind earns under the measures list, the
form the credit office or the source department fills to record one (with an evidence file),
and revocation. Included by :mod:`xinyong.redress.pages`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response

from xinyong.accounts.access import allow
from xinyong.accounts.principal import Principal
from xinyong.audit.deps import AuditDep
from xinyong.catalog.deps import PolicyDep
from xinyong.core.errors import XinyongError
from xinyong.core.http import MAX_ID, SessionDep
from xinyong.core.templating import render
from xinyong.redress import leniency
from xinyong.redress.leniency_api import log_read, record_of
from xinyong.redress.leniency_schemas import SelfCorrectionOut
from xinyong.subjects.models import Subject

router = APIRouter(include_in_schema=False)
Actor = Annotated[Principal, allow("admin", "reporter")]
RecordId = Annotated[int, Query(ge=1, le=MAX_ID)]


def _page(request, session, policy, who, audit, record_id: int, *, error: str | None = None, status_code: int = 200,
          values: dict | None = None) -> Response:
    record = record_of(session, record_id)
    leniency.ensure_reads(who, record)
    log_read(audit, who, session, record, "self_corrections", record.id)
    p = policy.policy
    cat = p.category(record.category_code)
    subject = session.get(Subject, record.subject_id)
    kinds = leniency.kinds(p)
    earns = {code: leniency.earns(p, code, subject.kind if subject else "") for code in kinds}
    return render(request, "redress/self_corrections.html", {
        "active": "/self-corrections", "record": record, "category": cat.name if cat else record.category_code,
        "corrections": [SelfCorrectionOut.build(c, p) for c in leniency.of_record(session, record.id)],
        "kinds": kinds, "earns": earns, "error": error, "v": values or {},
    }, status_code=status_code)


@router.get("/self-corrections", response_class=HTMLResponse, summary="自我纠错（从轻、减轻、免于惩戒）",
            description="一条失信记录（`?record=`）的自我纠错登记：已登记的（含撤销的）、各类型按措施清单可以从轻的措施，"
                        "以及信用办或认定部门登记新的自我纠错的表单。")
def page(request: Request, session: SessionDep, policy: PolicyDep, who: Actor, audit: AuditDep,
         record: RecordId) -> Response:
    return _page(request, session, policy, who, audit, record)


@router.post("/self-corrections", response_class=HTMLResponse, summary="登记自我纠错（表单）",
             description="登记一项自我纠错；成功后回到该记录的自我纠错页，出错时在原页面说明原因，不作任何改动。")
async def submit(
    request: Request, session: SessionDep, policy: PolicyDep, who: Actor, audit: AuditDep,
    record_id: Annotated[int, Form(ge=1, le=MAX_ID)],
    kind: Annotated[str, Form(max_length=30)] = "",
    note: Annotated[str, Form(max_length=4000)] = "",
    corrected_on: Annotated[str, Form(max_length=10)] = "",
    evidence: Annotated[UploadFile | None, File()] = None,
) -> Response:
    from datetime import date

    from starlette.concurrency import run_in_threadpool

    from xinyong.redress.leniency_api import get_limit

    given = None
    if evidence is not None and (evidence.filename or evidence.size):
        given = (evidence.filename or "证明材料", await evidence.read(get_limit() + 1))

    def run() -> Response:
        try:
            try:
                day = date.fromisoformat(corrected_on) if corrected_on.strip() else None
            except ValueError:
                from xinyong.core.errors import InvalidInput

                raise InvalidInput(f"纠错日期“{corrected_on}”不是有效日期，请按 2026-12-01 的格式填写",
                                   "corrected_on is not a date", field="corrected_on") from None
            leniency.record_correction(session, who, record_id=record_id, kind=kind, corrected_on=day, note=note,
                                       evidence=given, policy=policy.policy, request_id=audit.request_id, ip=audit.ip)
            session.commit()
        except XinyongError as exc:
            session.rollback()
            if exc.status_code in (403, 404):
                raise
            return _page(request, session, policy, who, audit, record_id, error=exc.zh, status_code=exc.status_code,
                         values={"kind": kind, "note": note, "corrected_on": corrected_on})
        return RedirectResponse(f"/self-corrections?record={record_id}", status_code=303)

    return await run_in_threadpool(run)


@router.post("/self-corrections/{id}/revoke", response_class=HTMLResponse, summary="撤销自我纠错登记（表单）",
             description="撤销一项自我纠错登记（须写明理由）；成功后回到该记录的自我纠错页，出错时在原页面说明原因。")
def revoke_submit(request: Request, session: SessionDep, policy: PolicyDep, who: Actor, audit: AuditDep,
                  id: Annotated[int, Path(ge=1, le=MAX_ID)],
                  reasons: Annotated[str, Form(max_length=4000)] = "") -> Response:
    c = leniency.get(session, id)
    record_id = c.record_id
    try:
        leniency.revoke(session, who, id, reasons=reasons, request_id=audit.request_id, ip=audit.ip)
        session.commit()
    except XinyongError as exc:
        session.rollback()
        if exc.status_code in (403, 404):
            raise
        return _page(request, session, policy, who, audit, record_id, error=exc.zh, status_code=exc.status_code)
    return RedirectResponse(f"/self-corrections?record={record_id}", status_code=303)
