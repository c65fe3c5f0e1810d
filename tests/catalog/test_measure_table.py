"""docs/policy.md lists every shipped measure with its basis, whom it reaches, for how long and the
test that holds it; this test holds the table to ``measures.yaml`` (the "who it reaches" column
is read from each measure's ``reaches``, named as the ``responsible`` list names the roles)."""

from __future__ import annotations

import re
from pathlib import Path

from xinyong.catalog.schemas import SUBJECT_KIND_NAMES, PolicySet

ROOT = Path(__file__).resolve().parents[2]
ROW = re.compile(r"^\| `(?P<code>[a-z_0-9]+)` (?P<name>[^|]+) \| (?P<basis>[^|]+) \| (?P<who>[^|]+) \| "
                 r"(?P<how_long>[^|]+) \| `(?P<test>[^`]+)` \|$")


def table_rows() -> dict[str, dict[str, str]]:
    text = (ROOT / "docs" / "policy.md").read_text(encoding="utf-8")
    section = text[text.index("## 6. 奖惩措施一览"):text.index("## 7.")]
    return {m["code"]: m.groupdict() for m in map(ROW.match, section.splitlines()) if m}


def test_the_table_lists_every_measure_as_the_policy_says(policy: PolicySet) -> None:
    rows = table_rows()
    assert set(rows) == {m.code for m in policy.measures.measures}
    roles = {r.role: r.name for r in policy.measures.responsible}
    for m in policy.measures.measures:
        row = rows[m.code]
        assert row["name"].strip() == m.name, m.code
        for basis in m.legal_basis:
            assert basis.title in row["basis"] and basis.article in row["basis"], (m.code, basis.title)
        for kind in m.subject_kinds:
            assert SUBJECT_KIND_NAMES[kind] in row["who"], (m.code, kind)
        reached = row["who"].split("延伸到 ")[1].split("、") if "延伸到" in row["who"] else []
        assert [x.strip() for x in reached] == [roles[r] for r in m.reaches], m.code
        assert len(row["how_long"].split("<br>")) == len(m.triggers), m.code


def test_the_test_each_row_names_exists() -> None:
    for code, row in table_rows().items():
        path, name = row["test"].split("::")
        assert f"def {name}(" in (ROOT / path).read_text(encoding="utf-8"), (code, row["test"])
