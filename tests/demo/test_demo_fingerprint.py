"""The demo is the same province for a given seed, scale and day, whatever the generator's
modules look like: a small build's rows per table and a digest of its subjects and records,
measured before the generator was split into modules (bodies, persons, servants …), stay as
they were. A change that means to change the province updates the figures here."""

from __future__ import annotations

import hashlib
import json
from datetime import date

from sqlalchemy import func, select

from xinyong import models  # noqa: F401  (every table)
from xinyong.core.clock import frozen_today
from xinyong.core.db import Base
from xinyong.demo.generator import build_demo
from xinyong.records.models import Record
from xinyong.subjects.models import Subject

DAY = date(2026, 12, 2)

# measured on the generator in one module (seed 5, scale 0.002, 2026-12-02), then again when the
# catalog gained 行政处罚's 涉及的其他自然人 (the demo writes a column for every fact, so its files moved);
# then the promises phase (xinyong.demo.promises) appended commitments, their 112 breach records
# (606 → 718: the digest moved with them; the subjects and the records before them are unchanged)
# and the rectification tasks the records on government bodies open
COUNTS = {
    "audit_chain_head": 1, "audit_entries": 1750, "audit_entry_subjects": 109, "subjects": 2755, "designations": 40,
    "import_batches": 421, "posts": 40, "records": 718, "subject_grades": 2633, "checks": 18, "list_entries": 21,
    "record_persons": 4, "check_hits": 22, "list_entry_events": 27, "commitments": 360, "rectifications": 119,
    "rectification_events": 291,
    "obl_agreements": 217, "obl_contracts": 360, "obl_debts": 180, "obl_ppp_projects": 131, "obl_judgments": 281,
    "obl_ppp_breaches": 43, "obl_ppp_holders": 567,
    # the oversight phase (xinyong.demo.oversight): six inputs for each of the 101 city and county
    # governments (each an audit entry), a run of government and of personal, their grades in force
    "supervision_inputs": 606, "evaluation_runs": 2, "evaluation_scores": 2613,
    "complaints": 3, "complaint_events": 9,
    "self_corrections": 2,
    # the typical cases phase (xinyong.demo.cases): five records marked, an audit entry each
    "portal_typical_cases": 5,
    # the findings phase (xinyong.demo.findings): the daily run's proposals from the obligations
    # (one audit entry); proposals only, so the records and the digest stay. An overdue debt
    # figure cured by the body's later one is not proposed (it would be withdrawn): 8 fewer
    "obl_findings": 156,
}
DIGEST = "d622d413c49db19896131e7f86998c0dc5c1b55169fa7af0f98b23da35588fb7"


def _fingerprint(session) -> tuple[dict[str, int], str]:
    counts = {t.name: session.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables}
    h = hashlib.sha256()
    for row in session.execute(select(Subject.kind, Subject.name, Subject.region_code, Subject.birth_date)
                               .order_by(Subject.id)):
        h.update(repr(tuple(row)).encode())
    for r in session.scalars(select(Record).order_by(Record.id)):
        facts = {k: v for k, v in r.facts.items() if not k.startswith("_")}  # keyed hashes: the test's key
        h.update(repr((r.category_code, r.severity, r.decision_date, r.display_until,
                       json.dumps(facts, sort_keys=True, ensure_ascii=False))).encode())
    # the policy versions are left out: how many a test database holds depends on what the
    # process loaded before (the policy is cached per process), not on the province
    return {k: v for k, v in counts.items() if v and k != "policy_versions"}, h.hexdigest()


def test_the_same_seed_builds_the_same_province(session):
    with frozen_today(DAY):
        build_demo(session, scale=0.002, seed=5, today=DAY)
        session.flush()
        counts, digest = _fingerprint(session)
    assert counts == COUNTS
    assert digest == DIGEST
    # every county has commitments, some kept and some broken, and the board has tasks at every stage
    from xinyong.commitments.models import Commitment
    from xinyong.commitments.rectification_models import Rectification
    from xinyong.core import regions

    counties = {r.code for r in regions.all_regions() if r.level == "county"}
    with_commitments = set(session.scalars(select(Commitment.region_code).distinct()))
    assert counties <= with_commitments
    assert {"fulfilled", "breached", "in_force"} <= set(session.scalars(select(Commitment.status).distinct()))
    assert {"open", "explained", "submitted", "closed"} <= set(session.scalars(select(Rectification.status).distinct()))
    assert session.scalar(select(func.count()).select_from(Rectification).where(Rectification.escalated_on.is_not(None)))
