"""Shape validated rows for storage — the part that needs no key, so it runs where validation runs.

An import prepares each good row in two steps. This one, :class:`RowShaper`, needs neither the
database nor the key ring: it masks the facts that hold identity numbers (as every output shows
them; docs/privacy.md), computes the display and retention periods, and writes dates as ISO text.
On a large file it runs in the worker process right after validation
(:mod:`xinyong.records.pipeline`), so what crosses to the importer is a flat tuple of texts — no
facts dictionary, no catalog objects — and the importer is left with only the keyed step
(:class:`xinyong.records.writer.RowPreparer`: look-up keys, keyed source ids and content hashes)
and the writing. Both processes then carry about the same share of the work.
"""

from __future__ import annotations

from typing import NamedTuple

from xinyong.catalog.schemas import PolicySet
from xinyong.core.masking import mask_ids_in_text, mask_ric
from xinyong.records import periods
from xinyong.records.validation import _JSON, CleanRow

# Masked texts and periods remembered within one import before the memory starts again.
_REMEMBERED = 200_000


class Shaped(NamedTuple):
    """A validated row in plain values, ready for the keyed step: facts masked, periods
    computed, dates as ISO text (what the bulk loads take as they are)."""

    row_no: int
    category: str
    subject_code: str  # as validated: the keyed step turns it into a look-up key
    subject_class: str  # "natural" or "legal"
    subject_kind: str | None
    subject_name: str
    birth_date: str | None
    severity: str | None
    decision_no: str
    decision_date: str
    department_code: str
    department_name: str
    source_id: str  # as validated: may hold an identity number (``<decision no>#<number>``)
    facts_json: str  # as stored: identity numbers masked
    content_hash: str  # over the plain row, not yet keyed
    display_until: str
    repair_from: str | None
    retention_until: str


class RowShaper:
    """Turns clean rows into :class:`Shaped` ones. Its memos (masked texts, periods) last the
    import, bounded."""

    def __init__(self, policy: PolicySet):
        # Facts that hold identity numbers, stored masked: type ``ric`` and ``*_id_no`` (a row's
        # facts are keyed by its category's fact keys, so this set is the whole test).
        self.id_facts = {
            cat.code: frozenset(f.key for f in cat.facts if f.type == "ric" or f.key.endswith("_id_no"))
            for cat in policy.catalog.categories
        }
        # Facts naming persons (type ``ric_list``) pass through in plain: the keyed step masks
        # them and keys them (:class:`xinyong.records.writer.RowPreparer`), having the key ring.
        self.keyed = {cat.code: frozenset(f.key for f in cat.facts if f.type == "ric_list")
                      for cat in policy.catalog.categories}
        self.masked: dict[tuple[bool, str], str] = {}  # (an identity-number fact?, text) → masked
        # The further facts a category's display period reads (from_fact, ended_by, open_when),
        # by severity: part of the period memo's key. Most categories have none.
        self.period_facts: dict[str, dict[str | None, tuple[str, ...]]] = {}
        for cat in policy.catalog.categories:
            by_severity = {}
            for sev, rule in cat.display_period.items():
                keys = tuple(k for k in (rule.from_fact, rule.ended_by) if k) + tuple(c.fact for c in rule.open_when)
                by_severity[None if sev == "default" else sev] = keys
            if any(by_severity.values()):
                self.period_facts[cat.code] = by_severity
        self.accepted = policy.catalog.condition_values
        self.spans: dict[tuple, tuple[str, str | None, str]] = {}

    def shape(self, rows: list[CleanRow]) -> list[Shaped]:
        if len(self.masked) > _REMEMBERED:  # memory stays flat on the largest files
            self.masked.clear()
        memo, id_facts = self.masked, self.id_facts
        out = []
        append = out.append
        for r in rows:
            hidden = id_facts.get(r.category.code, frozenset())
            keyed = self.keyed.get(r.category.code, frozenset())
            facts = r.facts
            masked_facts = None
            for k, v in facts.items():
                if v.__class__ is str and v and k not in keyed:
                    memo_key = (k in hidden, v)
                    masked = memo.get(memo_key)
                    if masked is None:
                        masked = memo[memo_key] = mask_ric(v) if memo_key[0] else mask_ids_in_text(v)
                    if masked != v:
                        if masked_facts is None:
                            masked_facts = dict(facts)
                        masked_facts[k] = masked
            until, repair, retain = self._periods(r)
            append(Shaped(
                r.row_no, r.category.code, r.subject_code, r.subject_class, r.subject_kind, r.subject_name,
                r.birth_date.isoformat() if r.birth_date else None, r.severity, r.decision_no,
                r.decision_date.isoformat(), r.department_code, r.department_name, r.source_id,
                r.facts_json if masked_facts is None else _JSON.encode(masked_facts), r.content_hash,
                until, repair, retain,
            ))
        return out

    def _periods(self, r: CleanRow) -> tuple[str, str | None, str]:
        """Display until, repair from and retention until as ISO text; many rows share a
        decision date, so they are cached."""
        cat = r.category
        rule = cat.display_period[r.severity or "default"]
        facts = r.facts
        key = (cat.code, r.severity, r.decision_date,
               facts.get(rule.until_fact) if rule.until_fact else None,
               facts.get(cat.retention.from_fact) if cat.retention.from_fact else None)
        more = self.period_facts.get(cat.code)
        if more is not None:
            key += tuple(facts.get(k) for k in more[r.severity])
        hit = self.spans.get(key)
        if hit is None:
            if len(self.spans) > _REMEMBERED:
                self.spans.clear()
            span = periods.compute(cat, r.severity, r.decision_date, facts, self.accepted)
            hit = self.spans[key] = (
                span.display_until.isoformat(), span.repair_from.isoformat() if span.repair_from else None,
                span.retention_until.isoformat())
        return hit
