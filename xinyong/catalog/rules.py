"""Checks that span the policy files, and the legality checks the rules ask of the lists.

Each check yields ``(file, path, message)``; :mod:`xinyong.catalog.loader` turns the path into
a line number. The rules follow the Zhejiang regulation (条例 第十四条: what may never be
collected, what needs written consent) and 国办发〔2020〕49号 (every measure has a legal basis;
one that restricts rights rests on a law or administrative regulation; a local list adds no
punishment beyond the national basic list; 条例第二十八条: a subject is told before a listing
and may state its case). A measure must also stay inside what its basis covers: one that
restricts rights on a record with a term of its own (a sanction's 处分期间, a sentence) names the
period it lasts, and a punishment on a record of some offence or exam names which ones its basis
covers (公司法第一百七十八条 names some crimes only). A behaviour's listing that no list rule can
make is refused with the reason (see :func:`xinyong.lists.rules.unreachable`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from xinyong.catalog.indicators import check_evaluation
from xinyong.catalog.schemas import (
    DECISION_DATE,
    BehaviourList,
    Category,
    DataCatalog,
    FactCondition,
    FactSpec,
    FactTerm,
    HolidayList,
    MeasureList,
    ScenarioList,
    Trigger,
)

Check = tuple[str, tuple[str, ...], str]
STRONG_LEVELS = {"law", "administrative_regulation"}


def _matches(fact: FactSpec, term: FactTerm) -> bool:
    if fact.key == term.key:
        return True
    words = [fact.name, *fact.aliases]
    return any(name in word for name in term.names for word in words)


def check_collection(catalog: DataCatalog) -> Iterator[Check]:
    rules_ = catalog.collection_rules
    for ci, cat in enumerate(catalog.categories):
        for fi, fact in enumerate(cat.facts):
            path = ("categories", str(ci), "facts", str(fi))
            for term in rules_.forbidden:
                if _matches(fact, term):
                    yield (
                        "catalog.yaml",
                        path,
                        f"fact {fact.key!r} ({fact.name}) is information that may never be "
                        f"collected ({'/'.join(term.names)})",
                    )
            for term in rules_.consent_required:
                if _matches(fact, term) and not fact.consent_required:
                    yield (
                        "catalog.yaml",
                        path,
                        f"fact {fact.key!r} ({fact.name}) may be collected only with written "
                        f"consent: set consent_required: true",
                    )


def check_catalog(catalog: DataCatalog) -> Iterator[Check]:
    severities = {s.code for s in catalog.severities}
    seen: set[str] = set()
    for ci, cat in enumerate(catalog.categories):
        path = ("categories", str(ci))
        if cat.code in seen:
            yield "catalog.yaml", (*path, "code"), f"category code {cat.code!r} appears twice"
        seen.add(cat.code)
        for si, sev in enumerate(cat.severities):
            if sev not in severities:
                yield "catalog.yaml", (*path, "severities", str(si)), f"unknown severity {sev!r}"
        yield from check_constraints(cat, path)
        dates = {f.key for f in cat.facts if f.type == "date"}
        for attr in ("act_date_fact", "act_until_fact"):
            key = getattr(cat, attr)
            if key is not None and key not in dates:
                yield "catalog.yaml", (*path, attr), f"{attr} {key!r} is not a date fact of category {cat.code!r}"
        if cat.act_until_fact and not cat.act_date_fact:
            yield "catalog.yaml", (*path, "act_until_fact"), "act_until_fact needs act_date_fact (when the act began)"
    yield from check_collection(catalog)


_ORDERED = {"date": "date", "integer": "number", "decimal": "number"}


def check_constraints(cat: Category, path: tuple[str, ...]) -> Iterator[Check]:
    """A constraint names facts of its category (or the decision date) and compares like with
    like: dates with dates, amounts with amounts; a severity floor names a fact and a severity
    of its category."""
    types = {f.key: f.type for f in cat.facts}
    types.setdefault(DECISION_DATE, "date")
    for ki, con in enumerate(cat.constraints):
        here = (*path, "constraints", str(ki))
        sides = [("fact", con.fact)] + ([("other", con.other)] if con.other is not None else [])
        unknown = [(side, key) for side, key in sides if key not in types]
        for side, key in unknown:
            yield "catalog.yaml", (*here, side), f"constraint names unknown fact {key!r} of category {cat.code!r}"
        if unknown:
            continue
        kinds = [_ORDERED.get(types[key]) for _side, key in sides]
        if con.rule == "not_negative":
            if kinds[0] != "number":
                yield ("catalog.yaml", (*here, "fact"),
                       f"not_negative needs an integer or decimal fact; {con.fact!r} is {types[con.fact]}")
        elif None in kinds or kinds[0] != kinds[1]:
            yield ("catalog.yaml", (*here, "other"),
                   f"{con.rule} compares facts of different types: {con.fact!r} is {types[con.fact]}, "
                   f"{con.other!r} is {types[con.other or '']} (dates with dates, numbers with numbers)")
    for fi, floor in enumerate(cat.severity_floors):
        here = (*path, "severity_floors", str(fi))
        if floor.fact not in types or floor.fact == DECISION_DATE:
            yield "catalog.yaml", (*here, "fact"), f"severity floor names unknown fact {floor.fact!r}"
        if floor.min_severity not in cat.severities:
            yield ("catalog.yaml", (*here, "min_severity"),
                   f"severity {floor.min_severity!r} is not allowed for category {cat.code!r}")


def check_conditions(catalog: DataCatalog, cat: Category, conds: list[FactCondition], file: str,
                     path: tuple[str, ...]) -> Iterator[Check]:
    """Each condition names a fact of the category; chapters and intent only on the offence fact;
    values among the fact's choices, and never a condition that accepts nothing."""
    for ci, cond in enumerate(conds):
        cpath = (*path, str(ci))
        fact = cat.fact(cond.fact)
        if fact is None:
            yield file, (*cpath, "fact"), f"{cond.fact!r} is not a fact of category {cat.code!r}"
            continue
        if (cond.chapters or cond.intentional is not None) and fact.choices_from != "offences":
            yield file, cpath, f"chapters and intentional select offences: {cond.fact!r} is not the offence fact"
        if fact.choices:
            for vi, value in enumerate(cond.values):
                if value not in fact.choices:
                    yield file, (*cpath, "values", str(vi)), f"{value!r} is not a choice of {cond.fact!r} ({fact.name})"
        if not catalog.condition_values(cond):
            yield file, cpath, f"the condition on {cond.fact!r} accepts no value"


