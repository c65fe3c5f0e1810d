"""Authorisation-matrix cases for the audit routes (format: tests/accounts/matrix.py).

The log is the auditor's; a subject sees only who read its own file (its principal names the
subject, so there is nothing "out of region" to ask for).
"""

from __future__ import annotations

from tests.accounts.matrix import Case, only

AUDITOR = only(("auditor",))
SUBJECT = only(("subject",))

CASES = [
    Case("GET", "/api/v1/audit/entries", expect=AUDITOR),
    Case("GET", "/api/v1/audit/verify", expect=AUDITOR),
    Case("GET", "/api/v1/audit/my-readers", expect=SUBJECT),
    Case("GET", "/audit", expect=AUDITOR),
    Case("POST", "/audit", form=lambda w, where: {"subject": "没有这个人"}, expect=only(("auditor",), 303),
         note="the filter form, posted so that an identity number stays out of the URL"),
    Case("GET", "/audit/verify", expect=AUDITOR),
    Case("GET", "/my/readers", expect=SUBJECT),
]
