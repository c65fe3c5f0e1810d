"""The policy lists as pydantic models: 数据目录清单, 信用行为清单, 奖惩措施清单, 应用清单.

A policy set is a folder of YAML files (``policy.yaml``, ``catalog.yaml``, ``behaviours.yaml``,
``measures.yaml``, ``scenarios.yaml`` and optionally ``holidays.yaml`` and ``evaluation.yaml``,
the indicator systems of :mod:`xinyong.catalog.indicators`). Each file is checked by
the model below with its name; the checks that span files (a behaviour naming a category, a
scenario naming a measure) live in :mod:`xinyong.catalog.rules`. The engine enforces whatever
these lists say; nothing here is a number from a rule, only the shape of the lists.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from xinyong.catalog.indicators import EvaluationList
from xinyong.core import codes

SubjectKind = Literal["gov_body", "public_servant", "person", "enterprise"]
Polarity = Literal["dishonest", "honest", "neutral"]
Disclosure = Literal["public", "authorized", "shared"]
FactType = Literal["string", "text", "date", "integer", "decimal", "boolean", "enum", "uscc", "ric", "ric_list"]
# ric_list: one or more identity numbers (、 , ; or spaces between them), e.g. the directly
# responsible persons a decision names; stored masked, with keyed hashes to find them by.
ListKind = Literal["blacklist", "redlist", "watchlist"]
ResponsiblePerson = Literal[
    "legal_rep", "principal", "directly_responsible", "financial_head", "actual_controller"
]
LegalLevel = Literal[
    "law",  # 法律
    "administrative_regulation",  # 行政法规
    "local_regulation",  # 地方性法规
    "judicial_interpretation",  # 司法解释
    "departmental_rule",  # 部门规章
    "local_rule",  # 地方政府规章
    "central_policy",  # 党中央、国务院政策文件
    "normative_document",  # 规范性文件
]

SUBJECT_KIND_NAMES = {
    "gov_body": "政府机构",
    "public_servant": "公务人员",
    "person": "自然人",
    "enterprise": "法人和其他组织",
}
POLARITY_NAMES = {"dishonest": "失信", "honest": "守信", "neutral": "中性"}
DISCLOSURE_NAMES = {"public": "公开", "authorized": "授权查询", "shared": "政务共享"}
NATURAL_KINDS = frozenset({"person", "public_servant"})


def kind_label(kind: str, code: str | None = None) -> str:
    """The name a person sees for a subject's kind: for a body, what its USCC's registration
    authority and organisation type say it is (事业单位, 村民委员会, 农村集体经济组织 …), so that a
    library is not called 政府机构 and a village collective not a government; else the kind's name."""
    if kind not in NATURAL_KINDS:
        label = codes.uscc_label(code)
        if label:
            return label
    return SUBJECT_KIND_NAMES.get(kind, kind)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- policy.yaml -------------------------------------------------------------------------


class PolicyMeta(Strict):
    label: str = Field(min_length=1, description="Version label shown with every record, e.g. 浙江-2026.1")
    title: str
    region: str = Field(pattern=r"^\d{6}$", description="Region whose credit office publishes it")
    effective_from: date
    based_on: list[str] = Field(default_factory=list, description="Documents the lists follow")
    notes: str = ""


# --- catalog.yaml ------------------------------------------------------------------------


class Severity(Strict):
    code: str = Field(pattern=r"^[a-z_]+$")
    name: str
    rank: int = Field(ge=0, description="Higher is more serious")


class FactTerm(Strict):
    """A kind of personal information named by the collection rules, with the words for it."""

    key: str
    names: list[str] = Field(min_length=1)


class CollectionRules(Strict):
    forbidden: list[FactTerm] = Field(description="Never collected (浙 条例 第十四条第一款)")
    consent_required: list[FactTerm] = Field(
        description="Collected only with the person's written consent (第十四条第二款)"
    )


class FactCondition(Strict):
    """A record's fact is one of ``values`` — or, for a fact whose choices are the offence list,
    an offence of one of ``chapters`` of the Criminal Law's special part, or (``intentional``) an
    intentional or negligent one. Conditions let a behaviour or a trigger say which offences,
    exams or listing grounds its basis covers (公司法第一百七十八条 names some offences only)."""

    fact: str
    values: list[str] = Field(default_factory=list)
    chapters: list[int] = Field(default_factory=list)
    intentional: bool | None = None

    @model_validator(mode="after")
    def _says_something(self) -> FactCondition:
        if not self.values and not self.chapters and self.intentional is None:
            raise ValueError(f"the condition on {self.fact!r} names no values, chapters or intent")
        return self


class OffenceChapter(Strict):
    number: int = Field(ge=1, le=10)
    name: str


class Offence(Strict):
    """One 罪名 of the Criminal Law (最高人民法院、最高人民检察院 罪名规定), the chapter of its
    special part it stands in, and whether it is an intentional crime (故意犯罪)."""

    name: str
    chapter: int = Field(ge=1, le=10)
    intentional: bool = True


