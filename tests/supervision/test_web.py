"""The supervision pages and API as their users meet them: the supervisor finds the board in its
menu, uploads a filled-in template and reads which rows were refused, the API answers the same,
a reader sees only its region, and the board's page draws one chart."""

from __future__ import annotations

import io
from datetime import date

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from tests.accounts.helpers import login_as
from tests.supervision.helpers import gov
from xinyong.core import clock
from xinyong.core.db import session_scope
from xinyong.supervision import service
from xinyong.web.app import create_app

DAY = date(2026, 6, 15)


@pytest.fixture
def client(app_env):
    with clock.frozen_today(DAY), TestClient(create_app(), follow_redirects=False) as c:
        yield c


@pytest.fixture
def bodies(app_env):
    with session_scope() as s:
        hz, nb = gov(s, "杭州市西湖区人民政府", "330106"), gov(s, "宁波市海曙区人民政府", "330203")
        return hz.code, nb.code


def _filled(kind, rows):
    wb = load_workbook(io.BytesIO(service.template_bytes(kind)))
    for r in rows:
        wb.worksheets[0].append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_the_supervisor_uploads_and_reads_the_board(client, bodies):
    hz, nb = bodies
    login_as(client, "supervisor")
    home = client.get("/")
    assert 'href="/supervision"' in home.text and "督查看板" in home.text
    page = client.get("/supervision/judicial")
    assert page.status_code == 200 and "/supervision/judicial/template.xlsx" in page.text
    template = client.get("/supervision/judicial/template.xlsx")
    assert template.status_code == 200 and template.content[:2] == b"PK"
    data = _filled("judicial", [
        [hz, None, None, 2026, "西湖区人民法院", "（2026）浙0106司建1号", None, "2026-03-01", "2026-04-01", None, None],
        [nb, None, None, 2026, "海曙区人民法院", "（2026）浙0203司建1号", None, "2026-03-01", "2026-04-01", None, None],
    ])
    r = client.post("/supervision/judicial", files={"file": ("j.xlsx", data)})
    assert r.status_code == 200
    assert "新增 1" in r.text and "退回 1 行" in r.text and "不在您的地区权限范围内" in r.text
    assert "逾期 75 天未答复" in r.text
    board = client.get("/supervision")
    assert board.status_code == 200
    assert "逾期未答复的司法建议" in board.text and "（2026）浙0106司建1号" in board.text
    assert board.text.count("data-chart=") <= 1


def test_the_api_imports_and_lists_within_the_region(client, bodies):
    hz, nb = bodies
    login_as(client, "admin")
    rows = [{"body_code": hz, "year": 2026, "score": 91.5}, {"body_code": nb, "year": 2026, "score": 90},
            {"body_code": hz, "year": 2025, "score": -1}]
    r = client.post("/api/v1/supervision/appraisals", json={"rows": rows})
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["created"], body["rejected"]) == (1, 2)
    assert [(e["row"], e["column"]) for e in body["errors"]] == [(2, "单位统一社会信用代码"), (3, "得分")]
    listed = client.get("/api/v1/supervision/appraisals").json()
    assert listed["total"] == 1 and listed["items"][0]["score"] == 91.5
    board = client.get("/api/v1/supervision/board", params={"year": 2026}).json()
    assert board["appraisals"][0]["score"] == 91.5 and board["as_of"] == "2026-06-15"
    data = _filled("appraisals", [[hz, None, None, 2024, None, 80]])
    r = client.post("/api/v1/supervision/appraisals/import", files={"file": ("a.xlsx", data)})
    assert r.status_code == 200 and r.json()["created"] == 1
    assert client.get("/api/v1/supervision/unknown").status_code == 422


def test_a_file_that_is_no_workbook_writes_nothing(client, bodies):
    login_as(client, "supervisor")
    r = client.post("/supervision/ratings", files={"file": ("x.xlsx", b"not a workbook")})
    assert r.status_code == 422 and "未写入任何数据" in r.text


def test_an_auditor_reads_but_may_not_import(client, bodies):
    login_as(client, "auditor")
    assert client.get("/supervision/proposals").status_code == 200
    page = client.get("/supervision/proposals").text
    assert "上传并导入" not in page
    assert client.get("/supervision/proposals/template.xlsx").status_code == 403


