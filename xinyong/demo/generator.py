"""Build a synthetic Zhejiang province: bodies, people, firms and their credit records.

Deterministic by seed: every phase draws from its own ``random.Random`` and its own seeded
Faker, so the same seed (and scale, and day) gives the same subjects and records.

The real province, its 11 cities and 90 county-level divisions come from
:mod:`xinyong.core.regions`; each gets its people's government and the usual departments. People,
public servants (with their posts over time) and enterprises are inserted set-based (Core
executemany, 5,000 rows a statement). Credit records go through the ingest pipeline
(:func:`xinyong.records.ingest.import_source`), one batch per reporting department, exactly as a
department's file would: the Chinese column headers, the category's facts as the active policy
version lists them. Which categories exist, their facts, severities, subject kinds and fact types
are read from the policy, never assumed; :mod:`xinyong.demo.words` only makes the values read
well, and a category or fact it does not know is filled from its type and name.

This module is the orchestrator: :func:`build_demo` runs the phases, each in a module of its
own (:mod:`~xinyong.demo.bodies`, :mod:`~xinyong.demo.persons`, :mod:`~xinyong.demo.servants`,
:mod:`~xinyong.demo.enterprises`, :mod:`~xinyong.demo.records` with :mod:`~xinyong.demo.hooks`,
and the fixed :mod:`~xinyong.demo.stories`); the shapes they share are in :mod:`~xinyong.demo.base`.
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from datetime import date

from faker import Faker
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from xinyong.core import clock, regions
from xinyong.core.codes import _USCC_ALPHABET, make_ric, make_uscc
from xinyong.demo import words as W
from xinyong.demo.base import (
    CHUNK,
    ENTERPRISES,
    INSTITUTIONS,
    PERSONS,
    PHASE_NAMES,
    PHASES,
    PUBLIC_SERVANTS,
    RECORDS,
    VILLAGES,
    Body,
    DemoRejected,
    DemoSummary,
    Progress,
    Subj,
    _cumulate,
)
from xinyong.demo.bodies import BodiesPhase
from xinyong.demo.cases import build_cases
from xinyong.demo.complaints import build_complaints
from xinyong.demo.enterprises import EnterprisesPhase
from xinyong.demo.findings import build_findings
from xinyong.demo.joint import build_joint
from xinyong.demo.leniency import build_leniency
from xinyong.demo.obligations import build_obligations
from xinyong.demo.oversight import build_oversight
from xinyong.demo.persons import PersonsPhase
from xinyong.demo.promises import build_promises
from xinyong.demo.records import RecordsPhase
from xinyong.demo.servants import ServantsPhase
from xinyong.records.models import Record
from xinyong.subjects import identity
from xinyong.subjects.models import Subject

__all__ = ["CHUNK", "ENTERPRISES", "INSTITUTIONS", "PERSONS", "PHASES", "PHASE_NAMES", "PUBLIC_SERVANTS", "RECORDS",
           "VILLAGES", "Body", "DemoRejected", "DemoSummary", "Generator", "Progress", "Subj", "build_demo"]



class Generator(BodiesPhase, PersonsPhase, ServantsPhase, EnterprisesPhase, RecordsPhase):
    """The demo's builder: one phase a module (bodies, persons, servants, enterprises, records), the
    state they share held here."""

    def __init__(self, session: Session, *, scale: float, seed: int, today: date, progress: Progress | None):
        self.session = session
        self.scale = scale
        self.seed = seed
        self.today = today
        self.progress = progress
        self.summary = DemoSummary(seed=seed, scale=scale)
        self.codes: set[str] = set()
        self.bodies: list[Body] = []
        self.body_by: dict[tuple[str, str], Body] = {}  # (region, key) → body
        self.body_ids: dict[str, int] = {}
        self.heads: dict[str, tuple[str, str]] = {}  # body code → (name, identity number) of its head
        self.persons: list[Subj] = []
        self.servants: list[Subj] = []
        self.enterprises: list[Subj] = []
        self.gov_subjects: list[Subj] = []
        self.counties = [r for r in regions.all_regions() if r.level == "county"]
        self.cities = regions.cities()
        self.province = regions.get("330000")
        self.county_weights = []
        for c in self.counties:
            siblings = sum(1 for x in self.counties if x.parent == c.parent)
            self.county_weights.append(W.CITY_WEIGHTS.get(c.parent, 1.0) / siblings)
        self.county_cum = list(_cumulate(self.county_weights))
        self.counties_by_city: dict[str, list[regions.Region]] = defaultdict(list)
        for c in self.counties:
            self.counties_by_city[c.parent].append(c)
        self.historical = defaultdict(list)  # city → [(code, abolished year)]
        for r in regions.all_regions(include_historical=True):
            if r.abolished and r.level == "county" and r.parent:
                self.historical[r.parent].append((r.code, r.abolished))

    # --- helpers -------------------------------------------------------------------------------

    def n(self, base: int) -> int:
        return int(round(base * self.scale))

    def _rng(self, phase: str) -> random.Random:
        return random.Random(f"{self.seed}:{phase}")

    def _faker(self, phase: str) -> Faker:
        fake = Faker("zh_CN")
        fake.seed_instance(f"{self.seed}:{phase}")
        return fake

    def _tick(self, phase: str, done: int, total: int) -> None:
        if self.progress:
            self.progress(phase, done, total)

    def _county(self, rng: random.Random) -> regions.Region:
        return rng.choices(self.counties, cum_weights=self.county_cum)[0]

    def _org_code(self, rng: random.Random, prefix: str, region: str, letters: bool) -> str:
        while True:
            if letters:
                body = "MA" + "".join(rng.choice(_USCC_ALPHABET) for _ in range(6))
            else:
                body = f"{rng.randrange(10_000_000, 100_000_000)}"
            code = make_uscc(prefix, region, body)
            if code not in self.codes:
                self.codes.add(code)
                return code

    def _ric(self, rng: random.Random, county: regions.Region, birth: date, male: bool) -> str:
        region = county.code
        roll = rng.random()
        if roll < 0.06:  # born elsewhere in the province
            region = self._county(rng).code
        if region in W.NEW_COUNTY_PREDECESSOR and birth.year < W.NEW_COUNTY_PREDECESSOR[region][1]:
            region = W.NEW_COUNTY_PREDECESSOR[region][0]
        elif 0.06 <= roll < 0.16:
            old = [c for c, year in self.historical.get(regions.city_of(region), []) if year > birth.year]
            if old:
                region = rng.choice(old)
        while True:
            seq = rng.randrange(500) * 2 + (1 if male else 0)
            code = make_ric(region, birth, seq)
            if code not in self.codes:
                self.codes.add(code)
                return code

    def _insert_subjects(self, rows: list[dict]) -> None:
        """Bulk insert; identity numbers go in as keyed hashes and ciphertexts (docs/privacy.md)."""
        conn = self.session.connection()
        table = Subject.__table__
        for i in range(0, len(rows), CHUNK):
            conn.execute(insert(table), identity.protect_rows(rows[i:i + CHUNK]))

    def _ids(self, codes: list[str]) -> dict[str, int]:
        conn = self.session.connection()
        t = Subject.__table__
        out: dict[str, int] = {}
        for i in range(0, len(codes), CHUNK):
            part = codes[i:i + CHUNK]
            by_key = dict(zip(identity.lookup_keys(part), part, strict=True))
            out.update({by_key[k]: sid for sid, k in conn.execute(
                select(t.c.id, t.c.code).where(t.c.code.in_(list(by_key))))})
        return out


# --- entry point -------------------------------------------------------------------------------------


def build_demo(
    session: Session,
    *,
    scale: float = 1.0,
    seed: int = 2016,
    progress: Progress | None = None,
    commit: bool = False,
    today: date | None = None,
) -> DemoSummary:
    """Fill an empty database (migrated, with an active policy) with a synthetic province.

    ``progress(phase, done, total)`` is called as each phase goes (phases: :data:`PHASES`).
    ``commit``: commit after each phase and each department's batch (the CLI does; tests keep
    one transaction). Raises :class:`DemoRejected` when any generated row fails validation.
    """
    if scale <= 0:
        raise ValueError("scale must be positive")
    started = time.perf_counter()
    gen = Generator(session, scale=scale, seed=seed, today=today or clock.today(), progress=progress)
    steps = [
        ("bodies", gen.build_bodies), ("persons", gen.build_persons), ("servants", gen.build_servants),
        ("enterprises", gen.build_enterprises), ("records", lambda: gen.build_records(commit)),
        ("joint", lambda: gen.summary.joint.update(build_joint(session, scale=scale, seed=seed, today=gen.today,
                                                                progress=progress))),
        # after every other phase, with its own random stream: the province before it stays as it was
        ("promises", lambda: gen.summary.promises.update(build_promises(session, scale=scale, seed=seed,
                                                                        today=gen.today))),
        ("obligations", lambda: gen.summary.obligations.update(
            build_obligations(session, scale=scale, seed=seed, today=gen.today))),
        ("complaints", lambda: gen.summary.joint.update(build_complaints(session, scale=scale, seed=seed,
                                                                         today=gen.today))),
        ("leniency", lambda: gen.summary.joint.update(build_leniency(session, seed=seed, today=gen.today))),
        ("cases", lambda: gen.summary.joint.update(build_cases(session, seed=seed, today=gen.today))),
        ("oversight", lambda: gen.summary.oversight.update(build_oversight(session, seed=seed, today=gen.today,
                                                                          progress=progress))),
        # proposals from the obligations above, for the credit office to confirm (no records, no randomness)
        ("findings", lambda: gen.summary.obligations.update(build_findings(session, today=gen.today))),
    ]
    for phase, step in steps:
        t0 = time.perf_counter()
        step()
        session.flush()
        if commit:
            session.commit()
        gen.summary.phase_seconds[phase] = round(time.perf_counter() - t0, 2)
    summary = gen.summary
    summary.subjects = {
        "gov_body": sum(1 for b in gen.bodies if b.kind == "gov_body"),
        "public_servant": len(gen.servants),
        "person": len(gen.persons),
        "enterprise": len(gen.enterprises) + len(gen.organisations),
    }
    stored = dict(session.execute(select(Record.category_code, func.count()).group_by(Record.category_code)).all())
    summary.records_after = {c: n - summary.records.get(c, 0) for c, n in stored.items() if n != summary.records.get(c, 0)}
    summary.seconds = round(time.perf_counter() - started, 2)
    if summary.rejected:
        raise DemoRejected(summary.errors, summary.rejected)
    return summary
