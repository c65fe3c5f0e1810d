"""Authorisation-matrix cases for checks (format: tests/accounts/matrix.py).

Checks are run by checkers and administrators (on any subject: 应查必查 covers candidates from
anywhere); a stored check is read within the region it was made in; feedback comes from the
official who ran it; a batch is seen by whoever ran it and the region's administrator;
statistics are for administrators and supervisors."""

from __future__ import annotations

import tempfile
from pathlib import Path

from tests.accounts.matrix import Case, only

CHECKERS = ("checker", "admin")
NOBODY = only((), public=401)


def _principal(w, where):
    from xinyong.accounts.principal import Principal

    if where == "in":
        return Principal(user_id=w.users["checker"], username="matrix_checker", role="checker", region_code="330100",
                         via="session")
    return Principal(user_id=None, username="nb_checker", role="checker", region_code="330200", via="session")


def _check(w, where):
    def make():
        from xinyong.checks import service

        r = service.check_one(w.db, scenario="civil_servant_recruitment", code=_person_code(w, where), purpose="矩阵", who=_principal(w, where))
        w.db.commit()
        return r.check.id

    return {"check_id": w.once(f"check-{where}", make)}


def _person_code(w, where):
    from datetime import date

    from xinyong.core.codes import make_ric

    return make_ric("330106", date(1990, 1, 1), 123) if where == "in" else make_ric("330203", date(1988, 3, 4), 77)


def _batch(w, where):
    def make():
        from xinyong.checks import jobs, service

        who = _principal(w, where)
        b = service.create_batch(w.db, scenario="civil_servant_recruitment", purpose="矩阵", who=who, file_name="m.csv")
        w.db.commit()
        path = Path(tempfile.mkdtemp()) / "m.csv"
        path.write_text(f"姓名,统一社会信用代码或公民身份号码\n张三丰,{_person_code(w, where)}\n", encoding="utf-8")
        service.run_batch(w.db, b.id, path, jobs.result_path(b.id), who)
        return b.id

    return {"batch_id": w.once(f"check-batch-{where}", make)}


def _body(w, where):
    return {"scenario": "civil_servant_recruitment", "purpose": "矩阵核查", "code": _person_code(w, where)}


CASES = [
    Case("POST", "/api/v1/checks", json=_body, expect=only(CHECKERS, ok=201)),
    Case("GET", "/api/v1/checks/{check_id}", params=_check, expect=only(CHECKERS), out=NOBODY),
    Case("POST", "/api/v1/checks/{check_id}/feedback", params=_check,
         json=lambda w, where: {"action": "applied"}, expect=only(("checker",)) | {"admin": 403}, out=NOBODY,
         note="only the official who ran the check reports back"),
    Case("POST", "/api/v1/checks/batches", form=lambda w, where: {"scenario": "civil_servant_recruitment", "purpose": "x"},
         expect=only(CHECKERS, ok=422), note="no file: the caller passes access and gets 422"),
    Case("GET", "/api/v1/checks/batches/{batch_id}", params=_batch, expect=only(CHECKERS), out=NOBODY),
    Case("GET", "/api/v1/checks/batches/{batch_id}/result.xlsx", params=_batch, expect=only(CHECKERS), out=NOBODY),
    Case("GET", "/api/v1/checks/stats", expect=only(("admin", "supervisor"))),
    Case("GET", "/api/v1/checks/stats.xlsx", expect=only(("admin", "supervisor"))),
    Case("GET", "/checks", expect=only(CHECKERS)),
    Case("POST", "/checks", form=_body, expect=only(CHECKERS, ok=303)),
    Case("GET", "/checks/batch", expect=only(CHECKERS)),
    Case("GET", "/checks/batch/template.xlsx", expect=only(CHECKERS)),
    Case("POST", "/checks/batch", form=lambda w, where: {"scenario": "civil_servant_recruitment", "purpose": "x"},
         expect=only(CHECKERS, ok=422)),
    Case("GET", "/checks/batches/{batch_id}", params=_batch, expect=only(CHECKERS), out=NOBODY),
    Case("GET", "/checks/stats", expect=only(("admin", "supervisor"))),
    Case("GET", "/checks/{check_id}", params=_check, expect=only(CHECKERS), out=NOBODY),
    Case("POST", "/checks/{check_id}/feedback", params=_check, form=lambda w, where: {"action": "applied"},
         expect=only(("checker",), ok=303) | {"admin": 403}, out=NOBODY),
]