def check_offences(catalog: DataCatalog) -> Iterator[Check]:
    chapters = {c.number for c in catalog.offence_chapters}
    seen: set[str] = set()
    for oi, off in enumerate(catalog.offences):
        if off.name in seen:
            yield "catalog.yaml", ("offences", str(oi), "name"), f"offence {off.name!r} appears twice"
        seen.add(off.name)
        if chapters and off.chapter not in chapters:
            yield "catalog.yaml", ("offences", str(oi), "chapter"), f"chapter {off.chapter} is not in offence_chapters"
    for ci, cat in enumerate(catalog.categories):
        for fi, fact in enumerate(cat.facts):
            if fact.choices_from == "offences" and not catalog.offences:
                yield ("catalog.yaml", ("categories", str(ci), "facts", str(fi)),
                       f"fact {fact.key!r} takes its choices from the offence list, which is empty")
        for sev, period in cat.display_period.items():
            yield from check_conditions(catalog, cat, period.open_when, "catalog.yaml",
                                        ("categories", str(ci), "display_period", sev, "open_when"))


def check_behaviours(catalog: DataCatalog, behaviours: BehaviourList) -> Iterator[Check]:
    cats = {c.code: c for c in catalog.categories}
    seen: set[str] = set()
    for bi, beh in enumerate(behaviours.behaviours):
        path = ("behaviours", str(bi))
        if beh.code in seen:
            yield "behaviours.yaml", (*path, "code"), f"behaviour code {beh.code!r} appears twice"
        seen.add(beh.code)
        cat = cats.get(beh.category)
        if cat is None:
            yield "behaviours.yaml", (*path, "category"), f"unknown category {beh.category!r}"
            continue
        if beh.polarity != cat.polarity:
            yield (
                "behaviours.yaml",
                (*path, "polarity"),
                f"polarity {beh.polarity!r} differs from its category's {cat.polarity!r}",
            )
        if beh.severity is not None and beh.severity not in cat.severities:
            yield (
                "behaviours.yaml",
                (*path, "severity"),
                f"severity {beh.severity!r} is not allowed for category {cat.code!r}",
            )
        yield from check_conditions(catalog, cat, beh.when, "behaviours.yaml", (*path, "when"))


