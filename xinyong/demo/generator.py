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
"""

from __future__ import annotations

import math
import random
import re
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from faker import Faker
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from xinyong.catalog import service as catalog_service
from xinyong.catalog.schemas import SUBJECT_KIND_NAMES, Category, FactSpec, PolicySet
from xinyong.core import clock, regions
from xinyong.core.codes import _USCC_ALPHABET, make_ric, make_uscc
from xinyong.core.db import utcnow
from xinyong.core.errors import XinyongError
from xinyong.demo import stories
from xinyong.demo import words as W
from xinyong.demo.joint import build_joint
from xinyong.records.columns import COMMON, map_columns
from xinyong.records.ingest import import_source
from xinyong.records.readers import rows_from_dicts
from xinyong.records.validation import KIND_WORDS, RowError
from xinyong.subjects import identity
from xinyong.subjects.models import Designation, Post, Subject

Progress = Callable[[str, int, int], None]

# Counts at scale 1.
PERSONS = 100_000
PUBLIC_SERVANTS = 10_000
ENTERPRISES = 20_000
INSTITUTIONS = 2_000
VILLAGES = 3_000
RECORDS = 300_000

CHUNK = 5_000  # rows per executemany statement
IMPORT_ROWS = 20_000  # rows per import_source call (a department's batch is split beyond it)
YEARS_BACK = 6

PHASES = ("bodies", "persons", "servants", "enterprises", "records", "joint")
PHASE_NAMES = {
    "bodies": "政府机构", "persons": "自然人", "servants": "公务人员", "enterprises": "企业", "records": "信用记录",
    "joint": "名单与核查",
}
LEVELS = ("province", "city", "county")

H_NAME, H_CODE, H_KIND = COMMON["subject_name"][0], COMMON["subject_code"][0], COMMON["subject_kind"][0]
H_CATEGORY, H_SEVERITY = COMMON["category"][0], COMMON["severity"][0]
H_DOC, H_DATE = COMMON["decision_no"][0], COMMON["decision_date"][0]
H_DEPT, H_DEPT_CODE = COMMON["department_name"][0], COMMON["department_code"][0]
H_SOURCE, H_CONSENT = COMMON["source_id"][0], COMMON["consent"][0]


class DemoRejected(XinyongError):
    """Some generated rows did not pass validation: a bug in the generator or a list it cannot fill."""

    def __init__(self, errors: list[RowError], rejected: int):
        lines = "; ".join(f"{e.field}={e.value!r}: {e.zh}" for e in errors[:10])
        super().__init__(
            f"演示数据有 {rejected} 行未通过校验：{lines}",
            f"{rejected} generated rows were rejected: {lines}",
        )
        self.errors = errors
        self.rejected = rejected


@dataclass
class DemoSummary:
    seed: int
    scale: float
    policy_version_id: int | None = None
    subjects: dict[str, int] = field(default_factory=dict)
    bodies: dict[str, int] = field(default_factory=dict)  # governments, departments, institutions, villages
    posts: int = 0
    designations: int = 0
    records: dict[str, int] = field(default_factory=dict)  # accepted rows by category code
    category_names: dict[str, str] = field(default_factory=dict)
    rows: int = 0
    rejected: int = 0
    batches: int = 0
    errors: list[RowError] = field(default_factory=list)
    generic_facts: dict[str, list[str]] = field(default_factory=dict)  # filled from type and name only
    seconds: float = 0.0
    phase_seconds: dict[str, float] = field(default_factory=dict)
    joint: dict[str, int] = field(default_factory=dict)  # list entries, grades, checks (xinyong.demo.joint)


# --- subjects in memory ---------------------------------------------------------------------------


@dataclass(slots=True)
class Body:
    code: str
    name: str
    region: str
    level: str
    key: str  # department key, "inst" or "village"
    kind: str  # gov_body, or enterprise for a social organisation
    parent_code: str | None
    ladder: str = "institution"
    head_suffix: str = ""


@dataclass(slots=True)
class Subj:
    kind: str
    code: str
    name: str
    region: str
    birth: date | None = None
    rep_name: str | None = None
    rep_code: str | None = None
    prefix: str = ""
    posts: list | None = None  # public servants: [(body, title, start, end)]
    body: Body | None = None  # government bodies

    @property
    def natural(self) -> bool:
        return self.kind in ("person", "public_servant")


def region_prefix(r: regions.Region) -> str:
    """浙江省 / 杭州市 / 杭州市西湖区 (districts carry their city) / 桐庐县."""
    if r.level == "county" and r.name.endswith("区"):
        return regions.name_of(r.parent) + r.name
    return r.name


def short_name(name: str) -> str:
    return name[:-1] if len(name) > 2 else name


def level_of(code: str) -> str:
    return "province" if code.endswith("0000") else "city" if code.endswith("00") else "county"


def region_at(code: str, level: str) -> str:
    if level == "province":
        return regions.province_of(code)
    if level == "city":
        return regions.city_of(code)
    return code


class _Fmt(dict):
    """Context for ``str.format_map``: fixed values up front, the rest made when first asked."""

    __slots__ = ("gen", "row")

    def __missing__(self, key: str) -> str:
        row = self.row
        if key in row.facts:
            value = row.facts[key]
            return "是" if value is True else "否" if value is False else str(value)
        value = self.gen._placeholder(key, row)
        self[key] = value
        return value


@dataclass(slots=True)
class _Row:
    category: Category
    subject: Subj
    dept: Body
    dept_key: str
    decision: date
    severity: str | None
    decision_no: str
    source_id: str
    facts: dict
    skip: set
    fmt: _Fmt | None = None
    from_dept: set = field(default_factory=set)


@dataclass
class _Plan:
    """What the generator needs to know about a category, worked out once from the policy."""

    category: Category
    profile: dict
    count: int
    overlaps: dict[str, str]  # fact key → common field whose column the fact's header also feeds
    always: set[str]  # facts that must be filled (their empty column would fall back to a common one)
    rule_facts: list[str]
    kind_enums: set[str]
    late: set[str]  # facts whose words refer to other facts: filled last
    departments: list[tuple[str, float]]
    generic: set[str] = field(default_factory=set)


_PLACEHOLDER = re.compile(r"\{([a-z_0-9]+)\}")


class Generator:
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

    # --- phase 1: government bodies ---------------------------------------------------------------

    def build_bodies(self) -> None:
        rng = self._rng("bodies")
        all_regions = [self.province, *self.cities, *self.counties]
        for r in all_regions:
            level = r.level
            idx = LEVELS.index(level)
            city = regions.get(regions.city_of(r.code)) if level != "province" else None
            names = {
                "r": region_prefix(r),
                "c": city.name if city else "",
                "cs": short_name(city.name) if city else "",
                "s": short_name(r.name),
            }
            gov_code = None
            for key, templates in W.DEPARTMENTS.items():
                template, prefix = templates[idx], templates[3]
                if template is None:
                    continue
                name = template.format(**names)
                code = self._org_code(rng, prefix, r.code, letters=False)
                if key == "gov":
                    parent = None if level == "province" else self.body_by[(r.parent, "gov")].code
                    gov_code = code
                elif key == "charity":
                    parent = None
                else:
                    parent_key = W.INSTITUTION_PARENT.get(key)
                    parent_body = self.body_by.get((r.code, parent_key)) if parent_key else None
                    parent = parent_body.code if parent_body else gov_code
                kind = "gov_body" if prefix[0] in "1N" else "enterprise"
                body = Body(code, name, r.code, level, key, kind, parent)
                body.ladder, body.head_suffix = _ladder(body, r)
                self.bodies.append(body)
                self.body_by[(r.code, key)] = body
        # Public institutions and villages' and residents' committees, spread by population.
        places = [self.province, *self.cities, *self.counties]
        weights = [0.0] + [W.CITY_WEIGHTS[c.code] * 0.3 for c in self.cities] + self.county_weights
        used: Counter = Counter()
        for _ in range(self.n(INSTITUTIONS)):
            r = rng.choices(places, weights=weights)[0]
            i = used[r.code]
            used[r.code] += 1
            if i < len(W.INSTITUTIONS):
                template, parent_key = W.INSTITUTIONS[i]
                name = template.format(r=region_prefix(r))
            else:
                k = i - len(W.INSTITUTIONS)
                template, parent_key = W.NUMBERED_INSTITUTIONS[k % len(W.NUMBERED_INSTITUTIONS)]
                name = template.format(r=region_prefix(r), n=_cn_number(3 + k // len(W.NUMBERED_INSTITUTIONS)))
            parent = self.body_by.get((r.code, parent_key)) or self.body_by[(r.code, "gov")]
            body = Body(self._org_code(rng, "12", r.code, letters=False), name, r.code, r.level, "inst", "gov_body", parent.code)
            body.ladder, body.head_suffix = _ladder(body, r)
            self.bodies.append(body)
        names: set[str] = set()
        for _ in range(self.n(VILLAGES)):
            r = self._county(rng)
            while True:
                town = "".join(rng.sample(W.TOWN_SYLLABLES, 2)) + rng.choice(W.TOWN_SUFFIX)
                suffix = rng.choice(W.VILLAGE_SUFFIX)
                village = "".join(rng.sample(W.TOWN_SYLLABLES, 2)) + suffix
                committee = "居民委员会" if suffix == "社区" else "村民委员会"
                name = f"{region_prefix(r)}{town}{village}{committee}"
                if name not in names:
                    names.add(name)
                    break
            gov = self.body_by[(r.code, "gov")]
            # 村（居）民委员会 (温 二(二)1): 民政 codes 54 村民委员会 / 55 居民委员会 (codes.USCC_TYPES)
            prefix = "55" if committee == "居民委员会" else "54"
            self.bodies.append(Body(self._org_code(rng, prefix, r.code, letters=False), name, r.code, "county",
                                    "village", "gov_body", gov.code))
        # Insert parents before children, so that parent_id can be set on insert.
        depth: dict[str, int] = {}
        by_code = {b.code: b for b in self.bodies}

        def depth_of(b: Body) -> int:
            if b.code not in depth:
                depth[b.code] = 0 if b.parent_code is None else depth_of(by_code[b.parent_code]) + 1
            return depth[b.code]

        tiers: dict[int, list[Body]] = defaultdict(list)
        for b in self.bodies:
            tiers[depth_of(b)].append(b)
        done = 0
        for d in sorted(tiers):
            rows = [
                {"kind": b.kind, "code": b.code, "name": b.name, "region_code": b.region,
                 "parent_id": self.body_ids[b.parent_code] if b.parent_code else None}
                for b in tiers[d]
            ]
            self._insert_subjects(rows)
            self.body_ids.update(self._ids([b.code for b in tiers[d]]))
            done += len(rows)
            self._tick("bodies", done, len(self.bodies))
        kinds = Counter()
        for b in self.bodies:
            kinds["governments" if b.key == "gov" else "villages" if b.key == "village" else
                  "institutions" if b.code.startswith("12") else "social_organisations" if b.kind == "enterprise"
                  else "departments"] += 1
            if b.kind == "gov_body":
                self.gov_subjects.append(Subj("gov_body", b.code, b.name, b.region, body=b, prefix=b.code[:2]))
        self.summary.bodies = dict(kinds)
        # Social organisations (慈善总会) are 法人和其他组织; they report, records do not name them.
        self.organisations = [b for b in self.bodies if b.kind == "enterprise"]

    # --- phase 2: persons --------------------------------------------------------------------------

    def build_persons(self) -> None:
        rng = self._rng("persons")
        fake = self._faker("persons")
        total = self.n(PERSONS)
        start, span = date(1945, 1, 1), (date(2004, 12, 31) - date(1945, 1, 1)).days
        rows: list[dict] = []
        for i in range(total):
            county = self._county(rng)
            birth = start + timedelta(days=rng.randrange(span))
            male = rng.random() < 0.51
            code = self._ric(rng, county, birth, male)
            name = fake.name_male() if male else fake.name_female()
            self.persons.append(Subj("person", code, name, county.code, birth=birth))
            rows.append({"kind": "person", "code": code, "name": name, "region_code": county.code,
                         "birth_date": birth, "gender": "M" if male else "F"})
            if len(rows) >= CHUNK:
                self._insert_subjects(rows)
                rows = []
                self._tick("persons", i + 1, total)
        if rows:
            self._insert_subjects(rows)
        self._tick("persons", total, total)
        self.persons_by_city: dict[str, list[Subj]] = defaultdict(list)
        for p in self.persons:
            self.persons_by_city[regions.city_of(p.region)].append(p)

    # --- phase 3: public servants and their posts --------------------------------------------------

    def build_servants(self) -> None:
        rng = self._rng("servants")
        fake = self._faker("servants")
        total = self.n(PUBLIC_SERVANTS)
        staffable = [b for b in self.bodies if b.kind == "gov_body" and b.key != "village"]
        weights = [
            (4.0 if b.key == "gov" else 2.0 if b.key == "court" else 0.8 if b.key == "inst" else 1.5)
            * (1.5 if b.level == "province" else 1.2 if b.level == "city" else 1.0)
            for b in staffable
        ]
        cum = list(_cumulate(weights))
        by_city: dict[str, list[Body]] = defaultdict(list)
        for b in staffable:
            by_city[regions.city_of(b.region)].append(b)
        heads: set[str] = set()
        deputies: Counter = Counter()
        start, span = date(1960, 1, 1), (date(2000, 12, 31) - date(1960, 1, 1)).days
        rows: list[dict] = []
        post_plans: list[tuple[str, list]] = []
        for i in range(total):
            body = rng.choices(staffable, cum_weights=cum)[0]
            birth = start + timedelta(days=rng.randrange(span))
            male = rng.random() < 0.6
            level = level_of(body.region)
            if level == "county":
                county = regions.get(body.region)
            elif level == "city":
                county = rng.choice(self.counties_by_city[body.region])
            else:
                county = self._county(rng)
            code = self._ric(rng, county, birth, male)
            name = fake.name_male() if male else fake.name_female()
            ladder = _titles(body)
            rank = _rank(rng, len(ladder))
            if rank == len(ladder) - 1 and body.code in heads:
                rank -= 1
            if rank == len(ladder) - 2 and deputies[body.code] >= 3:
                rank -= 1
            if rank == len(ladder) - 1:
                heads.add(body.code)
                self.heads[body.code] = (name, code)
            elif rank == len(ladder) - 2:
                deputies[body.code] += 1
            # A career: 1–3 posts, the last one current.
            career = _add_years(birth, rng.randint(22, 26))
            last_start = self.today - timedelta(days=30)
            if career >= last_start:
                career = last_start - timedelta(days=365)
            n_posts = rng.choices((1, 2, 3), weights=(0.45, 0.35, 0.2))[0]
            days = (last_start - career).days
            starts = sorted({career, *(career + timedelta(days=rng.randrange(1, days)) for _ in range(n_posts - 1))})
            # Earlier posts, going back: a rank lower in the same body, or a move from another.
            chain = [(body, rank)]
            for _ in range(len(starts) - 1):
                nb, nr = chain[0]
                if nr > 0 and rng.random() < 0.6:
                    chain.insert(0, (nb, nr - 1))
                    continue
                others = [b for b in by_city[regions.city_of(nb.region)] if b is not nb] or staffable
                b = rng.choice(others)
                chain.insert(0, (b, max(0, min(len(_titles(b)) - 2, nr - rng.choice((0, 1))))))
            posts = []
            for k, (s, (b, r)) in enumerate(zip(starts, chain, strict=True)):
                end = starts[k + 1] - timedelta(days=1) if k < len(starts) - 1 else None
                posts.append((b, _titles(b)[r], s, end))
            subj = Subj("public_servant", code, name, body.region, birth=birth, posts=posts)
            self.servants.append(subj)
            rows.append({"kind": "public_servant", "code": code, "name": name, "region_code": body.region,
                         "birth_date": birth, "gender": "M" if male else "F"})
            post_plans.append((code, posts))
            if len(rows) >= CHUNK:
                self._insert_subjects(rows)
                rows = []
                self._tick("servants", i + 1, total)
        if rows:
            self._insert_subjects(rows)
        ids = self._ids([s.code for s in self.servants])
        post_rows = [
            {"person_id": ids[code], "body_id": self.body_ids[b.code], "title": title, "start_date": s, "end_date": e}
            for code, posts in post_plans for b, title, s, e in posts
        ]
        conn = self.session.connection()
        for i in range(0, len(post_rows), CHUNK):
            conn.execute(insert(Post.__table__), post_rows[i:i + CHUNK])
        self.summary.posts = len(post_rows)
        self.staff_of: dict[str, list[Subj]] = defaultdict(list)  # body code → those who held a post there
        for servant in self.servants:
            for b in {b.code for b, *_ in servant.posts}:
                self.staff_of[b].append(servant)
        # Who answers for a body is registered, not read from a title: its head is its principal
        # and legal representative from the day the head's post began (a court's 书记员 is neither).
        designation_rows = [
            {"person_id": ids[code], "body_id": self.body_ids[b.code], "role": role, "start_date": s, "end_date": e,
             "basis": f"{b.name}任命", "created_by": "demo", "created_at": utcnow()}
            for code, posts in post_plans for b, title, s, e in posts if title == _titles(b)[-1]
            for role in ("principal", "legal_rep")
        ]
        for i in range(0, len(designation_rows), CHUNK):
            conn.execute(insert(Designation.__table__), designation_rows[i:i + CHUNK])
        self.summary.designations += len(designation_rows)
        for s in self.gov_subjects:  # a body's legal representative: its head
            s.rep_name, s.rep_code = self.heads.get(s.code, (None, None))
        self._tick("servants", total, total)

    # --- phase 4: enterprises -------------------------------------------------------------------------

    def build_enterprises(self) -> None:
        rng = self._rng("enterprises")
        fake = self._faker("enterprises")
        total = self.n(ENTERPRISES)
        names: set[str] = {b.name for b in self.organisations}
        rows: list[dict] = []
        for i in range(total):
            county = self._county(rng)
            city = regions.get(county.parent)
            cs = short_name(city.name)
            city_people = self.persons_by_city.get(city.code) or self.persons
            rep = rng.choice(city_people if rng.random() < 0.85 else self.persons) if self.persons else None
            roll = rng.random()
            prefix = "91" if roll < 0.75 else "92" if roll < 0.95 else "93"
            for attempt in range(20):
                if prefix == "91":
                    extra = short_name(county.name) if attempt > 5 else ""
                    brand = fake.company_prefix() if rng.random() < 0.3 else "".join(rng.sample(W.BRAND_CHARS, 2))
                    if "公司" in brand or any(c.name.startswith(brand[:2]) for c in self.cities):
                        brand = "".join(rng.sample(W.BRAND_CHARS, 2))
                    name = f"{cs}{extra}{brand}{rng.choice(W.INDUSTRIES)}{rng.choice(W.COMPANY_FORMS)}"
                elif prefix == "92":
                    surname = rep.name[0] if rep else fake.last_name()
                    name = f"{county.name}{surname}记{rng.choice(W.SHOP_TRADES)}"
                    if attempt:
                        name = f"{county.name}{rng.choice(W.PLACES)}{surname}记{rng.choice(W.SHOP_TRADES)}"
                else:
                    name = f"{region_prefix(county)}{''.join(rng.sample(W.TOWN_SYLLABLES, 2))}{rng.choice(W.COOP_CROPS)}专业合作社"
                if name not in names:
                    break
            else:
                name = f"{name}（{i}）"
            names.add(name)
            code = self._org_code(rng, prefix, county.code, letters=True)
            subj = Subj("enterprise", code, name, county.code, rep_name=rep.name if rep else None,
                        rep_code=rep.code if rep else None, prefix=prefix)
            self.enterprises.append(subj)
            rows.append({"kind": "enterprise", "code": code, "name": name, "region_code": county.code,
                         "legal_rep_name": subj.rep_name, "legal_rep_code": subj.rep_code})
            if len(rows) >= CHUNK:
                self._insert_subjects(rows)
                rows = []
                self._tick("enterprises", i + 1, total)
        if rows:
            self._insert_subjects(rows)
        self._designate_representatives()
        self._tick("enterprises", total, total)

    def _designate_representatives(self) -> None:
        """Each enterprise's legal representative, registered from a day in the last fifteen
        years (a rng of its own, so the enterprises themselves stay as they were)."""
        rng = self._rng("designations")
        firms = [e for e in self.enterprises if e.rep_code]
        if not firms:
            return
        ids = self._ids([e.code for e in firms])
        ids.update(self._ids(sorted({e.rep_code for e in firms})))
        rows = [{"person_id": ids[e.rep_code], "body_id": ids[e.code], "role": "legal_rep",
                 "start_date": self.today - timedelta(days=rng.randrange(200, 15 * 365)), "end_date": None,
                 "basis": "营业执照登记", "created_by": "demo", "created_at": utcnow()}
                for e in firms if e.code in ids and e.rep_code in ids]
        conn = self.session.connection()
        for i in range(0, len(rows), CHUNK):
            conn.execute(insert(Designation.__table__), rows[i:i + CHUNK])
        self.summary.designations += len(rows)

    # --- phase 5: credit records through the ingest pipeline --------------------------------------------

    def build_records(self, commit: bool) -> None:
        version_id, policy = catalog_service.active_version(self.session)
        self.summary.policy_version_id = version_id
        self.firms = [e for e in self.enterprises if e.prefix == "91"] or self.enterprises
        self.policy = policy
        rng = self._rng("records")
        fake = self._faker("records")
        self.rec_rng = rng
        self.named_rng = self._rng("named_persons")  # its own: the other facts stay as they were
        self.pnames = [fake.company_prefix() for _ in range(200)]
        self.severity_names = policy.severity_names()
        plans = self._plans(policy)
        self.summary.category_names = {c.code: c.name for c in policy.catalog.categories}
        self.doc_seq: Counter = Counter()
        self.source_seq = 0
        self.pools = {"person": self.persons, "public_servant": self.servants, "enterprise": self.enterprises}
        self.gov_pools: dict[object, list[Subj]] = {
            None: self.gov_subjects,
            "admin": [s for s in self.gov_subjects if s.body.key not in ("inst", "village") and s.code[:2] == "11"],
        }
        by_dept: dict[str, list[dict]] = defaultdict(list)
        dept_of: dict[str, Body] = {}
        made = 0
        for plan in plans:
            for _ in range(plan.count):
                row = self._row(plan, rng)
                if row is None:
                    continue
                by_dept[row[H_DEPT_CODE]].append(row)
                dept_of[row[H_DEPT_CODE]] = row.pop("_dept")
                made += 1
        story = self._court_debtor_row(plans)
        if story is not None:
            by_dept[story[H_DEPT_CODE]].append(story)
            dept_of[story[H_DEPT_CODE]] = story.pop("_dept")
            made += 1
        for story in stories.story_rows(self):  # the fixed stories (docs/demo.md), drawn last
            by_dept[story[H_DEPT_CODE]].append(story)
            dept_of[story[H_DEPT_CODE]] = story.pop("_dept")
            made += 1
        self.summary.generic_facts = {p.category.code: sorted(p.generic) for p in plans if p.generic}
        # One batch per reporting department, as its file would arrive.
        done = 0
        accepted: Counter = Counter()
        errors: list[RowError] = []
        rejected = 0
        self._tick("records", 0, made)
        for code in sorted(by_dept):
            rows = by_dept[code]
            dept = dept_of[code]
            for i in range(0, len(rows), IMPORT_ROWS):
                part = rows[i:i + IMPORT_ROWS]
                base = done
                result = import_source(
                    self.session, rows_from_dicts(part), file_name=f"演示数据-{dept.name}-{i // IMPORT_ROWS + 1}.json",
                    user="demo", progress=lambda n, base=base: self._tick("records", base + n, made),
                )
                done += len(part)
                self.summary.batches += 1
                rejected += result.rejected
                errors.extend(result.errors[: max(0, 50 - len(errors))])
                bad = {e.row for e in result.errors}
                for n, r in enumerate(part, start=1):
                    if n not in bad:
                        accepted[self._category_code(r)] += 1
                if commit:
                    self.session.commit()
        self.summary.rows = made
        self.summary.rejected = rejected
        self.summary.errors = errors
        self.summary.records = dict(sorted(accepted.items(), key=lambda kv: -kv[1]))
        self._tick("records", made, made)

    def _court_debtor_row(self, plans: list[_Plan]) -> dict | None:
        """One court on the dishonest judgment debtor list, chosen among courts with a clerk
        (书记员) in post, so that the demo always shows whom a body's listing reaches: its
        registered principal, never a clerk whose title happens to contain 书记. Its own rng:
        the rest of the records stay as they were."""
        plan = next((p for p in plans if p.category.code == "dishonest_judgment_debtor"), None)
        clerks = {b.code for s in self.servants for b, title, _start, end in s.posts if title == "书记员" and end is None}
        courts = [s for s in self.gov_subjects if s.body.key == "court" and s.code in clerks]
        courts = [s for s in courts if s.code in self.heads] or courts  # one with a head, where there is one
        if plan is None or not courts:
            return None
        self.gov_pools[("court_with_clerk",)] = courts
        story = replace(plan, profile={**plan.profile, "kinds": {"gov_body": 1.0}, "gov_keys": ["court_with_clerk"]})
        rng = self._rng("court_debtor")
        for _attempt in range(50):  # a listing of the past year, still shown
            row = self._row(story, rng)
            if row is not None and date.fromisoformat(row[H_DATE]) >= self.today - timedelta(days=365):
                return row
        return None

    def _category_code(self, row: dict) -> str:
        name = row[H_CATEGORY]
        return self._cat_by_name[name]

    # --- planning --------------------------------------------------------------------------------

    def _plans(self, policy: PolicySet) -> list[_Plan]:
        cats = policy.catalog.categories
        self._cat_by_name = {c.name: c.code for c in cats}
        total = self.n(RECORDS)
        fixed = {c.code: max(1, self.n(W.PROFILES[c.code]["count"]))
                 for c in cats if "count" in W.PROFILES.get(c.code, {})}
        weights = {c.code: W.PROFILES.get(c.code, {}).get("weight", W.DEFAULT_WEIGHT) for c in cats if c.code not in fixed}
        remaining = max(0, total - sum(fixed.values()))
        wsum = sum(weights.values()) or 1.0
        plans = []
        for c in cats:
            count = fixed.get(c.code) or max(1, int(round(remaining * weights[c.code] / wsum)))
            plans.append(self._plan(c, W.PROFILES.get(c.code, {}), count))
        return plans

    def _plan(self, cat: Category, profile: dict, count: int) -> _Plan:
        fact_names = {f.name: f.key for f in cat.facts}
        headers = [H_CATEGORY, H_NAME, H_CODE, H_KIND, H_SEVERITY, H_DOC, H_DATE, H_DEPT, H_DEPT_CODE, H_SOURCE]
        headers += [f.name for f in cat.facts]
        if any(f.consent_required for f in cat.facts):
            headers.append(H_CONSENT)
        cmap = map_columns(headers, cat)
        overlaps: dict[str, str] = {}
        for common, positions in cmap.common.items():
            if positions and headers[positions[0]] in fact_names:
                overlaps[fact_names[headers[positions[0]]]] = common
        always: set[str] = set()
        for key, positions in cmap.facts.items():
            if any(headers[p] not in fact_names for p in positions):
                always.add(key)
        rule_facts: list[str] = []
        for rule in cat.severity_rules:
            if rule.fact not in rule_facts:
                rule_facts.append(rule.fact)
        kind_enums = {f.key for f in cat.facts if f.type == "enum" and sum(c in KIND_WORDS for c in f.choices or []) >= 2}
        fact_keys = {f.key for f in cat.facts}
        late = set()
        for f in cat.facts:
            for text in self._words_for(cat, f.key, None):
                if fact_keys & set(_PLACEHOLDER.findall(text)):
                    late.add(f.key)
                    break
        departments = profile.get("departments") or _departments_from_text(cat.reporting_departments)
        departments = [(k, w) for k, w in departments if any(b.key == k for b in self.bodies)]
        if not departments:
            departments = [("ndrc", 1.0)]
        return _Plan(cat, profile, count, overlaps, always, rule_facts, kind_enums, late, departments)

    def _words_for(self, cat: Category, key: str, subj: Subj | None) -> list[str]:
        klass = None if subj is None else ("natural" if subj.natural else "legal")
        for k in ((f"{cat.code}.{key}@{klass}", f"{cat.code}.{key}", f"{key}@{klass}", key) if klass else
                  (f"{cat.code}.{key}", key)):
            if k in W.WORDS:
                return W.WORDS[k]
        return []

    # --- one row -----------------------------------------------------------------------------------

    def _pick_subject(self, plan: _Plan, rng: random.Random) -> Subj | None:
        cat = plan.category
        kinds = plan.profile.get("kinds", W.DEFAULT_KINDS)
        choices, weights = [], []
        for kind in cat.subject_kinds:
            if kind == "gov_body":
                pool = self._gov_pool(plan.profile.get("gov_keys"))
            else:
                pool = self.pools[kind]
            if pool:
                choices.append(pool)
                weights.append(kinds.get(kind, 0.01))
        if not choices:
            return None
        pool = rng.choices(choices, weights=weights)[0]
        return rng.choice(pool)

    def _gov_pool(self, keys) -> list[Subj]:
        pool_key = tuple(keys) if isinstance(keys, list) else keys
        pool = self.gov_pools.get(pool_key)
        if pool is None:
            pool = self.gov_pools[pool_key] = [s for s in self.gov_subjects if s.body.key in keys]
        return pool

    def _decision_date(self, rng: random.Random) -> date:
        span = YEARS_BACK * 365
        days = min(span, int(rng.expovariate(1 / 200))) if rng.random() < 0.65 else rng.randrange(span)
        return self.today - timedelta(days=days)

    def _fits(self, plan: _Plan, subj: Subj, day: date) -> bool:
        if subj.natural and subj.birth:
            lo, hi = plan.profile.get("age", (18, 90))
            if not (_add_years(subj.birth, lo) <= day <= _add_years(subj.birth, hi)):
                return False
        if subj.posts and day < subj.posts[0][2]:
            return False
        return True

    def _pick_department(self, plan: _Plan, subj: Subj, rng: random.Random) -> tuple[Body, str] | None:
        keys, weights = zip(*plan.departments, strict=True)
        key = rng.choices(keys, weights=weights)[0]
        level = level_of(subj.region)
        if subj.kind == "gov_body" and plan.profile.get("superior"):
            level = LEVELS[max(0, LEVELS.index(level) - 1)]
            allowed = LEVELS[: LEVELS.index(level) + 1]
        else:
            allowed = LEVELS[: LEVELS.index(level) + 1]
        lv = plan.profile.get("court_levels") if key == "court" else plan.profile.get("levels")
        lv = lv or (0.05, 0.2, 0.75)
        w = [lv[LEVELS.index(x)] if x in allowed else 0 for x in LEVELS]
        if not any(w):
            w = [1 if x == level else 0 for x in LEVELS]
        first = rng.choices(LEVELS, weights=w)[0]
        order = [first] + [x for x in reversed(LEVELS) if x != first]
        for lvl in order:
            body = self.body_by.get((region_at(subj.region, lvl), key))
            if body is not None and body.code != subj.code:
                return body, key
        for k, _w in plan.departments:  # e.g. the subject is the only such department
            for lvl in ("province", "city", "county"):
                body = self.body_by.get((region_at(subj.region, lvl), k))
                if body is not None and body.code != subj.code:
                    return body, k
        return None

    def _severity(self, cat: Category, subj: Subj, plan: _Plan, rng: random.Random) -> str | None:
        if not cat.severities:
            return None
        options = list(cat.severities)
        if not subj.natural and plan.profile.get("legal_severities"):
            options = [s for s in options if s in plan.profile["legal_severities"]] or options
        table = plan.profile.get("severities", W.SEVERITY_WEIGHTS)
        weights = [table.get(s, 0.05) for s in options]
        return rng.choices(options, weights=weights)[0]

    def _row(self, plan: _Plan, rng: random.Random) -> dict | None:
        cat = plan.category
        for _attempt in range(60):
            subj = self._pick_subject(plan, rng)
            if subj is None:
                return None
            day = self._decision_date(rng)
            if self._fits(plan, subj, day):
                break
        picked = self._pick_department(plan, subj, rng)
        if picked is None:
            return None
        dept, dept_key = picked
        severity = self._severity(cat, subj, plan, rng)
        doc = self._doc_no(cat, dept, dept_key, day)
        self.source_seq += 1
        source_id = f"{dept.code[8:16]}-{day.year}-{self.source_seq:08d}"
        row = _Row(cat, subj, dept, dept_key, day, severity, doc, source_id, {}, set())
        derived_ok = self._facts(plan, row, rng)
        out: dict = {
            "_dept": dept,
            H_CATEGORY: cat.name,
            H_NAME: subj.name,
            H_CODE: subj.code,
            H_KIND: SUBJECT_KIND_NAMES[subj.kind],
        }
        if severity is not None and not (derived_ok and rng.random() < 0.3):
            out[H_SEVERITY] = self.severity_names.get(severity, severity)
        out[H_DOC] = doc
        out[H_DATE] = day.isoformat()
        out[H_DEPT] = dept.name
        out[H_DEPT_CODE] = dept.code
        out[H_SOURCE] = source_id
        consent = False
        for f in cat.facts:
            value = row.facts.get(f.key)
            if value is None:
                continue
            out[f.name] = value.isoformat() if isinstance(value, date) else ("是" if value else "否") if isinstance(value, bool) else value
            consent |= f.consent_required
        if consent:
            out[H_CONSENT] = "是"
        return out

    def _doc_no(self, cat: Category, dept: Body, key: str, day: date) -> str:
        word = W.DOC_WORDS.get(cat.code, "信")
        self.doc_seq[(dept.code, word, day.year)] += 1
        seq = self.doc_seq[(dept.code, word, day.year)]
        if key == "court":
            word = W.COURT_DOC_WORDS.get(cat.code, word if word in ("执", "刑初") else "执")
            return f"（{day.year}）{_court_code(dept.region)}{word}{seq}号"
        return f"{_abbr(dept.region)}{W.DEPT_ABBR.get(key, '')}{word}〔{day.year}〕{seq}号"

    # --- facts -------------------------------------------------------------------------------------

    def _facts(self, plan: _Plan, row: _Row, rng: random.Random) -> bool:
        """Fill the row's facts; True when the severity the rules derive equals the chosen one."""
        cat = plan.category
        facts = row.facts
        specs = {f.key: f for f in cat.facts}
        row.fmt = _Fmt()
        row.fmt.gen = self
        row.fmt.row = row
        # 0. columns that also feed a common field carry the same value as it
        self._overlap_facts(plan, row, specs)
        # 1. severity: the facts the rules read get values that give the chosen severity
        derived_ok = self._rule_facts(plan, row, rng, specs)
        # 2. a theme: values that belong together (a violation and its legal basis)
        if cat.code not in _THEMED_BY_HOOK:
            theme = self._theme(cat.code, row, rng)
            if theme:
                for k, v in theme.items():
                    if k in specs and k not in facts and k not in row.skip and not k.startswith("_"):
                        facts[k] = self._format(v, row) if isinstance(v, str) else v
        # 3. the category's own coherence (sentence and its dates, a fine and its content)
        hook = _HOOKS.get(cat.code)
        if hook:
            hook(self, row, rng, specs)
        # 4. facts known from context: the subject's legal representative, the department, posts
        self._context_facts(plan, row, rng, specs)
        # 5. everything else, from word lists or from the fact's type and name
        for f in cat.facts:
            if f.key in facts or f.key in row.skip or f.key in plan.late:
                continue
            self._fill(plan, row, f, rng)
        for f in cat.facts:
            if f.key in plan.late and f.key not in facts and f.key not in row.skip:
                self._fill(plan, row, f, rng)
        after = _AFTER.get(cat.code)
        if after:
            after(self, row, rng, specs)
        for key in list(facts):
            spec = specs[key]
            if spec.max_length and isinstance(facts[key], str):
                facts[key] = facts[key][: spec.max_length]
        return derived_ok

    def _rule_facts(self, plan: _Plan, row: _Row, rng: random.Random, specs: dict[str, FactSpec]) -> bool:
        cat = plan.category
        if not plan.rule_facts or row.severity is None:
            return bool(cat.severities) and row.severity == cat.default_severity
        target = row.severity
        driving = [r for r in cat.severity_rules if r.severity == target]
        driver = rng.choice(driving).fact if driving else None
        ok = True
        for key in plan.rule_facts:
            if key in row.facts:
                continue
            spec = specs[key]
            rules = [r for r in cat.severity_rules if r.fact == key]

            def derived(value: str, rules=rules) -> str | None:
                for r in rules:
                    if any(w in value for w in r.contains):
                        return r.severity
                return None

            want = target if key == driver else None
            candidates = self._candidates(cat, spec, row)
            good = [c for c in candidates if derived(self._format(c, row)) == want]
            if good:
                row.facts[key] = self._format(rng.choice(good), row)
            elif want is not None and spec.type in ("string", "text"):
                rule = next(r for r in rules if r.severity == want)
                row.facts[key] = rng.choice(rule.contains)
                ok = ok and derived(row.facts[key]) == want
            elif want is None and spec.type in ("string", "text") and not spec.required:
                row.skip.add(key)
            elif want is None and spec.type in ("string", "text"):
                row.facts[key] = "其他"
            else:
                ok = False
        if driver is None and target != cat.default_severity:
            ok = False
        return ok

    def _candidates(self, cat: Category, spec: FactSpec, row: _Row) -> list[str]:
        words = self._words_for(cat, spec.key, row.subject)
        if spec.type == "enum":
            return [c for c in (spec.choices or []) if not words or c in words] or list(spec.choices or [])
        return list(words)

    def _theme(self, code: str, row: _Row, rng: random.Random) -> dict | None:
        themes = W.THEMES.get(code)
        if not themes:
            return None
        who = _who(row.subject)
        fit = [t for t in themes if ("_who" not in t or t["_who"] in who)
               and ("_level" not in t or t["_level"] == row.dept.level)]
        same_dept = [t for t in fit if t.get("_dept") == row.dept_key]
        pool = same_dept or [t for t in fit if "_dept" not in t] or fit
        return rng.choice(pool) if pool else None

    def _format(self, text: str, row: _Row) -> str:
        if "{" not in text:
            return text
        return text.format_map(row.fmt)

    def _overlap_facts(self, plan: _Plan, row: _Row, specs: dict[str, FactSpec]) -> None:
        facts, subj, dept = row.facts, row.subject, row.dept
        common_values = {
            "subject_name": subj.name, "subject_code": subj.code, "decision_date": row.decision,
            "department_name": dept.name, "department_code": dept.code, "decision_no": row.decision_no,
            "source_id": row.source_id,
        }
        for key, common in plan.overlaps.items():
            if key in facts:
                continue
            if common in common_values:
                facts[key] = common_values[common]
                if common == "department_name":
                    row.from_dept.add(key)
            elif common == "subject_kind" and key in plan.kind_enums:
                facts[key] = self._kind_word(specs[key], subj)
            elif common == "severity" and row.severity:
                facts[key] = self.severity_names.get(row.severity, row.severity)
        for key in plan.kind_enums:
            if key not in facts:
                facts[key] = self._kind_word(specs[key], subj)

    def _context_facts(self, plan: _Plan, row: _Row, rng: random.Random, specs: dict[str, FactSpec]) -> None:
        facts, subj, dept = row.facts, row.subject, row.dept
        # Who the subject is: its legal representative (a person's records carry none).
        if subj.natural or not subj.rep_name:
            for key in ("legal_rep_name", "legal_rep_id_type", "legal_rep_id_no"):
                if key in specs and not specs[key].required:
                    row.skip.add(key)
            if subj.natural and "financial_head_name" in specs and not specs["financial_head_name"].required:
                row.skip.add("financial_head_name")
        if subj.rep_name:
            _set(facts, specs, "legal_rep_name", subj.rep_name)
            _set(facts, specs, "legal_rep_id_type", "居民身份证")
            _set(facts, specs, "legal_rep_id_no", subj.rep_code)
        # The department itself.
        for key in ("authority_code",):
            _set(facts, specs, key, dept.code)
        for key in ("accepting_unit", "performance_unit", "inspection_unit", *plan.profile.get("dept_facts", ())):
            if _set(facts, specs, key, dept.name):
                row.from_dept.add(key)
        # A public servant's post at the time of the decision (项目责任回溯).
        if subj.posts:
            post = next((p for p in reversed(subj.posts) if p[2] <= row.decision), subj.posts[0])
            _set(facts, specs, "employer", post[0].name)
            _set(facts, specs, "employer_code", post[0].code)
            _set(facts, specs, "post", post[1])
        elif subj.kind == "gov_body":
            for key in ("employer", "employer_code", "post"):
                if key in specs and not specs[key].required:
                    row.skip.add(key)
        # Codes of other subjects, with their names: 被拖欠企业 and its code.
        for f in plan.category.facts:
            if f.type not in ("uscc", "ric") or f.key in facts or f.key in row.skip:
                continue
            stem = f.key[:-5] if f.key.endswith("_code") else f.key
            name_key = next((k for k in (stem, f"{stem}_name") if k in specs and k != f.key), None)
            if name_key and name_key in row.from_dept:
                facts[f.key] = dept.code
                continue
            other = self._other_subject(f.type, rng, subj)
            if other is None:
                continue
            facts[f.key] = other.code
            if name_key and name_key not in facts:
                facts[name_key] = other.name

    def _fill_named(self, row: _Row, f: FactSpec) -> None:
        """The persons a decision against a body or an enterprise names (直接责任人员): for a
        government body, one or two of its own staff in post on the day; for an enterprise, its
        legal representative or another person. A third of the decisions name someone."""
        rng = self.named_rng
        subj = row.subject
        if subj.natural or rng.random() >= W.FILL_RATE.get(f.key, 0.33):
            return
        if subj.kind == "gov_body":
            staff = [s for s in self.staff_of.get(subj.code, ())
                     if any(b.code == subj.code and start <= row.decision and (end is None or end >= row.decision)
                            for b, _t, start, end in s.posts)]
            chosen = [s.code for s in rng.sample(staff, min(len(staff), rng.choice((1, 1, 2))))]
        else:
            other = self._other_subject("ric", rng, subj)
            chosen = [c for c in (subj.rep_code if rng.random() < 0.5 else None, other.code if other else None) if c][:1]
        if chosen:
            row.facts[f.key] = "、".join(dict.fromkeys(chosen))

    def _other_subject(self, kind: str, rng: random.Random, subj: Subj) -> Subj | None:
        pool = [self.persons, self.servants] if kind == "ric" else [self.firms]
        pool = [p for p in pool if p]
        if not pool:
            return None
        for _ in range(5):
            other = rng.choice(rng.choice(pool))
            if other.code != subj.code:
                return other
        return None

    def _kind_word(self, spec: FactSpec, subj: Subj) -> str:
        choices = spec.choices or []
        if subj.kind == "enterprise" and subj.prefix == "92" and "个体工商户" in choices:
            return "个体工商户"
        wanted = {
            "enterprise": ("enterprise", "legal"), "gov_body": ("gov_body", "legal"),
            "public_servant": ("public_servant", "person"), "person": ("person",),
        }[subj.kind]
        for w in wanted:
            for c in choices:
                if KIND_WORDS.get(c) == w and c != "个体工商户":
                    return c
        return choices[-1]

    def _fill(self, plan: _Plan, row: _Row, f: FactSpec, rng: random.Random) -> None:
        cat, facts = plan.category, row.facts
        if f.type == "ric_list":
            self._fill_named(row, f)
            return
        needed = f.required or f.key in plan.always or _drives_period(cat, f.key)
        if f.consent_required and not f.required:
            return
        if not needed:
            rate = W.FILL_RATE.get(f.key, 0.8)
            if rng.random() >= rate:
                return
        key = f.key
        qual = f"{cat.code}.{key}"
        if f.type == "date":
            lo, hi = W.DATES.get(qual) or W.DATES.get(key) or _date_guess(key)
            value = row.decision + timedelta(days=rng.randint(lo, hi))
            if not _DEADLINE.search(key):  # an event, not a deadline: not after today
                value = min(value, self.today)
            facts[key] = value
        elif f.type == "decimal":
            lo, hi = W.DECIMALS.get(qual) or W.DECIMALS.get(key) or _decimal_guess(f.name)
            facts[key] = f"{math.exp(rng.uniform(math.log(lo), math.log(hi))):.2f}"
        elif f.type == "integer":
            lo, hi = W.INTEGERS.get(qual) or W.INTEGERS.get(key) or (1, 100)
            facts[key] = rng.randint(lo, hi)
        elif f.type == "boolean":
            facts[key] = rng.random() < (0.8 if row.subject.kind in ("gov_body", "public_servant") else 0.3)
        elif f.type == "enum":
            facts[key] = rng.choice(self._candidates(cat, f, row))
        elif f.type in ("uscc", "ric"):
            other = self._other_subject(f.type, rng, row.subject)
            if other is not None:
                facts[key] = other.code
        else:
            words = self._words_for(cat, key, row.subject)
            if words:
                facts[key] = self._format(rng.choice(words), row)
            else:
                plan.generic.add(key)
                facts[key] = self._generic_text(cat, f, row, rng)

    def _fill_dates(self, row: _Row, rng: random.Random, specs: dict, keys: tuple[str, ...]) -> None:
        for key in keys:
            if key in specs and key not in row.facts:
                lo, hi = W.DATES.get(f"{row.category.code}.{key}") or W.DATES.get(key) or _date_guess(key)
                row.facts[key] = row.decision + timedelta(days=rng.randint(lo, hi))

    def _generic_text(self, cat: Category, f: FactSpec, row: _Row, rng: random.Random) -> str:
        name = f.name
        if any(w in name for w in ("编号", "文号", "号码")) or name.endswith("号"):
            return self._format("{abbr}〔{year}〕{n4}号", row)
        if any(w in name for w in ("单位", "机关", "机构")):
            return row.dept.name
        if any(w in name for w in ("姓名", "负责人")):
            return self._placeholder("person", row)
        if any(w in name for w in ("情况", "结果", "意见", "状态")):
            return rng.choice(W.GENERIC_RESULTS)
        if any(w in name for w in ("事实", "事由", "理由", "内容", "情形", "行为")):
            return f"经核实，{row.subject.name}存在{cat.name}相关情形"
        if name.endswith("名称"):
            return self._format("{county}{place}", row) + name[:-2]
        return f"{cat.name}{name}"

    def _placeholder(self, key: str, row: _Row) -> str:
        if key == "n":
            return str(self.rec_rng.randint(1, 12))
        if key[0] == "n" and key[1:].isdigit():
            k = int(key[1:])
            return f"{self.rec_rng.randrange(10 ** k):0{k}d}"
        fn = _PLACEHOLDERS.get(key)
        return fn(self, row) if fn else ""


