"""The layout at a wide screen (1,400 px), a laptop (1,280 px) and a phone (390 px): the header
stays on one line where there is room for it, a page never scrolls sideways on the phone, and a
radio button or a checkbox sits beside its label. Screenshots of each page at each width go to
``var/screenshots/`` (or ``XINYONG_SCREENSHOTS``) for a person to look at."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser.conftest import ROOT

SHOTS = Path(os.environ.get("XINYONG_SCREENSHOTS", ROOT / "var" / "screenshots"))
WIDTHS = (1400, 1280, 390)
PAGES = {
    None: ["/", "/subjects", "/policy", "/lists"],
    "b_checker": ["/checks", "/checks/batch", "/checks/push"],
    "b_admin": ["/lists/manage", "/admin/users", "/admin/departments", "/admin/users/new"],
    "b_subject": ["/my/listings", "/my/file"],
}


def _shot(tab, user: str | None, path: str, width: int) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    name = f"{width}-{user or 'public'}-{path.strip('/').replace('/', '_') or 'home'}.png"
    tab.page.screenshot(path=str(SHOTS / name), full_page=True)


@pytest.mark.parametrize("user", list(PAGES))
def test_the_header_and_the_pages_fit_the_screen(tab, user):
    if user:
        tab.login(user)  # once: an administrator's code may not be used twice
    for width in WIDTHS:
        tab.page.set_viewport_size({"width": width, "height": 900})
        for path in PAGES[user]:
            tab.go(path)
            tab.page.wait_for_load_state("networkidle")
            _shot(tab, user, path, width)
            sideways = tab.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert sideways <= 0, (path, width, sideways)
            if width >= 1280:
                tops = tab.page.evaluate(
                    "[...document.querySelectorAll('.topbar-inner > *, .nav a')]"
                    ".map(e => Math.round(e.getBoundingClientRect().top + e.getBoundingClientRect().height / 2))")
                assert max(tops) - min(tops) <= 4, (path, width, tops)  # one line: every item on one middle
                hidden = tab.page.evaluate("(n => n.scrollWidth - n.clientWidth)(document.querySelector('.nav'))")
                assert hidden <= 0, (path, width, hidden)  # and every menu entry visible
    if user == "b_admin":
        _a_checkbox_sits_beside_its_label(tab)


def _a_checkbox_sits_beside_its_label(tab):
    tab.page.set_viewport_size({"width": 1280, "height": 900})
    tab.go("/admin/departments")
    box = tab.page.locator("form[action='/admin/departments'] input[type=checkbox]").first
    label = tab.page.locator("form[action='/admin/departments'] label.check").first
    b, lab = box.bounding_box(), label.bounding_box()
    assert abs((b["y"] + b["height"] / 2) - (lab["y"] + lab["height"] / 2)) <= 4  # on the label's line
    assert lab["height"] < 2.5 * b["height"]
    for selector in ("input[name=name]", "input[name=code]", "input[name=region_code]"):
        border = tab.page.locator(f"form[action='/admin/departments'] {selector}").evaluate(
            "e => getComputedStyle(e).borderTopStyle + ' ' + getComputedStyle(e).borderRadius")
        assert border.startswith("solid") and border.endswith("6px"), (selector, border)
