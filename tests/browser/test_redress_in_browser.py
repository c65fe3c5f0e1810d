"""Redress in Chromium: the subject files an objection and a credit repair, each with an
attachment, from 我的信用档案; a credit-office user accepts and decides both; the subject sees
the decisions. Every page loads under the strict Content-Security-Policy with nothing logged as
an error (the ``Tab`` fails a test on any console error or policy violation)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from tests.browser.conftest import Tab
from tests.redress.helpers import PDF, PNG


@pytest.fixture(scope="module")
def records(site) -> dict[str, int]:
    """Two records of the subject user's person (祝申辩): one to contest, one served long
    enough to repair (一般 行政处罚: three months). The server (a child process) runs on the real
    clock, so no day can be frozen for it; 200 days back from today in Beijing
    (:func:`xinyong.core.clock.today`, as the server counts) is long enough on any day."""
    from tests.lists.helpers import record
    from xinyong.core import clock
    from xinyong.subjects.models import Subject

    engine = create_engine(site.db_url)
    try:
        with Session(engine) as s:
            me = s.scalar(select(Subject).where(Subject.name == "祝申辩"))
            contest = record(s, me, "commitment_breach", "general")
            repair = record(s, me, "admin_penalty", "general", decided=clock.today() - timedelta(days=200),
                            days_shown=900)
            s.commit()
            return {"contest": contest.id, "repair": repair.id}
    finally:
        engine.dispose()


def _tab(browser, site) -> tuple[object, Tab]:
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    t = Tab(page, site)
    page.on("console", lambda m: t.problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: t.problems.append(f"page error: {e}"))
    return context, t


def _file(name: str, data: bytes, mime: str) -> dict:
    return {"name": name, "mimeType": mime, "buffer": data}


def _step(t: Tab, action: str, *, reasons: str = "", outcome: str | None = None) -> None:
    form = t.page.locator(f"form:has(input[name=action][value={action}])")
    if outcome:
        form.locator("select[name=outcome]").select_option(outcome)
    if reasons:
        form.locator("textarea[name=reasons]").fill(reasons)
    form.locator("button[type=submit]").click()
    t.page.wait_for_load_state()


def test_objection_and_repair_filed_decided_and_seen(tab, browser, site, records):
    # the subject files both from its credit file
    tab.login("b_subject")
    tab.go("/my/file")
    tab.page.click(f"a[href='/objections/new?record={records['contest']}']")
    tab.page.wait_for_url(re.compile(r"/objections/new"))
    tab.page.select_option("select[name=grounds]", "fact_error")
    tab.page.fill("textarea[name=reasons]", "该承诺已按期履行，记录有误")
    tab.page.set_input_files("input[name=files]", [_file("履行证明.pdf", PDF, "application/pdf")])
    tab.page.click("form[action='/objections/new'] button[type=submit]")
    tab.page.wait_for_url(re.compile(r"/objections/\d+$"))
    objection_url = tab.page.url
    assert "履行证明.pdf" in tab.page.content()

    tab.go("/my/file")
    tab.page.click(f"a[href='/repairs/new?record={records['repair']}']")
    tab.page.wait_for_url(re.compile(r"/repairs/new"))
    tab.page.fill("textarea[name=reasons]", "已缴清罚款并完成整改")
    tab.page.set_input_files("input[name=performance]", [_file("整改报告.pdf", PDF, "application/pdf")])
    tab.page.set_input_files("input[name=payment]", [_file("缴款凭证.png", PNG, "image/png")])
    tab.page.check("input[name=commitment]")
    tab.page.click("form[action='/repairs/new'] button[type=submit]")
    tab.page.wait_for_url(re.compile(r"/repairs/\d+$"))
    repair_url = tab.page.url
    assert "缴款凭证.png" in tab.page.content() and "已提交，待受理" in tab.page.content()

    # a credit-office user accepts and decides both
    context, office = _tab(browser, site)
    try:
        office.login("b_admin")
        office.go(objection_url.removeprefix(site.url))
        _step(office, "accept")
        assert "已受理" in office.page.content()
        _step(office, "decide", outcome="revoked", reasons="经核实承诺已履行，撤销该记录")
        assert "已作出处理决定" in office.page.content()
        office.go(repair_url.removeprefix(site.url))
        _step(office, "accept")
        _step(office, "approve", reasons="符合信用修复条件")
        assert "准予修复" in office.page.content()
        assert not office.problems, office.problems
    finally:
        context.close()

    # the subject sees the decisions
    tab.go("/my/objections")
    assert "撤销" in tab.page.content()
    tab.go(objection_url.removeprefix(site.url))
    assert "经核实承诺已履行，撤销该记录" in tab.page.content()
    tab.go("/my/repairs")
    assert "准予修复" in tab.page.content()
    tab.go(repair_url.removeprefix(site.url))
    assert "符合信用修复条件" in tab.page.content()