def _place(row: _Row) -> regions.Region:
    """The county a record is about: the subject's, else the reporting department's region."""
    code = row.subject.region if level_of(row.subject.region) == "county" else row.dept.region
    return regions.get(code)


def _city(row: _Row) -> regions.Region:
    place = _place(row)
    return regions.get(regions.city_of(place.code)) if place.level != "province" else regions.get("330100")


_PLACEHOLDERS: dict[str, Callable[[Generator, _Row], str]] = {
    "year": lambda g, r: str(r.decision.year),
    "yy": lambda g, r: f"{r.decision.year % 100:02d}",
    "ymd": lambda g, r: f"{r.decision:%Y%m%d}",
    "city": lambda g, r: _city(r).name,
    "cs": lambda g, r: short_name(_city(r).name),
    "county": lambda g, r: _place(r).name,
    "county_code": lambda g, r: _place(r).code,
    "region": lambda g, r: region_prefix(regions.get(r.dept.region)),
    "region_code": lambda g, r: r.dept.region,
    "dept": lambda g, r: r.dept.name,
    "subject": lambda g, r: r.subject.name,
    "subject_code": lambda g, r: r.subject.code,
    "abbr": lambda g, r: _abbr(r.dept.region),
    "court_code": lambda g, r: _court_code(_place(r).code)[1:],
    "city_court": lambda g, r: _court_code(_city(r).code)[1:],
    "court_name": lambda g, r: (r.dept.name if r.dept_key == "court" else
                                region_prefix(_place(r)) + ("人民法院" if _place(r).level == "county" else "中级人民法院")),
    "place": lambda g, r: g.rec_rng.choice(W.PLACES),
    "industry": lambda g, r: g.rec_rng.choice(W.INDUSTRIES),
    "company": lambda g, r: g.rec_rng.choice(g.enterprises).name if g.enterprises else "某公司",
    "person": lambda g, r: g.rec_rng.choice(g.persons).name if g.persons else "张三",
    "pname": lambda g, r: g.rec_rng.choice(g.pnames),
    "company_word": lambda g, r: g.rec_rng.choice(W.COMPANY_WORDS),
}


