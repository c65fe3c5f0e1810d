"""Phase 4: enterprises and social organisations, with their legal representatives."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import insert

from xinyong.core import regions
from xinyong.core.db import utcnow
from xinyong.demo import words as W
from xinyong.demo.base import (
    CHUNK,
    ENTERPRISES,
    Subj,
    region_prefix,
    short_name,
)
from xinyong.subjects.models import Designation


class EnterprisesPhase:
    """Builds the enterprises (:meth:`build_enterprises`); a part of :class:`~xinyong.demo.generator.Generator`."""

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