class FactSpec(Strict):
    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str = Field(description="Chinese column header")
    type: FactType = "string"
    required: bool = False
    choices: list[str] | None = None
    choices_from: Literal["offences"] | None = Field(
        None, description="The choices are the catalog's offence list (罪名)"
    )
    aliases: list[str] = Field(default_factory=list, description="Other headers accepted in files")
    max_length: int | None = Field(None, ge=1)
    consent_required: bool = False
    choice_aliases: dict[str, str] = Field(
        default_factory=dict, description="Other spellings of a choice (spelling → choice), stored as the choice"
    )
    choice_suffixes: list[str] = Field(
        default_factory=list, description="Words a value may end with, dropped before matching (记大过处分 → 记大过)"
    )
    personal: bool = Field(False, description=(
        "The fact names natural persons other than the subject (a legal representative, a third "
        "party): shown to the public masked, and each name it gives masked in the record's other "
        "free text (docs/privacy.md, 公开文本的脱敏)"))

    @model_validator(mode="after")
    def _enum_has_choices(self) -> FactSpec:
        if self.type == "enum" and not self.choices:
            raise ValueError("a fact of type enum lists its choices")
        if (self.choice_aliases or self.choice_suffixes) and self.type != "enum":
            raise ValueError("choice_aliases and choice_suffixes are for an enum fact")
        unknown = sorted(set(self.choice_aliases.values()) - set(self.choices or []))
        if unknown:
            raise ValueError(f"choice_aliases name values that are not choices: {unknown}")
        if self.personal and self.type not in ("string", "text", "ric"):
            raise ValueError(f"fact {self.key!r}: only a text fact can be personal (names or identity numbers)")
        return self

    def canonical_choice(self, raw: object) -> object:
        """The choice a department's spelling stands for (spaces dropped, a listed suffix such as
        处分 dropped, an alias mapped), so that one kind is stored one way and a measure that
        selects by it finds every record of it; a value none of these match is returned as it
        came, for the enum check to refuse."""
        if not isinstance(raw, str) or not (self.choice_aliases or self.choice_suffixes):
            return raw
        text = "".join(raw.split())
        stems = [text, *(text[:-len(s)] for s in self.choice_suffixes if text.endswith(s) and len(text) > len(s))]
        for stem in stems:
            if stem in (self.choices or []):
                return stem
            if stem in self.choice_aliases:
                return self.choice_aliases[stem]
        return raw


class Period(Strict):
    """A display period: at most ``max_months`` after the decision (publication then stops by
    itself), at least ``min_months`` (the earliest a repair may end it). ``until_fact`` ends it
    on a date fact instead (a licence shown while valid), no later than ``fact_max_months`` (or
    ``max_months``) after the decision; ``max_months: 0`` means not shown.

    ``from_fact`` counts ``max_months`` from a date fact when the record carries one later than
    the decision (条例第十六条: for a custodial sentence, from the end of the sentence).
    ``open_when``: a record whose facts meet every condition has no fixed end (a 失信被执行人
    listed because able to perform yet refusing stays listed until the court removes it), and
    ``ended_by`` is the date fact that ends it whatever else (the court's removal)."""

    min_months: int = Field(0, ge=0)
    max_months: int | None = Field(None, ge=0)
    until_fact: str | None = None
    fact_max_months: int | None = Field(None, ge=0)
    from_fact: str | None = None
    open_when: list[FactCondition] = Field(default_factory=list)
    ended_by: str | None = None

    @model_validator(mode="after")
    def _bounds(self) -> Period:
        if self.max_months is None and self.until_fact is None:
            raise ValueError("a display period needs max_months or until_fact")
        if self.max_months is not None and self.min_months > self.max_months:
            raise ValueError("min_months is larger than max_months")
        if self.fact_max_months is not None and self.until_fact is None:
            raise ValueError("fact_max_months bounds until_fact: name until_fact")
        return self

    def date_facts(self) -> list[str]:
        return [f for f in (self.until_fact, self.from_fact, self.ended_by) if f]


class Retention(Strict):
    """How long a record stays in the archive (保存期), counted from the decision date or from a
    date fact when it is present (the end of a custodial sentence)."""

    years: int = Field(ge=1)
    from_fact: str | None = None
    while_listed: bool = Field(
        True, description="Kept longer while the subject stays on the serious-dishonesty list"
    )


class SeverityRule(Strict):
    """Derive the severity from a fact when a file carries none (处罚类别 → 严重)."""

    fact: str
    contains: list[str] = Field(min_length=1)
    severity: str


class SeverityFloor(Strict):
    """A fact that binds the severity from below, whatever a file states: a penalty whose kind
    contains 吊销 is 严重 (市场监管总局令第107号: licence revoked, business restricted, ordered to
    close, barred from a post), so a row calling it 轻微 is refused, not stored unseen."""

    fact: str
    contains: list[str] = Field(min_length=1)
    min_severity: str
    basis: str = Field(min_length=1, description="Where the binding comes from, shown in the error")


CONSTRAINT_RULES = {"not_before": "不得早于", "after": "应晚于", "not_negative": "不能为负数"}
DECISION_DATE = "decision_date"  # the record's own 决定日期, usable beside the facts


class FactConstraint(Strict):
    """A relation the facts of one record must satisfy, checked at import: ``fact`` not before
    ``other`` (有效期至 against 有效期自), ``fact`` after ``other``, or ``fact`` not negative (an
    amount). ``decision_date`` names the record's decision date. A constraint holds vacuously
    when a value is absent; ``reason`` says why, in the error a department sees."""

    fact: str
    rule: Literal["not_before", "after", "not_negative"]
    other: str | None = None
    reason: str = ""

    @model_validator(mode="after")
    def _other_for_comparisons(self) -> FactConstraint:
        if (self.rule == "not_negative") != (self.other is None):
            raise ValueError("not_negative takes no other fact; not_before and after name one")
        return self