def check_reachable(behaviours: BehaviourList) -> Iterator[Check]:
    """Every listing by rule or by record takes effect, or the check says why it cannot. A record
    says its category, severity and facts, not its behaviour (:mod:`xinyong.lists.rules`): a
    behaviour with ``when`` conditions is told apart by its facts; one without is listed only
    where every other behaviour of its category and severity without them lists the same way."""
    for bi, b in enumerate(behaviours.behaviours):
        if b.when:
            continue
        for ei, e in enumerate(b.lists):
            if e.by == "decision":
                continue
            others = [o.code for o in behaviours.behaviours
                      if o.category == b.category and o.severity == b.severity and not o.when
                      and not any(x.list == e.list and x.by == e.by for x in o.lists)]
            if others:
                yield (
                    "behaviours.yaml",
                    ("behaviours", str(bi), "lists", str(ei)),
                    f"behaviour {b.code!r} lists on {e.list!r} by {e.by}, but its records cannot be told from "
                    f"those of {', '.join(repr(o) for o in others)} (same category and severity, not listed so), "
                    f"so the listing never takes effect: give it `when` conditions on the record's facts",
                )


def _date_fact(cat: Category, key: str) -> bool:
    fact = cat.fact(key)
    return fact is not None and fact.type == "date"


def check_trigger_scope(catalog: DataCatalog, m, ti: int, trig: Trigger, path: tuple[str, ...]) -> Iterator[Check]:
    """A record trigger stays inside its basis: its facts exist, a restricting measure on a
    record with a term of its own names its period, and a punishment on a record of some offence
    or exam names which ones (or says, with all_kinds, that its basis covers every one)."""
    cat = catalog.categories and next((c for c in catalog.categories if c.code == trig.category), None)
    if trig.kind != "record" or cat is None:
        return
    yield from check_conditions(catalog, cat, trig.where, "measures.yaml", (*path, "where"))
    period = trig.fact_period()
    if period is not None:
        for key in period.date_facts():
            if not _date_fact(cat, key):
                yield "measures.yaml", (*path, "period"), f"{key!r} is not a date fact of category {cat.code!r}"
        if period.months_by_fact:
            fact = cat.fact(period.months_by_fact)
            if fact is None:
                yield ("measures.yaml", (*path, "period", "months_by_fact"),
                       f"{period.months_by_fact!r} is not a fact of category {cat.code!r}")
            elif fact.choices:
                for value in period.months_by:
                    if value not in fact.choices:
                        yield ("measures.yaml", (*path, "period", "months_by"),
                               f"{value!r} is not a choice of {fact.key!r} ({fact.name})")
    if m.type == "punish" and m.restricts_rights and cat.term and trig.period is None:
        yield (
            "measures.yaml",
            (*path, "period"),
            f"measure {m.code!r} restricts rights on a record of {cat.code!r}, which has its own term "
            f"({cat.term}): name the period the measure lasts (period: display, or one computed from the "
            f"record's facts)",
        )
    if m.type == "punish" and cat.select_by and not trig.all_kinds \
            and not any(c.fact in cat.select_by for c in trig.where):
        names = "、".join(f.name for f in cat.facts if f.key in cat.select_by)
        yield (
            "measures.yaml",
            (*path, "where"),
            f"measure {m.code!r} punishes on a record of {cat.code!r}: name which ones its basis covers "
            f"(where on {names}), or set all_kinds: true where it covers every one",
        )


