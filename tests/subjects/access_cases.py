"""Authorisation-matrix cases for posts and designations (format: tests/accounts/matrix.py).

The credit office and reporting departments register them (each row within the caller's region:
a row for a body outside it is refused in the answer's errors, not by status); officials of the
body's region read a body's designations."""

from __future__ import annotations

from datetime import date

from tests.accounts.matrix import OFFICIALS, Case, only
from xinyong.core.codes import make_ric

REGISTRARS = ("admin", "reporter")


def _row(w, where):
    return {"rows": [{"body_code": w.ref("enterprise", where), "name": "蒋登记", "ric": make_ric("330106", date(1977, 7, 7), 31),
                      "role": "主要负责人", "start": "2020-01-01"}]}


CASES = [
    Case("GET", "/api/v1/designations/template.xlsx", expect=only(REGISTRARS)),
    Case("POST", "/api/v1/designations/import", expect=only(REGISTRARS, 422), note="no file: 422 once admitted"),
    Case("POST", "/api/v1/designations", json=_row, expect=only(REGISTRARS)),
    Case("GET", "/api/v1/subjects/{code}/designations", params=lambda w, where: {"code": w.ref("enterprise", where)},
         expect=only(OFFICIALS), out=only((), public=401)),
]

# the 任职登记 page: the same rules by clicking
CASES += [
    Case("GET", "/designations", expect=only(OFFICIALS)),
    Case("GET", "/designations", query=lambda w, where: {"body": w.ref("enterprise", where)},
         expect=only(OFFICIALS), out=only((), public=401), note="a body's designations: officials of its region"),
    Case("GET", "/designations/template.xlsx", expect=only(REGISTRARS)),
    Case("POST", "/designations", form=lambda w, where: {}, expect=only(REGISTRARS, 422),
         note="no file: 422 once admitted"),
]
