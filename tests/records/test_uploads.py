"""A reporter's scope on rows, and the care an uploaded file gets before it is read."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from tests import factories as f
from xinyong.core.errors import InvalidInput
from xinyong.records import uploads
from xinyong.records.models import Record
from xinyong.records.validation import ReporterScope

SCOPE = ReporterScope(department_code=f.DEPT, categories=frozenset({"admin_penalty"}), region_code="330100")


def errors_of(result):
    return {(e.row, e.field): e for e in result.errors}


def test_rows_inside_the_scope_go_in(session):
    result = uploads.import_rows(session, [f.penalty_row(1), f.person_penalty_row(2)], scope=SCOPE,
                                 department_name=None, category="admin_penalty", user="r(reporter)")
    session.commit()
    assert (result.new, result.rejected) == (2, 0)


def test_a_row_outside_the_scope_is_rejected_alone(session):
    rows = [
        f.penalty_row(1),
        f.penalty_row(2, code=f.company(2, region="330206")),  # 宁波: outside 杭州
        f.penalty_row(3, **{"数据来源单位统一社会信用代码": f.OTHER_DEPT}),  # another department's decision
    ]
    result = uploads.import_rows(session, rows, scope=SCOPE, department_name=None, category="admin_penalty",
                                 user="r(reporter)")
    session.commit()
    assert (result.new, result.rejected) == (1, 2)
    errs = errors_of(result)
    assert "不在本部门所辖行政区划" in errs[(2, "行政相对人代码_1(统一社会信用代码)")].zh
    assert "只能报送本部门" in errs[(3, "数据来源单位统一社会信用代码")].zh
    assert session.scalar(select(func.count()).select_from(Record)) == 1


def test_a_category_the_department_may_not_report_is_rejected(session):
    scope = ReporterScope(department_code=f.DEPT, categories=frozenset({"admin_licence"}), region_code="330000")
    result = uploads.import_rows(session, [f.penalty_row(1)], scope=scope, department_name=None,
                                 category="admin_penalty", user="r(reporter)")
    assert result.rejected == 1
    assert "未获准报送" in result.errors[0].zh and result.errors[0].field == "记录类别"


def test_the_department_name_may_be_left_out(session):
    row = f.penalty_row(1)
    del row["数据来源单位"]
    del row["处罚机关"]
    result = uploads.import_rows(session, [row], scope=SCOPE, department_name="杭州市市场监督管理局",
                                 category="admin_penalty", user="r(reporter)")
    session.commit()
    assert result.new == 1
    assert session.scalar(select(Record.department_name)) == "杭州市市场监督管理局"


def test_too_many_rows_is_refused_before_anything_is_stored(session, monkeypatch):
    monkeypatch.setattr(uploads.get_settings(), "api_max_batch_rows", 2)
    with pytest.raises(InvalidInput, match="at most 2 rows"):
        uploads.import_rows(session, [f.penalty_row(n) for n in range(3)], scope=SCOPE, department_name=None,
                            user="r(reporter)")


@pytest.fixture
def var(tmp_path, monkeypatch):
    monkeypatch.setattr(uploads.get_settings(), "var_dir", tmp_path)
    return tmp_path


def test_an_upload_is_kept_under_a_name_of_our_own(var):
    path = uploads.save_upload(io.BytesIO(b"a,b\n1,2\n"), "../../etc/报送.csv")
    assert path.parent == var / "uploads" and path.suffix == ".csv" and "报送" not in path.name
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.read_bytes() == b"a,b\n1,2\n"


@pytest.mark.parametrize(("name", "content", "words"), [
    ("data.exe", b"MZ", "只接受"),
    ("data.xlsx", b"a,b\n1,2\n", "不是 Excel"),
    ("data.csv", b"PK\x03\x04\x00\x00", "不是文本"),
    ("data.csv", b"", "空的"),
])
def test_a_file_that_is_not_what_it_says_is_refused(var, name, content, words):
    with pytest.raises(InvalidInput, match=r".") as info:
        uploads.save_upload(io.BytesIO(content), name)
    assert words in info.value.zh
    assert not list((var / "uploads").glob("*"))  # nothing left behind


def test_a_file_over_the_cap_is_refused_while_it_arrives(var):
    with pytest.raises(InvalidInput) as info:
        uploads.save_upload(io.BytesIO(b"x" * 3000), "big.csv", max_bytes=2048)
    assert "上限" in info.value.zh
    assert not list((var / "uploads").glob("*"))
