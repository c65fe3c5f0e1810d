"""The public files a complaint about government dishonesty (投诉举报) in Chromium, anonymously,
keeps the tracking code the page shows once, and tracks the complaint by it; then, after the
body replies, rates the reply. No login anywhere; the ``tab`` fixture fails on any console
error or Content-Security-Policy violation."""

from __future__ import annotations

import re


def test_the_public_files_a_complaint_and_tracks_it_by_code(tab):
    tab.go("/complaints/new")
    page = tab.page
    assert "政务失信投诉举报" in page.content()
    page.select_option("select[name=target_kind]", "gov_body")
    page.fill("input[name=body_name]", "杭州市某某局")
    page.select_option("select[name=region]", "330100")
    page.select_option("select[name=behaviour]", "gov_arrears_to_enterprises")
    page.fill("textarea[name=account]", "2024年完工的工程款至今未付，多次催要无果")
    page.click("form[action='/complaints/new'] button[type=submit]")
    page.wait_for_load_state()
    assert "投诉已提交" in page.content()
    code = page.inner_text("#tracking-code").strip()
    complaint_id = int(re.search(r"第 (\d+) 号", page.content()).group(1))
    assert re.fullmatch(r"[A-Z2-9]{4}(-[A-Z2-9]{4}){3}", code), code

    tab.go("/complaints/track")
    page.fill("input[name=code]", code)
    page.click("form[action='/complaints/track'] button[type=submit]")
    page.wait_for_load_state()
    assert page.inner_text("#complaint-status").strip() == "已转办，待答复"
    body = page.content()
    assert "杭州市某某局" in body and "拖欠企业账款" in body and "杭州市信用办" in body

    # a wrong code: a clear message, nothing shown
    page.fill("input[name=code]", "AAAA-BBBB-CCCC-DDDD")
    page.click("form[action='/complaints/track'] button[type=submit]")
    page.wait_for_load_state()
    assert "查询码不正确" in page.content() and "complaint-status" not in page.content()

    # the credit office replies on its queue, then the public rates the reply
    _reply(tab, complaint_id)
    tab.go("/complaints/track")
    page.fill("input[name=code]", code)
    page.click("form[action='/complaints/track'] button[type=submit]")
    page.wait_for_load_state()
    assert page.inner_text("#complaint-status").strip() == "已答复，待评价"
    assert "已督促付款" in page.content()
    page.select_option("select[name=rating]", "satisfied")
    page.click("form[action='/complaints/track/rate'] button[type=submit]")
    page.wait_for_load_state()
    assert page.inner_text("#complaint-status").strip() == "已评价"

    tab.go("/complaints/stats")
    assert "杭州市某某局" in page.content()


def _reply(tab, complaint_id: int) -> None:
    """The credit office of the province (it covers the region the complaint went to) replies on
    the complaint's page, in a browser context of its own."""
    from tests.browser.conftest import Tab

    context = tab.page.context.browser.new_context(locale="zh-CN")
    try:
        office = Tab(context.new_page(), tab.site, tab.problems)
        office.login("b_admin")
        office.go("/complaints")
        assert f"第 {complaint_id} 号" in office.page.content()
        office.go(f"/complaints/{complaint_id}")
        form = f"form[action='/complaints/{complaint_id}/steps']:has(input[value=reply])"
        office.page.select_option(f"{form} select[name=finding]", "substantiated")
        office.page.fill(f"{form} textarea[name=reply]", "经核查属实，已督促付款")
        office.page.click(f"{form} button[type=submit]")
        office.page.wait_for_load_state()
        assert "已答复，待评价" in office.page.content()
    finally:
        context.close()
