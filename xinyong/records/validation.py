"""Check one row against the catalog and turn it into a clean record, or say what is wrong.

Pure: no database. Every problem in a row is reported (not only the first), each with the
header the official sees in the file, the value, and the reason in Chinese and English. The
checks are the ones the catalog implies: identifier check digits, subject kind allowed for the
category, severity allowed, required facts present and typed, dates real and not in the future,
a decision number, written consent for consent-only facts, the category's constraints between
facts (one date not before another, amounts not negative) and its severity floors (a fact that
binds the severity from below: 吊销 is 严重 whatever the row says).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache

from xinyong.accounts.roles import region_covers
from xinyong.catalog.schemas import (
    CONSTRAINT_RULES,
    DECISION_DATE,
    NATURAL_KINDS,
    SUBJECT_KIND_NAMES,
    Category,
    FactSpec,
    PolicySet,
)
from xinyong.core import clock, codes
from xinyong.records import cleaning
from xinyong.records.cleaning import CellError
from xinyong.records.columns import COMMON, COMMON_EN, ColumnMap

# One encoder for every row: json.dumps with options builds a new encoder on each call.
_JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))

KIND_WORDS = {
    **{v: k for k, v in SUBJECT_KIND_NAMES.items()},
    **{k: k for k in SUBJECT_KIND_NAMES},
    "法人及非法人组织": "legal",
    "法人": "legal",
    "个体工商户": "legal",
    "企业": "enterprise",
    "非法人组织": "legal",
    "政府": "gov_body",
}


@dataclass(frozen=True)
class RowError:
    row: int
    field: str
    value: str
    zh: str
    en: str
    # Refused because the identity number itself is wrong (check digit, length, date): the error
    # report keeps the value as sent, the department needs it to find and fix the row. Any other
    # error's report line has identity numbers masked (docs/privacy.md, 错误报告).
    keeps_code: bool = False


@dataclass
class CleanRow:
    row_no: int
    category: Category
    subject_code: str
    subject_class: str  # "natural" or "legal"
    subject_kind: str | None  # a kind the row states or the code implies (gov_body/enterprise)
    subject_name: str
    birth_date: date | None
    severity: str | None
    decision_no: str
    decision_date: date
    department_code: str
    department_name: str
    source_id: str
    facts: dict
    facts_json: str  # the stored JSON text, made once
    content_hash: str


@dataclass(frozen=True)
class ReporterScope:
    """What a department reporter may send (API token or web upload): its own department's
    decisions, in the categories the department reports, about subjects in its region. A row
    outside it is rejected like any other bad row, so the rest of the batch still goes in."""

    department_code: str
    categories: frozenset[str]
    region_code: str
    # The department's registered name and the deciding authorities it may report for, as
    # (USCC, name) pairs, itself included; empty (a scope built without the registry): not checked.
    department_name: str = ""
    authorities: frozenset[tuple[str, str]] = frozenset()

    def authority_names(self) -> frozenset[str]:
        return frozenset(name for _, name in self.authorities) | ({self.department_name} - {""})

    def authority_codes(self) -> frozenset[str]:
        return frozenset(code for code, _ in self.authorities) | {self.department_code}

    def foreign_name(self, name: str | None) -> bool:
        """Whether a row names as its department or deciding authority a body the account
        may not report for."""
        return bool(self.department_name) and bool(name) and name not in self.authority_names()

    def foreign_code(self, code: str | None) -> bool:
        return bool(self.department_name) and bool(code) and code not in self.authority_codes()


AUTHORITY_FACT = "authority_code"  # the catalog's fact for the deciding authority's USCC (处罚机关统一社会信用代码)


@dataclass
class Defaults:
    """What the command line or the uploading account supplies when the file does not."""

    department_code: str | None = None
    department_name: str | None = None
    today: date | None = None
    reporter: ReporterScope | None = None


def _outside_scope(scope: ReporterScope, category: Category, department_code: str | None,
                   subject_code: str | None, subject_class: str | None) -> list[tuple[str, str, str]]:
    """(field, zh, en) for each way a row leaves the reporter's scope."""
    out = []
    if category.code not in scope.categories:
        out.append(("category", f"本部门未获准报送“{category.name}”类信用记录，请联系信用办开通",
                    f"this department may not report category {category.code}"))
    if department_code and department_code != scope.department_code:
        out.append(("department_code", f"只能报送本部门（{scope.department_code}）作出的决定",
                    f"a reporter sends only its own department's decisions ({scope.department_code})"))
    if subject_code and subject_class:
        region = codes.subject_region(subject_code, subject_class == "natural")
        if not region_covers(scope.region_code, region):
            out.append(("subject_code", f"该主体登记地（{region}）不在本部门所辖行政区划（{scope.region_code}）内，"
                        "请由主体所在地部门报送",
                        f"subject region {region} is outside the department's region {scope.region_code}"))
    return out


