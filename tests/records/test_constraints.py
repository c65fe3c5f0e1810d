"""Cross-field constraints and severity floors at import, on every path into the platform.

A licence valid to 2025-05-07 from 2026-05-08, a negative fine, a 吊销许可证件 called 轻微 were
all stored before; each is now refused with the row, the column and the reason in Chinese, and
never blocks the good rows around it. Village and residents' committees are accepted as the
government bodies they are.
"""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook
from sqlalchemy import func, select

from tests import factories as f
from xinyong.accounts import service as accounts
from xinyong.core.codes import make_uscc
from xinyong.core.db import session_scope
from xinyong.records.ingest import import_file, import_source
from xinyong.records.models import Record
from xinyong.records.readers import rows_from_dicts
from xinyong.subjects.models import Subject
from xinyong.web.app import create_app


def licence_row(n: int = 1, **over) -> dict:
    """One row of a national 双公示 licence file."""
    row = {
        "行政相对人名称": f"杭州测试{n}有限公司",
        "行政相对人类别": "法人及非法人组织",
        "行政相对人代码_1(统一社会信用代码)": f.company(n),
        "行政许可决定文书名称": "准予行政许可决定书",
        "行政许可决定文书号": f"杭市监许〔2025〕{n}号",
        "许可类别": "普通",
        "许可内容": "食品经营许可",
        "有效期自": "2025-05-08",
        "有效期至": "2030-05-07",
        "许可决定日期": "2025-05-08",
        "许可机关": f.DEPT_NAME,
        "数据来源单位": f.DEPT_NAME,
        "数据来源单位统一社会信用代码": f.DEPT,
    }
    row.update(over)
    return row


def run(session, rows, category, **kw):
    result = import_source(session, rows_from_dicts(rows), file_name="t.json", category=category, **kw)
    session.commit()
    return result


def only_error(result, row: int):
    errs = [e for e in result.errors if e.row == row]
    assert len(errs) == 1, errs
    return errs[0]


# --- issue: a licence whose end is before its start -------------------------------------------


def test_a_licence_ending_before_it_starts_is_refused(session):
    bad = licence_row(2, 有效期自="2026-05-08", 有效期至="2025-05-07")
    result = run(session, [licence_row(1), bad, licence_row(3)], "admin_licence")
    assert (result.new, result.rejected) == (2, 1)
    err = only_error(result, 2)
    assert err.field == "有效期至"
    assert err.value == "2025-05-07"
    assert err.zh == "“有效期至”（2025-05-07）不得早于“有效期自”（2026-05-08）：许可有效期的截止日不能早于起始日"
    stored = session.scalars(select(Record.decision_no)).all()
    assert "杭市监许〔2025〕2号" not in stored


def test_a_licence_of_one_day_and_an_open_ended_one_are_accepted(session):
    one_day = licence_row(1, 有效期自="2025-05-08", 有效期至="2025-05-08")
    open_ended = licence_row(2, 有效期至="")
    result = run(session, [one_day, open_ended], "admin_licence")
    assert (result.new, result.rejected) == (2, 0)


# --- issue: a negative amount -----------------------------------------------------------------


def test_a_negative_fine_is_refused(session):
    result = run(session, [f.penalty_row(1), f.penalty_row(2, **{"罚款金额（万元）": "-3"})], "admin_penalty")
    assert (result.new, result.rejected) == (1, 1)
    err = only_error(result, 2)
    assert err.field == "罚款金额（万元）"
    assert err.zh == "“罚款金额（万元）”不能为负数（-3）"


def test_a_zero_fine_and_minus_zero_are_not_negative(session):
    rows = [f.penalty_row(1, **{"罚款金额（万元）": "0"}), f.penalty_row(2, **{"罚款金额（万元）": "-0.00"})]
    assert run(session, rows, "admin_penalty").rejected == 0


