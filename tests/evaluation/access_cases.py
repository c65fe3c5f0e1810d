"""Authorisation-matrix cases for the evaluation results and the model review (format: tests/accounts/matrix.py).

Governments' results under a published system (``government``: publish true) are open to
everyone, the whole province; an unpublished system's aggregates (``personal``) are the credit
office's, the supervisors' and the auditors'; a person's score only the credit office's, within
its region (out of region: 403); the runs are the officials'.

The credit office (admin) makes a model review; supervisors and auditors read them. A run scores
the whole platform, so there is no region to be out of there: "out" answers the same."""

from __future__ import annotations

from datetime import date

from tests.accounts.matrix import WHO, Case, only
from xinyong.core.codes import make_uscc

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


OFFICIALS = ("admin", "supervisor", "auditor")
EVERYONE = {who: 200 for who in WHO}


def _body(w, where):
    def make():
        from xinyong.subjects.models import Subject

        s = Subject(kind="gov_body", code=make_uscc("11", "330203" if where == "out" else "330106", "00359771"),
                    name="宁波市海曙区人民政府" if where == "out" else "杭州市西湖区人民政府",
                    region_code="330203" if where == "out" else "330106")
        w.db.add(s)
        w.db.commit()
        return {"subject_id": s.id}

    return w.once(f"evaluation-body-{where}", make)


CASES = [
    Case("GET", "/evaluation/reviews", expect=only(READERS)),
    Case("GET", "/evaluation/runs/{run_id}/review", params=_run, expect=only(READERS)),
    Case("POST", "/evaluation/runs/{run_id}/review", params=_run, form=lambda w, where: {"outcome_until": "2026-11-30"},
         expect=only(("admin",), 303), note="builds (or rebuilds) the review, then back to its page"),
    Case("GET", "/api/v1/evaluation/runs", expect=only(OFFICIALS)),
    Case("GET", "/api/v1/evaluation/{system}/grades", params=lambda w, where: {"system": "government"},
         expect=EVERYONE, note="published"),
    Case("GET", "/api/v1/evaluation/{system}/grades", params=lambda w, where: {"system": "personal"},
         expect=only(OFFICIALS), note="not published"),
    Case("GET", "/api/v1/evaluation/{system}/rankings", params=lambda w, where: {"system": "government"},
         expect=EVERYONE),
    Case("GET", "/api/v1/evaluation/subjects/{subject_id}",
         params=lambda w, where: {"subject_id": w.subject_ids[where]}, expect=only(("admin", "subject")), out=only(()),
         note="a person's score: the credit office of the region, and the person itself"),
    Case("GET", "/api/v1/evaluation/subjects/{subject_id}", params=_body, expect=EVERYONE,
         note="a government body's score under a published system"),
    Case("GET", "/evaluation", expect=EVERYONE),
    Case("GET", "/evaluation/runs", expect=only(OFFICIALS)),
    Case("GET", "/evaluation/subjects/{subject_id}",
         params=lambda w, where: {"subject_id": w.subject_ids[where]}, expect=only(("admin", "subject")),
         out=only(()), note="the public is sent to the login page"),
    Case("GET", "/evaluation/subjects/{subject_id}", params=_body, expect=EVERYONE),
]
