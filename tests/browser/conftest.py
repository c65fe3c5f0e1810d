"""Browser tests: the pages in a real Chromium, against a real server.

They check what the HTTP-level tests cannot: that the scripts run under the strict
Content-Security-Policy (no console errors, no policy violations), that htmx swaps the progress
of a batch in place, that the upload page shows its progress bar, that ECharts draws the
statistics. Run them with ``make test-browser``, which installs Debian's chromium and Playwright
for Python and sets ``XINYONG_BROWSER_TESTS=1``; without it the main suite does not collect this
folder (tests/conftest.py).

One server for the module: SQLite in a temporary folder, migrated and seeded in this process,
then served by uvicorn in a child process on a free port. That process runs on the real clock
(:func:`xinyong.core.clock.frozen_today` holds in this process only), so dates written here come
from :func:`xinyong.core.clock.today` (Beijing's day, as the server counts) and the tests read the
server's "today" from its pages where they need it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest

sync_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = os.environ.get("XINYONG_CHROMIUM", "/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Browser-Test-2026!"


@dataclass
class Site:
    url: str
    db_url: str
    people: dict[str, str] = field(default_factory=dict)  # name → identity number
    entry_id: int = 0
    admin_totp: str = ""  # the TOTP secret of b_admin (an administrator must give a code)
    totp_step: int = 0  # the last TOTP time step b_admin logged in with (a code is good once)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _seed(site: Site) -> None:
    """Users of each role the tests log in as, and a few people with records and listings."""
    from tests.accounts.helpers import make_user
    from tests.lists.helpers import person, record
    from xinyong.catalog import service as catalog_service
    from xinyong.core import clock, migrate
    from xinyong.core.db import get_engine, session_scope
    from xinyong.lists import service as lists
    from xinyong.lists.models import ListEntry

    migrate.upgrade(get_engine())
    with session_scope() as s:
        catalog_service.ensure_default(s, user="browser")
    with session_scope() as s:
        for role in ("checker", "supervisor", "reporter"):
            make_user(s, role, "330100", username=f"b_{role}", password=PASSWORD)
        cheat, site.people["陈舞弊"] = person(s, "陈舞弊", born=date(1999, 1, 1))
        # 公务员录用考试中严重违纪违规（替考）：取消录用资格的措施只为这类考试、这类情节而设
        record(s, cheat, "exam_cheating", "serious", facts={
            "exam_name": "2026年度浙江省公务员录用考试", "exam_kind": "公务员录用考试", "gravity": "严重",
            "violation_type": "替考", "handling": "考试成绩无效，五年内限制报考"})
        debtor, site.people["黄失信"] = person(s, "黄失信", born=date(1998, 2, 2))
        record(s, debtor, "dishonest_judgment_debtor", "serious")
        _, site.people["周清白"] = person(s, "周清白", born=date(2000, 4, 4))
        lists.refresh(s)
        me, _ = person(s, "祝申辩", born=date(1991, 5, 6))
        vid, _ = catalog_service.active_version(s)
        entry = ListEntry(subject_id=me.id, list_kind="blacklist", basis="rule", region_code=me.region_code,
                          decided_by="杭州市中级人民法院", reason="拒不履行生效判决", status="proposed",
                          notified_on=clock.today(), effective_from=date(2099, 1, 1), policy_version_id=vid,
                          created_by="browser")
        s.add(entry)
        s.flush()
        site.entry_id = entry.id
        make_user(s, "subject", None, username="b_subject", subject_id=me.id, password=PASSWORD)
        from xinyong.accounts import service as accounts

        admin = make_user(s, "admin", "330000", username="b_admin", password=PASSWORD)
        site.admin_totp = accounts.totp_secret(admin)


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Iterator[Site]:
    from xinyong.core import db as core_db
    from xinyong.core import settings

    work = tmp_path_factory.mktemp("browser")
    env = {"XINYONG_DATABASE_URL": f"sqlite:///{work / 'xinyong.db'}", "XINYONG_VAR_DIR": str(work / "var"),
           # the portal's tests add records after the server started: nothing kept from before
           "XINYONG_PORTAL_CACHE_SECONDS": "0"}
    port = _free_port()
    site = Site(url=f"http://127.0.0.1:{port}", db_url=env["XINYONG_DATABASE_URL"])
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    settings.reset_settings()
    core_db.reset_engines()
    try:
        _seed(site)
    finally:
        core_db.reset_engines()
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "xinyong.web.app:create_app", "--factory", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning"],
        cwd=ROOT, env={**os.environ, **env},
    )
    try:
        import httpx

        for _ in range(150):
            try:
                if httpx.get(site.url + "/", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise RuntimeError("the server did not start")
        yield site
    finally:
        server.terminate()
        server.wait(10)
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        settings.reset_settings()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no chromium at {CHROMIUM} (make test-browser installs it)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        yield b
        b.close()


@dataclass
class Tab:
    """A page with everything the browser complained about: console errors, failed scripts,
    Content-Security-Policy violations."""

    page: object
    site: Site
    problems: list[str] = field(default_factory=list)

    def go(self, path: str):
        response = self.page.goto(self.site.url + path)
        assert response is not None and response.status < 400, (path, response and response.status)
        return response

    def login(self, username: str) -> None:
        self.go("/login")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", PASSWORD)
        self.page.click("form[action='/login'] button[type=submit]")
        self.page.wait_for_load_state()
        if "/login/totp" in self.page.url and self.site.admin_totp:
            import pyotp

            # The server takes each time step's code once and allows one step of drift: a
            # second login within the same 30 s gives the next step's code, a third waits for it.
            totp = pyotp.TOTP(self.site.admin_totp)
            step = max(int(time.time()) // 30, self.site.totp_step + 1)
            if step > int(time.time()) // 30 + 1:
                time.sleep(30 - time.time() % 30 + 0.5)
            self.site.totp_step = step
            self.page.fill("input[name=code]", totp.at(step * 30))
            self.page.click("form button[type=submit]")
            self.page.wait_for_load_state()
        assert "/login" not in self.page.url, self.page.content()[:500]


@pytest.fixture
def tab(browser, site) -> Iterator[Tab]:
    context = browser.new_context(locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    t = Tab(page, site)
    page.on("console", lambda m: t.problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: t.problems.append(f"page error: {e}"))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => "
        "console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
    )
    yield t
    context.close()
    assert not t.problems, t.problems