def check_measures(catalog: DataCatalog, measures: MeasureList) -> Iterator[Check]:
    cats = {c.code: c for c in catalog.categories}
    severities = {s.code for s in catalog.severities}
    national = set(measures.national_items)
    restricting = set(measures.national_restricting)
    responsible = {r.role for r in measures.responsible}
    yield from check_responsible(measures, catalog)
    for ni, item in enumerate(measures.national_restricting):
        if item not in national:
            yield "measures.yaml", ("national_restricting", str(ni)), f"{item!r} is not in national_items"
    seen: set[str] = set()
    for mi, m in enumerate(measures.measures):
        path = ("measures", str(mi))
        if m.code in seen:
            yield "measures.yaml", (*path, "code"), f"measure code {m.code!r} appears twice"
        seen.add(m.code)
        if not m.legal_basis:
            yield "measures.yaml", (*path, "legal_basis"), f"measure {m.code!r} cites no legal basis"
        elif m.restricts_rights and not any(b.level in STRONG_LEVELS for b in m.legal_basis):
            yield (
                "measures.yaml",
                (*path, "legal_basis"),
                f"measure {m.code!r} restricts rights or adds obligations but cites no law or "
                f"administrative regulation",
            )
        if m.type == "punish" and national and m.national_item not in national:
            yield (
                "measures.yaml",
                (*path, "national_item"),
                f"punishment {m.code!r} is not on the national basic measures list this list extends",
            )
        if m.type == "punish" and not m.notice_before_listing:
            yield (
                "measures.yaml",
                (*path, "notice_before_listing"),
                f"punishment {m.code!r}: the subject must be told before a listing and may state its case",
            )
        if m.national_item and m.national_item in restricting and not m.restricts_rights:
            yield (
                "measures.yaml",
                (*path, "restricts_rights"),
                f"measure {m.code!r} follows national item {m.national_item!r}, which reduces rights or "
                f"adds obligations: set restricts_rights: true and cite a law or administrative regulation",
            )
        for ri, role in enumerate(m.reaches):
            if role not in responsible:
                yield (
                    "measures.yaml",
                    (*path, "reaches", str(ri)),
                    f"measure {m.code!r} reaches {role!r}, but the responsible list does not name the stored "
                    f"fact that decides who that is",
                )
        for ti, trig in enumerate(m.triggers):
            tpath = (*path, "triggers", str(ti))
            if trig.category and trig.category not in cats:
                yield "measures.yaml", (*tpath, "category"), f"unknown category {trig.category!r}"
            if trig.min_severity and trig.min_severity not in severities:
                yield "measures.yaml", (*tpath, "min_severity"), f"unknown severity {trig.min_severity!r}"
            yield from check_trigger_scope(catalog, m, ti, trig, tpath)