REPAIR_PROOFS = {
    "performance": "履行法定义务、纠正失信行为的证明",
    "payment": "缴纳罚款（履行处罚决定）的证明",
    "training": "信用修复培训证明",
    "report": "信用报告（信用服务机构出具）",
}


class RepairRule(Strict):
    """What a credit repair (信用修复) of a record of this category asks beyond the catalog's
    ``repairable`` and the display period's ``min_months`` (国家发展改革委令第58号; RULES.md,
    "Credit repair"): the facts the applicant proves with documents (``proofs``, keys of
    :data:`REPAIR_PROOFS`), a signed credit commitment, credit-repair training and a credit
    report for the severities in ``training_for``; and repeated dishonesty — another dishonest
    record of the category, or an approved repair of one, within ``repeat_within_months`` —
    blocking a new repair. A list entry resting on the record ends with the repair (58号: 移出
    严重失信主体名单); ``listed_blocks`` — for the categories whose rules say so — refuses the
    ordinary repair while the subject stands on the serious-dishonesty list at all (浙江省公共
    信用信息管理条例 第三十二条第二款: 被列入严重失信名单的，不适用)."""

    proofs: list[str] = Field(default_factory=lambda: ["performance", "payment"])
    commitment: bool = True
    training_for: list[str] = Field(default_factory=lambda: ["serious"])
    repeat_within_months: int = Field(12, ge=0)
    listed_blocks: bool = False
    basis: str = "国家发展改革委令第58号；浙江省公共信用信息管理条例 第三十二条"

    @field_validator("proofs")
    @classmethod
    def _known_proofs(cls, proofs: list[str]) -> list[str]:
        unknown = [p for p in proofs if p not in REPAIR_PROOFS or p in ("training", "report")]
        if unknown:
            raise ValueError(f"unknown repair proofs {unknown}: use {sorted(set(REPAIR_PROOFS) - {'training', 'report'})}")
        return proofs


class DisclosureRule(Strict):
    legal: Disclosure = Field(description="gov_body and enterprise")
    natural: Disclosure = Field(description="person and public_servant")
    natural_public_basis: str | None = Field(
        None, description="The law that makes natural persons' records public, if natural is public"
    )


class CommonColumns(Strict):
    """Headers accepted for the fields every record has, beyond the defaults."""

    subject_name: list[str] = Field(default_factory=list)
    subject_code: list[str] = Field(default_factory=list)
    decision_no: list[str] = Field(default_factory=list)
    decision_date: list[str] = Field(default_factory=list)
    department_name: list[str] = Field(default_factory=list)
    department_code: list[str] = Field(default_factory=list)
    source_id: list[str] = Field(default_factory=list)
    severity: list[str] = Field(default_factory=list)


class Category(Strict):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    group: str = Field(description="Heading the category is listed under, e.g. 行政管理信息")
    description: str = ""
    polarity: Polarity
    subject_kinds: list[SubjectKind] = Field(min_length=1)
    severities: list[str] = Field(default_factory=list)
    default_severity: str | None = None
    severity_rules: list[SeverityRule] = Field(default_factory=list)
    severity_floors: list[SeverityFloor] = Field(
        default_factory=list, description="Facts that bind the severity from below (吊销 → 严重)"
    )
    facts: list[FactSpec] = Field(default_factory=list)
    constraints: list[FactConstraint] = Field(
        default_factory=list, description="Relations between facts checked at import (cross-field)"
    )
    disclosure: DisclosureRule
    display_period: dict[str, Period] = Field(
        description="By severity code; 'default' for categories without severities"
    )
    retention: Retention
    repairable: bool
    repair_note: str = ""
    repair: RepairRule = Field(default_factory=RepairRule, description="Conditions of a credit repair (信用修复)")
    reporting_departments: list[str] = Field(min_length=1)
    legal_basis: list[str] = Field(min_length=1)
    policy_refs: list[str] = Field(default_factory=list, description="Where the texts ask for it")
    header_signature: list[str] = Field(
        default_factory=list, description="Headers that identify a file of this category"
    )
    source_id_from: Literal["source_id", "decision_no"] = "source_id"
    columns: CommonColumns = CommonColumns()
    term: str | None = Field(
        None,
        description="The record's own term that laws tie measures to (处分期间, 刑罚执行期, 失信期限): "
        "a measure that restricts rights and is triggered by such a record names its period",
    )
    select_by: list[str] = Field(
        default_factory=list,
        description="Facts that say which offence or exam a record is about: a punishment "
        "triggered by such a record names which values its basis covers (or that it covers all)",
    )
    act_date_fact: str | None = Field(
        None,
        description="The date fact that says when the act the record describes happened (违约发生日期, "
        "事故发生日期); without it, or when a record leaves it empty, the decision date. The persons a "
        "measure reaches are those who answered for the body on that day, not on the day of a check",
    )
    act_until_fact: str | None = Field(
        None, description="For an act that lasted (a breach of contract): the date fact it lasted until; "
        "everyone who answered for the body at any time in between is reached",
    )

    @field_validator("facts")
    @classmethod
    def _unique_facts(cls, facts: list[FactSpec]) -> list[FactSpec]:
        seen: set[str] = set()
        for fact in facts:
            if fact.key in seen:
                raise ValueError(f"fact key {fact.key!r} appears twice")
            seen.add(fact.key)
        return facts

    @model_validator(mode="after")
    def _severity_shape(self) -> Category:
        if self.polarity == "dishonest" and not self.severities:
            raise ValueError("a dishonest category lists its allowed severities")
        if self.polarity != "dishonest" and self.severities:
            raise ValueError("only dishonest categories have severities")
        if self.default_severity and self.default_severity not in self.severities:
            raise ValueError(f"default_severity {self.default_severity!r} is not in severities")
        periods = set(self.display_period)
        wanted = set(self.severities) or {"default"}
        if missing := wanted - periods:
            raise ValueError(f"display_period misses {sorted(missing)}")
        if extra := periods - wanted:
            raise ValueError(f"display_period has unknown keys {sorted(extra)}")
        fact_keys = {f.key for f in self.facts}
        for period in self.display_period.values():
            for key in period.date_facts():
                if key not in fact_keys:
                    raise ValueError(f"display period names {key!r}, which is not a fact of this category")
            for cond in period.open_when:
                if cond.fact not in fact_keys:
                    raise ValueError(f"open_when names {cond.fact!r}, which is not a fact of this category")
        for sev in self.repair.training_for:
            if self.severities and sev not in self.severities and sev != "serious":
                raise ValueError(f"repair.training_for names {sev!r}, which is not a severity of this category")
        for key in self.select_by:
            if key not in fact_keys:
                raise ValueError(f"select_by names {key!r}, which is not a fact of this category")
        if self.retention.from_fact and self.retention.from_fact not in fact_keys:
            raise ValueError(f"retention.from_fact {self.retention.from_fact!r} is not a fact")
        for rule in self.severity_rules:
            if rule.fact not in fact_keys:
                raise ValueError(f"severity rule names unknown fact {rule.fact!r}")
            if rule.severity not in self.severities:
                raise ValueError(f"severity rule gives unknown severity {rule.severity!r}")
        if self.disclosure.natural == "public" and not self.disclosure.natural_public_basis:
            raise ValueError(
                "natural persons' records are not public unless a law says so: "
                "give disclosure.natural_public_basis"
            )
        return self

    def fact(self, key: str) -> FactSpec | None:
        return next((f for f in self.facts if f.key == key), None)