# --- category hooks: values that must agree with each other ----------------------------------------

_THEMED_BY_HOOK = {"judicial_judgment", "safety_accident_liability", "exam_cheating"}


def _set(facts: dict, specs: dict, key: str, value) -> bool:
    if key in specs and key not in facts and value is not None:
        facts[key] = value
        return True
    return False


def _hook_admin_penalty(gen: Generator, row: _Row, rng: random.Random, specs: dict) -> None:
    facts = row.facts
    pt = str(facts.get("penalty_type", ""))
    fine = conf = None
    if "罚款" in pt:
        fine = f"{math.exp(rng.uniform(math.log(0.05), math.log(100))):.2f}"
        _set(facts, specs, "fine_amount", fine)
    else:
        row.skip.add("fine_amount")
    if "没收" in pt:
        conf = f"{math.exp(rng.uniform(math.log(0.01), math.log(30))):.2f}"
        _set(facts, specs, "confiscated_amount", conf)
    else:
        row.skip.add("confiscated_amount")
    if "吊销" in pt or "暂扣" in pt:
        cert = _LICENCES.get(row.dept_key, "营业执照")
        _set(facts, specs, "licence_revoked", f"{cert}（编号{rng.randrange(10 ** 8):08d}）")
    else:
        row.skip.add("licence_revoked")
    if pt:
        content = f"给予{pt}的行政处罚"
        if fine:
            content += f"，罚款人民币{fine}万元"
        if conf:
            content += f"，没收违法所得人民币{conf}万元"
        _set(facts, specs, "penalty_content", content)


