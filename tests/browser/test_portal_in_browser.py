"""The public portal in a real browser: search, an organisation's public page, the 双公示
filters (department, region, date), and a forged credit report caught by the verification page.

Two enterprises with penalties (杭州 and 宁波, two departments) are added to the module's site
after the server started (the site runs with XINYONG_PORTAL_CACHE_SECONDS=0)."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest

from tests.records.factories import load, penalty
from xinyong.core.clock import today
from xinyong.core.codes import make_uscc

HZ = make_uscc("91", "330106", "77770001")
NB = make_uscc("91", "330203", "77770002")
NB_BUREAU = make_uscc("11", "330200", "77770003")


@pytest.fixture(scope="module")
def portal_site(site):
    from xinyong.core import db as core_db
    from xinyong.core import settings
    from xinyong.core.db import session_scope

    saved = os.environ.get("XINYONG_DATABASE_URL")
    os.environ["XINYONG_DATABASE_URL"] = site.db_url
    settings.reset_settings()
    core_db.reset_engines()
    t = today()
    try:
        with session_scope() as s:
            load(s, [
                penalty("杭州门户测试科技有限公司", HZ, t - timedelta(days=20), "杭市监罚〔2026〕901号"),
                penalty("宁波门户测试贸易有限公司", NB, t - timedelta(days=100), "甬市监罚〔2026〕902号",
                        数据来源单位="宁波市市场监督管理局", 数据来源单位统一社会信用代码=NB_BUREAU),
            ], "admin_penalty")
    finally:
        core_db.reset_engines()
        if saved is not None:
            os.environ["XINYONG_DATABASE_URL"] = saved
        settings.reset_settings()
    return site


def test_search_and_the_public_page(tab, portal_site):
    tab.go("/portal")
    tab.page.fill("form[action='/portal/search'] input[name=q]", "门户测试")
    tab.page.click("form[action='/portal/search'] button[type=submit]")
    tab.page.wait_for_load_state()
    results = tab.page.inner_text("#results")
    assert "杭州门户测试科技有限公司" in results and "宁波门户测试贸易有限公司" in results
    tab.page.click("#results a:has-text('杭州门户测试科技有限公司')")
    tab.page.wait_for_load_state()
    assert "/portal/subjects/" in tab.page.url
    body = tab.page.inner_text("main")
    assert HZ in body and "杭市监罚〔2026〕901号" in body and "未列入公开的信用名单" in body


def test_disclosure_filters(tab, portal_site):
    tab.go("/portal/disclosures/penalties")
    rows = tab.page.inner_text("#rows")
    assert "杭市监罚〔2026〕901号" in rows and "甬市监罚〔2026〕902号" in rows
    tab.page.select_option("#filters select[name=region]", "330200")
    tab.page.click("#filters button[type=submit]")
    tab.page.wait_for_load_state()
    rows = tab.page.inner_text("#rows")
    assert "甬市监罚〔2026〕902号" in rows and "杭市监罚〔2026〕901号" not in rows
    tab.page.select_option("#filters select[name=region]", "")
    tab.page.select_option("#filters select[name=department]", NB_BUREAU)
    tab.page.click("#filters button[type=submit]")
    tab.page.wait_for_load_state()
    assert "甬市监罚〔2026〕902号" in tab.page.inner_text("#rows")
    assert "宁波市市场监督管理局" in tab.page.inner_text("#timeliness")
    tab.page.select_option("#filters select[name=department]", "")
    tab.page.fill("#filters input[name=date_from]", (today() - timedelta(days=60)).isoformat())
    tab.page.click("#filters button[type=submit]")
    tab.page.wait_for_load_state()
    rows = tab.page.inner_text("#rows")
    assert "杭市监罚〔2026〕901号" in rows and "甬市监罚〔2026〕902号" not in rows


def test_a_forged_report_is_caught_by_the_verification_page(tab, portal_site, tmp_path):
    tab.login("b_checker")
    tab.go(f"/reports/new?subject={HZ}")
    tab.page.fill("input[name=purpose]", "信用审查")
    with tab.page.expect_download() as info:
        tab.page.click("form[action='/reports'] button[type=submit]")
    genuine = tmp_path / "report.pdf"
    info.value.save_as(genuine)
    data = bytearray(genuine.read_bytes())
    data[len(data) // 2] = (data[len(data) // 2] + 1) % 256
    forged = tmp_path / "forged.pdf"
    forged.write_bytes(bytes(data))

    tab.go("/reports/verify")
    tab.page.set_input_files("input[name=file]", str(forged))
    tab.page.click("form[enctype='multipart/form-data'] button[type=submit]")
    tab.page.wait_for_load_state()
    assert "核验未通过" in tab.page.inner_text("#verify-result")

    tab.go("/reports/verify")
    tab.page.set_input_files("input[name=file]", str(genuine))
    tab.page.click("form[enctype='multipart/form-data'] button[type=submit]")
    tab.page.wait_for_load_state()
    assert "核验通过" in tab.page.inner_text("#verify-result")
