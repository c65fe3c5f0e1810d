"""处分种类 is a fixed list (政务处分法第七条: 警告、记过、记大过、降级、撤职、开除; 事业单位工作人员
处分 adds 降低岗位等级; 中国共产党纪律处分条例第八条: 警告、严重警告、撤销党内职务、留党察看、开除党籍).
A department's other spelling of a listed kind (记大过处分, 党内严重警告) is stored as the kind, so
the measures that select by it (受处分期间不得晋升: 记大过 18 months) find the record; a kind
outside the list is refused with the row, the column and the kinds it may be, in Chinese, on the
row-by-row path and the column-wise path alike."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests import factories as f
from xinyong.catalog import service as catalog_service
from xinyong.records.columns import COMMON
from xinyong.records.ingest import import_source
from xinyong.records.models import Record
from xinyong.records.readers import rows_from_dicts


def sanction_row(n: int, kind: str, sanction_kind: str = "政务处分") -> dict:
    return {
        "主体名称": f"公务员{n}",
        "主体类别": "公务人员",
        "公民身份号码": f.person(n),
        COMMON["decision_no"][0]: f"杭纪〔2026〕{n}号",
        COMMON["decision_date"][0]: "2026-03-02",
        "处分类别": sanction_kind,
        "处分种类": kind,
        "违纪违法事实": "违反规定报销费用",
        "所在单位": f.DEPT_NAME,
        COMMON["department_name"][0]: f.DEPT_NAME,
        COMMON["department_code"][0]: f.DEPT,
    }


SPELLINGS = [("记大过处分", "记大过"), ("警告", "警告"), (" 记 过 ", "记过"), ("党内严重警告", "严重警告"),
             ("开除公职", "开除"), ("留党察看处分", "留党察看"), ("降低岗位等级", "降低岗位等级")]


@pytest.mark.parametrize("rows_at_once", [1, 600])  # a handful of rows and a batch of hundreds
def test_a_kinds_other_spellings_are_stored_as_the_kind(session, rows_at_once):
    rows = [sanction_row(i + 1, raw) for i, (raw, _) in enumerate(SPELLINGS)]
    rows += [sanction_row(100 + i, "记大过处分") for i in range(max(0, rows_at_once - len(rows)))]
    result = import_source(session, rows_from_dicts(rows), file_name="t.json", category="disciplinary_sanction")
    assert result.rejected == 0, result.errors
    stored = {r.decision_no: r for r in session.scalars(select(Record))}
    assert [stored[f"杭纪〔2026〕{i + 1}号"].facts["sanction_type"] for i in range(len(SPELLINGS))] \
        == [kind for _, kind in SPELLINGS]
    # 记大过 is 较重 by the catalog's severity rules, however it was spelled
    assert stored["杭纪〔2026〕1号"].severity == "grave"


def test_an_unknown_kind_is_refused_in_chinese(session):
    rows = [sanction_row(1, "记小过"), sanction_row(2, "记过")]
    result = import_source(session, rows_from_dicts(rows), file_name="t.json", category="disciplinary_sanction")
    assert result.rejected == 1
    [err] = result.errors
    assert (err.row, err.field, err.value) == (1, "处分种类", "记小过")
    assert "“记小过”不在可选值中" in err.zh and "记大过" in err.zh and "开除党籍" in err.zh


def test_the_policy_lists_the_kinds_and_their_spellings(session):
    policy = catalog_service.active_version(session)[1]
    fact = policy.category("disciplinary_sanction").fact("sanction_type")
    assert fact.choices[:6] == ["警告", "记过", "记大过", "降级", "撤职", "开除"]
    assert fact.canonical_choice("撤职处分") == "撤职" and fact.canonical_choice("记小过") == "记小过"
    months = next(m for m in policy.measures.measures if m.code == "ps_promotion_bar").triggers[0].period.months_by
    assert set(months) <= set(fact.choices)


def test_a_spelling_must_stand_for_a_listed_kind():
    from pydantic import ValidationError

    from xinyong.catalog.schemas import FactSpec

    with pytest.raises(ValidationError, match="not choices"):
        FactSpec(key="k", name="处分种类", type="enum", choices=["警告"], choice_aliases={"记小过": "记小过"})
    with pytest.raises(ValidationError, match="enum"):
        FactSpec(key="k", name="处分种类", type="string", choice_suffixes=["处分"])
