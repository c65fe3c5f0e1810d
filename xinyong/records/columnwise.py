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
import operator
from datetime import date
from decimal import Decimal
from operator import itemgetter

from xinyong.accounts.roles import region_covers
from xinyong.catalog.schemas import (
    DECISION_DATE,
    NATURAL_KINDS,
    Category,
    FactConstraint,
    PolicySet,
)
from xinyong.core import clock, codes
from xinyong.records import cleaning
from xinyong.records.cleaning import CellError
from xinyong.records.columns import ColumnMap
from xinyong.records.validation import (
    _JSON,
    AUTHORITY_FACT,
    KIND_WORDS,
    CleanRow,
    Defaults,
    RowError,
    _cell,
    _date_cell,
    _derived_severity,
    _identify_cell,
    _uscc_cell,
    fact_value,
    floor_rank,
    validate_row,
)

_BAD = object()  # a cell that fails: its row goes to validate_row for the messages
_MISS = object()
_MEMO_LIMIT = 1 << 16  # entries per column memo; past it the memo starts again (memory stays flat)
_FAILS = (CellError, codes.CodeError)


_NONE = type(None)
_TEXT_ONLY = frozenset({str, _NONE})


def _pick(rows: list[list], positions: list[int] | None, cmap: ColumnMap) -> list:
    """A field's cell for every row: ``_cell``'s rule (the first non-empty cell among the field's
    columns). With one column, an empty or blank text is left in place; :func:`_mapped` reads
    it as absent."""
    if not positions:
        return [None] * len(rows)
    if len(positions) == 1:
        p = positions[0]
        if min(map(len, rows)) > p:
            return list(map(itemgetter(p), rows))  # every row has the column: at C speed
        return [values[p] if p < len(values) else None for values in rows]
    return [_cell(values, cmap, positions)[0] for values in rows]


def _mapped(fn, cells: list, memo: dict) -> list:
    """``fn`` over the cells: absent (None, empty or blank text) gives None, a failure ``_BAD``.

    Texts are memoised. When a column holds only texts (a CSV file, most XLSX columns), the
    new distinct texts are found with set operations and the column is read through the memo
    with ``map``: no Python-level step per cell."""
    if set(map(type, cells)) <= _TEXT_ONLY:
        if len(memo) >= _MEMO_LIMIT:
            memo.clear()
        for v in set(cells).difference(memo):
            if v is None or not v or v.isspace():
                memo[v] = None
                continue
            try:
                memo[v] = fn(v)
            except _FAILS:
                memo[v] = _BAD
        return list(map(memo.__getitem__, cells))
    out = []
    append = out.append
    for v in cells:
        if v is None or (v.__class__ is str and (not v or v.isspace())):
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


def _bad_rows(column: list, *, required: bool) -> set[int]:
    """Rows whose cell failed (or is absent, when required): found at C speed when none is."""
    if _BAD not in column and not (required and None in column):
        return set()
    return {i for i, v in enumerate(column) if v is _BAD or (required and v is None)}


def _breaking_rows(cat: Category, con: FactConstraint, cols: dict[str, list]) -> set[int]:
    """Rows whose present values break ``con``: one comparison per row, over two columns."""
    left = cols[con.fact]
    if con.rule == "not_negative":
        if cat.fact(con.fact).type == "decimal":  # a normalised decimal text: negative iff "-"
            return {i for i, a in enumerate(left)
                    if a.__class__ is str and a[:1] == "-" and Decimal(a) < 0}
        return {i for i, a in enumerate(left) if a.__class__ is int and a < 0}
    right = cols[con.other]
    holds = operator.ge if con.rule == "not_before" else operator.gt
    # Dates are ISO texts in the facts and date objects in the decision date: order them as texts.
    as_a, as_b = _orderer(cat, con.fact), _orderer(cat, con.other)
    return {i for i, (a, b) in enumerate(zip(left, right, strict=True))
            if a is not None and b is not None and a is not _BAD and b is not _BAD
            and not holds(as_a(a) if as_a else a, as_b(b) if as_b else b)}


def _orderer(cat: Category, key: str):
    """How a column's values are made to order (None: they already do, as ISO texts or ints)."""
    if key == DECISION_DATE:
        return date.isoformat
    return Decimal if cat.fact(key).type == "decimal" else None


