"""Authorisation-matrix cases for the records routes (format: tests/accounts/matrix.py).

A natural person's file: by number or subject number only the person itself (in full) and
officials (in full in their region, 403 outside it); anyone else gets 404, as for a number no one
has. The public (and another subject) finds a person by number and name together
(``/subjects/lookup``), where he has a public record, and reads what is public (授权查询 / 政务共享
records only counted). A legal person's file is public information for all.
"""

from __future__ import annotations

from tests.accounts.matrix import OFFICIALS, Case, expect, only

ALL_OK = expect(200)
# a natural person by number, or his records: the person (the "in" one) and officials; 404 for the rest
PERSON_IN = expect(200, public=404)
# outside the officials' region: 403 for officials; the public and another person 404
PERSON_OUT = expect(404, **{r: 403 for r in OFFICIALS})
# looked up by number and name (he has a public record): everyone; officials outside the region 403
LOOKUP_OUT = expect(200, **{r: 403 for r in OFFICIALS})


def person(w, where):
    return {"code": w.ref("person", where)}


def enterprise(w, where):
    return {"code": w.ref("enterprise", where)}


def person_by_name(w, where):
    """The whole identity number and name of the "in" or "out" person."""
    from datetime import date

    from tests.records.factories import World
    from xinyong.core.codes import make_ric
    from xinyong.subjects.models import Subject

    if where == "in":
        return {"code": w.world.person_ric, "name": World.PERSON_NAME}
    name = w.db.get(Subject, w.subject_ids["out"]).name
    return {"code": make_ric("330203", date(1988, 3, 4), 77), "name": name}  # tests/accounts/test_matrix.py


def record(what):
    return lambda w, where: {"id": w.record(what, where)}


CASES = [
    # the API
    Case("GET", "/api/v1/subjects", query=lambda w, where: {"q": "杭州"}, expect=ALL_OK),
    Case("GET", "/api/v1/subjects/{code}", params=person, expect=PERSON_IN, out=PERSON_OUT, note="person"),
    Case("GET", "/api/v1/subjects/{code}", params=enterprise, expect=ALL_OK, note="enterprise"),
    Case("POST", "/api/v1/subjects/lookup", json=person_by_name, expect=ALL_OK, out=LOOKUP_OUT,
         note="a person by number and name"),
    Case("GET", "/api/v1/records/{id}", params=record("person_withheld"), expect=PERSON_IN, out=PERSON_OUT,
         note="a person's 授权查询 record"),
    Case("GET", "/api/v1/records/{id}", params=record("person_public"), expect=PERSON_IN, out=PERSON_OUT,
         note="a person's public record"),
    Case("GET", "/api/v1/records/{id}", params=record("enterprise"), expect=ALL_OK, note="an enterprise's record"),
    # the pages
    Case("GET", "/subjects", query=lambda w, where: {"q": "杭州"}, expect=ALL_OK),
    Case("GET", "/subjects/{code}", params=person, expect=PERSON_IN, out=PERSON_OUT, note="person"),
    Case("GET", "/subjects/{code}", params=enterprise, expect=ALL_OK, note="enterprise"),
    Case("POST", "/subjects/lookup", form=person_by_name, expect=ALL_OK, out=LOOKUP_OUT),
    Case("GET", "/records/{id}", params=record("person_withheld"), expect=PERSON_IN, out=PERSON_OUT),
    Case("GET", "/records/{id}", params=record("person_public"), expect=PERSON_IN, out=PERSON_OUT),
    Case("GET", "/records/{id}", params=record("enterprise"), expect=ALL_OK),
]


# --- 数据报送: the write API and the reporter's upload pages ---------------------------------


def _batch(w, where):
    """A batch with a rejected row (so it has an error report), sent by the matrix reporter's
    department in 杭州 ("in") or by a department of 宁波 ("out")."""
    def make():
        from tests import factories as f
        from tests.accounts.helpers import ensure_department
        from xinyong.records import uploads
        from xinyong.records.validation import ReporterScope

        region = w.region(where)
        dept = ensure_department(w.db, region)
        scope = ReporterScope(dept.code, frozenset(dept.categories), region)
        rows = [f.penalty_row(900), f.penalty_row(901, code="not-a-code")]
        result = uploads.import_rows(w.db, rows, scope=scope, department_name=dept.name,
                                     category="admin_penalty", user="matrix")
        from openpyxl import Workbook

        uploads.report_dir().mkdir(parents=True, exist_ok=True)
        Workbook().save(uploads.report_file(result.batch_id))
        w.db.commit()
        return result.batch_id

    return {"batch_id": w.once(f"batch-{where}", make)}


REPORTER_ONLY = only(("reporter",))
CASES += [
    Case("POST", "/api/v1/records",
         json=lambda w, where: {"category": "admin_penalty", "rows": [_penalty(w, where)]},
         expect=REPORTER_ONLY, note="rows outside the reporter's region are rejected in the body, not by status"),
    Case("GET", "/records/upload", expect=REPORTER_ONLY),
    Case("GET", "/records/templates/{category}.xlsx", params=lambda w, where: {"category": "admin_penalty"},
         expect=ALL_OK, note="the published catalog: anyone"),
    Case("POST", "/records/upload", form=lambda w, where: {"category": "admin_penalty"},
         expect=only(("reporter",), ok=422), note="no file: the reporter passes access and gets 422"),
    Case("GET", "/records/batches/{batch_id}", params=_batch,
         expect=only(("reporter", "admin")), out=only(("admin",), others=403) | {"reporter": 404, "admin": 403}),
    Case("GET", "/records/batches/{batch_id}/errors.xlsx", params=_batch,
         expect=only(("reporter", "admin")), out=only(("admin",), others=403) | {"reporter": 404, "admin": 403}),
]


def _penalty(w, where):
    from tests import factories as f

    return f.penalty_row(800, code=f.company(800, region="330106" if where == "in" else "330206"))


# --- uploads queued for the job worker (xinyong.core.work) ------------------------------------


def _job(w, where):
    """An upload job sent by another reporter of the region ("in": 杭州, "out": 宁波): the matrix
    reporter is not its sender (404, as any colleague's upload); administrators and auditors of
    the sender's region read it."""
    def make():
        from xinyong.core import work
        from xinyong.records.import_jobs import KIND

        job = work.enqueue(w.db, KIND, {"files": []}, created_by=f"matrix-colleague-{where}",
                           region_code=w.region(where))
        w.db.commit()
        return job.id

    return {"job_id": w.once(f"job-{where}", make)}


JOB_READERS = only(("admin", "auditor")) | {"reporter": 404}
CASES += [
    Case("POST", "/api/v1/records/files", expect=only(("reporter",), 422), note="no file: 422 once admitted"),
    Case("GET", "/api/v1/records/files/{job_id}", params=_job, expect=JOB_READERS,
         out=only(()) | {"reporter": 404}),
    Case("GET", "/records/uploads/{job_id}", params=_job, expect=JOB_READERS, out=only(()) | {"reporter": 404}),
]