class DataCatalog(Strict):
    severities: list[Severity] = Field(min_length=1)
    collection_rules: CollectionRules
    offence_chapters: list[OffenceChapter] = Field(
        default_factory=list, description="The chapters of the Criminal Law's special part (分则)"
    )
    offences: list[Offence] = Field(default_factory=list, description="The fixed list of 罪名")
    categories: list[Category] = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _offence_choices(cls, data):
        """A fact with ``choices_from: offences`` takes the offence names as its enum choices,
        so an import refuses a 罪名 the list does not know, like any other enum value."""
        if not isinstance(data, dict):
            return data
        names = [o["name"] if isinstance(o, dict) else o.name for o in data.get("offences") or []]
        for cat in data.get("categories") or []:
            for fact in (cat.get("facts") or []) if isinstance(cat, dict) else []:
                if isinstance(fact, dict) and fact.get("choices_from") == "offences":
                    fact.setdefault("type", "enum")
                    fact["choices"] = names
        return data

    _accepted: dict[int, tuple[FactCondition, frozenset[str]]] = PrivateAttr(default_factory=dict)

    def condition_values(self, cond: FactCondition) -> frozenset[str]:
        """The values a condition accepts: its ``values``, and the offences of its chapters or
        intent (both, where it gives both). Remembered per condition: a check asks often."""
        hit = self._accepted.get(id(cond))
        if hit is not None and hit[0] is cond:
            return hit[1]
        out = set(cond.values)
        if cond.chapters or cond.intentional is not None:
            out |= {o.name for o in self.offences
                    if (not cond.chapters or o.chapter in cond.chapters)
                    and (cond.intentional is None or o.intentional == cond.intentional)}
        self._accepted[id(cond)] = (cond, frozenset(out))
        return frozenset(out)


# --- behaviours.yaml ---------------------------------------------------------------------


class ListEffect(Strict):
    """``by``: ``rule`` — the platform proposes the listing when such a record arrives (the
    subject is told and may state its case first); ``record`` — the record is itself the listing
    decision of the body that reported it (a court's 失信被执行人 entry), listed under its document
    number; ``decision`` — a body decides with a document of its own (entered by the credit office)."""

    list: ListKind
    months: int | None = Field(None, ge=1, description="How long on the list; None until removed")
    by: Literal["rule", "record", "decision"] = "rule"


class Behaviour(Strict):
    """``when``: the facts that tell this behaviour's records apart from those of the other
    behaviours of the same category and severity (the 罪名 of a conviction, the ground of a
    listing). Without it a record says only its category and severity, and a listing by rule
    or by record takes effect only where every behaviour of that pair agrees on it."""

    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    category: str
    polarity: Polarity
    severity: str | None = None
    when: list[FactCondition] = Field(default_factory=list)
    description: str = ""
    lists: list[ListEffect] = Field(default_factory=list)
    basis: list[str] = Field(default_factory=list)


