"""Leniency for self-correction (从轻、减轻、免于惩戒) as the checks apply it.

A self-correction (自我纠错: 挽回损失, 停止危害, 消除影响, 按期整改) is recorded against a record by
:mod:`xinyong.redress`, which sits below this package in DESIGN.md's order; so redress registers
with :data:`hooks` here (:mod:`xinyong.core.hooks`) and the checks ask the hooks, never the
redress tables. A hook gives, for some records on a day, the corrections in force
(:func:`corrections_for`); for the set-based batch it gives the same as a SQL selectable of
``(record_id, kind)`` (:data:`table_hooks`).

The measures list says what a correction earns (``leniency`` in ``measures.yaml``, validated by
``xinyong policy check`` against the measure's basis): ``waive`` — the measure is not applied;
``reference`` — a mandatory measure becomes a reference one; ``shorten`` — it ends ``months``
earlier, i.e. it is in force today only if it would still be in force ``months`` from now.
:func:`soften` is the plain rule; the check result names the softening and why.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select
from sqlalchemy.orm import Session

from xinyong.catalog.schemas import Leniency, Measure, PolicySet
from xinyong.checks import rules
from xinyong.core.hooks import Hooks
from xinyong.records.periods import add_months


@dataclass(frozen=True)
class Correction:
    id: int
    record_id: int
    kind: str
    recorded_on: date
    note: str = ""


CorrectionsHook = Callable[[Session, list[int], date], list[Correction]]
TableHook = Callable[[date], Select]

hooks: Hooks[CorrectionsHook] = Hooks()
table_hooks: Hooks[TableHook] = Hooks()

EFFECT_NAMES = {"waive": "免于实施", "reference": "由必须适用改为审慎参考", "shorten": "期限缩短"}
STRENGTH = {"waive": 3, "shorten": 2, "reference": 1}


def corrections_for(session: Session, record_ids: list[int], on: date) -> dict[int, list[Correction]]:
    """The self-corrections in force on ``on`` of these records, by record id."""
    out: dict[int, list[Correction]] = {}
    if not record_ids:
        return out
    for hook in hooks.registered():
        for c in hook(session, record_ids, on):
            out.setdefault(c.record_id, []).append(c)
    return out


@dataclass(frozen=True)
class Softening:
    effect: str  # waive / reference / shorten
    months: int | None
    waived: bool  # the measure is not applied today (waived, or its shortened period has ended)
    reason: str  # in words, for the result

    @property
    def downgraded(self) -> bool:
        return self.effect == "reference"


def kind_names(policy: PolicySet, kinds) -> str:
    return "、".join((k.name if (k := policy.redress.kind(c)) else c) for c in kinds)


def _basis(len_: Leniency) -> str:
    return "；".join(f"{b.title}{(' ' + b.article) if b.article else ''}" for b in len_.basis)


def options(measure: Measure, subject_kind: str, kinds: set[str]) -> list[Leniency]:
    """The leniency options of ``measure`` that these correction kinds earn a subject of this kind."""
    return [opt for opt in measure.leniency if subject_kind in opt.subject_kinds and kinds & set(opt.kinds)]


def still_in_force_after(measure: Measure, record: rules.RecordFact, subject_kind: str, policy: PolicySet,
                         on: date, months: int) -> bool:
    """Whether the measure, shortened by ``months``, still holds on ``on``: it would still be in
    force on ``on`` + ``months`` under its own period (the record's display period, or the
    period its facts give)."""
    later = add_months(on, months)
    shown = record.shown and (record.display_until is None or record.display_until >= later)
    moved = rules.RecordFact(record.id, record.category, record.severity, record.polarity, record.decision_date,
                             shown, record.revoked, record.facts, record.display_until)
    facts = rules.Facts(subject_id=0, kind=subject_kind, records=[moved])
    return any(s.via == "record" and s.source_id == record.id
               for s in rules.measure_sources(measure, facts, policy, later))


def soften(measure: Measure, record: rules.RecordFact | None, subject_kind: str, corrections: list[Correction],
           policy: PolicySet, on: date) -> Softening | None:
    """How the corrections of the record a hit rests on soften ``measure`` (None: not at all).
    Of several options earned, the strongest: waive, then shorten, then reference."""
    if measure.type != "punish" or not measure.leniency or not corrections:
        return None
    kinds = {c.kind for c in corrections}
    earned = options(measure, subject_kind, kinds)
    if not earned:
        return None
    best = max(earned, key=lambda o: STRENGTH[o.effect])
    used = [k for k in best.kinds if k in kinds]
    why = f"已登记自我纠错（{kind_names(policy, used)}），依 {_basis(best)}"
    if best.effect == "waive":
        return Softening("waive", None, True, f"免于实施：{why}")
    if best.effect == "reference":
        return Softening("reference", None, False, f"从轻，由必须适用改为审慎参考：{why}")
    months = best.months or 0
    ended = record is None or not still_in_force_after(measure, record, subject_kind, policy, on, months)
    state = "缩短后已届满，不再适用" if ended else "缩短后仍在期内"
    return Softening("shorten", months, ended, f"减轻，期限缩短 {months} 个月（{state}）：{why}")