_LICENCES = {
    "market": "食品经营许可证", "eco": "排污许可证", "emergency": "安全生产许可证", "transport": "道路运输经营许可证",
    "housing": "建筑业企业资质证书", "health": "医疗机构执业许可证", "land": "采矿许可证", "police": "特种行业许可证",
}


def _hook_admin_licence(gen: Generator, row: _Row, rng: random.Random, specs: dict) -> None:
    if "current_status" in specs and "valid_to" in specs:
        gen._fill_dates(row, rng, specs, ("valid_from", "valid_to"))
        valid_to = row.facts.get("valid_to")
        if valid_to is not None:
            row.facts["current_status"] = "有效" if valid_to >= gen.today else rng.choice(["有效期届满", "注销"])


def _hook_judicial(gen: Generator, row: _Row, rng: random.Random, specs: dict) -> None:
    facts, subj = row.facts, row.subject
    st = str(facts.get("sentence_type") or "")
    who = _who(subj)
    themes = [t for t in W.THEMES["judicial_judgment"] if t["_who"] in who]
    fit = [t for t in themes if st in t["_sentences"]] or themes
    theme = rng.choice(fit)
    if not st:
        st = rng.choice(theme["_sentences"])
        _set(facts, specs, "sentence_type", st)
    _set(facts, specs, "crime", theme["crime"])
    if theme["crime"] == "诈骗罪" and "fraud_means" in specs:  # 电信网络诈骗 is a way of 诈骗罪, not a 罪名
        _set(facts, specs, "fraud_means", _side_rng(row).choice(["电信网络诈骗", "其他"]))
    else:
        row.skip.add("fraud_means")
    if "in_duty" in theme:
        _set(facts, specs, "in_duty", theme["in_duty"])
    months = {"有期徒刑": rng.randint(6, 120), "拘役": rng.randint(1, 6), "管制": rng.randint(3, 24)}.get(st)
    fine = f"{math.exp(rng.uniform(math.log(0.2), math.log(50))):.2f}"
    if months:
        term = f"{st}{_months_text(months)}"
        _set(facts, specs, "sentence_term", term)
        if st != "管制":
            start = row.decision - timedelta(days=rng.randint(30, 240))
            _set(facts, specs, "sentence_start", start)
            _set(facts, specs, "sentence_end", _add_months(start, months) - timedelta(days=1))
        else:
            row.skip.update({"sentence_start", "sentence_end"})
        if rng.random() < 0.5:
            _set(facts, specs, "fine_amount", fine)
            term += f"，并处罚金人民币{fine}万元"
        else:
            row.skip.add("fine_amount")
    else:
        row.skip.update({"sentence_term", "sentence_start", "sentence_end"})
        if st == "罚金":
            _set(facts, specs, "fine_amount", fine)
            term = f"罚金人民币{fine}万元"
        else:
            row.skip.add("fine_amount")
            term = st
    who_word = "被告人" if subj.natural else "被告单位"
    _set(facts, specs, "judgment_summary", f"{who_word}{subj.name}犯{theme['crime']}，判处{term}")