def _cell(values: list, cmap: ColumnMap, positions: list[int] | None) -> tuple[object, str | None]:
    """The first non-empty cell among a field's columns, and its header."""
    if positions:
        n = len(values)
        for pos in positions:
            if pos < n:
                v = values[pos]
                if v is not None and (v.__class__ is not str or (v and not v.isspace())):
                    return v, cmap.headers[pos]
        return None, cmap.headers[positions[0]]
    return None, None


def _fact_plan(cmap: ColumnMap, category: Category) -> list[tuple]:
    """(fact, column positions) for a category in a file, worked out once per file."""
    plan = cmap.plans.get(category.code)
    if plan is None:
        plan = cmap.plans[category.code] = [(f, cmap.facts.get(f.key)) for f in category.facts]
    return plan


def validate_row(
    row_no: int,
    values: list,
    cmap: ColumnMap,
    category: Category,
    policy: PolicySet,
    defaults: Defaults,
) -> CleanRow | list[RowError]:
    errors: list[RowError] = []
    today = defaults.today or clock.today()

    def err(field: str, header: str | None, value: object, zh: str, en: str, *, keeps_code: bool = False) -> None:
        shown = "" if value is None else str(value)
        errors.append(RowError(row_no, header or f"{COMMON[field][0] if field in COMMON else field}", shown[:200], zh, en,
                               keeps_code))

    def common(name: str) -> tuple[object, str | None]:
        return _cell(values, cmap, cmap.common.get(name))

    def missing(name: str, header: str | None) -> None:
        label = COMMON[name][0]
        err(name, header, None, f"缺少必填项“{header or label}”", f"required field {COMMON_EN[name]!r} is empty")

    # --- subject ---------------------------------------------------------------------
    name_raw, name_h = common("subject_name")
    subject_name = cleaning.clean_text(name_raw)
    if not subject_name:
        missing("subject_name", name_h)
    elif len(subject_name) > 200:
        err("subject_name", name_h, name_raw, "名称超过200字", "name longer than 200 characters")

    kind_raw, kind_h = common("subject_kind")
    stated = None
    if kind_raw is not None:
        stated = KIND_WORDS.get(cleaning.clean_text(kind_raw))
        if stated is None:
            err("subject_kind", kind_h, kind_raw,
                "主体类别应为：政府机构、公务人员、自然人、法人和其他组织（或 法人及非法人组织、个体工商户）",
                "subject kind must be gov_body, public_servant, person or enterprise")

    code_raw, code_h = common("subject_code")
    subject_code = subject_class = subject_kind = None
    birth_date = None
    if code_raw is None:
        missing("subject_code", code_h)
    else:
        try:
            subject_code, subject_class, subject_kind, birth_date = _identify_cell(code_raw, stated)
        except (CellError, codes.CodeError) as exc:
            err("subject_code", code_h, code_raw, exc.zh, exc.en, keeps_code=True)

    if subject_class is not None:
        allowed = set(category.subject_kinds)
        if subject_class == "natural":
            ok = bool(allowed & NATURAL_KINDS) and (subject_kind is None or subject_kind in allowed)
        else:
            ok = subject_kind in allowed
        if not ok:
            names = "、".join(SUBJECT_KIND_NAMES[k] for k in category.subject_kinds)
            what = SUBJECT_KIND_NAMES.get(subject_kind or "person", "自然人")
            if subject_class == "legal":
                what = _kind_with_label(subject_kind, subject_code)
            err("subject_code", code_h, code_raw,
                f"“{category.name}”只记录{names}，该代码属于{what}",
                f"category {category.code} is for {', '.join(category.subject_kinds)}, not {subject_kind or 'person'}")

    # --- decision ----------------------------------------------------------------------
    no_raw, no_h = common("decision_no")
    decision_no = cleaning.halfwidth(cleaning.clean_text(no_raw)) if no_raw is not None else ""
    if not decision_no:
        missing("decision_no", no_h)
    elif len(decision_no) > 200:
        err("decision_no", no_h, no_raw, "文书号超过200字", "decision number longer than 200 characters")

    date_raw, date_h = common("decision_date")
    decision_date = None
    if date_raw is None:
        missing("decision_date", date_h)
    else:
        try:
            decision_date = _date_cell(date_raw)
            if decision_date > today:
                err("decision_date", date_h, date_raw, f"决定日期 {decision_date} 晚于今天",
                    f"decision date {decision_date} is in the future")
                decision_date = None
            elif decision_date.year < 1949:
                err("decision_date", date_h, date_raw, f"决定日期 {decision_date} 不合理",
                    f"decision date {decision_date} is not plausible")
                decision_date = None
        except CellError as exc:
            err("decision_date", date_h, date_raw, exc.zh, exc.en)

    # --- department --------------------------------------------------------------------
    dcode_raw, dcode_h = common("department_code")
    department_code = None
    if dcode_raw is None and defaults.department_code:
        dcode_raw = defaults.department_code
    if dcode_raw is None:
        missing("department_code", dcode_h)
    else:
        try:
            department_code = _uscc_cell(dcode_raw)
        except (CellError, codes.CodeError) as exc:
            err("department_code", dcode_h, dcode_raw, "报送部门" + exc.zh, "reporting department: " + exc.en)
    dname_raw, dname_h = common("department_name")
    department_name = cleaning.clean_text(dname_raw) or (defaults.department_name or "")
    if not department_name:
        missing("department_name", dname_h)

    # --- facts -------------------------------------------------------------------------
    facts: dict = {}
    fact_headers: dict[str, str] = {DECISION_DATE: date_h or COMMON["decision_date"][0]}
    consent_needed = False
    for fact, positions in _fact_plan(cmap, category):
        raw, header = _cell(values, cmap, positions)
        header = header or fact.name
        fact_headers[fact.key] = header
        if raw is None:
            if fact.required:
                err(fact.key, header, None, f"缺少必填项“{fact.name}”", f"required fact {fact.key!r} is empty")
            continue
        try:
            facts[fact.key] = fact_value(fact, raw)
            consent_needed |= fact.consent_required
        except (CellError, codes.CodeError) as exc:
            err(fact.key, header, raw, exc.zh, exc.en)
    if consent_needed:
        consent_raw, consent_h = common("consent")
        try:
            consent = consent_raw is not None and cleaning.parse_boolean(consent_raw)
        except CellError:
            consent = False
        if not consent:
            err("consent", consent_h, consent_raw,
                "本行含须经本人书面同意方可归集的信息（浙江省公共信用信息管理条例第十四条），"
                "请在“本人书面同意”列填“是”，未取得同意的不得报送",
                "this row holds information that needs the person's written consent: set consent to yes")

    # --- severity ----------------------------------------------------------------------
    severity = None
    if category.severities:
        sev_raw, sev_h = common("severity")
        if sev_raw is not None:
            text = cleaning.clean_text(sev_raw)
            by_name = {s.name: s.code for s in policy.catalog.severities}
            severity = by_name.get(text, text)
            if severity not in category.severities:
                names = "、".join(policy.severity_names()[s] for s in category.severities)
                err("severity", sev_h, sev_raw, f"“{category.name}”的严重程度只能是：{names}",
                    f"severity must be one of {', '.join(category.severities)}")
                severity = None
        else:
            severity = _derived_severity(category, facts)
            if severity is None:
                missing("severity", sev_h)
        if severity is not None:
            for floor, word in _floors_hit(category, facts):
                if policy.severity(severity).rank < policy.severity(floor.min_severity).rank:
                    names = policy.severity_names()
                    fact_name = category.fact(floor.fact).name
                    err("severity", sev_h, sev_raw if sev_raw is not None else names[severity],
                        f"“{fact_name}”为“{facts[floor.fact]}”（含“{word}”），严重程度至少为"
                        f"“{names[floor.min_severity]}”，不能为“{names[severity]}”（{floor.basis}）",
                        f"{floor.fact} contains {word!r}: severity is at least {floor.min_severity}, "
                        f"not {severity}")
                    break

    # --- constraints between facts -------------------------------------------------------
    for con, values_ in _broken_constraints(category, facts, decision_date):
        zh, en = constraint_message(category, con, values_, fact_headers)
        err(con.fact, fact_headers.get(con.fact), values_[0], zh, en)

    # --- source id -----------------------------------------------------------------------
    sid_raw, sid_h = common("source_id")
    source_id = cleaning.halfwidth(cleaning.clean_text(sid_raw))
    if not source_id:
        if category.source_id_from == "decision_no":
            # One decision may name several subjects: the key is the decision and the subject.
            source_id = f"{decision_no}#{subject_code}" if decision_no and subject_code else ""
        else:
            missing("source_id", sid_h)
    elif len(source_id) > 200:
        err("source_id", sid_h, sid_raw, "记录编号超过200字", "source id longer than 200 characters")

    if defaults.reporter is not None:
        for field, zh, en in _outside_scope(defaults.reporter, category, department_code,
                                            subject_code, subject_class):
            if field == "category":
                errors.append(RowError(row_no, "记录类别", category.name, zh, en))
            elif field == "department_code":
                err(field, dcode_h, department_code, zh, en)
            else:
                err(field, code_h, code_raw, zh, en)
        scope = defaults.reporter
        allowed = "、".join(sorted(scope.authority_names()))
        if scope.foreign_name(department_name):
            err("department_name", dname_h, department_name,
                f"报送部门、决定机关应为本账号所属部门或其登记的决定机关（{allowed}），本行为“{department_name}”；"
                "代其他机关报送的，请信用办先为本部门登记该机关",
                f"the department or deciding authority must be the account's department or one it is registered "
                f"to report for, not {department_name!r}")
        if scope.foreign_code(facts.get(AUTHORITY_FACT)):
            fact = next((f for f in category.facts if f.key == AUTHORITY_FACT), None)
            err("facts", fact.name if fact else AUTHORITY_FACT, facts.get(AUTHORITY_FACT),
                f"决定机关代码应为本部门（{scope.department_code}）或其登记的决定机关的代码",
                "the deciding authority's code must be the account's department or one it is registered to report for")

    if errors:
        return errors
    assert subject_code and subject_class and decision_date and department_code
    facts_json = _JSON.encode(facts)
    digest = hashlib.blake2b(
        "\x1f".join((category.code, subject_code, subject_name, severity or "", decision_no,
                      decision_date.isoformat(), facts_json)).encode(),
        digest_size=16,
    ).hexdigest()
    return CleanRow(
        row_no=row_no,
        category=category,
        subject_code=subject_code,
        subject_class=subject_class,
        subject_kind=subject_kind,
        subject_name=subject_name,
        birth_date=birth_date,
        severity=severity,
        decision_no=decision_no,
        decision_date=decision_date,
        department_code=department_code,
        department_name=department_name,
        source_id=source_id,
        facts=facts,
        facts_json=facts_json,
        content_hash=digest,
    )


