"""Authorisation-matrix cases for credit reports (format: tests/accounts/matrix.py).

Issuing a report needs a login and the same right to the subject's file as reading it; verifying
one is public (rate-limited per address)."""

from __future__ import annotations

from tests.accounts.matrix import WHO, Case


def _every(status: int, public: int = 401) -> dict[str, int]:
    return {who: public if who == "public" else status for who in WHO}


PUBLIC = _every(200, public=200)
_ENTERPRISE = {"subject": None}


def _subject(w, where):
    return {"subject": w.ref("enterprise", where)}


def _report(w, where):
    return {"subject": w.ref("enterprise", where), "purpose": "授权核查"}


CASES = [
    Case("GET", "/reports/new", query=_subject, expect=_every(200), note="an enterprise's file is open to every reader"),
    Case("POST", "/reports", form=_report, expect=_every(200)),
    Case("POST", "/api/v1/reports", json=lambda w, where: {"subject": w.ref("enterprise", where), "purpose": "授权核查"},
         expect=_every(200)),
    Case("GET", "/reports/verify", expect=PUBLIC),
    Case("POST", "/reports/verify", expect=_every(422, public=422), note="no file: 422 for anyone"),
    Case("GET", "/api/v1/reports/{number}/verify", params=lambda w, where: {"number": "XY0000000000"},
         query=lambda w, where: {"code": "ABCDEFGH"}, expect=PUBLIC, note="an unknown number is an answer, not an error"),
    Case("POST", "/api/v1/reports/verify", expect=_every(422, public=422), note="no file: 422 for anyone"),
]