_PARTY_SANCTIONS = ("严重警告", "撤销党内职务", "留党察看", "开除党籍")
_SANCTION_MONTHS = {"警告": 6, "记过": 12, "记大过": 18, "降级": 24, "撤职": 24, "严重警告": 18, "撤销党内职务": 24}


def _hook_disciplinary(gen: Generator, row: _Row, rng: random.Random, specs: dict) -> None:
    facts = row.facts
    st = str(facts.get("sanction_type") or "")
    choices = specs["sanction_kind"].choices if "sanction_kind" in specs else []
    employer = row.subject.posts[-1][0] if row.subject.posts else None
    if st in _PARTY_SANCTIONS:
        kind = "党纪处分"
    elif employer is not None and employer.code.startswith("12") and st in ("警告", "记过", "开除"):
        kind = "事业单位工作人员处分"
    else:
        kind = "政务处分"
    if kind in (choices or []):
        _set(facts, specs, "sanction_kind", kind)
    basis = {"党纪处分": "《中国共产党纪律处分条例》", "事业单位工作人员处分": "《事业单位工作人员处分规定》"}.get(
        kind, "《中华人民共和国公职人员政务处分法》")
    _set(facts, specs, "sanction_basis", f"{basis}第{_cn_number(rng.randint(7, 60))}条")
    months = _SANCTION_MONTHS.get(st)
    if months:
        _set(facts, specs, "sanction_end", _add_months(row.decision, months))
    else:
        row.skip.add("sanction_end")