def _kind_with_label(kind: str, uscc: str | None) -> str:
    """法人和其他组织（农村集体经济组织）: the kind, and what the code says the body is."""
    name = SUBJECT_KIND_NAMES[kind]
    label = codes.uscc_label(uscc)
    return f"{name}（{label}）" if label and label != name else name


def _identify(code: str, stated: str | None) -> tuple[str, str, str | None, date | None]:
    """(code, natural|legal, kind or None, birth date) — the identifier decides, never the name."""
    if stated in NATURAL_KINDS:
        info = codes.validate_ric(code)
        return info.ric, "natural", stated if stated == "public_servant" else None, info.birth_date
    if stated in ("legal", "gov_body", "enterprise"):
        uscc = codes.validate_uscc(code)
        kind = codes.uscc_kind(uscc)
        if stated in ("gov_body", "enterprise") and stated != kind:
            raise codes.CodeError(
                f"主体类别为{SUBJECT_KIND_NAMES[stated]}，但该统一社会信用代码属于{_kind_with_label(kind, uscc)}"
                "（按代码第1、2位的登记管理部门和机构类别，GB 32100）",
                f"subject kind says {stated} but the code belongs to a {kind}",
                "kind",
            )
        return uscc, "legal", kind, None
    as_ric = as_uscc = None
    ric_error = uscc_error = None
    try:
        as_ric = codes.validate_ric(code)
    except codes.CodeError as exc:
        ric_error = exc
    try:
        as_uscc = codes.validate_uscc(code)
    except codes.CodeError as exc:
        uscc_error = exc
    if as_ric and as_uscc:
        raise codes.CodeError(
            "该号码既可能是身份证号也可能是统一社会信用代码，请填写“主体类别”列",
            "the code is valid both as an identity number and as a USCC: fill in the subject kind",
            "ambiguous",
        )
    if as_ric:
        return as_ric.ric, "natural", None, as_ric.birth_date
    if as_uscc:
        return as_uscc, "legal", codes.uscc_kind(as_uscc), None
    # Report the error of the reading the code most resembles.
    assert ric_error and uscc_error
    raise ric_error if codes.looks_like_ric(code) else uscc_error


