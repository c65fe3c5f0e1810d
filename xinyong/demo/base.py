"""What the demo generator holds and the small pure helpers its phases share: the sizes at scale 1,
the phases, the column headers a department's file carries, the summary, the bodies, subjects,
rows and plans held in memory."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from xinyong.catalog.schemas import Category
from xinyong.core import regions
from xinyong.core.errors import XinyongError
from xinyong.demo import words as W
from xinyong.records.columns import COMMON
from xinyong.records.validation import RowError

if TYPE_CHECKING:
    pass


Progress = Callable[[str, int, int], None]

# Counts at scale 1.
PERSONS = 100_000
PUBLIC_SERVANTS = 10_000
ENTERPRISES = 20_000
INSTITUTIONS = 2_000
VILLAGES = 3_000
RECORDS = 300_000

CHUNK = 5_000  # rows per executemany statement
IMPORT_ROWS = 20_000  # rows per import_source call (a department's batch is split beyond it)
YEARS_BACK = 6

PHASES = ("bodies", "persons", "servants", "enterprises", "records", "joint", "promises", "obligations", "complaints",
          "leniency", "cases", "oversight", "findings")
PHASE_NAMES = {
    "bodies": "政府机构", "persons": "自然人", "servants": "公务人员", "enterprises": "企业", "records": "信用记录",
    "joint": "名单与核查", "promises": "信用承诺与限期整改", "obligations": "政府履约", "complaints": "投诉举报", "leniency": "自我纠错（从轻减轻）",
    "cases": "典型案例",
    "oversight": "监督与信用评价", "findings": "履约失信拟认定",
}
LEVELS = ("province", "city", "county")

H_NAME, H_CODE, H_KIND = COMMON["subject_name"][0], COMMON["subject_code"][0], COMMON["subject_kind"][0]
H_CATEGORY, H_SEVERITY = COMMON["category"][0], COMMON["severity"][0]
H_DOC, H_DATE = COMMON["decision_no"][0], COMMON["decision_date"][0]
H_DEPT, H_DEPT_CODE = COMMON["department_name"][0], COMMON["department_code"][0]
H_SOURCE, H_CONSENT = COMMON["source_id"][0], COMMON["consent"][0]


class DemoRejected(XinyongError):
    """Some generated rows did not pass validation: a bug in the generator or a list it cannot fill."""

    def __init__(self, errors: list[RowError], rejected: int):
        lines = "; ".join(f"{e.field}={e.value!r}: {e.zh}" for e in errors[:10])
        super().__init__(
            f"演示数据有 {rejected} 行未通过校验：{lines}",
            f"{rejected} generated rows were rejected: {lines}",
        )
        self.errors = errors
        self.rejected = rejected


@dataclass
class DemoSummary:
    seed: int
    scale: float
    policy_version_id: int | None = None
    subjects: dict[str, int] = field(default_factory=dict)
    bodies: dict[str, int] = field(default_factory=dict)  # governments, departments, institutions, villages
    posts: int = 0
    designations: int = 0
    records: dict[str, int] = field(default_factory=dict)  # accepted rows by category code
    category_names: dict[str, str] = field(default_factory=dict)
    rows: int = 0
    # records the later phases wrote through the platform's own paths (a commitment's breach, a
    # rectification's responsible person), by category: not generated rows, so not in ``rows``
    records_after: dict[str, int] = field(default_factory=dict)
    rejected: int = 0
    batches: int = 0
    errors: list[RowError] = field(default_factory=list)
    generic_facts: dict[str, list[str]] = field(default_factory=dict)  # filled from type and name only
    seconds: float = 0.0
    phase_seconds: dict[str, float] = field(default_factory=dict)
    joint: dict[str, int] = field(default_factory=dict)  # list entries, grades, checks (xinyong.demo.joint)
    promises: dict[str, int] = field(default_factory=dict)  # commitments, rectifications (xinyong.demo.promises)
    obligations: dict[str, int] = field(default_factory=dict)  # government obligations (xinyong.demo.obligations)
    oversight: dict[str, int] = field(default_factory=dict)  # supervision inputs, evaluation runs (xinyong.demo.oversight)


# --- subjects in memory ---------------------------------------------------------------------------


@dataclass(slots=True)
class Body:
    code: str
    name: str
    region: str
    level: str
    key: str  # department key, "inst" or "village"
    kind: str  # gov_body, or enterprise for a social organisation
    parent_code: str | None
    ladder: str = "institution"
    head_suffix: str = ""


@dataclass(slots=True)
class Subj:
    kind: str
    code: str
    name: str
    region: str
    birth: date | None = None
    rep_name: str | None = None
    rep_code: str | None = None
    prefix: str = ""
    posts: list | None = None  # public servants: [(body, title, start, end)]
    body: Body | None = None  # government bodies

    @property
    def natural(self) -> bool:
        return self.kind in ("person", "public_servant")


def region_prefix(r: regions.Region) -> str:
    """浙江省 / 杭州市 / 杭州市西湖区 (districts carry their city) / 桐庐县."""
    if r.level == "county" and r.name.endswith("区"):
        return regions.name_of(r.parent) + r.name
    return r.name


def short_name(name: str) -> str:
    return name[:-1] if len(name) > 2 else name


def level_of(code: str) -> str:
    return "province" if code.endswith("0000") else "city" if code.endswith("00") else "county"


def region_at(code: str, level: str) -> str:
    if level == "province":
        return regions.province_of(code)
    if level == "city":
        return regions.city_of(code)
    return code


class _Fmt(dict):
    """Context for ``str.format_map``: fixed values up front, the rest made when first asked."""

    __slots__ = ("gen", "row")

    def __missing__(self, key: str) -> str:
        row = self.row
        if key in row.facts:
            value = row.facts[key]
            return "是" if value is True else "否" if value is False else str(value)
        value = self.gen._placeholder(key, row)
        self[key] = value
        return value


@dataclass(slots=True)
class _Row:
    category: Category
    subject: Subj
    dept: Body
    dept_key: str
    decision: date
    severity: str | None
    decision_no: str
    source_id: str
    facts: dict
    skip: set
    fmt: _Fmt | None = None
    from_dept: set = field(default_factory=set)


@dataclass
class _Plan:
    """What the generator needs to know about a category, worked out once from the policy."""

    category: Category
    profile: dict
    count: int
    overlaps: dict[str, str]  # fact key → common field whose column the fact's header also feeds
    always: set[str]  # facts that must be filled (their empty column would fall back to a common one)
    rule_facts: list[str]
    kind_enums: set[str]
    late: set[str]  # facts whose words refer to other facts: filled last
    departments: list[tuple[str, float]]
    generic: set[str] = field(default_factory=set)


_PLACEHOLDER = re.compile(r"\{([a-z_0-9]+)\}")


# --- small pure helpers ---------------------------------------------------------------------------


def _cumulate(weights):
    total = 0.0
    for w in weights:
        total += w
        yield total


def _who(subj: Subj) -> set[str]:
    return {
        "person": {"natural"}, "public_servant": {"natural", "servant"},
        "enterprise": {"legal"}, "gov_body": {"legal", "gov"},
    }[subj.kind]


def _ladder(body: Body, region: regions.Region) -> tuple[str, str]:
    name, key = body.name, body.key
    if key == "gov":
        suffix = region.name[-1] if region.level == "county" else ""
        return f"gov_{region.level}", suffix
    if key in ("court", "discipline", "organisation", "youth"):
        return key, ""
    if name.endswith("厅"):
        return "dept_province", ""
    if name.endswith(("委员会", "办公室")):
        return "commission", ""
    if name.endswith("局"):
        return "dept", ""
    if name.endswith(("医院", "保健院", "中医院")):
        return "hospital", ""
    if name.endswith(("中学", "小学", "学校", "幼儿园")):
        return "school", ""
    return "institution", ""


def _titles(body: Body) -> list[str]:
    return [t.replace("{x}", body.head_suffix) for t in W.LADDERS[body.ladder]]


def _rank(rng: random.Random, n: int) -> int:
    weights = [0.5 ** i for i in range(n)]
    return rng.choices(range(n), weights=weights)[0]


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _add_months(day: date, months: int) -> date:
    from xinyong.records.periods import add_months

    return add_months(day, months)


def _months_text(months: int) -> str:
    years, rest = divmod(months, 12)
    out = f"{_cn_number(years)}年" if years else ""
    if rest:
        out += f"{_cn_number(rest)}个月"
    return out


_DIGITS = "零一二三四五六七八九"


def _cn_number(n: int) -> str:
    if n < 10:
        return _DIGITS[n]
    if n < 20:
        return "十" + (_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return _DIGITS[n // 10] + "十" + (_DIGITS[n % 10] if n % 10 else "")
    return str(n)


def _abbr(region: str) -> str:
    if region.endswith("0000"):
        return "浙"
    city = W.CITY_ABBR.get(regions.city_of(region), "浙")
    if region.endswith("00"):
        return city
    return city + regions.name_of(region)[0]


def _court_code(region: str) -> str:
    if region.endswith("0000"):
        return "浙"
    if region.endswith("00"):
        return "浙" + region[2:4]
    return "浙" + region[2:6]


_DEADLINE = re.compile(r"(_to|until|_end|deadline|expire)$")


def _date_guess(key: str) -> tuple[int, int]:
    if _DEADLINE.search(key):
        return (90, 1095)
    return (-365, 0)


def _decimal_guess(name: str) -> tuple[float, float]:
    if "万元" in name:
        return (0.1, 1000)
    if "元" in name:
        return (100, 100_000)
    if "小时" in name:
        return (1, 2000)
    return (1, 1000)


def _drives_period(cat: Category, key: str) -> bool:
    """A date the display period ends on (a licence's valid-to) is always filled: without it the
    record would never be shown."""
    return any(p.until_fact == key and p.fact_max_months is None for p in cat.display_period.values())


def _departments_from_text(texts: list[str]) -> list[tuple[str, float]]:
    out: dict[str, float] = {}
    for text in texts:
        for word, key in W.REPORTER_WORDS:
            if word in text:
                out[key] = out.get(key, 0) + 1.0
    return list(out.items())