class ChunkValidator:
    """Validates the chunks of one import; its memos live as long as the import."""

    def __init__(self, policy: PolicySet, defaults: Defaults):
        self.policy = policy
        self.defaults = defaults
        self.today = defaults.today or clock.today()
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
        """The rows of one category: each column checked at once, then the good rows built.

        ``bad`` collects the rows that go to :func:`validate_row`; a column with nothing wrong
        in it costs no step per row to find that out."""
        n = len(rows)
        values = [r[1] for r in rows]
        common = cmap.common
        d = self.defaults
        memo = self._memo
        today = self.today
        clean_text = cleaning.clean_text
        halfwidth = cleaning.halfwidth
        bad: set[int] = set()

        def field(name: str) -> list:
            return _pick(values, common.get(name), cmap)

        def at_most_200(fn):
            def check(v):
                out = fn(v)
                return _BAD if len(out) > 200 else out
            return check

        def decision_date(v):
            day = _date_cell(v)
            return _BAD if day > today or day.year < 1949 else day

        names = _mapped(at_most_200(clean_text), field("subject_name"), memo("name200"))
        bad |= _bad_rows(names, required=True)
        bad |= {i for i, v in enumerate(names) if not v} if "" in names else set()
        kinds = _mapped(lambda v: KIND_WORDS.get(clean_text(v), _BAD), field("subject_kind"), memo("kind"))
        bad |= _bad_rows(kinds, required=False)
        nos = _mapped(at_most_200(lambda v: halfwidth(clean_text(v))), field("decision_no"), memo("no"))
        bad |= _bad_rows(nos, required=True)
        bad |= {i for i, v in enumerate(nos) if not v} if "" in nos else set()
        dates = _mapped(decision_date, field("decision_date"), memo(("date", today)))
        bad |= _bad_rows(dates, required=True)
        dcode_cells = field("department_code")
        if d.department_code:
            dcode_cells = [d.department_code if v is None or (v.__class__ is str and (not v or v.isspace()))
                           else v for v in dcode_cells]
        dcodes = _mapped(_uscc_cell, dcode_cells, memo("dcode"))
        bad |= _bad_rows(dcodes, required=True)
        dnames = _mapped(clean_text, field("department_name"), memo("name"))
        if d.department_name:
            dnames = [v or d.department_name for v in dnames]
        else:
            bad |= _bad_rows(dnames, required=True)
            bad |= {i for i, v in enumerate(dnames) if not v} if "" in dnames else set()
        sids = _mapped(at_most_200(lambda v: halfwidth(clean_text(v))), field("source_id"), memo("sid"))
        bad |= _bad_rows(sids, required=cat.source_id_from != "decision_no")
        if d.reporter is not None and cat.code not in d.reporter.categories:
            return [None] * n

        # The subject: check digits, the kind the row states, a kind the category takes.
        allowed = set(cat.subject_kinds)
        natural_ok = bool(allowed & NATURAL_KINDS)
        code_cells = field("subject_code")
        pairs = list(zip(code_cells, kinds, strict=True))

        def identify(pair):
            raw, stated = pair
            if raw is None or stated is _BAD or (raw.__class__ is str and (not raw or raw.isspace())):
                return None
            try:
                who = _identify_cell(raw, stated)
            except _FAILS:
                return None
            code, subject_class, subject_kind, _birth = who
            if subject_class == "natural":
                ok = natural_ok and (subject_kind is None or subject_kind in allowed)
            else:
                ok = subject_kind in allowed
            if ok and d.reporter is not None:
                ok = region_covers(d.reporter.region_code, codes.subject_region(code, subject_class == "natural"))
            return who if ok else None

        idmemo = memo(("identify", cat.code, d.reporter))
        if set(map(type, code_cells)) <= _TEXT_ONLY:
            if len(idmemo) >= _MEMO_LIMIT:
                idmemo.clear()
            for pair in set(pairs).difference(idmemo):
                idmemo[pair] = identify(pair)
            subjects = list(map(idmemo.__getitem__, pairs))
        else:
            subjects = [identify(pair) for pair in pairs]
        bad |= _bad_rows(subjects, required=True)

        # Facts, in the sorted order of their keys (the stored JSON sorts them).
        plan = sorted(((f, cmap.facts.get(f.key)) for f in cat.facts), key=lambda fp: fp[0].key)
        fact_keys: list[str] = []
        fact_cols: list[list] = []
        json_cols: list[list] = []
        consent_cols: list[list] = []
        for fact, positions in plan:
            typed = _mapped(
                lambda v, f=fact: fact_value(f, v), _pick(values, positions, cmap),
                memo(("fact", cat.code, fact.key)))
            bad |= _bad_rows(typed, required=fact.required)
            jmemo = memo(("json", cat.code, fact.key))
            prefix = '"' + fact.key + '":'
            if set(map(type, typed)) <= _TEXT_ONLY:
                for v in set(typed).difference(jmemo):
                    jmemo[v] = None if v is None or v is _BAD else prefix + _JSON.encode(v)
                parts = list(map(jmemo.__getitem__, typed))
            else:
                parts = [None if v is None or v is _BAD else prefix + _JSON.encode(v) for v in typed]
            fact_keys.append(fact.key)
            fact_cols.append(typed)
            json_cols.append(parts)
            if fact.consent_required:
                consent_cols.append(typed)
        if consent_cols:  # a row holding any of these facts needs the person's written consent
            consents = _mapped(cleaning.parse_boolean, field("consent"), memo("consent"))
            for i in range(n):
                if consents[i] is not True and any(col[i] is not None for col in consent_cols):
                    bad.add(i)

        if cat.constraints:  # a row breaking one goes to validate_row, which says how
            cols = dict(zip(fact_keys, fact_cols, strict=True))
            cols[DECISION_DATE] = dates
            for con in cat.constraints:
                bad |= _breaking_rows(cat, con, cols)

        severities = cat.severities
        if severities:
            sev_cells = _mapped(clean_text, field("severity"), memo("name"))
            sev_by_name = self.sev_by_name
            stated_sev = [None if t is None else sev_by_name.get(t, t) for t in sev_cells]
            bad |= {i for i, s in enumerate(stated_sev) if s is not None and s not in severities}
        derived = memo(("derived", cat.code))
        rule_facts = tuple(r.fact for r in cat.severity_rules)
        floor_facts = tuple(f.fact for f in cat.severity_floors)
        floors = memo(("floors", cat.code))
        rank = {s.code: s.rank for s in self.policy.catalog.severities}

        keyed_by_decision = cat.source_id_from == "decision_no"
        cat_code = cat.code
        blake2b = hashlib.blake2b
        fact_rows = list(zip(*fact_cols, strict=True)) if fact_cols else [()] * n
        json_rows = list(zip(*json_cols, strict=True)) if json_cols else [()] * n

        out: list[CleanRow | None] = []
        append = out.append
        for i in range(n):
            if i in bad:
                append(None)
                continue
            subject_code, subject_class, subject_kind, birth_date = subjects[i]
            facts = {k: v for k, v in zip(fact_keys, fact_rows[i], strict=True) if v is not None}
            severity = None
            if severities:
                severity = stated_sev[i]
                if severity is None:
                    rkey = tuple(facts.get(f) for f in rule_facts)
                    severity = derived.get(rkey, _MISS)
                    if severity is _MISS:
                        severity = derived[rkey] = _derived_severity(cat, facts)
                    if severity is None:
                        append(None)
                        continue
                if floor_facts:  # a fact that binds the severity from below (吊销 → 严重)
                    fkey = tuple(facts.get(f) for f in floor_facts)
                    least = floors.get(fkey, _MISS)
                    if least is _MISS:
                        least = floors[fkey] = floor_rank(cat, self.policy, facts)
                    if rank[severity] < least:
                        append(None)
                        continue
            name, decision_no, day = names[i], nos[i], dates[i]
            source_id = sids[i]
            if not source_id:
                if not keyed_by_decision:
                    append(None)
                    continue
                source_id = f"{decision_no}#{subject_code}"
            department_code = dcodes[i]
            if d.reporter is not None and (department_code != d.reporter.department_code
                                           or d.reporter.foreign_name(dnames[i])
                                           or d.reporter.foreign_code(facts.get(AUTHORITY_FACT))):
                append(None)  # the row validator says which
                continue
            facts_json = "{" + ",".join([p for p in json_rows[i] if p is not None]) + "}"
            digest = blake2b(
                "\x1f".join((cat_code, subject_code, name, severity or "", decision_no,
                             day.isoformat(), facts_json)).encode(),
                digest_size=16,
            ).hexdigest()
            append(CleanRow(rows[i][0], cat, subject_code, subject_class, subject_kind, name, birth_date,
                            severity, decision_no, day, department_code, dnames[i], source_id, facts,
                            facts_json, digest))
        return out