def _floors_hit(category: Category, facts: dict):
    """(floor, the word found) for each severity floor the facts meet."""
    for floor in category.severity_floors:
        value = facts.get(floor.fact)
        if value is None:
            continue
        text = str(value)
        word = next((w for w in floor.contains if w in text), None)
        if word is not None:
            yield floor, word


def floor_rank(category: Category, policy: PolicySet, facts: dict) -> int:
    """The lowest severity rank the facts allow (0 when no floor binds)."""
    ranks = [policy.severity(f.min_severity).rank for f, _w in _floors_hit(category, facts)]
    return max(ranks, default=0)


def fact_name(category: Category, key: str) -> str:
    if key == DECISION_DATE:
        return COMMON["decision_date"][0]
    fact = category.fact(key)
    return fact.name if fact else key


def comparable(category: Category, key: str, value):
    """A stored fact as a value that orders: ISO date texts order as dates, decimals are text."""
    fact = category.fact(key)
    if fact is not None and fact.type == "decimal":
        return Decimal(value)
    if value.__class__ is date:
        return value.isoformat()
    return value


def constraint_holds(rule: str, left, right) -> bool:
    if rule == "not_negative":
        return left >= 0
    if rule == "not_before":
        return left >= right
    return left > right


def _broken_constraints(category: Category, facts: dict, decision_date: date | None):
    """(constraint, (value, other value)) for each constraint the row's present values break."""
    for con in category.constraints:
        left = decision_date if con.fact == DECISION_DATE else facts.get(con.fact)
        if left is None:
            continue
        right = None
        if con.other is not None:
            right = decision_date if con.other == DECISION_DATE else facts.get(con.other)
            if right is None:
                continue
        a = comparable(category, con.fact, left)
        b = comparable(category, con.other, right) if con.other is not None else None
        if not constraint_holds(con.rule, a, b):
            yield con, (left, right)