class ListKindSpec(Strict):
    """One of the three lists: what it is, whether it punishes, how a subject is told first.

    条例第二十八条: before a subject is put on the serious-dishonesty list it is told the reasons
    and the basis and may state its case (陈述和申辩). A listing by rule therefore starts as
    *proposed* (拟列入): the subject is notified, has ``notice_workdays`` working days to state
    its case, and the listing takes effect only after that (and after its statement, if any, is
    decided)."""

    code: ListKind
    name: str
    type: Literal["punish", "reward"]
    notice: bool = Field(description="The subject is told before the listing and may state its case")
    notice_workdays: int = Field(0, ge=0, description="Working days to state its case before a listing takes effect")
    publish: bool = Field(True, description="Published on the web (masked)")
    basis: list[str] = Field(default_factory=list)


class BehaviourList(Strict):
    list_kinds: list[ListKindSpec] = Field(
        default_factory=list, description="The lists a behaviour may put a subject on"
    )
    behaviours: list[Behaviour] = Field(min_length=1)

    def list_kind(self, code: str) -> ListKindSpec | None:
        return next((k for k in self.list_kinds if k.code == code), None)


# --- measures.yaml -----------------------------------------------------------------------


class LegalBasis(Strict):
    title: str
    level: LegalLevel
    article: str = ""


Conditions = list[FactCondition]  # (a name the Trigger class body does not shadow with its ``list`` field)


class InsteadSpan(Strict):
    """Where a record carries the date fact ``fact``, the measure's period runs ``months`` from
    it instead (公司法第一百七十八条: a suspended sentence bars for two years from the end of its
    probation, not five from the sentence's end)."""

    fact: str
    months: int = Field(ge=1)


class TriggerPeriod(Strict):
    """How long a record keeps a measure in force, computed from the record's own facts rather
    than from its display period: from ``from_fact`` (or the decision date when the record lacks
    it), for ``months``, or for the months ``months_by`` gives the value of ``months_by_fact``
    (政务处分法第八条: 警告 6 个月 …; a value mapped to null has no end), or until ``until_fact``
    when the record carries it. With none of these the measure lasts while the record is shown.
    ``instead`` names date facts that, where the record carries one (the first that it carries),
    replace that count by one of their own months; ``needs_from_fact`` keeps the measure only for
    records that carry ``from_fact`` (a record without the date the basis counts from is not one
    the basis covers: 剥夺政治权利 not imposed). A record outside its display period never
    triggers a measure."""

    from_fact: str | None = None
    months: int | None = Field(None, ge=1)
    months_by_fact: str | None = None
    months_by: dict[str, int | None] = Field(default_factory=dict)
    until_fact: str | None = None
    instead: list[InsteadSpan] = Field(default_factory=list)
    needs_from_fact: bool = False

    @model_validator(mode="after")
    def _shape(self) -> TriggerPeriod:
        if bool(self.months_by_fact) != bool(self.months_by):
            raise ValueError("months_by_fact and months_by go together")
        if self.months is not None and self.months_by_fact:
            raise ValueError("give months or months_by, not both")
        if self.needs_from_fact and not self.from_fact:
            raise ValueError("needs_from_fact needs from_fact")
        return self

    def date_facts(self) -> list[str]:
        return [f for f in (self.from_fact, self.until_fact, *(i.fact for i in self.instead)) if f]


class Trigger(Strict):
    """What makes a measure apply: list membership, a record of a category (at or above a
    severity, with facts meeting ``where``, for ``period``), an evaluation grade, or N years
    with no bad record. ``period: display`` says in so many words that the measure lasts as
    long as the record is shown; ``all_kinds`` that its basis covers every offence or exam."""

    kind: Literal["list", "record", "grade", "clean_years"]
    list: ListKind | None = None
    category: str | None = None
    min_severity: str | None = None
    where: Conditions = Field(default=[])  # (pydantic copies it; ``list`` is the field here)
    period: TriggerPeriod | Literal["display"] | None = None
    all_kinds: bool = False
    grade: str | None = None
    years: int | None = Field(None, ge=1)

    @model_validator(mode="after")
    def _fields_for_kind(self) -> Trigger:
        need = {"list": "list", "record": "category", "grade": "grade", "clean_years": "years"}[self.kind]
        if getattr(self, need) is None:
            raise ValueError(f"a {self.kind} trigger names its {need}")
        if self.kind != "record" and (self.where or self.period is not None or self.all_kinds):
            raise ValueError("only a record trigger has where, period or all_kinds")
        return self

    def fact_period(self) -> TriggerPeriod | None:
        return self.period if isinstance(self.period, TriggerPeriod) else None


class Leniency(Strict):
    """How a recorded self-correction (自我纠错：挽回损失、停止危害、消除影响、按期整改) softens a
    measure (76号 四(四)；浙 政务 二(一)7：可从轻或免于实施失信惩戒措施；98号 四(三)：主动履约减少失信损失):
    ``waive`` — not applied (免于实施); ``reference`` — a mandatory measure becomes a reference
    one (从轻：由必须适用改为审慎参考); ``shorten`` — it ends ``months`` earlier (减轻). ``kinds``
    are codes of ``redress.yaml`` self_correction_kinds; ``subject_kinds`` whom the basis covers
    (the texts speak of 公务员 and of persons). The policy check refuses leniency on a measure a law
    or administrative regulation imposes unless the leniency's own basis is of that rank."""

    effect: Literal["waive", "reference", "shorten"]
    months: int | None = Field(None, ge=1, description="shorten: by how many months")
    kinds: list[str] = Field(min_length=1, description="Self-correction kinds that earn it")
    subject_kinds: list[SubjectKind] = Field(min_length=1)
    basis: list[LegalBasis] = Field(default_factory=list, description="The text that allows it")

    @model_validator(mode="after")
    def _months(self) -> Leniency:
        if (self.effect == "shorten") != (self.months is not None):
            raise ValueError("months goes with effect: shorten, and only with it")
        return self


