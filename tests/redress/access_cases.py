"""Authorisation-matrix cases for objections (format: tests/accounts/matrix.py).

A subject files against its own records and reads its own cases; the credit office
(administrator) of the record's region files on a subject's behalf (with the written
application), reads the region's cases and takes every step. Everyone else: 403; the public:
401. Each case that changes state gets a fresh record or objection per call."""

from __future__ import annotations

from tests.accounts.matrix import Case, expect, only

OWN = only(("subject", "admin"))  # in region: the subject's own case, the region's office
NONE_OUT = only((), public=401)  # out of region: another subject's case, another region's office
ADMIN = only(("admin",))
SUBJECT = only(("subject",))


def _fresh_record(w, where) -> int:
    from tests.lists.helpers import record
    from xinyong.subjects.models import Subject

    r = record(w.db, w.db.get(Subject, w.subject_ids[where]), "judicial_judgment", "general")
    w.db.commit()
    return r.id


def _case(w, where, steps=()) -> int:
    """A fresh objection on a fresh record of the person in or out of the region, filed by the
    office on the person's behalf and taken through ``steps``."""
    from tests.redress.helpers import PDF
    from xinyong.accounts.principal import cli_principal
    from xinyong.redress import service as objections

    office = cli_principal("matrix")
    case = objections.file_objection(w.db, office, record_id=_fresh_record(w, where), grounds="fact_error",
                                     reasons="矩阵测试", uploads=[objections.Upload("申请.pdf", PDF, "application")])
    for step in steps:
        objections.take_step(w.db, office, case.id, step, outcome="kept", reasons="矩阵测试")
    w.db.commit()
    return case.id


def _kept_case(w, where) -> int:
    return w.once(f"objection-{where}", lambda: _case(w, where))


def _attachment(w, where) -> dict:
    from xinyong.redress import service as objections

    case_id = _kept_case(w, where)
    return {"id": case_id, "attachment_id": objections.attachments(w.db, case_id)[0].id}


def _filing(w, where) -> dict:
    return {"record_id": _fresh_record(w, where), "grounds": "fact_error", "reasons": "矩阵测试"}


# The office filing without the scanned application: 422 in its region (403 outside it, first).
FILE_IN = expect(403, public=401, subject=201, admin=422)
PAGE_FILE_IN = expect(403, public=401, subject=303, admin=422)

CASES = [
    Case("POST", "/api/v1/objections", form=_filing, expect=FILE_IN, out=NONE_OUT),
    Case("GET", "/api/v1/objections", expect=OWN),
    Case("GET", "/api/v1/objections/{id}", params=lambda w, where: {"id": _kept_case(w, where)},
         expect=OWN, out=NONE_OUT),
    Case("GET", "/api/v1/objections/{id}/attachments/{attachment_id}", params=_attachment, expect=OWN, out=NONE_OUT),
    Case("POST", "/api/v1/objections/{id}/accept", params=lambda w, where: {"id": _case(w, where)}, json=lambda w, where: {},
         expect=ADMIN, out=NONE_OUT),
    Case("POST", "/api/v1/objections/{id}/refuse", params=lambda w, where: {"id": _case(w, where)},
         json=lambda w, where: {"reasons": "矩阵测试"}, expect=ADMIN, out=NONE_OUT),
    Case("POST", "/api/v1/objections/{id}/send", params=lambda w, where: {"id": _case(w, where, ["accept"])},
         json=lambda w, where: {}, expect=ADMIN, out=NONE_OUT),
    Case("POST", "/api/v1/objections/{id}/decide", params=lambda w, where: {"id": _case(w, where, ["accept"])},
         json=lambda w, where: {"outcome": "kept", "reasons": "矩阵测试"}, expect=ADMIN, out=NONE_OUT),
    Case("POST", "/api/v1/objections/{id}/close", params=lambda w, where: {"id": _case(w, where, ["accept", "decide"])},
         json=lambda w, where: {}, expect=ADMIN, out=NONE_OUT),
    Case("GET", "/my/objections", expect=SUBJECT),
    Case("GET", "/objections", expect=ADMIN),
    Case("GET", "/objections/new", query=lambda w, where: {"record": w.record("person_withheld", where)},
         expect=OWN, out=NONE_OUT),
    Case("POST", "/objections/new", form=_filing, expect=PAGE_FILE_IN, out=NONE_OUT),
    Case("GET", "/objections/{id}", params=lambda w, where: {"id": _kept_case(w, where)}, expect=OWN, out=NONE_OUT),
    Case("POST", "/objections/{id}/steps", params=lambda w, where: {"id": _case(w, where)},
         form=lambda w, where: {"action": "accept"}, expect=expect(403, public=401, admin=303), out=NONE_OUT),
]