_RULES_EN = {"not_before": "must not be before", "after": "must be after"}


def constraint_message(category: Category, con, values_: tuple,
                       headers: dict[str, str] | None = None) -> tuple[str, str]:
    """The Chinese and English reason a row breaks ``con``, naming the columns as the file does."""
    headers = headers or {}
    left, right = (v.isoformat() if v.__class__ is date else v for v in values_)
    name = headers.get(con.fact) or fact_name(category, con.fact)
    if con.rule == "not_negative":
        zh = f"“{name}”不能为负数（{left}）"
        en = f"{con.fact} must not be negative ({left})"
    else:
        other = headers.get(con.other) or fact_name(category, con.other)
        zh = f"“{name}”（{left}）{CONSTRAINT_RULES[con.rule]}“{other}”（{right}）"
        en = f"{con.fact} ({left}) {_RULES_EN[con.rule]} {con.other} ({right})"
    if con.reason:
        zh += f"：{con.reason}"
    return zh, en


def _derived_severity(category: Category, facts: dict) -> str | None:
    for rule in category.severity_rules:
        value = str(facts.get(rule.fact, ""))
        if any(word in value for word in rule.contains):
            return rule.severity
    return category.default_severity


# --- the same cell, again --------------------------------------------------------------------
# A department's file repeats itself: the same reporting department on every row, a subject
# penalised several times, a few hundred decision dates, the same handful of enum words. The
# pure cell functions below are memoised on the text of the cell (text only: 1, 1.0 and True are
# equal as keys, and a number is not a string to the cleaners). A cell that fails is not cached
# (lru_cache keeps no exceptions) and fails again the same way. Bounded, so memory stays flat.