class Measure(Strict):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    type: Literal["punish", "reward"]
    content: str
    legal_basis: list[LegalBasis] = Field(default_factory=list)
    restricts_rights: bool = Field(
        False, description="Reduces rights or adds obligations: needs a law or administrative regulation"
    )
    department: str
    mandatory: bool
    triggers: list[Trigger] = Field(min_length=1)
    subject_kinds: list[SubjectKind] = Field(min_length=1)
    reaches: list[ResponsiblePerson] = Field(default_factory=list)
    national_item: str | None = Field(None, description="Item of the national basic list it follows")
    notice_before_listing: bool = True
    outcome: str | None = Field(
        None, description="What the measure does to the case, in its text's words (取消录用资格), "
        "shown with the check's outcome"
    )
    leniency: list[Leniency] = Field(
        default_factory=list, description="How a recorded self-correction softens it, where its basis allows"
    )


DesignationRole = Literal["legal_rep", "principal", "financial_head"]


class ResponsibleRule(Strict):
    """Who a responsible-person role is for a body or an enterprise, named by the stored fact
    that decides it — never by words in a job title (a court's 书记员 is no 书记):

    - ``designation``: the person the body registered in that role (法定代表人, 主要负责人,
      财务负责人), over the period of the registration; a measure reaches the one who held it
      on the day of the act the record describes (项目责任回溯), not on the day of the check;
    - ``record_fact``: the persons the decision that made the record names (a ``ric_list`` fact,
      such as 直接责任人员): a measure reaches them for that record only; a record of a category
      without the fact, or that names nobody, is left to a person (请人工核实);
    - ``manual: true``: the platform stores no fact that says who (实际控制人 are not collected):
      the check names the role and says 请人工核实.

    ``titles`` / ``exclude`` (words in post titles) are read only so that an old version still
    loads; ``xinyong policy check`` refuses them. ``legal_rep: true`` is an old version's way of
    saying ``designation: legal_rep``."""

    role: ResponsiblePerson
    name: str
    designation: DesignationRole | None = Field(
        None, description="The registered designation (with its dates) that decides who holds the role"
    )
    record_fact: str | None = Field(
        None, description="The record fact (type ric_list) that names the persons, in the decision that made the record"
    )
    manual: bool = Field(False, description="No stored fact decides who: the check says 请人工核实")
    legal_rep: bool = Field(False, description="Old versions: the same as designation: legal_rep")
    titles: list[str] = Field(default_factory=list, description="Refused by the policy check: job titles decide nothing")
    exclude: list[str] = Field(default_factory=list, description="Refused with titles")
    note: str = ""

    @property
    def decided_by(self) -> str | None:
        """The designation role that decides who holds this role, or None (a person verifies)."""
        if self.designation:
            return self.designation
        return "legal_rep" if self.legal_rep else None


class MeasureList(Strict):
    national_items: list[str] = Field(
        default_factory=list, description="Codes of the national basic measures list this one extends"
    )
    national_restricting: list[str] = Field(
        default_factory=list,
        description="Items of the national list that reduce rights or add obligations: a measure "
        "following one restricts rights, and so rests on a law or administrative regulation",
    )
    responsible: list[ResponsibleRule] = Field(
        default_factory=list, description="Who each responsible-person role is (reaches)"
    )
    measures: list[Measure] = Field(min_length=1)

    def measure(self, code: str) -> Measure | None:
        return next((m for m in self.measures if m.code == code), None)


# --- scenarios.yaml ----------------------------------------------------------------------


class Outcomes(Strict):
    mandatory_hit: str = Field(description="e.g. 取消报考资格 / 不予录用")
    reference_hit: str = Field(description="e.g. 审慎审查")
    possible_match: str = "疑似匹配，请人工核实"
    clean: str = "通过"
    reward: str | None = Field(None, description="e.g. 绿色通道 / 容缺受理")


class Scenario(Strict):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    description: str = ""
    departments: list[str] = Field(min_length=1)
    subject_kinds: list[SubjectKind] = Field(min_length=1)
    measures: list[str] = Field(min_length=1)
    outcomes: Outcomes
    policy_refs: list[str] = Field(default_factory=list)


class ScenarioList(Strict):
    scenarios: list[Scenario] = Field(min_length=1)


# --- holidays.yaml -----------------------------------------------------------------------


class YearSchedule(Strict):
    holidays: list[date] = Field(default_factory=list, description="Weekdays off")
    workdays: list[date] = Field(default_factory=list, description="Weekend make-up working days")
    source: str = ""


class HolidayList(Strict):
    years: dict[int, YearSchedule] = Field(default_factory=dict)


# --- commitment_kinds.yaml ---------------------------------------------------------------


class CommitmentKind(Strict):
    """A kind of 信用承诺 the platform registers (RULES.md commitments; 76号 二(二)四, 五(六))."""

    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str = Field(min_length=1)
    group: Literal["government", "township", "administration"] = Field(
        description="government: 政府服务质量、期限、保障承诺; township: 街道和乡镇公开承诺; administration: 行政管理中的信用承诺")
    subject_kinds: list[Literal["gov_body", "public_servant", "person", "enterprise"]] = Field(min_length=1)
    record_kind: str = Field(min_length=1, description="违诺时“违背信用承诺”记录的承诺类型（该类别 commitment_kind 的选项之一）")
    needs_service_area: bool = False
    needs_list_item: bool = False
    description: str = ""


