"""Every page of the demo, as every role, speaks Chinese: no policy code, internal id or English
status word in a page's text, and no link on a page that answers the reader 403, 404 or 500.

The demo province is built small on the test database (the clock frozen, so the pages are the
same whatever the day); each demo user walks the links of every page it reaches, a few pages of
each kind (one credit file is like another), and each page's visible text — not what is inside
``<code>`` (an address of the API given to a department's programmers), nor tags, scripts or
styles — is read for Latin words."""

from __future__ import annotations

import html as htmlmod
import re
from collections import Counter
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from xinyong.accounts import service as accounts
from xinyong.accounts.access import CSRF_HEADER, SESSION_COOKIE
from xinyong.accounts.models import User
from xinyong.catalog import service as catalog_service
from xinyong.core import clock
from xinyong.core.db import session_scope
from xinyong.demo.generator import build_demo
from xinyong.demo.users import create_demo_users
from xinyong.web.app import create_app

DAY = date(2026, 6, 15)
USERS = ("public", "demo-admin", "demo-reporter", "demo-checker", "demo-supervisor", "demo-auditor", "demo-subject")
# Latin words a Chinese page may hold: names of standards and file formats, the platform's own
# name, the test client's address, the test database's loader. The demo users' login names (a
# person's chosen name) are taken out of the text before it is read, so "(reporter)" after one
# is still caught.
ALLOWED = {
    "xinyong", "TOTP", "API", "CSV", "XLSX", "JSON", "Lines", "PDF", "PNG", "JPEG", "Excel", "SM3", "PPP", "Webhook",
    "Google", "Authenticator", "FreeOTP", "testclient", "test",
    # the model review's measures and the engines by their names (as Excel above)
    "AUC", "PSI", "WOE", "DuckDB", "Spark",
}
_WORD = re.compile(r"(?<![A-Za-z0-9_])[A-Za-z][A-Za-z_]{2,}(?![A-Za-z0-9_])")
_LINK = re.compile(r'href="(/[^"#]*)"')
_SKIP = (".xlsx", ".csv", ".svg", ".js", ".css", ".pdf", ".json")
PER_KIND = 2  # pages of one kind (one path shape) each user reads
MAX_PAGES = 60


def text_of(page: str) -> str:
    page = re.sub(r"<(script|style|code)[^>]*>.*?</\1>", " ", page, flags=re.S)
    return htmlmod.unescape(re.sub(r"<[^>]+>", " ", page))


def latin_words(page: str) -> set[str]:
    text = text_of(page)
    for username in USERS:
        text = text.replace(username, " ")
    return {w for w in _WORD.findall(text) if w not in ALLOWED}


def _kind(url: str) -> str:
    return re.sub(r"[0-9A-Z]{4,}|\d+", "N", url.split("?")[0])


@pytest.fixture
def demo(app_env):
    from xinyong.core import migrate
    from xinyong.core.db import get_engine

    migrate.upgrade(get_engine())
    with clock.frozen_today(DAY):
        with session_scope() as s:
            catalog_service.ensure_default(s, user="demo")
        with session_scope() as s:
            build_demo(s, scale=0.005, seed=7, commit=True)
        with session_scope() as s:
            create_demo_users(s)
        yield


def _client_for(app, username: str) -> TestClient:
    client = TestClient(app, follow_redirects=True)
    if username != "public":
        with session_scope() as db:
            user = db.scalar(select(User).where(User.username == username))
            raw, ws = accounts.start_session(db, user)
            ws.stage = "full"
            user.must_change_password = False
            csrf = ws.csrf_token
        client.cookies.set(SESSION_COOKIE, raw)
        client.headers[CSRF_HEADER] = csrf
    return client


def test_every_demo_page_as_every_role_is_in_chinese(demo):
    app = create_app()
    problems: list[str] = []
    with clock.frozen_today(DAY):
        for username in USERS:
            client = _client_for(app, username)
            seen: set[str] = set()
            kinds: Counter[str] = Counter()
            todo = ["/"]
            read = 0
            while todo and read < MAX_PAGES:
                url = todo.pop(0)
                if url in seen or url.endswith(_SKIP) or url.startswith(("/static", "/vendor", "/api", "/logout")):
                    continue
                seen.add(url)
                kinds[_kind(url)] += 1
                if kinds[_kind(url)] > PER_KIND:
                    continue
                r = client.get(url)
                read += 1
                if r.status_code in (403, 404) or r.status_code >= 500:
                    problems.append(f"{username} {url}: {r.status_code}")
                if "text/html" not in r.headers.get("content-type", ""):
                    continue
                words = latin_words(r.text)
                if words:
                    problems.append(f"{username} {url}: {sorted(words)[:12]}")
                todo += [link.replace("&amp;", "&") for link in _LINK.findall(r.text)]
            assert read > 5, username
    assert not problems, "\n".join(problems)


def test_the_word_finder_sees_codes_and_english_and_not_code_blocks():
    page = '<p>状态：proposed，类别 admin_penalty，<code>GET /api/v1/push</code>，用户 5</p>'
    assert latin_words(page) == {"proposed", "admin_penalty"}
    assert latin_words("<p>统一社会信用代码 91330100MA2B3C4D5E，xinyong 1.0</p>") == set()
    assert latin_words("<p>操作人 demo-reporter（部门报送员）</p>") == set()
    assert latin_words("<p>操作人 demo-reporter(reporter)</p>") == {"reporter"}
