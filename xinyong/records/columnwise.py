"""Validate a chunk of rows column by column: the fast path of :func:`validate_row`.

:func:`xinyong.records.validation.validate_row` is the definition of what a good row is and of
every message a bad one gets. Taking rows one at a time, it spends most of its time on work that
repeats: a department's file has a few reporting departments, a few hundred decision dates, the
same handful of words in each enum column, and every cell passes through the same cleaners. Here
a chunk is taken a column at a time instead: each column's distinct texts are cleaned and checked
once (memoised for the whole import), and a lean loop puts the rows together from the results.

Only rows that pass everything are built here. A row with any problem at all (a missing field, a
bad check digit, a kind the category does not take, a row outside the reporter's scope) is handed
to :func:`validate_row`, which reports every problem in its own words; so the messages have one
definition, and the tests hold both paths to the same output on random rows
(``tests/records/test_columnwise.py``).
"""

from __future__ import annotations

import hashlib
from datetime import date

from xinyong.accounts.roles import region_covers
from xinyong.catalog.schemas import NATURAL_KINDS, Category, PolicySet
from xinyong.core import codes
from xinyong.records import cleaning
from xinyong.records.cleaning import CellError
from xinyong.records.columns import ColumnMap
from xinyong.records.validation import (
    _JSON,
    KIND_WORDS,
    CleanRow,
    Defaults,
    RowError,
    _date_cell,
    _derived_severity,
    _identify_cell,
    _typed,
    _uscc_cell,
    validate_row,
)

_BAD = object()  # a cell that fails: its row goes to validate_row for the messages
_MISS = object()
_MEMO_LIMIT = 1 << 17  # entries per column memo; past it the memo starts again (memory stays flat)
_FAILS = (CellError, codes.CodeError)


def _pick(rows: list[list], positions: list[int] | None) -> list:
    """The first non-empty cell among a field's columns, for every row (``_cell``'s rule)."""
    if not positions:
        return [None] * len(rows)
    if len(positions) == 1:
        p = positions[0]
        out = []
        for values in rows:
            v = values[p] if p < len(values) else None
            if v.__class__ is str and (not v or v.isspace()):
                v = None
            out.append(v)
        return out
    out = []
    for values in rows:
        n = len(values)
        found = None
        for p in positions:
            if p < n:
                v = values[p]
                if v is not None and (v.__class__ is not str or (v and not v.isspace())):
                    found = v
                    break
        out.append(found)
    return out


def _mapped(fn, cells: list, memo: dict) -> list:
    """``fn`` over the cells: None stays None, a failure becomes ``_BAD``; texts memoised."""
    out = []
    append = out.append
    for v in cells:
        if v is None:
            append(None)
        elif v.__class__ is str:
            r = memo.get(v, _MISS)
            if r is _MISS:
                try:
                    r = fn(v)
                except _FAILS:
                    r = _BAD
                if len(memo) >= _MEMO_LIMIT:
                    memo.clear()
                memo[v] = r
            append(r)
        else:
            try:
                append(fn(v))
            except _FAILS:
                append(_BAD)
    return out


