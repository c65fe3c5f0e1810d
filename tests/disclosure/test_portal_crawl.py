"""No personal data on a public page or feed: a crawl of a small demo as the public.

Starting from the home page, the portal and every public feed, the crawl follows every link on
the same site (GET only; a few of each kind of address, so that a listing's thousand pages do not
each get read) and fails on any full identity number (a valid 公民身份号码 anywhere in the text)
and on any natural person's name in the clear — the demo's persons and public servants, and the
legal representatives of its organisations. A name that is also part of an organisation's or a
department's name (the demo's companies are named like people sometimes) is not counted.

It also checks that no public route lists natural persons: the searches by a common surname, the
lists and their exports hold none.
"""

from __future__ import annotations

import html as htmlmod
import io
import re
from collections import Counter
from datetime import date
from urllib.parse import urljoin, urlsplit

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select
from stdnum.cn import ric

from xinyong.catalog import service as catalog_service
from xinyong.core import clock
from xinyong.core.db import session_scope
from xinyong.demo.generator import build_demo
from xinyong.disclosure import portal_cache
from xinyong.disclosure.portal_models import TypicalCase
from xinyong.records.models import Record
from xinyong.subjects.models import NATURAL_KINDS, Subject
from xinyong.web.app import create_app

DAY = date(2026, 6, 15)
PER_KIND = 4  # addresses of one shape read (a listing's pages, a subject's pages …)
MAX_PAGES = 400
START = [
    "/", "/portal", "/portal/search?q=%E6%9D%AD%E5%B7%9E", "/portal/disclosures/licences",
    "/portal/disclosures/penalties", "/portal/feeds/licences.json", "/portal/feeds/penalties.json",
    "/portal/feeds/licences.xlsx", "/portal/feeds/penalties.xlsx", "/portal/cases", "/lists",
    "/api/v1/lists", "/api/v1/lists/export.xlsx", "/commitments/public", "/policy",
]
SKIP = ("/static/", "/vendor/", "/login", "/logout", "/api/v1/docs", "/api/v1/openapi.json")
RIC_LIKE = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])\d{5}[\dXx](?![0-9A-Za-z])")
HREF = re.compile(r'href="([^"#]+)"')


@pytest.fixture
def demo(app_env):
    from xinyong.core import migrate
    from xinyong.core.db import get_engine

    portal_cache.clear()
    migrate.upgrade(get_engine())
    with clock.frozen_today(DAY):
        with session_scope() as s:
            catalog_service.ensure_default(s, user="demo")
        with session_scope() as s:
            build_demo(s, scale=0.003, seed=7, commit=True)
        with session_scope() as s:
            # a typical case, so that its pages are crawled too
            rid = s.scalar(select(Record.id).join(Subject, Subject.id == Record.subject_id).where(
                Subject.kind == "enterprise", Record.category_code == "admin_penalty", Record.disclosure == "public",
                Record.display_until >= DAY).limit(1))
            if rid and not s.scalar(select(TypicalCase.id).limit(1)):  # the demo marks some already
                s.add(TypicalCase(record_id=rid, title="演示典型案例", note="", marked_by="demo"))
        yield
    portal_cache.clear()


def _kind(url: str) -> str:
    path, _, query = url.partition("?")
    shape = re.sub(r"[0-9A-Z]{4,}|\d+", "N", path)
    keys = sorted(k.split("=")[0] for k in query.split("&") if k)
    return shape + "?" + "&".join(keys)


def _text(res) -> str:
    ctype = res.headers.get("content-type", "")
    if "spreadsheet" in ctype:
        wb = load_workbook(io.BytesIO(res.content), read_only=True)
        return "\n".join(" ".join(str(v) for v in row if v is not None)
                         for ws in wb.worksheets for row in ws.iter_rows(values_only=True))
    if "pdf" in ctype or "octet-stream" in ctype:
        return ""
    return htmlmod.unescape(res.text)


def _persons(session) -> tuple[set[str], set[str]]:
    """(natural persons' names, organisation and department names they may be part of)."""
    names = set(session.scalars(select(Subject.name).where(Subject.kind.in_(NATURAL_KINDS))))
    names |= {n for n in session.scalars(select(Subject.legal_rep_name).where(Subject.legal_rep_name.is_not(None)))}
    orgs = set(session.scalars(select(Subject.name).where(Subject.kind.not_in(NATURAL_KINDS))))
    orgs |= set(session.scalars(select(Record.department_name).distinct()))
    return {n for n in names if n and len(n) >= 2}, orgs


def crawl(client: TestClient) -> dict[str, str]:
    seen: dict[str, str] = {}
    per_kind: Counter[str] = Counter()
    todo = list(START)
    while todo and len(seen) < MAX_PAGES:
        url = todo.pop(0)
        if url in seen or any(url.startswith(s) for s in SKIP):
            continue
        kind = _kind(url)
        if per_kind[kind] >= PER_KIND:
            continue
        per_kind[kind] += 1
        res = client.get(url)
        seen[url] = _text(res) if res.status_code == 200 else ""
        if "html" in res.headers.get("content-type", ""):
            for href in HREF.findall(res.text):
                target = urljoin(url, htmlmod.unescape(href))
                parts = urlsplit(target)
                if parts.netloc and parts.netloc != "testserver":
                    continue
                local = parts.path + (f"?{parts.query}" if parts.query else "")
                if local not in seen:
                    todo.append(local)
    return seen


def test_no_public_page_or_feed_shows_a_person(demo):
    """One demo for both checks (building it is most of the time)."""
    _no_public_route_lists_natural_persons()
    with clock.frozen_today(DAY):
        with session_scope() as s:
            names, orgs = _persons(s)
        names = {n for n in names if not any(n in o for o in orgs)}
        assert names, "the demo has natural persons"
        with TestClient(create_app(), follow_redirects=True) as client:
            pages = crawl(client)
    assert len(pages) > 40, sorted(pages)
    assert any(u.startswith("/portal/subjects/") for u in pages)
    assert any(u.startswith("/portal/cases/") for u in pages)
    problems = []
    for url, text in pages.items():
        for token in RIC_LIKE.findall(text):
            if ric.is_valid(token):
                problems.append((url, "identity number", token))
        for name in names:
            if name in text:
                problems.append((url, "name", name))
    assert not problems, problems[:20]


def _no_public_route_lists_natural_persons():
    with clock.frozen_today(DAY):
        with session_scope() as s:
            names, orgs = _persons(s)
            surname = s.scalar(select(Subject.name).where(Subject.kind == "person").limit(1))[0]
        same = {n for n in names if n.startswith(surname) and not any(n in o for o in orgs)}
        assert same
        with TestClient(create_app(), follow_redirects=False) as client:
            for url in (f"/subjects?q={surname}", f"/portal/search?q={surname}", f"/api/v1/subjects?q={surname}",
                        "/lists", "/api/v1/lists?limit=200"):
                r = client.get(url)
                assert r.status_code == 200, (url, r.status_code)
                text = htmlmod.unescape(r.text)
                assert not [n for n in same if n in text], url
            lists_json = client.get("/api/v1/lists", params={"limit": 200}).json()
            assert not [e for e in lists_json["entries"] if e["subject_kind"] in NATURAL_KINDS]
            feed = client.get("/portal/feeds/penalties.json", params={"limit": 1000}).json()
            assert not [i for i in feed["items"] if i["subject_kind"] in ("自然人", "公务人员")]
