"""Authorisation-matrix cases for the model review pages (format: tests/accounts/matrix.py).

The credit office (admin) makes a review; supervisors and auditors read them. A run scores the
whole platform, so there is no region to be out of: "out" answers the same."""

from __future__ import annotations

from datetime import date

from tests.accounts.matrix import Case, only

READERS = ("admin", "supervisor", "auditor")


def _run(w, where):
    def make():
        from xinyong.catalog.service import ensure_default
        from xinyong.evaluation import service

        ensure_default(w.db)
        run = service.run_evaluation(w.db, "government", as_of=date(2026, 6, 30), user="matrix")
        w.db.commit()
        return run.run_id

    return {"run_id": w.once("evaluation-run", make)}


CASES = [
    Case("GET", "/evaluation/reviews", expect=only(READERS)),
    Case("GET", "/evaluation/runs/{run_id}/review", params=_run, expect=only(READERS)),
    Case("POST", "/evaluation/runs/{run_id}/review", params=_run, form=lambda w, where: {"outcome_until": "2026-11-30"},
         expect=only(("admin",), 303), note="builds (or rebuilds) the review, then back to its page"),
]
