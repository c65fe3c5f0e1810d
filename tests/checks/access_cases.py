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
    Case("POST", "/checks/batch", form=lambda w, where: {"scenario": "civil_servant_recruitment", "purpose": "x"},
         expect=only(CHECKERS, ok=422)),
    Case("GET", "/checks/batches/{batch_id}", params=_batch, expect=only(CHECKERS), out=NOBODY),
    Case("GET", "/checks/stats", expect=only(("admin", "supervisor"))),
    Case("GET", "/checks/{check_id}", params=_check, expect=only(CHECKERS), out=NOBODY),
    Case("POST", "/checks/{check_id}/feedback", params=_check, form=lambda w, where: {"action": "applied"},
         expect=only(("checker",), ok=303) | {"admin": 403}, out=NOBODY),
]
