"""Authorisation-matrix cases for commitments (format: tests/accounts/matrix.py).

The credit office and reporting departments register commitments and record their outcomes,
within their region (a subject outside it: the row is refused, 422; a commitment outside it:
403); every official reads them within the region; the public list is open to all."""

from __future__ import annotations

from datetime import date
from itertools import count

from tests.accounts.matrix import OFFICIALS, Case, expect, only
from xinyong.core.codes import make_uscc

REGISTRARS = ("admin", "reporter")
NOBODY = only((), public=401)
_serial = count(1)


def _enterprise(w, where):
    from sqlalchemy import select

    from xinyong.subjects.models import Subject

    return w.db.scalar(select(Subject).where(Subject.code == w.ref("enterprise", where)))


def _code(where) -> str:
    return f"{'330106' if where == 'in' else '330203'}20200101{next(_serial) + 500000:06d}"


def _body(w, where):
    firm = _enterprise(w, where)
    return {"code": _code(where), "kind": "告知承诺", "subject_code": firm.code, "subject_name": firm.name,
            "matter": "矩阵测试", "content": "限期补齐材料", "accepting_unit": "矩阵受理单位",
            "accepting_code": make_uscc("11", "330100", "00270009"), "made_on": "2020-01-01", "due_on": "2030-01-01"}


def _commitment(w, where) -> int:
    from xinyong.commitments.models import Commitment

    firm = _enterprise(w, where)
    c = Commitment(code=_code(where), kind="notification", subject_id=firm.id, region_code=firm.region_code,
                   matter="矩阵测试", content="限期补齐材料", accepting_unit="矩阵受理单位",
                   accepting_code=make_uscc("11", "330100", "00270009"), disclosure="public",
                   made_on=date(2020, 1, 1), due_on=date(2030, 1, 1), status="in_force", created_by="matrix")
    w.db.add(c)
    w.db.commit()
    return c.id


def fresh(w, where):
    return {"commitment_id": _commitment(w, where)}


def _task(w, where) -> int:
    """A rectification task on the "in" (杭州) or "out" (宁波) enterprise record: the access rule
    reads the task's region only."""
    from xinyong.commitments.rectification_models import Rectification

    def make() -> int:
        firm = _enterprise(w, where)
        t = Rectification(record_id=w.record("enterprise", where), body_id=firm.id, region_code=firm.region_code,
                          category_code="admin_penalty", act_date=date(2026, 1, 5), opened_on=date(2026, 1, 6),
                          due_on=date(2030, 1, 1), status="open", persons_done=False)
        w.db.add(t)
        w.db.commit()
        return t.id

    return w.once(f"rectification:{where}", make)


def task(w, where):
    return {"task_id": _task(w, where)}


def region(w, where):
    return {"region": w.region(where)}


CASES = [
    Case("GET", "/api/v1/commitments", query=region, expect=only(OFFICIALS), out=NOBODY),
    Case("POST", "/api/v1/commitments", json=_body, expect=only(REGISTRARS, 201), out=only(REGISTRARS, 422)),
    Case("GET", "/api/v1/commitments/template.xlsx", expect=only(REGISTRARS)),
    Case("POST", "/api/v1/commitments/import", expect=only(REGISTRARS, 422), note="no file: 422 once admitted"),
    Case("GET", "/api/v1/commitments/export.xlsx", query=region, expect=only(OFFICIALS), out=NOBODY),
    Case("POST", "/api/v1/commitments/{commitment_id}/status", params=fresh,
         json=lambda w, where: {"status": "fulfilled", "reason": "按期补齐"}, expect=only(REGISTRARS), out=NOBODY),
    Case("GET", "/api/v1/commitments/rates", expect=only(OFFICIALS)),
    Case("GET", "/commitments/public", expect=expect(200)),
    Case("GET", "/commitments", query=region, expect=only(OFFICIALS), out=NOBODY),
    Case("POST", "/commitments", expect=only(REGISTRARS, 422), note="no file: 422 once admitted"),
    Case("POST", "/commitments/{commitment_id}/status", params=fresh,
         form=lambda w, where: {"status": "fulfilled", "reason": "按期补齐"}, expect=only(REGISTRARS, 303), out=NOBODY),
    Case("GET", "/api/v1/rectifications", expect=only((*OFFICIALS, "subject")),
         note="a subject sees only its own body's tasks"),
    Case("GET", "/api/v1/rectifications/board", expect=only(OFFICIALS)),
    Case("GET", "/api/v1/rectifications/{task_id}", params=task, expect=only(OFFICIALS), out=NOBODY),
    Case("POST", "/api/v1/rectifications/{task_id}/steps", params=task,
         json=lambda w, where: {"step": "progress", "note": "矩阵测试进展"}, expect=only(("admin",)), out=NOBODY,
         note="the body itself or the credit office; the matrix subject is a person, not the body"),
    Case("GET", "/commitments/rectifications", expect=only(OFFICIALS)),
    Case("GET", "/commitments/rectifications/{task_id}", params=task, expect=only(OFFICIALS), out=NOBODY),
    Case("POST", "/commitments/rectifications/{task_id}/steps", params=task,
         form=lambda w, where: {"step": "progress", "note": "矩阵测试进展"}, expect=only(("admin",), 303), out=NOBODY),
    Case("GET", "/commitments/bodies/{ref}", params=lambda w, where: {"ref": w.ref("enterprise", where)},
         expect=only(OFFICIALS), out=NOBODY),
]
