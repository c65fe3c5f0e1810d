"""Phase 5: credit records, planned from the active policy's catalog and sent through the ingest
pipeline one batch per reporting department, as a department's file would arrive."""

from __future__ import annotations

import math
import random
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from typing import TYPE_CHECKING

from xinyong.catalog import service as catalog_service
from xinyong.catalog.schemas import SUBJECT_KIND_NAMES, Category, FactSpec, PolicySet
from xinyong.core import regions
from xinyong.demo import stories
from xinyong.demo import words as W
from xinyong.demo.base import (
    _DEADLINE,
    _PLACEHOLDER,
    H_CATEGORY,
    H_CODE,
    H_CONSENT,
    H_DATE,
    H_DEPT,
    H_DEPT_CODE,
    H_DOC,
    H_KIND,
    H_NAME,
    H_SEVERITY,
    H_SOURCE,
    IMPORT_ROWS,
    LEVELS,
    RECORDS,
    YEARS_BACK,
    Body,
    Subj,
    _abbr,
    _add_years,
    _court_code,
    _date_guess,
    _decimal_guess,
    _departments_from_text,
    _drives_period,
    _Fmt,
    _Plan,
    _Row,
    _who,
    level_of,
    region_at,
    region_prefix,
    short_name,
)
from xinyong.demo.hooks import (
    _AFTER,
    _HOOKS,
    _THEMED_BY_HOOK,
    _set,
)
from xinyong.records.columns import map_columns
from xinyong.records.ingest import import_source
from xinyong.records.readers import rows_from_dicts
from xinyong.records.validation import KIND_WORDS, RowError

if TYPE_CHECKING:
    from xinyong.demo.generator import Generator


class RecordsPhase:
    """Plans, draws and imports the records (:meth:`build_records`); a part of
    :class:`~xinyong.demo.generator.Generator`."""

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
