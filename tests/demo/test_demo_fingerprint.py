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
# catalog gained 行政处罚's 涉及的其他自然人 (the demo writes a column for every fact, so its files moved)
COUNTS = {
    "audit_chain_head": 1, "audit_entries": 445, "subjects": 2755, "designations": 40,
    "import_batches": 418, "posts": 40, "records": 606, "subject_grades": 20, "checks": 18, "list_entries": 21,
    "record_persons": 4, "check_hits": 22, "list_entry_events": 27, "self_corrections": 2,
}
DIGEST = "9ec241f990a265976a9974ba73400167f73b570ef5b85bd27ebf44caa05a3ac9"


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