def check_leniency(measures: MeasureList, redress: Any) -> Iterator[Check]:
    """Leniency for self-correction only where its basis allows it (76号 四(四)；浙 政务 二(一)7：
    公务员……可从轻或免于实施失信惩戒措施；98号 四(三)：主动履约减少失信损失): it cites that basis; a
    measure that a law or administrative regulation imposes (restricts_rights) is not softened by a
    policy document, so its leniency must rest on a law or administrative regulation itself; the
    kinds are the self-correction kinds of redress.yaml; the persons are those the measure is for;
    only a mandatory measure can be downgraded to a reference one; rewards are not softened."""
    known = {k.code for k in redress.self_correction_kinds} if redress is not None else set()
    for mi, m in enumerate(measures.measures):
        for li, len_ in enumerate(m.leniency):
            path = ("measures", str(mi), "leniency", str(li))
            if m.type != "punish":
                yield "measures.yaml", path, f"measure {m.code!r} is a reward: leniency softens punishments only"
            if not len_.basis:
                yield ("measures.yaml", (*path, "basis"),
                       f"measure {m.code!r}: leniency cites no basis that allows softening it")
            elif m.restricts_rights and not any(b.level in STRONG_LEVELS for b in len_.basis):
                yield ("measures.yaml", (*path, "basis"),
                       f"measure {m.code!r} rests on a law or administrative regulation (restricts_rights): a "
                       f"policy document cannot waive, downgrade or shorten it; cite a law or administrative "
                       f"regulation that allows leniency, or remove it")
            if len_.effect == "reference" and not m.mandatory:
                yield ("measures.yaml", (*path, "effect"),
                       f"measure {m.code!r} is not mandatory: there is nothing to downgrade to reference")
            for ki, kind in enumerate(len_.kinds):
                if kind not in known:
                    yield ("measures.yaml", (*path, "kinds", str(ki)),
                           f"{kind!r} is not a self_correction_kinds code of redress.yaml")
            for si, sk in enumerate(len_.subject_kinds):
                if sk not in m.subject_kinds:
                    yield ("measures.yaml", (*path, "subject_kinds", str(si)),
                           f"measure {m.code!r} does not apply to {sk!r}")


def check_responsible(measures: MeasureList, catalog: DataCatalog | None = None) -> Iterator[Check]:
    """A measure that reaches persons other than the subject (条例第二十七条; 98号 六(二)) reaches
    them through a stored fact that decides who they are — a registered designation with its
    dates — or names the role and leaves it to a person (``manual``). Words in a job title
    decide nothing: 书记员 contains 书记, 主任科员 contains 主任, and neither is a principal."""
    seen: set[str] = set()
    for ri, rule in enumerate(measures.responsible):
        path = ("responsible", str(ri))
        if rule.role in seen:
            yield "measures.yaml", (*path, "role"), f"responsible role {rule.role!r} is defined twice"
        seen.add(rule.role)
        if rule.titles or rule.exclude:
            yield (
                "measures.yaml",
                (*path, "titles" if rule.titles else "exclude"),
                f"responsible role {rule.role!r} is decided by words in job titles; name the stored fact "
                f"that decides who holds it (designation: legal_rep / principal / financial_head) or set "
                f"manual: true",
            )
        elif rule.decided_by is None and rule.record_fact is None and not rule.manual:
            yield (
                "measures.yaml",
                path,
                f"responsible role {rule.role!r} names no stored fact that decides who holds it: set "
                f"designation, record_fact, or manual: true for a person to verify",
            )
        if sum((rule.decided_by is not None, rule.record_fact is not None, rule.manual)) > 1:
            yield (
                "measures.yaml",
                path,
                f"responsible role {rule.role!r} names more than one of designation, record_fact and manual",
            )
        if rule.record_fact is not None and catalog is not None and not any(
            f.key == rule.record_fact and f.type == "ric_list" for c in catalog.categories for f in c.facts
        ):
            yield (
                "measures.yaml",
                (*path, "record_fact"),
                f"responsible role {rule.role!r}: no category has a fact {rule.record_fact!r} of type ric_list "
                f"(the identity numbers the decision names)",
            )