def test_a_date_before_the_decision_it_follows_is_refused(session):
    row = f.penalty_row(1, 公示截止期="2025-05-31")  # decided 2025-06-01
    result = run(session, [row], "admin_penalty")
    err = only_error(result, 1)
    assert err.field == "公示截止期"
    assert "不得早于“处罚决定日期”（2025-06-01）" in err.zh


# --- issue: a serious penalty kind stated as 轻微 ----------------------------------------------


def test_a_revoked_licence_stated_as_minor_is_refused(session):
    revoked = {"处罚类别": "吊销许可证件", "严重程度": "轻微"}
    result = run(session, [f.penalty_row(1), f.penalty_row(2, **revoked)], "admin_penalty")
    assert (result.new, result.rejected) == (1, 1)
    err = only_error(result, 2)
    assert err.field == "严重程度"
    assert err.value == "轻微"
    assert err.zh.startswith("“处罚类别”为“吊销许可证件”（含“吊销”），严重程度至少为“严重”，不能为“轻微”（")
    assert "市场监督管理总局令第107号" in err.zh


def test_a_revoked_licence_is_serious_when_stated_so_or_not_at_all(session):
    rows = [f.penalty_row(1, 处罚类别="吊销许可证件", 严重程度="严重"), f.penalty_row(2, 处罚类别="吊销营业执照")]
    result = run(session, rows, "admin_penalty")
    assert (result.new, result.rejected) == (2, 0)
    assert set(session.scalars(select(Record.severity))) == {"serious"}


def test_a_lesser_penalty_may_still_be_minor(session):
    result = run(session, [f.penalty_row(1, 处罚类别="警告", 严重程度="轻微")], "admin_penalty")
    assert result.rejected == 0


# --- the same rules in a large file (the column-wise path) -------------------------------------


def test_many_rows_the_bad_ones_refused_the_good_ones_kept(session):
    rows = []
    for n in range(1, 601):
        if n % 50 == 0:
            rows.append(licence_row(n, 有效期自="2026-05-08", 有效期至="2025-05-07"))
        else:
            rows.append(licence_row(n))
    result = run(session, rows, "admin_licence")
    assert (result.new, result.rejected) == (588, 12)
    assert sorted({e.row for e in result.errors}) == list(range(50, 601, 50))
    assert {e.field for e in result.errors} == {"有效期至"}


# --- files: CSV and XLSX -----------------------------------------------------------------------


def test_csv_file(session, tmp_path):
    path = f.write_csv(tmp_path / "l.csv", [licence_row(1), licence_row(2, 有效期至="2025-05-07",
                                                                        有效期自="2026-05-08")])
    result = import_file(session, path)
    session.commit()
    assert (result.new, result.rejected) == (1, 1)
    assert only_error(result, 3).field == "有效期至"  # a file's rows are counted as its lines


def test_xlsx_file_with_date_and_number_cells(session, tmp_path):
    rows = [licence_row(1), licence_row(2)]
    wb = Workbook()
    ws = wb.active
    headers = list(rows[0])
    ws.append(headers)
    ws.append([date(2025, 5, 8) if h == "许可决定日期" else rows[0][h] for h in headers])
    bad = dict(rows[1], 有效期自=date(2026, 5, 8), 有效期至=date(2025, 5, 7))
    ws.append([bad[h] for h in headers])
    path = tmp_path / "l.xlsx"
    wb.save(path)
    result = import_file(session, path)
    session.commit()
    assert (result.new, result.rejected) == (1, 1)
    err = only_error(result, 3)
    assert err.field == "有效期至" and "不得早于“有效期自”（2026-05-08）" in err.zh

    wb = Workbook()
    ws = wb.active
    prow = f.penalty_row(3, 处罚类别="吊销许可证件", 严重程度="轻微")
    ws.append(list(prow))
    ws.append([-2.5 if h == "罚款金额（万元）" else v for h, v in prow.items()])
    path = tmp_path / "p.xlsx"
    wb.save(path)
    result = import_file(session, path)
    session.commit()
    assert result.rejected == 1
    assert {e.field for e in result.errors} == {"罚款金额（万元）", "严重程度"}


