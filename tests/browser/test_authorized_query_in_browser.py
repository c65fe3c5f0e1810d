"""Authorized query (授权查询) in Chromium: a person logs in, reads his whole file and downloads
his credit report, grants a code; a third party with no account queries with it; the person
revokes it and the third party is refused. Every page runs under the strict
Content-Security-Policy with nothing logged as an error (the ``tab`` fixture).

The server runs in a child process on the real clock (a day frozen here would not reach it), so
the last day of the code is counted from the day the page itself gives as today (the date
field's ``min``), never from this machine's wall clock."""

from __future__ import annotations

from datetime import date, timedelta


def test_a_person_grants_a_code_a_third_party_reads_and_is_refused_after_revocation(tab, browser):
    tab.login("b_subject")
    tab.go("/my/credit")
    assert "我的完整信用信息" in tab.page.content()
    with tab.page.expect_download() as got:
        tab.page.click("#download-report")
    assert got.value.suggested_filename.endswith(".pdf")
    assert open(got.value.path(), "rb").read(5) == b"%PDF-"

    tab.go("/my/authorizations")
    tab.page.fill("input[name=recipient]", "某银行杭州分行")
    tab.page.fill("input[name=purpose]", "办理个人住房贷款")
    tab.page.check("input[name=scope][value=lists]")
    tab.page.check("input[name=scope][value='records:行政管理信息']")
    server_today = date.fromisoformat(tab.page.get_attribute("input[name=valid_until]", "min"))
    tab.page.fill("input[name=valid_until]", (server_today + timedelta(days=7)).isoformat())
    tab.page.fill("input[name=max_reads]", "2")
    tab.page.click("#grant-form button[type=submit]")
    tab.page.wait_for_load_state()
    code = tab.page.inner_text("#granted-code").strip()
    assert len(code) == 19 and code.count("-") == 3

    # the third party: another browser context, no account
    context = browser.new_context(locale="zh-CN")
    other = context.new_page()
    problems: list[str] = []
    other.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    other.goto(tab.site.url + "/authorized-query")
    other.fill("input[name=code]", code)
    other.fill("input[name=reader]", "某银行杭州分行")
    other.click("#query-form button[type=submit]")
    other.wait_for_load_state()
    result = other.inner_text("#query-result")
    assert "祝*辩" in result and "某银行杭州分行" in result and "祝申辩" not in other.content()
    assert other.inner_text("#reads-left").strip() == "1"

    # the person sees the read and revokes the code
    tab.go("/my/authorizations")
    assert "1 / 2" in tab.page.inner_text("#codes")
    tab.page.click("#codes form button[type=submit]")
    tab.page.wait_for_load_state()
    assert "已撤销" in tab.page.inner_text("#codes")
    tab.go("/my/readers")
    assert "某银行杭州分行" in tab.page.content()

    other.goto(tab.site.url + "/authorized-query")
    other.fill("input[name=code]", code)
    other.fill("input[name=reader]", "某银行杭州分行")
    other.click("#query-form button[type=submit]")
    other.wait_for_load_state()
    assert "已被信用主体本人撤销" in other.inner_text("#query-error")
    assert other.locator("#query-result").count() == 0
    context.close()
    # the refusal page answers 403 on purpose, which Chromium logs as a failed load
    assert [p for p in problems if "status of 403" not in p] == [], problems
