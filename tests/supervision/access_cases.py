"""Authorisation-matrix cases for the supervision inputs and the supervisor's board (format:
tests/accounts/matrix.py).

The credit office and the supervisors import and record (each row within the caller's region: a
row for a body outside it is refused in the answer's errors, not by status); supervisors,
auditors and the credit office read, each within its region (the lists and the board are scoped
by the reader's region, so "out" answers the same, with none of the other region's rows)."""

from __future__ import annotations

from tests.accounts.matrix import Case, only
from xinyong.core.codes import make_uscc

WRITERS = ("admin", "supervisor")
READERS = ("admin", "supervisor", "auditor")


def _body(w, where):
    def make():
        from xinyong.subjects.models import Subject

        s = Subject(kind="gov_body", code=make_uscc("11", "330203" if where == "out" else "330106", "00259777"),
                    name="宁波市海曙区人民政府" if where == "out" else "杭州市西湖区人民政府",
                    region_code="330203" if where == "out" else "330106")
        w.db.add(s)
        w.db.commit()
        return s.code

    return w.once(f"supervision-body-{where}", make)


def _rows(w, where):
    return {"rows": [{"body_code": _body(w, where), "year": 2026, "source": "某法院", "ref_no": "（2026）司建1号",
                      "issued_on": "2026-01-05", "deadline": "2026-02-05"}]}


KIND = {"kind": "judicial"}

CASES = [
    Case("GET", "/api/v1/supervision/board", expect=only(READERS)),
    Case("GET", "/api/v1/supervision/{kind}/template.xlsx", params=lambda w, where: KIND, expect=only(WRITERS)),
    Case("POST", "/api/v1/supervision/{kind}/import", params=lambda w, where: KIND, expect=only(WRITERS, 422),
         note="no file: 422 once admitted"),
    Case("POST", "/api/v1/supervision/{kind}", params=lambda w, where: KIND, json=_rows, expect=only(WRITERS),
         note="a row outside the region: 200 with the row refused in errors"),
    Case("GET", "/api/v1/supervision/{kind}", params=lambda w, where: KIND, expect=only(READERS)),
    Case("GET", "/supervision", expect=only(READERS)),
    Case("GET", "/supervision/{kind}", params=lambda w, where: KIND, expect=only(READERS)),
    Case("GET", "/supervision/{kind}", params=lambda w, where: {"kind": "proposals"}, expect=only(READERS)),
    Case("GET", "/supervision/{kind}/template.xlsx", params=lambda w, where: KIND, expect=only(WRITERS)),
    Case("GET", "/supervision/{kind}/export.xlsx", params=lambda w, where: KIND, expect=only(READERS)),
    Case("GET", "/api/v1/supervision/{kind}/export.xlsx", params=lambda w, where: KIND, expect=only(READERS)),
    Case("POST", "/supervision/{kind}", params=lambda w, where: KIND, form=lambda w, where: {},
         expect=only(WRITERS, 422), note="no file: 422 once admitted"),
]