class CommitmentKindList(Strict):
    kinds: list[CommitmentKind] = Field(default_factory=list)
    service_areas: list[str] = Field(default_factory=list, description="街道和乡镇公开承诺的服务领域（76号 五(六)）")
    list_kinds: dict[str, str] = Field(default_factory=dict, description="承诺所依清单：代码 → 中文名称")

    @model_validator(mode="after")
    def _unique(self) -> CommitmentKindList:
        seen: set[str] = set()
        for kind in self.kinds:
            if kind.code in seen:
                raise ValueError(f"duplicate commitment kind code {kind.code}")
            seen.add(kind.code)
        if any(k.needs_service_area for k in self.kinds) and not self.service_areas:
            raise ValueError("a kind needs a service area but service_areas is empty")
        return self

    def kind(self, code_or_name: str) -> CommitmentKind | None:
        return next((k for k in self.kinds if code_or_name in (k.code, k.name)), None)


# --- complaints.yaml ---------------------------------------------------------------------


class ComplaintPolicy(Strict):
    """投诉举报 (complaints about government dishonesty): the behaviours the public may complain
    of and the working-day deadlines of the handling (76号 三(三); 浙 政务 二(二)3)."""

    reply_workdays: int = Field(15, ge=1, le=60, description="转办后答复的期限（工作日）")
    escalated_reply_workdays: int = Field(10, ge=1, le=60, description="逾期提级督办后答复的期限（工作日）")
    rate_workdays: int = Field(10, ge=1, le=60, description="答复后申请人评价的期限（工作日）")
    behaviours: list[str] = Field(default_factory=list, description="可投诉的政务失信行为（behaviours.yaml 的代码）")


# --- rectification.yaml --------------------------------------------------------------------


class PersonalRecord(Strict):
    """The record a responsible person of a body gets when the body's rectification is overdue
    (76号 四(三): 对造成政务失信行为的主要负责人依法依规追究责任)."""

    category: str = Field(min_length=1, description="写入的信用记录类别（catalog.yaml 中的代码）")
    roles: list[Literal["legal_rep", "principal", "financial_head"]] = Field(
        min_length=1, description="按失信行为发生之日在任的登记身份认定责任人（不按职务名称推定）")
    facts: dict[str, str] = Field(default_factory=dict, description="记录的固定事实项（类别 facts 的 key → 值）")


class RectificationPolicy(Strict):
    """限期整改 (76号 四(三); 浙 政务 二(一)5): which records on a government body open a task,
    the deadline in working days, and what an overdue task brings."""

    categories: list[str] = Field(default_factory=list, description="在政府机构名下形成后开启限期整改的失信记录类别")
    deadline_workdays: int = Field(20, ge=1, le=250, description="整改期限（工作日，自开启次日起算）")
    escalate_after_workdays: int = Field(0, ge=0, le=250, description="逾期多少个工作日后报告上级机关（0：逾期次日）")
    personal_record: PersonalRecord | None = Field(None, description="逾期上报时责任人的信用记录；不填则不写")


# --- obligations.yaml --------------------------------------------------------------------


class PaymentTerm(Strict):
    """When a contract's price falls due after acceptance (保障中小企业款项支付条例)."""

    sme: bool = Field(description="true: 向中小企业付款；false: 其他合同")
    days: int = Field(ge=0, description="未约定付款期限的，自验收（交付）合格之日起的天数")
    max_agreed_days: int | None = Field(None, ge=0, description="约定付款期限的上限（天）；为空则从约定")
    day_kind: Literal["calendar", "working"] = "calendar"
    basis: str = ""


class FindingRule(Strict):
    """When a daily finding on an obligations register is proposed as a record. A proposal is
    only that: the credit office confirms it (then the record is written) or refuses it."""

    kind: Literal["arrears", "debt_overdue", "agreement_overdue"] = Field(
        description="arrears: 合同拖欠；debt_overdue: 政府债务逾期未偿还；agreement_overdue: 招商引资协议、政策承诺逾期未履行")
    category: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="The record category written on confirmation")
    days_past_due: int = Field(0, ge=0, description="逾期超过的天数（日历日）才提出；债务以逾期金额为准，不看天数")
    min_amount: float = Field(0, ge=0, description="金额（万元）超过此数才提出")
    finding_basis: str = Field(min_length=1, description="认定依据，写入记录")
    basis: str = Field(min_length=1, description="The text the rule rests on")


class DebtLevel(Strict):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str = Field(min_length=1)
    min_ratio: float = Field(ge=0, description="债务率下限（含），1.0 即 100%")


