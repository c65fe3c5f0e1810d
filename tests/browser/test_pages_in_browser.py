"""The official's and the subject's main paths in Chromium: each page loads with its scripts
running under the strict Content-Security-Policy and nothing logged as an error (the ``tab``
fixture fails a test on any console error or policy violation)."""

from __future__ import annotations

import csv
import io
import re

from openpyxl import load_workbook

from tests.accounts.helpers import department_code
from tests.checks.helpers import candidates_xlsx
from xinyong.core.codes import make_uscc


def test_public_pages_render_cleanly(tab):
    tab.go("/")
    assert tab.page.title().endswith("浙江省公共信用信息平台")
    tab.go("/lists?list_kind=blacklist")
    # the public never sees a natural person listed (found only by full number and name): the
    # serious-dishonesty list of the public holds no 黄*信, masked or not
    assert "黄*信" not in tab.page.content() and "黄失信" not in tab.page.content()
    tab.go("/policy")


def test_a_batch_check_shows_its_progress_and_gives_the_result_file(tab):
    tab.login("b_checker")
    tab.go("/checks/batch")
    people = tab.site.people
    rows = [["陈舞弊", people["陈舞弊"], "", ""], ["黄失信", people["黄失信"], "", ""], ["周清白", people["周清白"], "", ""],
            ["黄失信", "", "330106", "1998-02-02"]]
    tab.page.select_option("select[name=scenario]", "civil_servant_recruitment")
    tab.page.fill("input[name=purpose]", "2026年度公务员招录资格审查")
    tab.page.set_input_files("input[name=file]", files=[{
        "name": "考生.xlsx", "buffer": candidates_xlsx(rows),
        "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}])
    tab.page.click("form[action='/checks/batch'] button[type=submit]")
    # the batch page polls with htmx and swaps the progress in place until the job is done
    link = tab.page.locator("#progress a[download]")
    link.wait_for(timeout=30_000)
    text = tab.page.inner_text("#progress")
    assert "100%" in text and "命中 3 人" in text and "疑似匹配 1 人" in text, text
    with tab.page.expect_download() as got:
        link.click()
    assert got.value.suggested_filename.endswith(".xlsx")
    data = open(got.value.path(), "rb").read()
    sheet = list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    outcomes = {row[0]: row[4] for row in sheet[2:]}
    assert outcomes[1] == "取消报考资格/不予录用" and outcomes[3] == "通过"
    assert outcomes[4] == "疑似匹配，请人工核实"


def test_a_single_check_and_its_feedback(tab):
    tab.login("b_checker")
    tab.go("/checks")
    tab.page.select_option("select[name=scenario]", "civil_servant_recruitment")
    tab.page.fill("input[name=code]", tab.site.people["陈舞弊"])
    tab.page.fill("input[name=purpose]", "资格审查")
    tab.page.click("form[action='/checks'] button[type=submit]")
    tab.page.wait_for_url(re.compile(r"/checks/\d+$"))
    assert "取消报考资格/不予录用" in tab.page.content()
    assert tab.site.people["陈舞弊"] not in tab.page.content()


def test_statistics_are_drawn_by_echarts(tab):
    tab.login("b_supervisor")
    tab.go("/checks/stats")
    charts = tab.page.locator("div.chart")
    assert charts.count() >= 1
    charts.first.locator("svg").wait_for(timeout=10_000)  # ECharts drew into it (SVG renderer)
    assert "公务员招聘录用信用审查" in charts.first.inner_html() or charts.first.locator("svg text").count() > 0


def test_a_reporter_uploads_a_file_with_a_progress_bar(tab):
    tab.login("b_reporter")
    tab.go("/records/upload")
    dept = department_code("330100")  # the reporter's own department: it is the deciding authority and the source
    good = make_uscc("91", "330106", "12340001")
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")  # a wrong check digit
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["行政相对人名称", "行政相对人类别", "行政相对人代码_1(统一社会信用代码)", "行政处罚决定书文号",
                "违法行为类型", "违法事实", "处罚依据", "处罚类别", "处罚内容", "处罚决定日期", "处罚机关",
                "数据来源单位", "数据来源单位统一社会信用代码"])
    w.writerow(["杭州浏览器测试有限公司", "法人及非法人组织", good, "杭市监罚〔2026〕1号", "虚假宣传",
                "发布虚假广告", "《中华人民共和国广告法》第五十五条", "罚款", "罚款一万元", "2026-03-01",
                "测试部门330100", "测试部门330100", dept])
    w.writerow(["坏行", "法人及非法人组织", bad, "", "", "", "", "", "", "2026-03-01", "", "", dept])
    tab.page.set_input_files("input[name=file]", files=[{
        "name": "处罚.csv", "buffer": buf.getvalue().encode("utf-8"), "mimeType": "text/csv"}])
    tab.page.click("#upload-form button[type=submit]")
    # the file is imported by a job worker: the upload answers with the job's progress page,
    # which links the batch when the job is done
    tab.page.wait_for_url(re.compile(r"/records/uploads/\d+$"), timeout=30_000)
    batch = tab.page.locator("a[href^='/records/batches/']").first
    batch.wait_for(timeout=30_000)
    batch.click()
    tab.page.wait_for_url(re.compile(r"/records/batches/\d+$"), timeout=30_000)
    assert "部分退回" in tab.page.content()
    counts = tab.page.locator("table").first.locator("tbody td").all_inner_texts()
    assert [c.strip() for c in counts[:5]] == ["2", "1", "0", "0", "1"], counts
    assert tab.page.locator("a[href$='/errors.xlsx']").is_visible()


def test_the_subject_states_its_case(tab):
    tab.login("b_subject")
    tab.go("/my/listings")
    assert "拒不履行生效判决" in tab.page.content()
    tab.page.fill("textarea[name=statement]", "判决已履行完毕")
    tab.page.click(f"form[action='/my/listings/{tab.site.entry_id}/statement'] button[type=submit]")
    tab.page.wait_for_url(re.compile(r"/my/listings$"))
    assert "判决已履行完毕" in tab.page.content() and "待处理" in tab.page.content()
