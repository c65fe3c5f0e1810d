"""Authorisation-matrix cases for the daily jobs (format: tests/accounts/matrix.py).

The runs' history is read by the credit office's administrators and the supervisors; only an
administrator runs the jobs on demand. The runs are platform-wide: no region to be out of."""

from __future__ import annotations

from tests.accounts.matrix import Case, only

READERS = only(("admin", "supervisor"))
ADMIN = only(("admin",))

CASES = [
    Case("GET", "/api/v1/jobs/daily", expect=READERS),
    Case("POST", "/api/v1/jobs/daily", json=lambda w, where: {"date": "2026-03-02"}, expect=ADMIN),
    Case("GET", "/jobs/daily", expect=READERS),
    Case("POST", "/jobs/daily", form=lambda w, where: {"date": "2026-03-02"}, expect=ADMIN),
]