def check_listing(behaviours: BehaviourList, measures: MeasureList) -> Iterator[Check]:
    """条例第二十八条: before a listing the subject is told the reasons and the basis and may state
    its case. A punishment list must say so (``notice: true``); one a behaviour puts subjects on
    by rule must give them working days to state their case before the listing takes effect.
    Every list a behaviour or a measure names is defined."""
    kinds = {k.code: k for k in behaviours.list_kinds}
    seen: set[str] = set()
    for ki, kind in enumerate(behaviours.list_kinds):
        path = ("list_kinds", str(ki))
        if kind.code in seen:
            yield "behaviours.yaml", (*path, "code"), f"list {kind.code!r} is defined twice"
        seen.add(kind.code)
        if kind.type == "punish" and not kind.notice:
            yield (
                "behaviours.yaml",
                (*path, "notice"),
                f"list {kind.code!r} punishes: the subject must be told before a listing and may state its case",
            )
    by_rule = {e.list for b in behaviours.behaviours for e in b.lists if e.by == "rule"}
    for ki, kind in enumerate(behaviours.list_kinds):
        if kind.type == "punish" and kind.code in by_rule and kind.notice_workdays < 1:
            yield (
                "behaviours.yaml",
                ("list_kinds", str(ki), "notice_workdays"),
                f"list {kind.code!r} takes subjects by rule: give them notice_workdays to state their case "
                f"before the listing takes effect",
            )
    for bi, beh in enumerate(behaviours.behaviours):
        for ei, effect in enumerate(beh.lists):
            if effect.list not in kinds:
                yield (
                    "behaviours.yaml",
                    ("behaviours", str(bi), "lists", str(ei), "list"),
                    f"list {effect.list!r} is not defined in list_kinds",
                )
    for mi, m in enumerate(measures.measures):
        for ti, trig in enumerate(m.triggers):
            if trig.kind == "list" and trig.list not in kinds:
                yield (
                    "measures.yaml",
                    ("measures", str(mi), "triggers", str(ti), "list"),
                    f"list {trig.list!r} is not defined in behaviours.yaml list_kinds",
                )
            elif trig.kind == "list" and m.type == "punish" and kinds[trig.list].type != "punish":
                yield (
                    "measures.yaml",
                    ("measures", str(mi), "triggers", str(ti), "list"),
                    f"punishment {m.code!r} is triggered by {trig.list!r}, a list of rewards",
                )


def check_scenarios(measures: MeasureList, scenarios: ScenarioList) -> Iterator[Check]:
    codes = {m.code for m in measures.measures}
    seen: set[str] = set()
    for si, sc in enumerate(scenarios.scenarios):
        path = ("scenarios", str(si))
        if sc.code in seen:
            yield "scenarios.yaml", (*path, "code"), f"scenario code {sc.code!r} appears twice"
        seen.add(sc.code)
        for mi, code in enumerate(sc.measures):
            if code not in codes:
                yield "scenarios.yaml", (*path, "measures", str(mi)), f"unknown measure {code!r}"


def check_holidays(holidays: HolidayList) -> Iterator[Check]:
    for year, sched in holidays.years.items():
        for kind in ("holidays", "workdays"):
            for i, day in enumerate(getattr(sched, kind)):
                if day.year != year:
                    yield "holidays.yaml", ("years", str(year), kind, str(i)), f"{day} is not in {year}"
                if kind == "holidays" and day.weekday() >= 5:
                    yield "holidays.yaml", ("years", str(year), kind, str(i)), f"{day} is a weekend day already"
                if kind == "workdays" and day.weekday() < 5:
                    yield "holidays.yaml", ("years", str(year), kind, str(i)), f"{day} is a weekday already"


def cross_check(parsed: dict[str, Any]) -> list[Check]:
    catalog = parsed["catalog.yaml"]
    out = list(check_catalog(catalog))
    out += check_offences(catalog)
    out += check_behaviours(catalog, parsed["behaviours.yaml"])
    out += check_reachable(parsed["behaviours.yaml"])
    out += check_measures(catalog, parsed["measures.yaml"])
    out += check_listing(parsed["behaviours.yaml"], parsed["measures.yaml"])
    out += check_scenarios(parsed["measures.yaml"], parsed["scenarios.yaml"])
    out += check_leniency(parsed["measures.yaml"], parsed.get("redress.yaml"))
    if "holidays.yaml" in parsed:
        out += check_holidays(parsed["holidays.yaml"])
    if "evaluation.yaml" in parsed:
        out += check_evaluation(parsed["evaluation.yaml"], catalog, parsed["behaviours.yaml"])
    return out
