"""Phase 2: natural persons, with identity numbers of Zhejiang counties (current and historical)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from xinyong.core import regions
from xinyong.demo.base import (
    CHUNK,
    PERSONS,
    Subj,
)


class PersonsPhase:
    """Builds the persons (:meth:`build_persons`); a part of :class:`~xinyong.demo.generator.Generator`."""

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
