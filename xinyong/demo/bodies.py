"""Phase 1: the province's government bodies — each region's people's government, its departments,
institutions and villagers' and residents' committees."""

from __future__ import annotations

from collections import Counter, defaultdict

from xinyong.core import regions
from xinyong.demo import words as W
from xinyong.demo.base import (
    INSTITUTIONS,
    LEVELS,
    VILLAGES,
    Body,
    Subj,
    _cn_number,
    _ladder,
    region_prefix,
    short_name,
)


class BodiesPhase:
    """Builds the bodies (:meth:`build_bodies`); a part of :class:`~xinyong.demo.generator.Generator`."""

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
