"""Phase 3: public servants, their posts over time and who answers for each body (its registered
principal and legal representative)."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta

from sqlalchemy import insert

from xinyong.core import regions
from xinyong.core.db import utcnow
from xinyong.demo.base import (
    CHUNK,
    PUBLIC_SERVANTS,
    Body,
    Subj,
    _add_years,
    _cumulate,
    _rank,
    _titles,
    level_of,
)
from xinyong.subjects.models import Designation, Post


class ServantsPhase:
    """Builds the servants and posts (:meth:`build_servants`); a part of :class:`~xinyong.demo.generator.Generator`."""

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