_CELL_CACHE = 1 << 16


def _memo_on_text(maxsize: int):
    """Memoise a cell function on its first argument when that is text; call it plainly else."""
    def wrap(fn):
        cached = lru_cache(maxsize=maxsize)(fn)

        def call(raw, *rest):
            return cached(raw, *rest) if raw.__class__ is str else fn(raw, *rest)

        call.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
        return call
    return wrap


@_memo_on_text(1024)  # reporting departments: a handful per file
def _uscc_cell(raw: object) -> str:
    return codes.validate_uscc(cleaning.clean_code_cell(raw))


@_memo_on_text(_CELL_CACHE)
def _identify_cell(raw: object, stated: str | None) -> tuple[str, str, str | None, date | None]:
    return _identify(cleaning.clean_code_cell(raw), stated)


_date_cell = _memo_on_text(_CELL_CACHE)(cleaning.parse_date)


_SHORT_KINDS = frozenset({"date", "decimal", "integer", "boolean", "uscc", "ric", "enum"})


def fact_value(fact: FactSpec, raw: object):
    """A fact's cell as stored: a choice's other spelling made the choice (记大过处分 → 记大过),
    then typed and checked."""
    return _typed(fact.type, fact.canonical_choice(raw), fact.choices, fact.max_length)


def _typed(kind: str, raw: object, choices: list[str] | None, max_length: int | None):
    if raw.__class__ is str and kind in _SHORT_KINDS:
        return _typed_text(kind, raw, tuple(choices) if choices else None, max_length)
    return _typed_value(kind, raw, choices, max_length)


RIC_LIST_SEPARATOR = "、"
_RIC_LIST_SPLIT = re.compile(r"[、,，;；/\s]+")


def _ric_list(raw: object) -> str:
    """One or more identity numbers (the persons a decision names), each checked, in the order
    given, joined by 、 (a number given twice counts once)."""
    out: list[str] = []
    parts = [p for p in _RIC_LIST_SPLIT.split(str(raw).strip()) if p]
    if not parts:
        raise CellError("应填写公民身份号码，多人用“、”分隔", "one or more identity numbers")
    for i, part in enumerate(parts, start=1):
        try:
            ric = codes.validate_ric(cleaning.clean_code_cell(part)).ric
        except codes.CodeError as exc:
            raise CellError(f"第{i}个号码：{exc.zh}", f"number {i}: {exc.en}") from None
        if ric not in out:
            out.append(ric)
    return RIC_LIST_SEPARATOR.join(out)


@lru_cache(maxsize=_CELL_CACHE)
def _typed_text(kind: str, raw: str, choices: tuple[str, ...] | None, max_length: int | None):
    return _typed_value(kind, raw, list(choices) if choices else None, max_length)


def _typed_value(kind: str, raw: object, choices: list[str] | None, max_length: int | None):
    if kind == "date":
        return cleaning.parse_date(raw).isoformat()
    if kind == "decimal":
        return format(cleaning.parse_decimal(raw).normalize(), "f")
    if kind == "integer":
        return cleaning.parse_integer(raw)
    if kind == "boolean":
        return cleaning.parse_boolean(raw)
    if kind == "uscc":
        return codes.validate_uscc(cleaning.clean_code_cell(raw))
    if kind == "ric":
        return codes.validate_ric(cleaning.clean_code_cell(raw)).ric
    if kind == "ric_list":
        return _ric_list(raw)
    text = cleaning.clean_text(raw)
    if kind == "enum":
        text = cleaning.halfwidth(text) if text not in (choices or []) else text
        if text not in (choices or []):
            raise CellError(f"“{text}”不在可选值中，可选：{' / '.join(choices or [])}",
                            f"{text!r} is not one of {choices}")
    if max_length and len(text) > max_length:
        raise CellError(f"超过{max_length}字", f"longer than {max_length} characters")
    return text