_ACCIDENT = {"一般事故": (0, 2, 10, 900), "较大事故": (3, 9, 300, 4000), "重大事故": (10, 29, 2000, 9000),
             "特别重大事故": (30, 40, 10000, 30000)}


def _hook_safety(gen: Generator, row: _Row, rng: random.Random, specs: dict) -> None:
    facts = row.facts
    level = str(facts.get("accident_level") or "一般事故")
    dmin, dmax, lmin, lmax = _ACCIDENT.get(level, _ACCIDENT["一般事故"])
    _set(facts, specs, "deaths", rng.randint(dmin, dmax))
    _set(facts, specs, "serious_injuries", rng.randint(0, max(2, dmax // 2)))
    _set(facts, specs, "direct_loss", f"{rng.uniform(lmin, lmax):.2f}")
    accident_day = row.decision - timedelta(days=rng.randint(30, 300))
    _set(facts, specs, "accident_date", accident_day)
    kind = rng.choice(W.THEMES["safety_accident_liability"][0]["_kinds"])
    where = row.subject.name if row.subject.kind == "enterprise" else gen._format("{county}{place}{company_word}", row)
    _set(facts, specs, "accident_name", f"{where}“{accident_day.month}·{accident_day.day}”{kind}事故")
    if row.subject.kind in ("gov_body", "public_servant"):
        _set(facts, specs, "liability", rng.choice(["监管责任", "领导责任"]))
    else:
        _set(facts, specs, "liability", rng.choice(["主要责任", "直接责任", "次要责任"]))


def _hook_exam(gen: Generator, row: _Row, rng: random.Random, specs: dict) -> None:
    # 公务员考试录用违纪违规行为处理办法: 替考、串通、有组织作弊 are 特别严重, other cheating 严重
    _set(row.facts, specs, "gravity", "特别严重" if row.severity == "serious" else "严重")
    exam_day = row.decision - timedelta(days=rng.randint(7, 60))
    _set(row.facts, specs, "exam_date", exam_day)
    theme = rng.choice(W.THEMES["exam_cheating"])
    for key, value in theme.items():
        if key in specs and key not in row.facts:
            row.facts[key] = gen._format(value.replace("{year}", str(exam_day.year)), row)


def _side_rng(row: _Row) -> random.Random:
    """Draws for facts added to the catalog after a demo was published, from a stream of their
    own (seeded by the row), so the province's other values stay what they were for its seed."""
    return random.Random(f"{row.subject.code}|{row.decision.isoformat()}|{row.category.code}")


def _hook_debtor(gen: Generator, row: _Row, rng: random.Random, specs: dict) -> None:
    """The demo's courts have removed nobody yet (no 删除日期)."""
    row.skip.add("removal_date")


def _after_debtor(gen: Generator, row: _Row, rng: random.Random, specs: dict) -> None:
    """The term the listing's ground carries (若干规定第二条): grounds (二)–(六) two years, which
    the court states as 失信期限届满日期 where it states one; ground (一) none, until removed."""
    spec = specs.get("listing_ground")
    if spec is not None and row.facts.get("listing_ground") == (spec.choices or [None])[0]:
        row.facts.pop("listing_end", None)


_STARS = ((1500, "五星"), (1000, "四星"), (600, "三星"), (300, "二星"), (100, "一星"))


def _hook_volunteer(gen: Generator, row: _Row, rng: random.Random, specs: dict) -> None:
    hours = math.exp(rng.uniform(math.log(4), math.log(3000)))
    _set(row.facts, specs, "service_hours", f"{hours:.1f}")
    star = next((s for h, s in _STARS if hours >= h), None)
    choices = specs["star_level"].choices if "star_level" in specs else None
    if star and choices and star in choices:
        _set(row.facts, specs, "star_level", star)
    else:
        row.skip.add("star_level")


def _hook_blood(gen: Generator, row: _Row, rng: random.Random, specs: dict) -> None:
    facts = row.facts
    times = rng.choices((1, 2, 5, 10, 20, 30, 45), weights=(30, 20, 20, 15, 8, 5, 2))[0] + rng.randint(0, 4)
    _set(facts, specs, "total_times", times)
    _set(facts, specs, "volume_ml", rng.choice((200, 300, 400)))
    award = "金奖" if times >= 40 else "银奖" if times >= 30 else "铜奖" if times >= 20 else "无"
    if "award" in specs and award in (specs["award"].choices or [award]):
        facts["award"] = award


def _hook_commitment(gen: Generator, row: _Row, rng: random.Random, specs: dict) -> None:
    facts = row.facts
    gen._fill_dates(row, rng, specs, ("valid_to",))
    valid_to = facts.get("valid_to")
    choices = specs["performance"].choices if "performance" in specs else []
    if valid_to is None or not choices:
        return
    if valid_to >= gen.today:
        state = "履行中"
    else:
        state = rng.choices(["全部履行", "部分履行", "全部未履行"], weights=(0.9, 0.07, 0.03))[0]
    if state in choices:
        facts["performance"] = state
    if state == "履行中":
        row.skip.update({"performance_date", "performance_unit"})
    else:
        _set(facts, specs, "performance_date", min(valid_to, gen.today))


def _hook_honour(gen: Generator, row: _Row, rng: random.Random, specs: dict) -> None:
    word = {"province": "省部级", "city": "市级", "county": "县级"}[row.dept.level]
    if "honour_level" in specs and word in (specs["honour_level"].choices or []):
        row.facts.setdefault("honour_level", word)


# Coherence that needs the facts step 5 filled (a listing's term follows its ground).
_AFTER: dict[str, Callable] = {"dishonest_judgment_debtor": _after_debtor}

_HOOKS: dict[str, Callable] = {
    "admin_penalty": _hook_admin_penalty,
    "admin_licence": _hook_admin_licence,
    "judicial_judgment": _hook_judicial,
    "disciplinary_sanction": _hook_disciplinary,
    "safety_accident_liability": _hook_safety,
    "exam_cheating": _hook_exam,
    "dishonest_judgment_debtor": _hook_debtor,
    "volunteer_service": _hook_volunteer,
    "blood_donation": _hook_blood,
    "credit_commitment": _hook_commitment,
    "honour": _hook_honour,
}


# --- small pure helpers ---------------------------------------------------------------------------


def _cumulate(weights):
    total = 0.0
    for w in weights:
        total += w
        yield total


def _who(subj: Subj) -> set[str]:
    return {
        "person": {"natural"}, "public_servant": {"natural", "servant"},
        "enterprise": {"legal"}, "gov_body": {"legal", "gov"},
    }[subj.kind]


def _ladder(body: Body, region: regions.Region) -> tuple[str, str]:
    name, key = body.name, body.key
    if key == "gov":
        suffix = region.name[-1] if region.level == "county" else ""
        return f"gov_{region.level}", suffix
    if key in ("court", "discipline", "organisation", "youth"):
        return key, ""
    if name.endswith("厅"):
        return "dept_province", ""
    if name.endswith(("委员会", "办公室")):
        return "commission", ""
    if name.endswith("局"):
        return "dept", ""
    if name.endswith(("医院", "保健院", "中医院")):
        return "hospital", ""
    if name.endswith(("中学", "小学", "学校", "幼儿园")):
        return "school", ""
    return "institution", ""


def _titles(body: Body) -> list[str]:
    return [t.replace("{x}", body.head_suffix) for t in W.LADDERS[body.ladder]]


def _rank(rng: random.Random, n: int) -> int:
    weights = [0.5 ** i for i in range(n)]
    return rng.choices(range(n), weights=weights)[0]


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _add_months(day: date, months: int) -> date:
    from xinyong.records.periods import add_months

    return add_months(day, months)


def _months_text(months: int) -> str:
    years, rest = divmod(months, 12)
    out = f"{_cn_number(years)}年" if years else ""
    if rest:
        out += f"{_cn_number(rest)}个月"
    return out


_DIGITS = "零一二三四五六七八九"


def _cn_number(n: int) -> str:
    if n < 10:
        return _DIGITS[n]
    if n < 20:
        return "十" + (_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return _DIGITS[n // 10] + "十" + (_DIGITS[n % 10] if n % 10 else "")
    return str(n)


def _abbr(region: str) -> str:
    if region.endswith("0000"):
        return "浙"
    city = W.CITY_ABBR.get(regions.city_of(region), "浙")
    if region.endswith("00"):
        return city
    return city + regions.name_of(region)[0]


def _court_code(region: str) -> str:
    if region.endswith("0000"):
        return "浙"
    if region.endswith("00"):
        return "浙" + region[2:4]
    return "浙" + region[2:6]


_DEADLINE = re.compile(r"(_to|until|_end|deadline|expire)$")


def _date_guess(key: str) -> tuple[int, int]:
    if _DEADLINE.search(key):
        return (90, 1095)
    return (-365, 0)


def _decimal_guess(name: str) -> tuple[float, float]:
    if "万元" in name:
        return (0.1, 1000)
    if "元" in name:
        return (100, 100_000)
    if "小时" in name:
        return (1, 2000)
    return (1, 1000)


def _drives_period(cat: Category, key: str) -> bool:
    """A date the display period ends on (a licence's valid-to) is always filled: without it the
    record would never be shown."""
    return any(p.until_fact == key and p.fact_max_months is None for p in cat.display_period.values())


def _departments_from_text(texts: list[str]) -> list[tuple[str, float]]:
    out: dict[str, float] = {}
    for text in texts:
        for word, key in W.REPORTER_WORDS:
            if word in text:
                out[key] = out.get(key, 0) + 1.0
    return list(out.items())


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
    summary.seconds = round(time.perf_counter() - started, 2)
    if summary.rejected:
        raise DemoRejected(summary.errors, summary.rejected)
    return summary
