"""Which column of a department's file holds which field.

Files arrive with the national 双公示 headers, with the headers of the XLSX template this
platform writes, or with English keys. Each category adds its own accepted headers in the
catalog (``columns`` and each fact's ``name`` and ``aliases``), so a region can accept its
departments' usual files by editing the list, not the code. Headers compare after folding width,
spaces and bracket kinds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from xinyong.catalog.schemas import Category
from xinyong.records.cleaning import clean_header

# Common fields: (template header, other accepted headers).
COMMON: dict[str, tuple[str, tuple[str, ...]]] = {
    "subject_name": ("主体名称", ("名称", "姓名", "行政相对人名称", "subject_name", "name")),
    "subject_code": (
        "统一社会信用代码或公民身份号码",
        ("统一社会信用代码", "公民身份号码", "身份证号码", "身份证号", "证件号码", "subject_code", "code"),
    ),
    "subject_kind": ("主体类别", ("行政相对人类别", "subject_kind")),
    "category": ("记录类别", ("信用记录类别", "信息类别", "category")),
    "severity": ("严重程度", ("失信程度", "失信严重程度", "severity")),
    "decision_no": ("决定文书号", ("文书号", "决定书文号", "decision_no")),
    "decision_date": ("决定日期", ("认定日期", "作出日期", "decision_date")),
    "department_name": ("报送部门", ("数据来源单位", "报送单位", "department_name")),
    "department_code": (
        "报送部门统一社会信用代码",
        ("数据来源单位统一社会信用代码", "报送单位统一社会信用代码", "department_code"),
    ),
    "source_id": ("来源记录编号", ("记录编号", "业务编号", "source_id")),
    "consent": ("本人书面同意", ("书面同意", "consent")),
}
COMMON_EN = {
    "subject_name": "subject name",
    "subject_code": "subject code (USCC or identity number)",
    "subject_kind": "subject kind",
    "category": "record category",
    "severity": "severity",
    "decision_no": "decision number",
    "decision_date": "decision date",
    "department_name": "reporting department",
    "department_code": "reporting department's USCC",
    "source_id": "source record id",
    "consent": "written consent",
}


@dataclass
class ColumnMap:
    """For one category: field → the positions of the columns that may hold it, best first."""

    common: dict[str, list[int]] = field(default_factory=dict)
    facts: dict[str, list[int]] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    plans: dict[str, list] = field(default_factory=dict)  # per-category caches for validation

    def header_for(self, name: str) -> str:
        positions = self.common.get(name) or self.facts.get(name)
        return self.headers[positions[0]] if positions else name


def header_names(category: Category | None) -> dict[str, list[tuple[str, str]]]:
    """Accepted header (folded) → [(kind, field)], category-specific names first."""
    out: dict[str, list[tuple[str, str]]] = {}

    def add(name: str, kind: str, key: str) -> None:
        folded = clean_header(name)
        if (kind, key) not in out.setdefault(folded, []):
            out[folded].append((kind, key))

    # Rank: the template's own headers, then the category's names (its aliases for common
    # fields, its facts), then the generic aliases. When two columns of a file could fill the
    # same field, the better-ranked one is read first.
    for key, (template, _others) in COMMON.items():
        add(template, "common", key)
    if category is not None:
        for key in COMMON:
            for name in getattr(category.columns, key, None) or []:
                add(name, "common", key)
        for fact in category.facts:
            add(fact.name, "fact", fact.key)
            add(fact.key, "fact", fact.key)
            for alias in fact.aliases:
                add(alias, "fact", fact.key)
    for key, (_template, others) in COMMON.items():
        for name in others:
            add(name, "common", key)
    return out


def map_columns(headers: list[str], category: Category | None) -> ColumnMap:
    names = header_names(category)
    cmap = ColumnMap(headers=headers)
    # Category-specific names were added first, so a category's own header order wins.
    order = {name: i for i, name in enumerate(names)}
    claimed: list[tuple[int, int, str, str]] = []
    for pos, header in enumerate(headers):
        targets = names.get(clean_header(header))
        if not targets:
            if header:
                cmap.ignored.append(header)
            continue
        # A header may feed a fact and a common field at once (行政相对人类别 is both).
        for kind, key in {t[0]: t for t in targets}.values():
            claimed.append((order[clean_header(header)], pos, kind, key))
    for _rank, pos, kind, key in sorted(claimed):
        (cmap.common if kind == "common" else cmap.facts).setdefault(key, []).append(pos)
    return cmap


def detect_category(headers: list[str], categories: list[Category]) -> Category | None:
    """The category whose header signature the file carries (e.g. 行政处罚决定书文号)."""
    folded = {clean_header(h) for h in headers}
    hits = [c for c in categories if c.header_signature and all(clean_header(s) in folded for s in c.header_signature)]
    return hits[0] if len(hits) == 1 else None


def template_headers(category: Category) -> list[tuple[str, str, bool]]:
    """(header, description, required) for the XLSX template of a category."""
    out = [
        (COMMON["subject_name"][0], "信用主体名称（与证照一致）", True),
        (COMMON["subject_code"][0], "18位统一社会信用代码或18位公民身份号码，请设置为文本格式", True),
        (COMMON["subject_kind"][0], "政府机构 / 公务人员 / 自然人 / 法人和其他组织（可不填，按代码判断）", False),
    ]
    if category.severities:
        out.append((COMMON["severity"][0], "失信严重程度", not category.default_severity and not category.severity_rules))
    out += [
        (COMMON["decision_no"][0], "决定书或认定文书的文号", True),
        (COMMON["decision_date"][0], "作出决定的日期，如 2024-03-15", True),
        (COMMON["department_name"][0], "报送本条记录的部门全称", True),
        (COMMON["department_code"][0], "报送部门的18位统一社会信用代码", True),
        (COMMON["source_id"][0], "报送部门业务系统中的记录编号（同一编号重复报送不会重复入库）", category.source_id_from == "source_id"),
    ]
    for fact in category.facts:
        desc = {"date": "日期，如 2024-03-15", "decimal": "数字", "integer": "整数", "boolean": "是 / 否",
                "uscc": "18位统一社会信用代码", "ric": "18位公民身份号码",
                "ric_list": "18位公民身份号码，多人用“、”分隔"}.get(fact.type, "")
        if fact.choices:
            desc = "可选：" + " / ".join(fact.choices)
        out.append((fact.name, desc, fact.required))
    if any(f.consent_required for f in category.facts):
        out.append((COMMON["consent"][0], "涉及须经本人书面同意方可归集的信息时填“是”", False))
    return out