class ChunkValidator:
    """Validates the chunks of one import; its memos live as long as the import."""

    def __init__(self, policy: PolicySet, defaults: Defaults):
        self.policy = policy
        self.defaults = defaults
        self.today = defaults.today or date.today()
        self.memos: dict[object, dict] = {}
        self.sev_by_name = {s.name: s.code for s in policy.catalog.severities}

    def _memo(self, key: object) -> dict:
        memo = self.memos.get(key)
        if memo is None:
            memo = self.memos[key] = {}
        return memo

    def validate(self, rows: list[tuple[int, list, Category]], cmaps: dict[str, ColumnMap]
                 ) -> tuple[list[CleanRow], list[RowError], int]:
        """(clean rows in file order, errors, rows rejected) for ``(row_no, values, category)``."""
        groups: dict[str, list[int]] = {}
        for i, (_no, _values, cat) in enumerate(rows):
            groups.setdefault(cat.code, []).append(i)
        built: list[CleanRow | None] = [None] * len(rows)
        slow: list[int] = []
        for code, idx in groups.items():
            cat = rows[idx[0]][2]
            part = [rows[i] for i in idx] if len(idx) != len(rows) else rows
            for j, clean in enumerate(self._category(part, cat, cmaps[code])):
                if clean is None:
                    slow.append(idx[j])
                else:
                    built[idx[j]] = clean
        errors: list[RowError] = []
        rejected = 0
        for i in sorted(slow):
            row_no, values, cat = rows[i]
            outcome = validate_row(row_no, values, cmaps[cat.code], cat, self.policy, self.defaults)
            if isinstance(outcome, list):
                rejected += 1
                errors.extend(outcome)
            else:  # the fast path is stricter than the rules only where it cannot be sure
                built[i] = outcome
        return [c for c in built if c is not None], errors, rejected

    def _category(self, rows: list[tuple[int, list, Category]], cat: Category, cmap: ColumnMap
                  ) -> list[CleanRow | None]:
        values = [r[1] for r in rows]
        common = cmap.common
        d = self.defaults
        memo = self._memo
        today = self.today
        clean_text = cleaning.clean_text

        def field(name: str) -> list:
            return _pick(values, common.get(name))

        names = _mapped(clean_text, field("subject_name"), memo("name"))
        kinds = _mapped(lambda v: KIND_WORDS.get(clean_text(v), _BAD), field("subject_kind"), memo("kind"))
        code_cells = field("subject_code")
        nos = _mapped(lambda v: cleaning.halfwidth(clean_text(v)), field("decision_no"), memo("no"))

        def decision_date(v):
            day = _date_cell(v)
            return _BAD if day > today or day.year < 1949 else day

        dates = _mapped(decision_date, field("decision_date"), memo(("date", today)))
        dcode_cells = field("department_code")
        if d.department_code:
            dcode_cells = [d.department_code if v is None else v for v in dcode_cells]
        dcodes = _mapped(_uscc_cell, dcode_cells, memo("dcode"))
        dnames = _mapped(clean_text, field("department_name"), memo("name"))
        sids = _mapped(lambda v: cleaning.halfwidth(clean_text(v)), field("source_id"), memo("sid"))

        # Facts, in the sorted order of their keys (the stored JSON sorts them).
        plan = sorted(
            ((f, cmap.facts.get(f.key)) for f in cat.facts), key=lambda fp: fp[0].key)
        fact_cols = []
        for fact, positions in plan:
            choices = fact.choices
            cells = _pick(values, positions)
            typed = _mapped(
                lambda v, f=fact, c=choices: _typed(f.type, v, c, f.max_length), cells,
                memo(("fact", cat.code, fact.key)))
            fact_cols.append((fact.key, fact.required, fact.consent_required, typed,
                              memo(("json", cat.code, fact.key)), '"' + fact.key + '":'))
        need_consent = any(f.consent_required for f, _ in plan)
        consents = _mapped(cleaning.parse_boolean, field("consent"), memo("consent")) if need_consent else None

        severities = cat.severities
        sev_cells = _mapped(clean_text, field("severity"), memo("name")) if severities else None
        derived = memo(("derived", cat.code))
        rule_facts = tuple(r.fact for r in cat.severity_rules)

        allowed = set(cat.subject_kinds)
        natural_ok = bool(allowed & NATURAL_KINDS)
        identify = memo("identify")
        scope = d.reporter
        in_scope_category = scope is None or cat.code in scope.categories
        region_ok = memo(("region", scope.region_code if scope else None))
        keyed_by_decision = cat.source_id_from == "decision_no"
        cat_code = cat.code
        encode = _JSON.encode
        blake2b = hashlib.blake2b

        out: list[CleanRow | None] = []
        append = out.append
        for i, (row_no, _values, _cat) in enumerate(rows):
            name = names[i]
            stated = kinds[i]
            decision_no = nos[i]
            decision_date = dates[i]
            department_code = dcodes[i]
            department_name = dnames[i] or d.department_name or ""
            code_raw = code_cells[i]
            if (not name or name is _BAD or len(name) > 200 or stated is _BAD or code_raw is None
                    or not decision_no or decision_no is _BAD or len(decision_no) > 200
                    or decision_date is None or decision_date is _BAD
                    or department_code is None or department_code is _BAD or not department_name
                    or not in_scope_category):
                append(None)
                continue
            # the subject: check digits, and a kind the category takes
            key = (code_raw, stated) if code_raw.__class__ is str else None
            who = identify.get(key, _MISS) if key is not None else _MISS
            if who is _MISS:
                try:
                    who = _identify_cell(code_raw, stated)
                except _FAILS:
                    who = _BAD
                if key is not None:
                    if len(identify) >= _MEMO_LIMIT:
                        identify.clear()
                    identify[key] = who
            if who is _BAD:
                append(None)
                continue
            subject_code, subject_class, subject_kind, birth_date = who
            if subject_class == "natural":
                if not natural_ok or (subject_kind is not None and subject_kind not in allowed):
                    append(None)
                    continue
            elif subject_kind not in allowed:
                append(None)
                continue
            # facts
            facts = {}
            parts = []
            consent_needed = False
            bad = False
            for key_, required, consent_required, typed, jmemo, prefix in fact_cols:
                v = typed[i]
                if v is None:
                    if required:
                        bad = True
                        break
                    continue
                if v is _BAD:
                    bad = True
                    break
                facts[key_] = v
                consent_needed |= consent_required
                j = jmemo.get(v, _MISS) if v.__class__ is str else _MISS
                if j is _MISS:
                    j = prefix + encode(v)
                    if v.__class__ is str:
                        if len(jmemo) >= _MEMO_LIMIT:
                            jmemo.clear()
                        jmemo[v] = j
                parts.append(j)
            if bad or (consent_needed and consents[i] is not True):
                append(None)
                continue
            # severity
            severity = None
            if severities:
                text = sev_cells[i]
                if text is not None:
                    severity = self.sev_by_name.get(text, text)
                    if severity not in severities:
                        append(None)
                        continue
                else:
                    rkey = tuple(facts.get(f) for f in rule_facts)
                    severity = derived.get(rkey, _MISS)
                    if severity is _MISS:
                        severity = derived[rkey] = _derived_severity(cat, facts)
                    if severity is None:
                        append(None)
                        continue
            # source id
            source_id = sids[i]
            if not source_id:
                if not keyed_by_decision:
                    append(None)
                    continue
                source_id = f"{decision_no}#{subject_code}"
            elif source_id is _BAD or len(source_id) > 200:
                append(None)
                continue
            if scope is not None:
                if department_code != scope.department_code:
                    append(None)
                    continue
                rk = (subject_code, subject_class)
                ok = region_ok.get(rk)
                if ok is None:
                    ok = region_ok[rk] = region_covers(
                        scope.region_code, codes.subject_region(subject_code, subject_class == "natural"))
                if not ok:
                    append(None)
                    continue
            facts_json = "{" + ",".join(parts) + "}"
            digest = blake2b(
                "\x1f".join((cat_code, subject_code, name, severity or "", decision_no,
                             decision_date.isoformat(), facts_json)).encode(),
                digest_size=16,
            ).hexdigest()
            append(CleanRow(row_no, cat, subject_code, subject_class, subject_kind, name, birth_date,
                            severity, decision_no, decision_date, department_code, department_name,
                            source_id, facts, facts_json, digest))
        return out
