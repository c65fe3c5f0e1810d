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


# --- credit repair (信用修复) ------------------------------------------------------------------
# The same access as objections. A repair case is made directly (the matrix tests who may call a
# route, not the conditions, which tests/redress/test_repairs.py walks), on a fresh record, so
# an approval in one call cannot make the next filing a repeat.


def _repair_record(w, where) -> int:
    from datetime import date

    from tests.lists.helpers import record
    from xinyong.core.clock import today
    from xinyong.subjects.models import Subject

    decided = date(2020, 1, 1)
    r = record(w.db, w.db.get(Subject, w.subject_ids[where]), "admin_penalty", "general", decided=decided,
               days_shown=(today() - decided).days + 365)
    w.db.commit()
    return r.id


def _repair(w, where, steps=()) -> int:
    from tests.redress.helpers import PDF
    from xinyong.accounts.principal import cli_principal
    from xinyong.core.clock import today
    from xinyong.records.models import Record
    from xinyong.redress import files, repairs
    from xinyong.redress import repair_rules as rules
    from xinyong.redress.models import Repair, RepairAttachment

    r = w.db.get(Record, _repair_record(w, where))
    case = Repair(subject_id=r.subject_id, record_id=r.id, region_code=r.region_code, category_code="matrix",
                  severity=r.severity, reasons="矩阵测试", filed_by="matrix", on_behalf=True, filed_on=today(),
                  status="filed", conditions=[], commitment_text=rules.COMMITMENT_TEXT, commitment_signed_on=today(),
                  accept_due=rules.accept_due(today()).due, ended_entries=[])
    w.db.add(case)
    w.db.flush()
    stored = files.store("申请.pdf", PDF)
    w.db.add(RepairAttachment(repair_id=case.id, kind="application", file_name=stored.file_name,
                              media_type=stored.media_type, size=stored.size, sha256=stored.sha256, uploaded_by="matrix"))
    for step in steps:
        repairs.take_step(w.db, cli_principal("matrix"), case.id, step, reasons="矩阵测试")
    w.db.commit()
    return case.id


def _kept_repair(w, where) -> int:
    return w.once(f"repair-{where}", lambda: _repair(w, where))


def _repair_attachment(w, where) -> dict:
    from xinyong.redress import repairs

    case_id = _kept_repair(w, where)
    return {"id": case_id, "attachment_id": repairs.attachments(w.db, case_id)[0].id}


def _repair_filing(w, where) -> dict:
    return {"record_id": _repair_record(w, where), "reasons": "矩阵测试", "commitment": "true"}


# Without the documents the filing is refused in the region (422), outside it 403 first.
REPAIR_FILE_IN = expect(403, public=401, subject=422, admin=422)


def _step_case(step: str, before=(), body=None) -> Case:
    return Case("POST", f"/api/v1/repairs/{{id}}/{step}", params=lambda w, where: {"id": _repair(w, where, before)},
                json=lambda w, where: body or {}, expect=ADMIN, out=NONE_OUT)


CASES += [
    Case("GET", "/api/v1/records/{id}/repair-conditions", params=lambda w, where: {"id": _repair_record(w, where)},
         expect=OWN, out=NONE_OUT),
    Case("POST", "/api/v1/repairs", form=_repair_filing, expect=REPAIR_FILE_IN, out=NONE_OUT),
    Case("GET", "/api/v1/repairs", expect=OWN),
    Case("GET", "/api/v1/repairs/{id}", params=lambda w, where: {"id": _kept_repair(w, where)}, expect=OWN, out=NONE_OUT),
    Case("GET", "/api/v1/repairs/{id}/attachments/{attachment_id}", params=_repair_attachment, expect=OWN,
         out=NONE_OUT),
    _step_case("accept"),
    _step_case("refuse", body={"reasons": "矩阵测试"}),
    _step_case("approve", ["accept"]),
    _step_case("reject", ["accept"], {"reasons": "矩阵测试"}),
    _step_case("revoke", ["accept", "approve"], {"reasons": "矩阵测试"}),
    Case("GET", "/my/repairs", expect=SUBJECT),
    Case("GET", "/repairs", expect=ADMIN),
    Case("GET", "/repairs/new", query=lambda w, where: {"record": _repair_record(w, where)}, expect=OWN, out=NONE_OUT),
    Case("POST", "/repairs/new", form=_repair_filing, expect=REPAIR_FILE_IN, out=NONE_OUT),
    Case("GET", "/repairs/{id}", params=lambda w, where: {"id": _kept_repair(w, where)}, expect=OWN, out=NONE_OUT),
    Case("POST", "/repairs/{id}/steps", params=lambda w, where: {"id": _repair(w, where)},
         form=lambda w, where: {"action": "accept"}, expect=expect(403, public=401, admin=303), out=NONE_OUT),
]