def test_every_supervision_page_with_rows_speaks_chinese(client, bodies):
    from tests.web.test_pages_in_chinese import latin_words

    hz, _ = bodies
    login_as(client, "admin")
    rows = {
        "inspections": {"category": "考核", "source": "杭州市人民政府", "result": "优秀", "score": 95, "ref_no": "杭政督〔2026〕1号",
                        "issued_on": "2026-03-01"},
        "proposals": {"category": "政协提案", "ref_no": "第12号", "title": "诚信建设", "issued_on": "2026-03-01",
                      "deadline": "2026-06-01", "done_on": "2026-05-01", "adopted": True, "satisfied": True},
        "judicial": {"source": "西湖区人民法院", "ref_no": "（2026）浙0106司建2号", "issued_on": "2026-03-01",
                     "deadline": "2026-04-01", "done_on": "2026-04-09", "note": "已答复"},
        "appraisals": {"score": 92, "result": "满意", "issued_on": "2026-05-01"},
        "ratings": {"source": "某大学信用研究中心", "score": 88, "result": "A", "title": "政务诚信评价"},
    }
    for kind, extra in rows.items():
        r = client.post(f"/api/v1/supervision/{kind}", json={"rows": [{"body_code": hz, "year": 2026, **extra}]})
        assert r.json()["created"] == 1, r.json()
        page = client.get(f"/supervision/{kind}")
        assert page.status_code == 200
        assert not latin_words(page.text), (kind, latin_words(page.text))
    board = client.get("/supervision")
    assert not latin_words(board.text), latin_words(board.text)
    assert "逾期答复" in client.get("/supervision/judicial").text


def test_the_board_page_runs_as_many_statements_whatever_the_rows(client, bodies, count_queries):
    from xinyong.core.db import get_engine

    hz, _ = bodies
    login_as(client, "supervisor")
    client.get("/supervision")  # the caller resolved once (the session row, the user)

    def statements() -> int:
        with count_queries(get_engine()) as q:
            assert client.get("/supervision", params={"year": 2026}).status_code == 200
        return q.count

    few = statements()
    with session_scope() as s:
        more = [gov(s, f"西湖区第{i}局", "330106").code for i in range(25)]
    rows = [{"body_code": code, "year": 2026, "source": "某法院", "ref_no": f"J{i}", "issued_on": "2026-01-05",
             "deadline": "2026-02-05"} for i, code in enumerate([hz, *more])]
    login_as(client, "admin")
    assert client.post("/api/v1/supervision/judicial", json={"rows": rows}).json()["created"] == 26
    login_as(client, "supervisor")
    client.get("/supervision")
    # the session and its user, then the board's three, the overdue complaints, the rankings'
    # policy and latest run, and the page's own look at the policy
    assert statements() == few == 8, few


def test_each_input_exports_as_the_templates_columns_within_the_region(client, bodies):
    hz, nb = bodies
    login_as(client, "admin", region="330000")
    rows = [{"body_code": code, "year": 2026, "source": "某法院", "ref_no": f"（2026）司建{i}号", "issued_on": "2026-01-05",
             "deadline": "2026-02-05"} for i, code in enumerate((hz, nb))]
    assert client.post("/api/v1/supervision/judicial", json={"rows": rows}).json()["created"] == 2
    login_as(client, "supervisor")  # 杭州市
    for url in ("/supervision/judicial/export.xlsx", "/api/v1/supervision/judicial/export.xlsx"):
        r = client.get(url)
        assert r.status_code == 200, url
        ws = load_workbook(io.BytesIO(r.content)).worksheets[0]
        got = [list(row) for row in ws.iter_rows(values_only=True)]
        assert got[0][:2] == ["单位统一社会信用代码", "单位名称"] and got[0][-1] == "逾期天数"
        assert [row[0] for row in got[1:]] == [hz]  # 宁波's row is outside the region
        assert got[1][-1] == (DAY - date(2026, 2, 5)).days
    assert "/supervision/judicial/export.xlsx" in client.get("/supervision/judicial").text
    for kind in ("inspections", "proposals", "appraisals", "ratings"):
        assert client.get(f"/api/v1/supervision/{kind}/export.xlsx").status_code == 200


def test_the_board_ranks_the_governments_once_evaluated(client, bodies):
    from xinyong.evaluation import service as evaluation

    login_as(client, "supervisor")
    assert "政府公共信用评价排名" in client.get("/supervision").text  # not yet evaluated
    with session_scope() as s:
        evaluation.run_evaluation(s, "government", as_of=date(2026, 6, 30), user="test")
    html = client.get("/supervision").text
    assert "县（市、区）人民政府排名" in html and "杭州市西湖区人民政府" in html
    assert "宁波市海曙区人民政府" not in html.split("人民政府排名", 1)[1]  # the supervisor's region only
