"""Authorisation-matrix cases for credit reports (format: tests/accounts/matrix.py).

Issuing a report needs a login and the same right to the subject's file as reading it; verifying
one is public (rate-limited per address)."""

from __future__ import annotations

from tests.accounts.matrix import WHO, Case, expect, only


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


# --- authorized query (授权查询) and the single sign-on -------------------------------------------
#
# The person's pages are his own (role subject); the third party's query is public — the code is
# the credential — so every caller gets the same answer with a valid code. Revoking the matrix
# code would end it for the cases after it, so the revoke case has a code of its own.

from datetime import datetime, timedelta  # noqa: E402

_CODE = "MATRXCDEAAAA2222"
_SUBJECT_ONLY = {who: 200 if who == "subject" else 401 if who == "public" else 403 for who in WHO}


def _code(w, *, code: str, key: str) -> int:
    def make() -> int:
        from xinyong.disclosure.authorization import hash_code
        from xinyong.disclosure.authorization_models import AuthorizationCode

        row = AuthorizationCode(
            subject_id=w.subject_ids["in"], user_id=w.users["subject"], code_hash=hash_code(code), prefix=code[:4],
            recipient="矩阵银行", purpose="授权核查", scope=["records:行政管理信息", "lists", "report"],
            expires_at=datetime(2099, 1, 1), max_reads=10_000, reads_used=0, created_at=datetime(2026, 1, 1))
        w.db.add(row)
        w.db.commit()
        return row.id

    return w.once(key, make)


def _query(w, where):
    _code(w, code=_CODE, key="auth-code")
    return {"code": _CODE, "reader": "矩阵银行", "purpose": "授权核查"}


def _grant(w, where):
    """Five days after the platform's today: the matrix runs on a frozen day (MATRIX_DAY)."""
    from xinyong.core.clock import today

    return {"recipient": "矩阵银行", "purpose": "授权核查", "scope": "lists",
            "valid_until": (today() + timedelta(days=5)).isoformat(), "max_reads": "3"}


CASES += [
    Case("GET", "/my/credit", expect=_SUBJECT_ONLY),
    Case("GET", "/my/authorizations", expect=_SUBJECT_ONLY),
    Case("POST", "/my/authorizations", form=_grant, expect=_SUBJECT_ONLY),
    Case("POST", "/my/authorizations/{code_id}/revoke",
         params=lambda w, where: {"code_id": _code(w, code="REVKCDEAAAA22222", key="auth-revoke")},
         expect={**_SUBJECT_ONLY, "subject": 303}, note="revoking again changes nothing: 303 each time"),
    Case("GET", "/authorized-query", expect=PUBLIC),
    Case("POST", "/authorized-query", form=_query, expect=PUBLIC, note="the code is the credential"),
    Case("POST", "/authorized-query/report", form=_query, expect=PUBLIC),
    Case("POST", "/api/v1/authorized-query", json=_query, expect=PUBLIC),
    Case("POST", "/api/v1/authorized-query/report", json=_query, expect=PUBLIC),
    Case("GET", "/login/oidc", expect=_every(422, public=422), note="not configured in the matrix: a page saying so"),
    Case("GET", "/login/oidc/callback", query=lambda w, where: {"code": "x", "state": "unknown"},
         expect=_every(422, public=422), note="not configured in the matrix: a page saying so"),
]


# --- the public portal (信用公示): every page and feed open to everyone; the typical cases'
# management for the credit office's administrators only.

def _case(w, where):
    """A typical case on a public enterprise record, fresh per call (withdrawing ends it)."""
    from xinyong.disclosure.portal_models import TypicalCase

    record_id = w.record("enterprise", where)
    c = w.db.query(TypicalCase).filter_by(record_id=record_id).one_or_none()
    if c is None:
        c = TypicalCase(record_id=record_id, title="典型案例", note="", marked_by="matrix")
        w.db.add(c)
    c.withdrawn_at = c.withdrawn_by = None
    w.db.commit()
    return {"case_id": c.id}


_KIND = lambda w, where: {"kind": "penalties"}  # noqa: E731
ANYONE = expect(200)
ADMIN_ONLY = only(("admin",))

CASES += [
    Case("GET", "/portal", expect=ANYONE),
    Case("GET", "/portal/search", query=lambda w, where: {"q": "有限公司"}, expect=ANYONE),
    Case("GET", "/portal/subjects/{ref}", params=lambda w, where: {"ref": w.ref("enterprise", where)}, expect=ANYONE),
    Case("GET", "/portal/disclosures/{kind}", params=_KIND, expect=ANYONE),
    Case("GET", "/portal/feeds/{kind}.json", params=_KIND, expect=ANYONE),
    Case("GET", "/portal/feeds/{kind}.xlsx", params=_KIND, expect=ANYONE),
    Case("GET", "/portal/cases", expect=ANYONE),
    Case("GET", "/portal/cases/{case_id}", params=_case, expect=ANYONE),
    Case("GET", "/portal/manage/cases", expect=ADMIN_ONLY),
    Case("POST", "/portal/manage/cases", form=lambda w, where: {"record_id": str(w.record("enterprise", where)),
                                                              "title": "典型案例"},
         expect=only(("admin",), 303), note="a second mark of the same record updates it: 303 again"),
    Case("POST", "/portal/manage/cases/{case_id}/withdraw", params=_case, expect=only(("admin",), 303)),
    Case("GET", "/portal/policy/behaviours", expect=ANYONE),
    Case("GET", "/portal/policy/measures", expect=ANYONE),
    Case("GET", "/portal/policy/scenarios", expect=ANYONE),
]