# --- complaints (投诉举报) ---------------------------------------------------------------------
# Filing, tracking, rating and the statistics are public (every caller alike). A complaint "in"
# is routed to the matrix reporter's department in Hangzhou (so the department and the credit
# office of the region reply); one "out" goes to Ningbo's credit office. Each state-changing call
# gets a fresh complaint.

EVERYONE = expect(200, public=200)
HANDLERS = only(("admin", "reporter"))
COMPLAINT_REGION = {"in": "330100", "out": "330200"}


def _complaint(w, where, steps=(), **named) -> int:
    from xinyong.accounts.models import User
    from xinyong.accounts.principal import PUBLIC, cli_principal
    from xinyong.redress import complaints

    c, code = complaints.file_complaint(w.db, PUBLIC, target_kind="gov_body", body_name="矩阵测试局",
                                        behaviour="gov_arrears_to_enterprises", account="矩阵测试",
                                        region=COMPLAINT_REGION[where], **named)
    if where == "in":
        c.department_code = w.db.get(User, w.users["reporter"]).department_code
        c.department_name = "矩阵测试部门"
    for step in steps:
        complaints.take_step(w.db, cli_principal("matrix"), c.id, step, finding="substantiated", reply="矩阵测试")
    w.db.commit()
    w._once[f"complaint-code-{c.id}"] = code
    return c.id


def _complaint_code(w, where, steps=()) -> str:
    case_id = _complaint(w, where, steps)
    return w._once[f"complaint-code-{case_id}"]


def _kept_complaint(w, where) -> int:
    return w.once(f"complaint-{where}", lambda: _complaint(w, where))


def _filing_json(w, where) -> dict:
    return {"target_kind": "gov_body", "body_name": "矩阵测试局", "behaviour": "gov_arrears_to_enterprises",
            "account": "矩阵测试", "region": COMPLAINT_REGION[where]}


def _complaint_step(step: str, before=(), body=None, ok=HANDLERS) -> Case:
    return Case("POST", f"/api/v1/complaints/{{id}}/{step}", params=lambda w, where: {"id": _complaint(w, where, before)},
                json=lambda w, where: body or {}, expect=ok, out=NONE_OUT)


CASES += [
    Case("POST", "/api/v1/complaints", json=_filing_json, expect=expect(201, public=201)),
    Case("POST", "/api/v1/complaints/track", json=lambda w, where: {"code": _complaint_code(w, where)}, expect=EVERYONE),
    Case("POST", "/api/v1/complaints/rate",
         json=lambda w, where: {"code": _complaint_code(w, where, ["reply"]), "rating": "satisfied"}, expect=EVERYONE),
    Case("GET", "/api/v1/complaints/stats", expect=EVERYONE),
    Case("GET", "/api/v1/complaints/template.xlsx", expect=ADMIN),
    Case("POST", "/api/v1/complaints/import", expect=only(("admin",), 422), note="no file: 422 once admitted"),
    Case("GET", "/api/v1/complaints", expect=HANDLERS),
    Case("GET", "/api/v1/complaints/{id}", params=lambda w, where: {"id": _kept_complaint(w, where)}, expect=HANDLERS,
         out=NONE_OUT),
    Case("POST", "/api/v1/complaints/{id}/reveal",
         params=lambda w, where: {"id": _complaint(w, where, anonymous=False, name="矩阵测试", phone="13900000000")},
         json=lambda w, where: {"purpose": "矩阵测试"}, expect=HANDLERS, out=NONE_OUT),
    _complaint_step("reply", body={"finding": "partly", "reply": "矩阵测试"}),
    _complaint_step("reject", body={"reasons": "矩阵测试"}),
    _complaint_step("close", ["reply"], ok=ADMIN),
    _complaint_step("record", ["reply"], body={"decision_no": "矩阵测试"}, ok=only(("admin",), 422)),
    Case("GET", "/complaints/new", expect=EVERYONE),
    Case("POST", "/complaints/new", form=lambda w, where: {**_filing_json(w, where), "anonymous": "1"},
         expect=expect(201, public=201)),
    Case("GET", "/complaints/track", expect=EVERYONE),
    Case("POST", "/complaints/track", form=lambda w, where: {"code": _complaint_code(w, where)}, expect=EVERYONE),
    Case("POST", "/complaints/track/rate",
         form=lambda w, where: {"code": _complaint_code(w, where, ["reply"]), "rating": "satisfied"}, expect=EVERYONE),
    Case("GET", "/complaints/stats", expect=EVERYONE),
    Case("GET", "/complaints", expect=HANDLERS),
    Case("GET", "/complaints/import", expect=ADMIN),
    Case("POST", "/complaints/import", expect=only(("admin",), 422), note="no file: 422 once admitted"),
    Case("GET", "/complaints/{id}", params=lambda w, where: {"id": _kept_complaint(w, where)}, expect=HANDLERS,
         out=NONE_OUT),
    Case("POST", "/complaints/{id}/reveal",
         params=lambda w, where: {"id": _complaint(w, where, anonymous=False, name="矩阵测试", phone="13900000000")},
         form=lambda w, where: {"purpose": "矩阵测试"}, expect=HANDLERS, out=NONE_OUT),
    Case("POST", "/complaints/{id}/steps", params=lambda w, where: {"id": _complaint(w, where)},
         form=lambda w, where: {"action": "reply", "finding": "partly", "reply": "矩阵测试"},
         expect=only(("admin", "reporter"), 303), out=NONE_OUT),
]


