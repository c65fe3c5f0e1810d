"""The column-wise fast path gives exactly what ``validate_row`` gives, row for row.

Rows are drawn from pools of good and bad cells for every column (full-width digits, stray
spaces, dates written several ways, numbers a spreadsheet made of identity numbers, wrong check
digits, words outside an enum, dates in the future, empty required cells, non-text cells as
XLSX gives them), for several categories, with and without a reporter's scope. The fast path
must build the same clean rows and leave every other row to ``validate_row``'s messages.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xinyong.catalog.loader import load_dir
from xinyong.core.codes import make_ric, make_uscc
from xinyong.records.columns import map_columns, template_headers
from xinyong.records.columnwise import ChunkValidator
from xinyong.records.validation import Defaults, ReporterScope, validate_row

POLICY, _ = load_dir(Path(__file__).resolve().parents[2] / "xinyong" / "policy" / "default")
TODAY = date(2026, 11, 26)
DEPT = make_uscc("11", "330100", "00250001")
GOV = make_uscc("11", "330102", "00000017")
FIRM = make_uscc("91", "330106", "00001234")
FIRM_AWAY = make_uscc("91", "330203", "00004321")
PERSON = make_ric("330106", date(1980, 5, 6), 12)
PERSON_AWAY = make_ric("330203", date(1991, 2, 3), 7)

CODES = [FIRM, GOV, PERSON, FIRM_AWAY, PERSON_AWAY, f" {FIRM.lower()} ", FIRM[:-1] + "0", PERSON[:-1] + "0",
         "3.30106198005061E+17", float(PERSON[:15]), "１２３", "", None, "91330106MA2AAAAAAX"]
TEXT = ["某某公司", "  张　三 ", "", None, "x" * 201, "虚假宣传", 12345, "发布虚假广告，身份证 " + PERSON]
DATES = ["2024-03-15", "2024/3/5", "2024年3月15日", "20240315", "2024-02-30", "24-3-15", "2099-01-01", "1900-01-01",
         datetime(2023, 7, 1, 9, 30), date(2022, 1, 2), 20230102, "", None, "２０２４－０３－１５"]
NUMBERS = ["1.5", "1,200", "１２", "abc", "", None, 3, 2.5, "-0", "NaN"]
KINDS = ["", None, "自然人", "法人及非法人组织", "政府机构", "公务人员", "企业", "外星人"]
BOOLS = ["是", "否", "yes", "", None, "也许", True]
SEVERITIES = ["", None, "严重", "一般", "serious", "minor", "很严重"]


# The cells a careful department writes (first) and everything else (second).
POOLS = {
    "code": ([FIRM, GOV, PERSON, FIRM_AWAY, PERSON_AWAY, f" {FIRM.lower()} "], CODES),
    "date": (DATES[:4] + [DATES[8], DATES[9], DATES[10], DATES[13]], DATES),
    "number": (NUMBERS[:3] + [3, 2.5], NUMBERS),
    "boolean": (["是", "否", True], BOOLS),
    "uscc": ([FIRM, GOV, "", None], [FIRM, GOV, FIRM[:-1] + "0", "", None]),
    "kind": (["", None, "法人及非法人组织", "自然人"], KINDS),
    "severity": (["", None, "严重", "一般"], SEVERITIES),
    "dept": ([DEPT, " " + DEPT.lower()], [DEPT, " " + DEPT.lower(), DEPT[:-1] + "0", "", None]),
    "text": (TEXT[:2] + TEXT[5:], TEXT),
}


def cells_for(kind: str, choices: list[str] | None, good: bool) -> st.SearchStrategy:
    if kind == "enum":
        pool = [*(choices or []), "", None] if good else [*(choices or []), "不在其中", "", None]
    else:
        key = {"decimal": "number", "integer": "number"}.get(kind, kind)
        pool = POOLS.get(key, POOLS["text"])[0 if good else 1]
    return st.sampled_from(pool)


def column_kinds(category) -> list[tuple[str, str, list | None]]:
    facts = {f.name: f for f in category.facts}
    out = []
    for header, _desc, _required in template_headers(category):
        fact = facts.get(header)
        if fact is not None:
            out.append((header, fact.type, fact.choices))
        else:
            out.append((header, {
                "统一社会信用代码或公民身份号码": "code", "主体类别": "kind", "严重程度": "severity",
                "决定日期": "date", "报送部门统一社会信用代码": "dept",
            }.get(header, "text"), None))
    return out


CATEGORIES = ["admin_penalty", "dishonest_judgment_debtor", "exam_cheating", "safety_accident_liability",
              "arrears_to_enterprises", "honour", "disciplinary_sanction"]


@st.composite
def files(draw):
    category = POLICY.category(draw(st.sampled_from(CATEGORIES)))
    if draw(st.booleans()):  # a category that needs written consent for one of its facts
        first = category.facts[0].model_copy(update={"consent_required": True})
        category = category.model_copy(update={"facts": [first, *category.facts[1:]]})
    columns = column_kinds(category)
    consent = any(f.consent_required for f in category.facts)
    if consent:
        columns.append(("本人书面同意", "boolean", None))
    headers = [h for h, _k, _c in columns]
    good = {h: draw(cells_for(k, c, True)) for h, k, c in columns}
    rows = []
    for _ in range(draw(st.integers(1, 12))):
        # mostly repeats of one row with a few cells changed: the memo paths get exercised
        row = dict(good)
        for h, k, c in columns:
            if draw(st.integers(0, 7)) == 0:
                row[h] = draw(cells_for(k, c, False))
        rows.append([row[h] for h in headers])
    scope = None
    if draw(st.booleans()):
        scope = ReporterScope(DEPT, frozenset({category.code} if draw(st.booleans()) else set()), "330100")
    return category, headers, rows, Defaults(
        department_code=draw(st.sampled_from([None, DEPT])), department_name=draw(st.sampled_from([None, "市监局"])),
        today=TODAY, reporter=scope)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(files())
def test_same_rows_and_messages_as_validate_row(case):
    category, headers, rows, defaults = case
    cmap = map_columns(headers, category)
    expected_clean, expected_errors, expected_rejected = [], [], 0
    for no, values in enumerate(rows, start=2):
        out = validate_row(no, values, cmap, category, POLICY, defaults)
        if isinstance(out, list):
            expected_rejected += 1
            expected_errors += out
        else:
            expected_clean.append(out)
    validator = ChunkValidator(POLICY, defaults)
    chunk = [(no, values, category) for no, values in enumerate(rows, start=2)]
    clean, errors, rejected = validator.validate(chunk, {category.code: map_columns(headers, category)})
    assert clean == expected_clean
    assert errors == expected_errors
    assert rejected == expected_rejected
    # and again with the memos warm
    assert validator.validate(chunk, {category.code: map_columns(headers, category)}) == (clean, errors, rejected)


def test_rows_of_several_categories_keep_file_order():
    penalty, honour = POLICY.category("admin_penalty"), POLICY.category("honour")
    heads = {c.code: [h for h, _d, _r in template_headers(c)] for c in (penalty, honour)}
    headers = list(dict.fromkeys(heads["admin_penalty"] + heads["honour"]))

    def row(**cells):
        return [cells.get(h, "") for h in headers]

    base = {"主体名称": "某某公司", "统一社会信用代码或公民身份号码": FIRM, "决定日期": "2024-03-15",
            "报送部门": "市监局", "报送部门统一社会信用代码": DEPT}
    required = {f.name: f.choices[0] if f.choices else "某项内容" for f in penalty.facts if f.required}
    p = {**required, "决定文书号": "杭市监罚〔2024〕1号", **base}
    h = {"决定文书号": "杭政〔2024〕9号", "荣誉名称": "守信企业", **base,
         "荣誉类别": honour.facts[1].choices[0], "荣誉级别": honour.facts[2].choices[0]}
    chunk = [(2, row(**p), penalty), (3, row(**h), honour), (4, row(**{**p, "决定文书号": ""}), penalty),
             (5, row(**{**p, "决定文书号": "杭市监罚〔2024〕2号"}), penalty)]
    maps = {c.code: map_columns(headers, c) for c in (penalty, honour)}
    clean, errors, rejected = ChunkValidator(POLICY, Defaults(today=TODAY)).validate(chunk, maps)
    assert [c.row_no for c in clean] == [2, 3, 5], errors
    assert [c.category.code for c in clean] == ["admin_penalty", "honour", "admin_penalty"]
    assert rejected == 1 and {e.row for e in errors} == {4}