# --- the write API -----------------------------------------------------------------------------


@pytest.fixture
def api(app_env):
    with session_scope() as db:
        accounts.create_department(db, code=f.DEPT, name=f.DEPT_NAME, region_code="330100",
                                   categories=["admin_penalty", "admin_licence"])
        user, _ = accounts.create_user(db, username="hz-scj", role="reporter", region_code="330100",
                                       department_code=f.DEPT, password="Baosong-2026-测试密码")
        token = accounts.issue_token(db, user, name="系统对接", by="test").token
    with TestClient(create_app()) as c:
        yield c, {"Authorization": f"Bearer {token}"}


def test_write_api_refuses_each_and_keeps_the_rest(api):
    client, headers = api
    rows = [f.penalty_row(1), f.penalty_row(2, 处罚类别="吊销许可证件", 严重程度="轻微"),
            f.penalty_row(3, **{"罚款金额（万元）": "-1"})]
    r = client.post("/api/v1/records", json={"category": "admin_penalty", "rows": rows}, headers=headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["new"], body["rejected"]) == (1, 2)
    by_row = {e["row"]: e for e in body["errors"]}
    assert by_row[2]["field"] == "严重程度" and "至少为“严重”" in by_row[2]["message"]
    assert by_row[3]["field"] == "罚款金额（万元）" and "不能为负数" in by_row[3]["message"]

    bad = licence_row(4, 有效期自="2026-05-08", 有效期至="2025-05-07")
    r = client.post("/api/v1/records", json={"category": "admin_licence", "rows": [bad]}, headers=headers)
    body = r.json()
    assert body["rejected"] == 1 and body["errors"][0]["field"] == "有效期至"
    with session_scope() as db:
        assert db.scalar(select(func.count()).select_from(Record)) == 1


# --- village and residents' committees are government bodies ------------------------------------


def arrears_row(code: str, name: str, kind: str = "政府机构") -> dict:
    return {"主体名称": name, "主体类别": kind, "统一社会信用代码或公民身份号码": code,
            "决定文书号": "平财欠〔2025〕1号", "决定日期": "2025-06-01", "报送部门": f.DEPT_NAME,
            "报送部门统一社会信用代码": f.DEPT, "来源记录编号": "qk-" + code[-6:], "合同名称": "道路养护合同",
            "被拖欠企业名称": "杭州测试1有限公司", "拖欠金额（万元）": "12.5", "约定付款日期": "2025-01-31",
            "认定依据": "投诉处理"}


def test_committees_are_accepted_as_government_bodies_and_shown_as_what_they_are(session):
    village = make_uscc("54", "330382", "MA2H0Q7K")
    residents = make_uscc("55", "330106", "MA2H0Q8F")
    collective = make_uscc("N2", "330382", "MA2H7702")
    rows = [arrears_row(village, "乐清市柳市镇东风村村民委员会"),
            arrears_row(residents, "杭州市西湖区翠苑街道翠苑一区社区居民委员会"),
            arrears_row(collective, "乐清市柳市镇东风村股份经济合作社")]
    result = run(session, rows, "arrears_to_enterprises")
    assert (result.new, result.rejected) == (2, 1)
    err = only_error(result, 3)  # a collective economic organisation is not a government body
    assert "属于法人和其他组织（农村集体经济组织）" in err.zh
    kinds = dict(session.execute(select(Subject.code, Subject.kind)).all())
    assert kinds[village] == kinds[residents] == "gov_body"

    from xinyong.records.schemas import SubjectOut

    shown = {s.code: SubjectOut.of(s).kind_name for s in session.scalars(select(Subject))}
    assert shown[village] == "村民委员会"
    assert shown[residents] == "居民委员会"
