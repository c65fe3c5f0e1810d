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

# measured on the generator in one module (seed 5, scale 0.002, 2026-12-02)
COUNTS = {
    "audit_chain_head": 1, "audit_entries": 431, "policy_versions": 1, "subjects": 2755, "designations": 40,
    "import_batches": 408, "posts": 40, "records": 606, "subject_grades": 20, "checks": 18, "list_entries": 18,
    "record_persons": 3, "check_hits": 17, "list_entry_events": 24,
}
DIGEST = "ec94720bfceecc59fd046495369c0e3f78b38f1b97bec4debeed7b98751e8169"


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
    return {k: v for k, v in counts.items() if v}, h.hexdigest()


def test_the_same_seed_builds_the_same_province(session):
    with frozen_today(DAY):
        build_demo(session, scale=0.002, seed=5, today=DAY)
        session.flush()
        counts, digest = _fingerprint(session)
    assert counts == COUNTS
    assert digest == DIGEST