class ObligationRules(Strict):
    """The rules of government obligations (76号 五(一)(二)(四)(五); 保障中小企业款项支付条例)."""

    forbidden_reasons: list[str] = Field(default_factory=lambda: [
        "换届", "领导人员更替", "领导更替", "领导调整", "领导变动", "负责人更替", "责任人更替", "人员更替",
        "人事变动", "班子调整", "主要领导变更", "官员更替", "官员变动"])
    legal_grounds: list[str] = Field(default_factory=lambda: ["国家利益", "公共利益", "其他法定事由"])
    change_basis: str = ""
    payment_terms: list[PaymentTerm] = Field(default_factory=lambda: [
        PaymentTerm(sme=True, days=30, max_agreed_days=60), PaymentTerm(sme=False, days=60)])
    ppp_stages: list[str] = Field(default_factory=lambda: ["识别", "准备", "采购", "执行", "移交"])
    debt_levels: list[DebtLevel] = Field(default_factory=lambda: [
        DebtLevel(code="green", name="绿色", min_ratio=0), DebtLevel(code="yellow", name="黄色", min_ratio=0.8),
        DebtLevel(code="orange", name="橙色", min_ratio=1.0), DebtLevel(code="red", name="红色", min_ratio=1.2)])
    debt_basis: str = ""
    findings: list[FindingRule] = Field(default_factory=list)

    @model_validator(mode="after")
    def _ordered(self) -> ObligationRules:
        if len({f.kind for f in self.findings}) != len(self.findings):
            raise ValueError("findings: one rule per kind")
        ratios = [lv.min_ratio for lv in self.debt_levels]
        if not ratios or ratios[0] != 0 or ratios != sorted(set(ratios)):
            raise ValueError("debt_levels start at min_ratio 0 and rise strictly")
        if {t.sme for t in self.payment_terms} != {True, False}:
            raise ValueError("payment_terms need one term for sme: true and one for sme: false")
        if len(set(self.ppp_stages)) != len(self.ppp_stages) or not self.ppp_stages:
            raise ValueError("ppp_stages are distinct and not empty")
        return self

    def finding(self, kind: str) -> FindingRule | None:
        return next((f for f in self.findings if f.kind == kind), None)

    def payment_term(self, sme: bool) -> PaymentTerm:
        return next(t for t in self.payment_terms if t.sme == sme)
# --- redress.yaml ------------------------------------------------------------------------


class SelfCorrectionKind(Strict):
    """A kind of self-correction (自我纠错) the credit office or the source department records
    against a record, that a measure's ``leniency`` may name."""

    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str = Field(min_length=1)
    basis: str = Field(min_length=1, description="The text that names it")


class RedressDeadline(Strict):
    days: int = Field(ge=1, le=60, description="Working days")
    basis: str = Field(min_length=1, description="The regulation or rule that gives the count")


class RedressDeadlines(Strict):
    """Working-day counts of the redress workflows, each with its basis."""

    objection_accept: RedressDeadline
    objection_decide: RedressDeadline
    objection_at_most: RedressDeadline
    repair_accept: RedressDeadline
    repair_decide: RedressDeadline
    repair_sent: RedressDeadline

    @model_validator(mode="after")
    def _order(self) -> RedressDeadlines:
        if self.objection_at_most.days < self.objection_decide.days:
            raise ValueError("objection_at_most is shorter than objection_decide")
        return self


class RedressPolicy(Strict):
    self_correction_kinds: list[SelfCorrectionKind] = Field(default_factory=list)
    deadlines: RedressDeadlines | None = None

    @model_validator(mode="after")
    def _unique(self) -> RedressPolicy:
        codes = [k.code for k in self.self_correction_kinds]
        dup = {c for c in codes if codes.count(c) > 1}
        if dup:
            raise ValueError(f"duplicate self-correction kind code {sorted(dup)[0]}")
        return self

    def kind(self, code: str) -> SelfCorrectionKind | None:
        return next((k for k in self.self_correction_kinds if k.code == code), None)


# --- the whole set -----------------------------------------------------------------------

FILES: dict[str, type[BaseModel]] = {
    "policy.yaml": PolicyMeta,
    "catalog.yaml": DataCatalog,
    "behaviours.yaml": BehaviourList,
    "measures.yaml": MeasureList,
    "scenarios.yaml": ScenarioList,
    "holidays.yaml": HolidayList,
    "evaluation.yaml": EvaluationList,
    "commitment_kinds.yaml": CommitmentKindList,
    "complaints.yaml": ComplaintPolicy,
    "rectification.yaml": RectificationPolicy,
    "obligations.yaml": ObligationRules,
    "redress.yaml": RedressPolicy,
}
OPTIONAL_FILES = {"holidays.yaml", "evaluation.yaml", "commitment_kinds.yaml", "complaints.yaml", "rectification.yaml",
                  "obligations.yaml", "redress.yaml"}


class PolicySet(BaseModel):
    model_config = ConfigDict(frozen=True)

    meta: PolicyMeta
    catalog: DataCatalog
    behaviours: BehaviourList
    measures: MeasureList
    scenarios: ScenarioList
    holidays: HolidayList = HolidayList()
    evaluation: EvaluationList = EvaluationList()
    commitment_kinds: CommitmentKindList = CommitmentKindList()
    complaints: ComplaintPolicy = ComplaintPolicy()
    rectification: RectificationPolicy = RectificationPolicy()
    obligations: ObligationRules = ObligationRules()
    redress: RedressPolicy = RedressPolicy()

    _categories: dict[str, Category] = PrivateAttr(default_factory=dict)

    def model_post_init(self, _context) -> None:
        self._categories = {c.code: c for c in self.catalog.categories}

    def category(self, code: str) -> Category | None:
        return self._categories.get(code)

    def severity(self, code: str) -> Severity | None:
        return next((s for s in self.catalog.severities if s.code == code), None)

    def severity_names(self) -> dict[str, str]:
        return {s.code: s.name for s in self.catalog.severities}