# --- 实时推送 (real-time push) -------------------------------------------------------------------
# A department's officials (its reporter; a checker who belongs to one) and the region's
# administrator (naming the department) use a department's messages and subscriptions; the matrix
# checker belongs to no department, so it is refused the API (403) and its inbox page says so
# (200). "out" names the Ningbo department: another department for the reporter, outside the
# administrator's region.

PUSH_USERS = ("reporter", "admin")


def _push_dept(w, where):
    def make():
        from tests.accounts.helpers import ensure_department

        dept = ensure_department(w.db, w.region(where))
        w.db.commit()
        return dept.code

    return w.once(f"push-dept-{where}", make)


def _push_q(w, where):
    return {"department": _push_dept(w, where)}


def _push_body(extra):
    return lambda w, where: {"department": _push_dept(w, where), **extra(w, where)}


PUSH_EXPECT = only(PUSH_USERS)
PUSH_OUT = only((), public=401)

CASES += [
    Case("GET", "/api/v1/push/messages", query=_push_q, expect=PUSH_EXPECT, out=PUSH_OUT),
    Case("POST", "/api/v1/push/ack", json=_push_body(lambda w, where: {"ids": [1]}), expect=PUSH_EXPECT, out=PUSH_OUT),
    Case("GET", "/api/v1/push/stream", query=lambda w, where: {**_push_q(w, where), "wait": 0},
         expect=PUSH_EXPECT, out=PUSH_OUT, note="wait=0: the stream sends what there is and ends"),
    Case("GET", "/api/v1/push/subscriptions", query=_push_q, expect=PUSH_EXPECT, out=PUSH_OUT),
    Case("POST", "/api/v1/push/subscriptions", json=_push_body(lambda w, where: {"codes": [w.ref("enterprise", where)]}),
         expect=only(PUSH_USERS, ok=201), out=PUSH_OUT),
    Case("DELETE", "/api/v1/push/subscriptions", json=_push_body(lambda w, where: {"codes": [w.ref("enterprise", where)]}),
         expect=PUSH_EXPECT, out=PUSH_OUT),
    Case("PUT", "/api/v1/push/endpoint",
         json=_push_body(lambda w, where: {"url": "https://push.example.gov.cn/xinyong"}),
         expect=only(("admin",)), out=PUSH_OUT, note="the credit office sets a department's webhook"),
    Case("GET", "/api/v1/push/stats", expect=only(("admin", "supervisor"))),
    Case("GET", "/api/v1/push/stats.xlsx", expect=only(("admin", "supervisor"))),
    Case("GET", "/checks/push", query=_push_q, expect=only(("reporter", "admin", "checker")),
         out=only(("checker",)), note="the checker without a department gets the page telling it so"),
    Case("POST", "/checks/push/ack", form=_push_body(lambda w, where: {"ids": "1"}), expect=only(PUSH_USERS, ok=303),
         out=PUSH_OUT),
    Case("POST", "/checks/push/subscriptions", form=_push_body(lambda w, where: {"codes": w.ref("enterprise", where)}),
         expect=PUSH_EXPECT, out=PUSH_OUT),
    Case("POST", "/checks/push/subscriptions/remove", form=_push_body(lambda w, where: {"subject_id": "1"}),
         expect=only(PUSH_USERS, ok=303), out=PUSH_OUT),
    Case("GET", "/checks/push/monitor", expect=only(("admin", "supervisor"))),
]
