"""The recruitment scenario end to end over HTTP: upload a candidates file → the batch runs in
the background with its progress shown → the result file → feedback → statistics (API, XLSX
and the ECharts page). Also the single check API a department's system calls."""

from __future__ import annotations

import io
import time
from datetime import date

from openpyxl import load_workbook

from tests.accounts.helpers import login_as, token_for
from tests.checks.helpers import candidates_xlsx
from tests.lists.helpers import person, record
from xinyong.core.codes import make_ric
from xinyong.core.db import session_scope
from xinyong.lists import service as lists


def _wait(client, batch_id, headers):
    for _ in range(200):
        b = client.get(f"/api/v1/checks/batches/{batch_id}", headers=headers).json()
        if b["status"] in ("done", "failed"):
            return b
        time.sleep(0.05)
    raise AssertionError("the batch did not finish")


def test_recruitment_end_to_end(client):
    with session_scope() as s:
        cheat, cheat_ric = person(s, "陈考生", born=date(1999, 1, 1))
        record(s, cheat, "exam_cheating", "serious", facts={"exam_kind": "公务员录用考试", "gravity": "特别严重"})
        debtor, debtor_ric = person(s, "黄考生", region="330102", born=date(1998, 2, 2))
        record(s, debtor, "dishonest_judgment_debtor", "serious")
        fined, fined_ric = person(s, "林考生", born=date(1997, 3, 3))
        record(s, fined, "admin_penalty", "general")
        lists.refresh(s)
    clean_ric = make_ric("330106", date(2000, 4, 4), 8)
    rows = [["陈考生", cheat_ric, "", ""], ["黄考生", "", "330102", "1998-02-02"], ["林考生", fined_ric, "", ""],
            ["周考生", clean_ric, "", ""], ["黄考生", debtor_ric, "", ""]]
    headers = {"Authorization": f"Bearer {token_for('checker')}"}
    r = client.post("/api/v1/checks/batches", headers=headers,
                    data={"scenario": "civil_servant_recruitment", "purpose": "2026年度公务员招录资格审查"},
                    files={"file": ("考生.xlsx", candidates_xlsx(rows), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")})
    assert r.status_code == 202, r.text
    batch = _wait(client, r.json()["id"], headers)
    assert batch["status"] == "done" and batch["percent"] == 100, batch
    assert (batch["total"], batch["with_hits"], batch["possible_matches"]) == (5, 4, 1)

    got = client.get(batch["result_url"], headers=headers)
    assert got.status_code == 200
    sheet = list(load_workbook(io.BytesIO(got.content)).active.iter_rows(values_only=True))
    body = {row[0]: row for row in sheet[2:]}
    assert body[1][4] == "取消报考资格/不予录用" and "考试舞弊" in body[1][5]
    assert body[2][3].startswith("疑似匹配") and body[2][4] == "疑似匹配，请人工核实"
    assert body[3][4] == "审慎审查" and not body[3][5]
    assert body[4][4] == "通过"
    assert body[5][4] == "取消报考资格/不予录用"
    text = "\n".join(str(c) for row in sheet for c in row)
    for secret in (cheat_ric, fined_ric, debtor_ric, "陈考生", "黄考生"):
        assert secret not in text

    # feedback on the mandatory hit, by the checker who ran it
    check_id = body[1][8]
    fb = client.post(f"/api/v1/checks/{check_id}/feedback", headers=headers,
                     json={"action": "applied", "note": ""})
    assert fb.status_code == 200 and fb.json()["feedback_action"] == "applied"
    fb = client.post(f"/api/v1/checks/{body[3][8]}/feedback", headers=headers,
                     json={"action": "not_applied", "note": ""})
    assert fb.status_code == 422  # say why
    other = {"Authorization": f"Bearer {token_for('checker', username='checker_two')}"}
    assert client.post(f"/api/v1/checks/{check_id}/feedback", headers=other, json={"action": "applied"}).status_code == 403

    # statistics
    sup = {"Authorization": f"Bearer {token_for('supervisor')}"}
    st = client.get("/api/v1/checks/stats", headers=sup).json()
    assert st["total"] == 5 and st["with_hits"] == 4 and st["with_feedback"] == 1
    assert st["hit_rate"] == 0.8 and st["feedback_rate"] == 0.25
    assert st["by_scenario"][0]["name"] == "公务员招聘录用信用审查"
    assert st["by_region"][0]["name"] == "杭州市"
    applied = {m["measure_code"]: m for m in st["measures_applied"]}
    assert applied["rec_exam_cheating"]["applied"] == 1
    x = client.get("/api/v1/checks/stats.xlsx", headers=sup)
    assert x.status_code == 200 and load_workbook(io.BytesIO(x.content)).sheetnames[:3] == ["总体", "按场景", "按部门"]
    login_as(client, "supervisor")
    page = client.get("/checks/stats")
    assert page.status_code == 200 and "核查统计" in page.text and "公务员招聘录用信用审查" in page.text
    assert "80.0%" in page.text


def test_single_check_api_and_pages(client):
    with session_scope() as s:
        p, ric = person(s, "马单查")
        record(s, p, "judicial_judgment", "general")
    headers = {"Authorization": f"Bearer {token_for('checker')}"}
    r = client.post("/api/v1/checks", headers=headers,
                    json={"scenario": "civil_servant_recruitment", "purpose": "资格审查", "code": ric})
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["outcome"] == "取消报考资格/不予录用" and out["mandatory"][0]["measure_code"] == "rec_criminal_record"
    assert out["subject_name"] == "马*查" and ric not in r.text
    assert client.get(f"/api/v1/checks/{out['id']}", headers=headers).json()["outcome"] == out["outcome"]
    bad = client.post("/api/v1/checks", headers=headers, json={"scenario": "nope", "purpose": "x", "code": ric})
    assert bad.status_code == 404
    bad = client.post("/api/v1/checks", headers=headers,
                      json={"scenario": "civil_servant_recruitment", "purpose": "x", "code": "330106199001011230"})
    assert bad.status_code == 422

    login_as(client, "checker")
    assert "联合奖惩核查" in client.get("/checks").text
    page = client.post("/checks", data={"scenario": "civil_servant_recruitment", "code": ric, "purpose": "页面核查"},
                       follow_redirects=True)
    assert page.status_code == 200 and "取消报考资格/不予录用" in page.text and "有犯罪记录者取消报考资格" in page.text
    assert ric not in page.text and "马单查" not in page.text
    cid = page.url.path.rsplit("/", 1)[-1]
    done = client.post(f"/checks/{cid}/feedback", data={"action": "not_applied", "note": "已核实为同名他人"},
                       follow_redirects=True)
    assert "已核实为同名他人" in done.text


def test_published_lists_page_is_masked(client):
    """The public lists never list natural persons (they are found only by full identity number
    and name); an official sees them, masked."""
    with session_scope() as s:
        p, ric = person(s, "罗公示")
        record(s, p, "dishonest_judgment_debtor", "serious")
        lists.refresh(s)
    page = client.get("/lists?list_kind=blacklist")
    assert page.status_code == 200 and "罗*示" not in page.text and "罗公示" not in page.text and ric not in page.text
    assert client.get("/api/v1/lists", params={"list_kind": "blacklist"}).json()["total"] == 0
    login_as(client, "checker")
    page = client.get("/lists?list_kind=blacklist")
    assert page.status_code == 200 and "罗*示" in page.text and "罗公示" not in page.text and ric not in page.text
    api = client.get("/api/v1/lists", params={"list_kind": "blacklist"}).json()
    assert api["total"] == 1 and api["entries"][0]["subject_code"] == ric[:6] + "*" * 12
    x = client.get("/api/v1/lists/export.xlsx")
    assert x.status_code == 200 and "罗*示" in str(list(load_workbook(io.BytesIO(x.content)).active.values))


def test_batch_progress_page_polls(client):
    login_as(client, "checker")
    files = {"file": ("c.csv", "姓名,公民身份号码\n某人," + make_ric("330106", date(1990, 1, 2), 3) + "\n", "text/csv")}
    r = client.post("/checks/batch", data={"scenario": "civil_servant_recruitment", "purpose": "批量"}, files=files,
                    follow_redirects=False)
    assert r.status_code == 303
    url = r.headers["location"]
    page = client.get(url)
    assert page.status_code == 200 and 'id="progress"' in page.text
    for _ in range(200):
        frag = client.get(url, headers={"HX-Request": "true"})
        if "下载结果" in frag.text:
            break
        assert "hx-trigger=\"every 1s\"" in frag.text
        time.sleep(0.05)
    assert "<html" not in frag.text and "下载结果" in frag.text


def test_a_single_check_runs_a_pinned_number_of_statements(client, count_queries):
    """The platform's busiest route (benchmarks/README.md): the token is known from the call
    before (xinyong/accounts/token_cache.py); the active policy, the subject, its shown records
    and its list entries in force (and on PostgreSQL the durability choice) are one statement;
    on PostgreSQL the check, its hits and the audit head one (xinyong/checks/store.py) and the
    audit entry moving the head one. More than this is a regression of the hot path."""
    from xinyong.core.db import get_engine

    with session_scope() as s:
        p, ric = person(s, "秦计数")
        record(s, p, "exam_cheating", "serious", facts={"exam_kind": "公务员录用考试", "gravity": "特别严重"})
    headers = {"Authorization": f"Bearer {token_for('checker')}"}
    body = {"scenario": "civil_servant_recruitment", "purpose": "计数", "code": ric}
    assert client.post("/api/v1/checks", headers=headers, json=body).status_code == 201  # warm up
    engine = get_engine()
    with count_queries(engine) as counter:
        r = client.post("/api/v1/checks", headers=headers, json=body)
    assert r.status_code == 201 and r.json()["outcome"] == "取消报考资格/不予录用"
    # PostgreSQL: policy + subject + records + list entries, check + hits + head, audit entry (3);
    # SQLite (statements are calls within the process): the check, its hits, the head, the
    # entry and the head move one by one (6)
    expected = 3 if engine.dialect.name == "postgresql" else 6
    assert counter.count == expected, (engine.dialect.name, counter.count)