# --- self-corrections for leniency (从轻、减轻、免于惩戒) ------------------------------------------
# The credit office of the record's region and the record's source department (the matrix's
# reporter is the department of its region, which reported the fresh record) record and revoke;
# the subject reads its own. Each changing call gets a fresh record or correction.

ACTORS = only(("admin", "reporter"))
READERS = only(("admin", "reporter", "subject"))


def _lenient_record(w, where) -> int:
    from tests.accounts.helpers import department_code
    from tests.lists.helpers import record
    from xinyong.subjects.models import Subject

    r = record(w.db, w.db.get(Subject, w.subject_ids[where]), "admin_penalty", "general")
    r.department_code = department_code(w.region(where))
    w.db.commit()
    return r.id


def _correction(w, where) -> int:
    from tests.redress.helpers import PDF
    from xinyong.accounts.principal import cli_principal
    from xinyong.redress import leniency

    c = leniency.record_correction(w.db, cli_principal("matrix"), record_id=_lenient_record(w, where),
                                   kind="loss_recovered", corrected_on=None, note="矩阵测试",
                                   evidence=("凭证.pdf", PDF))
    w.db.commit()
    return c.id


def _kept_correction(w, where) -> int:
    return w.once(f"correction-{where}", lambda: _correction(w, where))


def _correction_form(w, where) -> dict:
    return {"record_id": _lenient_record(w, where), "kind": "loss_recovered", "note": "矩阵测试"}


def _corrected_record(w, where) -> int:
    from xinyong.redress.models import SelfCorrection

    return w.db.get(SelfCorrection, _kept_correction(w, where)).record_id


CASES += [
    Case("POST", "/api/v1/self-corrections", form=_correction_form, expect=only(("admin", "reporter"), 201),
         out=NONE_OUT),
    Case("GET", "/api/v1/self-corrections", query=lambda w, where: {"record_id": _corrected_record(w, where)},
         expect=READERS, out=NONE_OUT),
    Case("POST", "/api/v1/self-corrections/{id}/revoke", params=lambda w, where: {"id": _correction(w, where)},
         json=lambda w, where: {"reasons": "矩阵测试"}, expect=ACTORS, out=NONE_OUT),
    Case("GET", "/api/v1/self-corrections/{id}/evidence", params=lambda w, where: {"id": _kept_correction(w, where)},
         expect=READERS, out=NONE_OUT),
    Case("GET", "/self-corrections", query=lambda w, where: {"record": _corrected_record(w, where)},
         expect=ACTORS, out=NONE_OUT),
    Case("POST", "/self-corrections", form=_correction_form, expect=only(("admin", "reporter"), 303), out=NONE_OUT),
    Case("POST", "/self-corrections/{id}/revoke", params=lambda w, where: {"id": _correction(w, where)},
         form=lambda w, where: {"reasons": "矩阵测试"}, expect=only(("admin", "reporter"), 303), out=NONE_OUT),
]


# --- a repair sent to the record's source department ----------------------------------------------


def _sent_repair(w, where) -> int:
    """A fresh accepted repair of a record the matrix reporter's department reported, sent to it."""
    from tests.accounts.helpers import department_code
    from xinyong.accounts.principal import cli_principal
    from xinyong.redress import repairs
    from xinyong.redress.models import Repair

    case = w.db.get(Repair, _repair(w, where, ["accept"]))
    case.department_code = department_code(w.region(where))
    repairs.take_step(w.db, cli_principal("matrix"), case.id, "send")
    w.db.commit()
    return case.id


def _accepted_repair(w, where) -> int:
    from tests.accounts.helpers import department_code
    from xinyong.redress.models import Repair

    case = w.db.get(Repair, _repair(w, where, ["accept"]))
    case.department_code = department_code(w.region(where))
    w.db.commit()
    return case.id


CASES += [
    Case("POST", "/api/v1/repairs/{id}/send", params=lambda w, where: {"id": _accepted_repair(w, where)},
         json=lambda w, where: {}, expect=ADMIN, out=NONE_OUT),
    Case("POST", "/api/v1/repairs/{id}/answer", params=lambda w, where: {"id": _sent_repair(w, where)},
         json=lambda w, where: {"answer": "confirm"}, expect=only(("reporter",)), out=NONE_OUT),
    Case("GET", "/department/repairs", expect=only(("reporter",))),
    Case("POST", "/repairs/{id}/answer", params=lambda w, where: {"id": _sent_repair(w, where)},
         form=lambda w, where: {"answer": "confirm"}, expect=only(("reporter",), 303), out=NONE_OUT),
]
