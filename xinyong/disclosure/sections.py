"""The sections of a credit report and who fills them: a small registry of section providers.

The order is the national standard's (公共信用信息报告标准 2022, shared/policy/RULES.md): 基础信息,
行政管理信息, 诚实守信相关荣誉信息, 严重失信主体名单信息, 经营（活动）异常名录信息, 信用承诺及履约情况,
信用评价信息, 司法判决及执行信息, 职称和职业资格信息, 其他, 信用状况提升建议 — with the objections
and repairs on file (异议及信用修复信息) before the advice, as the issue asks of the platform's report.

Every section is printed whatever it holds: a section no provider fills says 无, so a reader
can tell "nothing on file" from "not covered". A provider is a plain function
``provider(ctx) -> list[Block]``; several may fill one section, in the order they were
registered. The platform's own providers (records by category group, list entries, grade)
are in :mod:`xinyong.disclosure.providers`. A capability that lands later (commitments,
objections and repairs, evaluation) adds its rows without touching this package's code by
shipping a module ``xinyong.<capability>.report_section`` that defines ``SECTIONS``: a mapping
of section key → ``rows(session, subject, *, full, on) -> list[dict[str, str]]`` (plain
types only, so it imports nothing of disclosure, which sits below it);
:func:`discover` finds such modules once, the way the web app finds routers.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from xinyong.core.hooks import Hooks

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from xinyong.accounts.principal import Principal
    from xinyong.catalog.schemas import PolicySet
    from xinyong.records.schemas import CreditFileOut
    from xinyong.subjects.models import Subject


@dataclass(frozen=True)
class SectionSpec:
    key: str
    title: str


SECTIONS: tuple[SectionSpec, ...] = (
    SectionSpec("basic", "基础信息"),
    SectionSpec("administrative", "行政管理信息"),
    SectionSpec("honours", "诚实守信相关荣誉信息"),
    SectionSpec("serious_lists", "严重失信主体名单信息"),
    SectionSpec("abnormal", "经营（活动）异常名录信息"),
    SectionSpec("commitments", "信用承诺及履约情况"),
    SectionSpec("evaluation", "信用评价信息"),
    SectionSpec("judicial", "司法判决及执行信息"),
    SectionSpec("qualifications", "职称和职业资格信息"),
    SectionSpec("other", "其他"),
    SectionSpec("objections_repairs", "异议及信用修复信息"),
    SectionSpec("advice", "信用状况提升建议"),
)
SECTION_KEYS = {s.key for s in SECTIONS}
# A catalog category's ``group`` names the standard's section its records go under; a group
# the standard does not name (政务失信信息) goes under 其他 with its own caption.
SECTION_OF_GROUP = {s.title: s.key for s in SECTIONS}


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]


@dataclass
class Block:
    """What a provider adds to a section: label–value lines, a table, a note, or some of each."""

    caption: str | None = None
    lines: list[tuple[str, str]] = field(default_factory=list)
    table: Table | None = None
    note: str | None = None


@dataclass
class ReportContext:
    """What a provider may read: the subject, the file as this reader may see it (masked where
    the reader's rights require), whether the reader sees the file in full, the policy."""

    session: Session
    subject: Subject
    file: CreditFileOut
    full: bool
    policy: PolicySet
    who: Principal
    on: date
    identity: dict[str, str] = field(default_factory=dict)  # name and code as shown
    cache: dict[str, Any] = field(default_factory=dict)  # what several providers share, computed once


Provider = Callable[[ReportContext], list[Block]]

_providers: dict[str, Hooks[Provider]] = {s.key: Hooks() for s in SECTIONS}


def register(key: str) -> Callable[[Provider], Provider]:
    """Decorator: ``provider`` fills section ``key`` (one of :data:`SECTIONS`)."""
    if key not in SECTION_KEYS:
        raise ValueError(f"unknown report section {key!r}")

    def deco(provider: Provider) -> Provider:
        return _providers[key].register(provider)

    return deco


def unregister(key: str, provider: Provider) -> None:
    _providers[key].unregister(provider)


def providers(key: str) -> list[Provider]:
    return _providers[key].registered()


# Capabilities that may ship a ``report_section`` module (they sit above disclosure).
LATER_CAPABILITIES = ("commitments", "redress", "supervision", "evaluation", "monitoring")
_discovered = False


def _plain_provider(key: str, rows_of: Callable[..., list[dict[str, Any]]]) -> Provider:
    def provider(ctx: ReportContext) -> list[Block]:
        rows = rows_of(ctx.session, ctx.subject, full=ctx.full, on=ctx.on)
        if not rows:
            return []
        headers = list(dict.fromkeys(k for r in rows for k in r))
        return [Block(table=Table(headers, [[str(r.get(h, "") or "") for h in headers] for r in rows]))]

    provider.__name__ = f"{getattr(rows_of, '__module__', 'later')}:{key}"
    return provider


def discover() -> None:
    """Register the providers of every capability that ships ``report_section`` (once)."""
    global _discovered
    if _discovered:
        return
    _discovered = True
    for capability in LATER_CAPABILITIES:
        name = f"xinyong.{capability}.report_section"
        try:
            found = importlib.util.find_spec(name)
        except ModuleNotFoundError:
            found = None
        if found is None:
            continue
        module = importlib.import_module(name)
        for key, rows_of in getattr(module, "SECTIONS", {}).items():
            register(key)(_plain_provider(key, rows_of))


@dataclass
class FilledSection:
    spec: SectionSpec
    blocks: list[Block]

    @property
    def empty(self) -> bool:
        return not self.blocks


def fill(ctx: ReportContext) -> list[FilledSection]:
    """Every section in the standard's order, each with what its providers give (maybe none)."""
    discover()
    out = []
    for spec in SECTIONS:
        blocks: list[Block] = []
        for provider in providers(spec.key):
            blocks += provider(ctx)
        out.append(FilledSection(spec, blocks))
    return out
