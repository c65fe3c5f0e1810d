"""What a reader is shown of subjects and their records: the API's output models, also rendered
by the web pages, so that one set of masking rules (:mod:`xinyong.subjects.schemas`) covers both.

Facts that name a person (a legal representative, a responsible financial head) or carry an
identity number are masked, and an identity number or the person's own name inside free text is
replaced by its masked form.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from xinyong.catalog.schemas import (
    DISCLOSURE_NAMES,
    POLARITY_NAMES,
    Category,
    PolicySet,
    kind_label,
)
from xinyong.core import masking, regions
from xinyong.records.credit_file import CreditFile, RecordDetail, SearchPage
from xinyong.records.models import Record, RecordVersion
from xinyong.records.service import status_name
from xinyong.subjects.models import NATURAL_KINDS, Subject
from xinyong.subjects.schemas import mask_text, masked_query, subject_code, subject_name
from xinyong.subjects.service import ref_of

# Facts that name a natural person or carry an identity number, whatever the category.
PERSON_NAME_FACTS = frozenset({"legal_rep_name", "financial_head_name"})


# --- models --------------------------------------------------------------------------------


class RegionOut(BaseModel):
    code: str
    name: str
    level: str


class SubjectOut(BaseModel):
    id: int
    ref: str = Field(description="How to name the subject in a link: its code, or its number for natural persons")
    kind: str
    kind_name: str
    name: str = Field(description="Masked for natural persons")
    code: str = Field(description="USCC, or the masked identity number of a natural person")
    region_code: str
    region_name: str
    record_count: int | None = Field(None, description="Displayed records (search results only)")

    @classmethod
    def of(cls, subject: Subject, record_count: int | None = None) -> SubjectOut:
        return cls(
            id=subject.id,
            ref=ref_of(subject),
            kind=subject.kind,
            kind_name=kind_label(subject.kind, subject.code),
            name=subject_name(subject),
            code=subject_code(subject),
            region_code=subject.region_code,
            region_name=regions.name_of(subject.region_code),
            record_count=record_count,
        )


class PersonRefOut(BaseModel):
    name: str = Field(description="Masked")
    code: str | None = Field(None, description="Masked identity number")


class PostOut(BaseModel):
    title: str
    body: SubjectOut
    start_date: date
    end_date: date | None
    current: bool


class FactOut(BaseModel):
    key: str
    name: str
    value: Any


class RecordOut(BaseModel):
    id: int
    category_code: str
    category_name: str
    polarity: str
    polarity_name: str
    severity: str | None
    severity_name: str | None
    decision_no: str
    decision_date: date
    department_code: str
    department_name: str
    subject_name: str = Field(description="As the department reported it; masked for natural persons")
    region_code: str
    disclosure: str
    disclosure_name: str
    display_from: date
    display_until: date = Field(description="公示截止: last day the record is shown")
    status: str = Field(description="Effective status today: a record past its display period is expired")
    status_name: str
    version: int
    policy_version_id: int

    @classmethod
    def of(cls, record: Record, subject: Subject, policy: PolicySet, status: str) -> RecordOut:
        category = policy.category(record.category_code)
        severities = policy.severity_names()
        natural = subject.kind in NATURAL_KINDS
        return cls(
            id=record.id,
            category_code=record.category_code,
            category_name=category.name if category else record.category_code,
            polarity=record.polarity,
            polarity_name=POLARITY_NAMES.get(record.polarity, record.polarity),
            severity=record.severity,
            severity_name=severities.get(record.severity, record.severity) if record.severity else None,
            decision_no=mask_text(record.decision_no),
            decision_date=record.decision_date,
            department_code=record.department_code,
            department_name=record.department_name,
            subject_name=masking.mask_name(record.subject_name) if natural else record.subject_name,
            region_code=record.region_code,
            disclosure=record.disclosure,
            disclosure_name=DISCLOSURE_NAMES.get(record.disclosure, record.disclosure),
            display_from=record.display_from,
            display_until=record.display_until,
            status=status,
            status_name=status_name(status),
            version=record.version,
            policy_version_id=record.policy_version_id,
        )


def facts_out(category: Category | None, facts: dict, subject: Subject, reported_name: str, *,
              public: bool = False) -> list[FactOut]:
    """Facts in the catalog's order with their Chinese names, masked where they name a person.

    Everyone reads identity numbers and the names of the subject and its legal representative
    masked. The public (``public``: a reader who does not read this file in full) reads free text
    through :func:`xinyong.core.masking.mask_personal_text` besides — phone numbers, e-mail,
    house numbers masked — and a fact the catalog marks ``personal`` (a third party's name) masked,
    each of its names masked wherever else the record's text gives it; an official of the
    subject's region reads those whole, the read audited as every read (security finding 12)."""
    specs = {f.key: f for f in category.facts} if category else {}
    personal = {k for k, f in specs.items() if f.personal} - PERSON_NAME_FACTS
    names = {facts.get(k) for k in PERSON_NAME_FACTS} | {subject.legal_rep_name}
    if subject.kind in NATURAL_KINDS:
        names |= {reported_name, subject.name}
    third: list[str] = []
    if public:
        third = [n for k in personal if isinstance(facts.get(k), str) for n in masking.names_in(facts[k])]
    persons = sorted((n for n in names | set(third) if isinstance(n, str) and n), key=len, reverse=True)
    # a key starting with "_" is the platform's own (the look-up keys of named persons): never shown
    order = [k for k in specs if k in facts] + [k for k in facts if k not in specs and not k.startswith("_")]
    out = []
    for key in order:
        value = facts[key]
        spec = specs.get(key)
        if isinstance(value, str):
            if (spec and spec.type == "ric") or key.endswith("_id_no"):
                value = masking.mask_ric(value)
            elif key in PERSON_NAME_FACTS:
                value = masking.mask_name(value)
            elif public and key in personal:
                value = masking.mask_personal_text(value, *persons, *masking.names_in(value))
            elif public:
                value = masking.mask_personal_text(value, *persons)
            else:
                value = mask_text(value, *persons)
        out.append(FactOut(key=key, name=spec.name if spec else key, value=value))
    return out


class VersionOut(BaseModel):
    version: int
    status: str
    status_name: str
    severity: str | None
    severity_name: str | None
    decision_no: str
    decision_date: date
    subject_name: str
    disclosure: str
    disclosure_name: str
    display_until: date
    retention_until: date
    facts: list[FactOut]
    policy_version_id: int
    batch_id: int | None
    row_no: int | None
    changed_by: str
    valid_from: datetime = Field(description="When this state was first stored")
    superseded_at: datetime | None = Field(None, description="When the next state replaced it; none for the current state")
    changed: list[str] = Field(default_factory=list, description="Fields that differ from the state before")
    current: bool = False


# Chinese names of the versioned fields, for "what changed".
FIELD_NAMES = {
    "severity": "严重程度",
    "decision_no": "决定文书号",
    "decision_date": "决定日期",
    "subject_name": "主体名称",
    "disclosure": "公开方式",
    "display_until": "公示截止",
    "retention_until": "保存期限",
    "status": "状态",
    "policy_version_id": "政策版本",
}
_COMPARED = tuple(FIELD_NAMES)


class RecordDetailOut(RecordOut):
    subject: SubjectOut
    facts: list[FactOut]
    retention_until: date
    first_seen: datetime
    last_seen: datetime
    batch_id: int | None
    row_no: int | None
    versions: list[VersionOut] = Field(description="Every state of the record, oldest first; the last is the current one")

    @classmethod
    def build(cls, detail: RecordDetail, policy: PolicySet, *, public: bool = False) -> RecordDetailOut:
        """``public``: the reader does not read this file in full, and reads its free text as the
        public does (:func:`facts_out`)."""
        r, s = detail.record, detail.subject
        category = policy.category(r.category_code)
        base = RecordOut.of(r, s, policy, detail.status)
        natural = s.kind in NATURAL_KINDS
        severities = policy.severity_names()

        def version_out(v: Record | RecordVersion, number: int, valid_from, superseded, status: str) -> VersionOut:
            return VersionOut(
                version=number,
                status=status,
                status_name=status_name(status),
                severity=v.severity,
                severity_name=severities.get(v.severity, v.severity) if v.severity else None,
                decision_no=mask_text(v.decision_no),
                decision_date=v.decision_date,
                subject_name=masking.mask_name(v.subject_name) if natural else v.subject_name,
                disclosure=v.disclosure,
                disclosure_name=DISCLOSURE_NAMES.get(v.disclosure, v.disclosure),
                display_until=v.display_until,
                retention_until=v.retention_until,
                facts=facts_out(category, v.facts or {}, s, v.subject_name, public=public),
                policy_version_id=v.policy_version_id,
                batch_id=v.batch_id,
                row_no=v.row_no,
                changed_by=v.changed_by,
                valid_from=valid_from,
                superseded_at=superseded,
            )

        states: list[tuple[Record | RecordVersion, VersionOut]] = [
            (v, version_out(v, v.version, v.valid_from, v.superseded_at, v.status)) for v in detail.versions
        ]
        current = version_out(r, r.version, r.changed_at, None, detail.status)
        current.current = True
        states.append((r, current))
        for (before, _), (after, out) in zip(states, states[1:], strict=False):
            changed = [FIELD_NAMES[c] for c in _COMPARED if getattr(before, c) != getattr(after, c)]
            old_facts, new_facts = before.facts or {}, after.facts or {}
            for key in sorted(set(old_facts) | set(new_facts), key=_fact_order(category)):
                if old_facts.get(key) != new_facts.get(key) and not key.startswith("_"):
                    spec = category.fact(key) if category else None
                    changed.append(spec.name if spec else key)
            out.changed = changed
        return cls(
            **base.model_dump(),
            subject=SubjectOut.of(s),
            facts=facts_out(category, r.facts or {}, s, r.subject_name, public=public),
            retention_until=r.retention_until,
            first_seen=r.first_seen,
            last_seen=r.last_seen,
            batch_id=r.batch_id,
            row_no=r.row_no,
            versions=[out for _, out in states],
        )


def _fact_order(category: Category | None):
    keys = [f.key for f in category.facts] if category else []

    def order(key: str) -> tuple[int, str]:
        return (keys.index(key) if key in keys else len(keys), key)

    return order


class PolarityCount(BaseModel):
    polarity: str
    name: str
    count: int


class CategoryCount(BaseModel):
    code: str
    name: str
    count: int


class PolicyVersionOut(BaseModel):
    id: int
    label: str


class CreditFileOut(BaseModel):
    subject: SubjectOut
    region_path: list[RegionOut]
    archive: bool = Field(description="True: the archive, expired records included")
    as_of: date
    records: list[RecordOut]
    withheld: int = Field(description="Records not public (授权查询 / 政务共享): counted, not shown")
    withheld_note: str | None
    counts: list[PolarityCount] = Field(description="Shown records by polarity")
    by_category: list[CategoryCount] = Field(default_factory=list, description="Shown records per category, most first")
    category: str | None = Field(None, description="The category `records` are of; null: every category")
    total: int = Field(0, description="Shown records of `category` (or of the whole file); `records` may be one page")
    offset: int = 0
    limit: int | None = Field(None, description="Records per page; null: every record")
    posts: list[PostOut] = Field(default_factory=list, description="Public servants: posts held, current first")
    parent: SubjectOut | None = Field(None, description="Government bodies: the body above")
    legal_rep: PersonRefOut | None = Field(None, description="Enterprises: the legal representative, masked")
    policy_version: PolicyVersionOut

    @classmethod
    def build(cls, file: CreditFile, policy: PolicySet, policy_version_id: int) -> CreditFileOut:
        s = file.subject
        legal_rep = None
        if file.legal_rep_name or file.legal_rep_code:
            legal_rep = PersonRefOut(
                name=masking.mask_name(file.legal_rep_name),
                code=masking.mask_ric(file.legal_rep_code) if file.legal_rep_code else None,
            )
        return cls(
            subject=SubjectOut.of(s),
            region_path=[RegionOut(code=r.code, name=r.name, level=r.level) for r in file.region_path],
            archive=file.archive,
            as_of=file.on,
            records=[RecordOut.of(r, s, policy, file.statuses[r.id]) for r in file.records],
            withheld=file.withheld,
            withheld_note=withheld_note(file.withheld),
            counts=[
                PolarityCount(polarity=p, name=name, count=file.counts.get(p, 0))
                for p, name in POLARITY_NAMES.items()
            ],
            by_category=[
                CategoryCount(code=c, name=(cat.name if (cat := policy.category(c)) else c), count=n)
                for c, n in sorted(file.by_category.items(), key=lambda kv: (-kv[1], kv[0]))
            ],
            category=file.category,
            total=file.total,
            offset=file.offset,
            limit=file.limit,
            posts=[
                PostOut(
                    title=h.post.title, body=SubjectOut.of(h.post.body), start_date=h.post.start_date,
                    end_date=h.post.end_date, current=h.current,
                )
                for h in file.posts
            ],
            parent=SubjectOut.of(file.parent) if file.parent else None,
            legal_rep=legal_rep,
            policy_version=PolicyVersionOut(id=policy_version_id, label=policy.meta.label),
        )


def withheld_note(n: int) -> str | None:
    return f"另有 {n} 条授权查询信息，经信用主体授权后方可查询" if n else None


class PersonLookupIn(BaseModel):
    """A natural person looked up by number and name together (POST, so that the number is in
    no URL and no access log)."""

    code: str = Field(min_length=15, max_length=40, description="公民身份号码（完整）")
    name: str = Field(min_length=1, max_length=50, description="姓名（完整）")
    archive: bool = Field(False, description="含已过公示期的档案记录")
    purpose: str = Field("查阅信用档案", max_length=200, description="查阅目的（公职人员查阅记入审计日志）")


class SearchResult(BaseModel):
    q: str
    region: str | None
    kind: str | None
    by_code: bool = Field(description="The query was a code, looked up exactly")
    limit: int
    offset: int
    has_more: bool
    items: list[SubjectOut]

    @classmethod
    def build(cls, page: SearchPage) -> SearchResult:
        return cls(
            q=masked_query(page.q), region=page.region, kind=page.kind, by_code=page.by_code, limit=page.limit,
            offset=page.offset, has_more=page.has_more,
            items=[SubjectOut.of(h.subject, h.record_count) for h in page.hits],
        )
