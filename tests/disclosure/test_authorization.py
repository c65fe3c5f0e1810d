"""Authorized query (授权查询): a person grants a code, a third party reads what it opens.

Scope enforcement (only the parts granted, never 政务共享), expiry on a moved clock, the reads
limit, revocation, the audit entries in the person's 谁查询了我, the pages and the API, the
rate limit on guesses, and the report PDF a code may open."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.accounts.helpers import login_as, logout, make_user
from tests.disclosure.helpers import pdf_text
from tests.records.factories import World, build_world
from xinyong.accounts import service as accounts
from xinyong.accounts.access import CSRF_COOKIE
from xinyong.audit import service as audit
from xinyong.audit.models import AuditEntry
from xinyong.catalog import service as catalog_service
from xinyong.core import clock, settings
from xinyong.core.errors import Forbidden, InvalidInput
from xinyong.disclosure import authorization
from xinyong.disclosure.authorization_models import AuthorizationCode
from xinyong.records.models import Record
from xinyong.web.app import create_app

NOW = datetime(2026, 12, 2, 2, 0)  # 10:00 in Beijing, UTC naive as stored
TODAY = date(2026, 12, 2)
PENALTY = "杭市监罚〔2026〕4号"  # 行政管理信息, disclosed by authorization (授权查询)
DEBTOR = "(2026)浙01执5号"  # 司法判决及执行信息, public


@pytest.fixture(autouse=True)
def _on_today():
    """Every test here runs on TODAY: the world's records, the pages' "today" and the codes' times
    (:func:`xinyong.core.clock.utcnow`) follow the frozen day, not the wall clock."""
    with clock.frozen_today(TODAY):
        yield


@pytest.fixture
def world(session) -> World:
    return build_world(session)


@pytest.fixture
def me(session, world):
    user = make_user(session, "subject", None, subject_id=world.person.id, username="zhang")
    session.commit()
    return accounts.principal_of(session, user, via="session")


def _policy(session):
    vid, policy = catalog_service.active_version(session)
    return vid, policy


def grant(session, me, scope, *, until=TODAY + timedelta(days=10), reads=3, now=NOW):
    _, policy = _policy(session)
    g = authorization.grant(session, policy, me, recipient="某银行杭州分行", purpose="办理个人住房贷款", scope=scope,
                            valid_until=until, max_reads=reads, now=now)
    session.commit()
    return g


def read(session, code, *, now=NOW, what="page"):
    vid, policy = _policy(session)
    r = authorization.read(session, policy, vid, code, reader_name="某银行杭州分行", now=now, what=what)
    session.commit()
    return r


def text_of(reading) -> str:
    out = []
    for f in reading.sections:
        for b in f.blocks:
            out += [b.caption or "", b.note or ""] + [v for _, v in b.lines]
            if b.table:
                out += [c for row in b.table.rows for c in row]
    return " ".join(out)


def test_the_code_is_shown_once_and_stored_hashed(session, me):
    g = grant(session, me, ["records:行政管理信息"])
    assert len(g.code) == 16 and g.shown.count("-") == 3
    row = session.get(AuthorizationCode, g.row.id)
    assert row.code_hash == authorization.hash_code(g.code) and g.code not in str(row.__dict__.values())
    assert row.prefix == g.code[:4] and row.reads_used == 0
    assert authorization.last_day(row) == TODAY + timedelta(days=10)


def test_scope_opens_only_the_granted_groups(session, world, me):
    g = grant(session, me, ["records:行政管理信息"])
    r = read(session, g.code)
    text = text_of(r)
    assert PENALTY in text  # the 授权查询 record of the group granted
    assert DEBTOR not in text  # 司法判决及执行信息 was not granted
    assert World.PERSON_NAME not in text and world.person_ric not in text  # identity masked
    assert r.identity["name"] == "张*丰"
    judicial = next(f for f in r.sections if f.spec.key == "judicial")
    assert [b.note for b in judicial.blocks] == [authorization.OUT_OF_SCOPE]
    g2 = grant(session, me, ["records:司法判决及执行信息", "lists"])
    text2 = text_of(read(session, g2.code))
    assert DEBTOR in text2 and PENALTY not in text2


def test_government_sharing_records_are_never_shown(session, world, me):
    rec = session.scalar(select(Record).where(Record.decision_no == PENALTY))
    rec.disclosure = "shared"
    session.commit()
    g = grant(session, me, ["records:行政管理信息"])
    assert PENALTY not in text_of(read(session, g.code))


def _zh(exc_type, fn, **kw) -> str:
    with pytest.raises(exc_type) as e:
        fn(**kw)
    return e.value.zh


def test_bad_grants_are_refused_in_chinese(session, me, world):
    _, policy = _policy(session)
    kw = dict(recipient="某银行", purpose="贷款", valid_until=TODAY + timedelta(days=5), max_reads=3, now=NOW)

    def g(who=me, **over):
        return authorization.grant(session, policy, who, **{**kw, **over})

    assert "授权范围" in _zh(InvalidInput, g, scope=["records:不存在"])
    assert "至少选择一项" in _zh(InvalidInput, g, scope=["report"])
    assert "早于今天" in _zh(InvalidInput, g, scope=["lists"], valid_until=TODAY - timedelta(days=1))
    assert "最长" in _zh(InvalidInput, g, scope=["lists"], valid_until=TODAY + timedelta(days=400))
    assert "查询次数" in _zh(InvalidInput, g, scope=["lists"], max_reads=0)
    checker = accounts.principal_of(session, make_user(session, "checker", "330100"), via="session")
    assert "信用主体本人" in _zh(Forbidden, g, who=checker, scope=["lists"])


def test_expiry_on_a_moved_clock(session, me):
    g = grant(session, me, ["lists"], until=TODAY + timedelta(days=2))
    last = datetime(2026, 12, 4, 15, 59)  # 2026-12-04 23:59 in Beijing: still valid
    assert read(session, g.code, now=last).reads_left == 2
    with pytest.raises(authorization.CodeRefused) as e:
        read(session, g.code, now=last + timedelta(minutes=1))
    assert e.value.status_code == 403 and e.value.reason == "expired" and "已过授权期限" in e.value.zh


def test_reads_are_counted_and_limited(session, me):
    g = grant(session, me, ["lists"], reads=2)
    assert read(session, g.code).reads_left == 1
    assert read(session, g.code).reads_left == 0
    assert "查询次数已用完" in _zh(authorization.CodeRefused, read, session=session, code=g.code)
    assert session.get(AuthorizationCode, g.row.id).reads_used == 2


def test_revocation_ends_a_code_early(session, me):
    g = grant(session, me, ["lists"])
    read(session, g.code)
    authorization.revoke(session, me, g.row.id)
    session.commit()
    assert "已被信用主体本人撤销" in _zh(authorization.CodeRefused, read, session=session, code=g.code)


def test_unknown_and_malformed_codes_get_the_same_answer(session, me):
    grant(session, me, ["lists"])
    for code in ("ABCD-EFGH-JKLM-NPQR", "x", ""):
        assert "授权码不存在或输入有误" in _zh(authorization.CodeRefused, read, session=session, code=code)


def test_only_the_owner_revokes(session, world, me):
    g = grant(session, me, ["lists"])
    stranger = accounts.principal_of(session, make_user(session, "subject", None, subject_id=world.servant.id,
                                                       username="ouyang"), via="session")
    from xinyong.core.errors import NotFound

    with pytest.raises(NotFound):
        authorization.revoke(session, stranger, g.row.id)


def test_every_read_is_audited_in_who_read_me(session, world, me):
    g = grant(session, me, ["records:行政管理信息"])
    read(session, g.code)
    read(session, g.code)
    entries = [e for e in audit.readers_of(session, world.person.id) if e.entity == authorization.ENTITY]
    assert len(entries) == 2
    e = entries[0]
    assert e.action == "read" and e.subject_id == world.person.id and e.username == "授权查询方：某银行杭州分行"
    assert e.purpose == "办理个人住房贷款" and e.entity_id == str(g.row.id)
    created = session.scalars(select(AuditEntry).where(AuditEntry.entity == "authorization_code")).all()
    assert [c.action for c in created] == ["create"]
    assert audit.verify(session).ok


def test_report_scope_gives_a_scoped_pdf(session, world, me):
    g = grant(session, me, ["records:行政管理信息", "report"])
    vid, policy = _policy(session)
    issued = authorization.issue_report(session, policy, vid, g.code, reader_name="某银行杭州分行", now=NOW)
    session.commit()
    text = pdf_text(issued.pdf)
    assert PENALTY in text and DEBTOR not in text and World.PERSON_NAME not in text
    assert authorization.OUT_OF_SCOPE in text
    assert session.get(AuthorizationCode, g.row.id).reads_used == 1
    g2 = grant(session, me, ["lists"])
    with pytest.raises(Forbidden) as e:
        authorization.issue_report(session, policy, vid, g2.code, reader_name="某银行杭州分行", now=NOW)
    assert "不包括下载信用报告" in e.value.zh


# --- over HTTP ---------------------------------------------------------------------------------


@pytest.fixture
def client(app_env):
    with TestClient(create_app()) as c:
        yield c


def _grant_on_page(client, scope=("records:行政管理信息",), reads="3") -> tuple[str, str]:
    until = (TODAY + timedelta(days=5)).isoformat()
    res = client.post("/my/authorizations", data={"recipient": "某银行杭州分行", "purpose": "办理个人住房贷款",
                                                   "scope": list(scope), "valid_until": until, "max_reads": reads})
    assert res.status_code == 200, res.text
    code = res.text.split('id="granted-code">')[1].split("<")[0]
    return code, res.text


def anonymous(client) -> str:
    """Log out and take the CSRF cookie an anonymous form sends back."""
    logout(client)
    client.get("/authorized-query")
    return client.cookies.get(CSRF_COOKIE) or ""


def test_pages_grant_query_and_revoke(client, world, session):
    login_as(client, "subject", None, subject_id=world.person.id, username="zhang")
    mine = client.get("/my/credit")
    assert mine.status_code == 200 and PENALTY in mine.text and DEBTOR in mine.text  # his whole file
    code, page = _grant_on_page(client)
    assert "某银行杭州分行" in page and "0 / 3" in page
    again = client.get("/my/authorizations")
    assert code not in again.text  # shown once
    csrf = anonymous(client)
    res = client.post("/authorized-query", data={"code": code.lower(), "reader": "某银行杭州分行", "csrf_token": csrf})
    assert res.status_code == 200, res.text
    assert PENALTY in res.text and DEBTOR not in res.text and World.PERSON_NAME not in res.text
    client.cookies.clear()  # a system calling the API holds no cookie
    api = client.post("/api/v1/authorized-query", json={"code": code, "reader": "某银行杭州分行", "purpose": "贷前审查"})
    assert api.status_code == 200, api.text
    body = api.json()
    assert body["reads_left"] == 1 and body["subject_name"] == "张*丰"
    assert body["scope"] == ["信用记录：行政管理信息"]
    login_as(client, "subject", None, subject_id=world.person.id, username="zhang")
    listed = client.get("/my/authorizations")
    assert "2 / 3" in listed.text
    code_id = session.scalar(select(AuthorizationCode.id).order_by(AuthorizationCode.id.desc()))
    assert client.post(f"/my/authorizations/{code_id}/revoke", follow_redirects=False).status_code == 303
    readers = client.get("/my/readers")
    assert "某银行杭州分行" in readers.text
    csrf = anonymous(client)
    refused = client.post("/authorized-query", data={"code": code, "reader": "某银行杭州分行", "csrf_token": csrf})
    assert refused.status_code == 403 and "已被信用主体本人撤销" in refused.text
    client.cookies.clear()
    api = client.post("/api/v1/authorized-query", json={"code": code, "reader": "某银行杭州分行"})
    assert api.status_code == 403 and "撤销" in api.json()["detail"]["message"]


def test_report_download_with_a_code(client, world):
    login_as(client, "subject", None, subject_id=world.person.id, username="zhang")
    code, _ = _grant_on_page(client, scope=("records:行政管理信息", "report"))
    csrf = anonymous(client)
    res = client.post("/authorized-query/report", data={"code": code, "reader": "某银行杭州分行", "csrf_token": csrf})
    assert res.status_code == 200 and res.headers["content-type"] == "application/pdf"
    assert PENALTY in pdf_text(res.content)
    client.cookies.clear()
    api = client.post("/api/v1/authorized-query/report", json={"code": code, "reader": "某银行杭州分行"})
    assert api.status_code == 200 and api.headers["x-report-number"]


def test_guesses_are_rate_limited(client, world, monkeypatch):
    monkeypatch.setenv("XINYONG_AUTHORIZED_QUERY_PER_IP", "3")
    settings.reset_settings()
    for _ in range(3):
        assert client.post("/api/v1/authorized-query", json={"code": "ABCD" * 4, "reader": "猜"}).status_code == 403
    res = client.post("/api/v1/authorized-query", json={"code": "ABCD" * 4, "reader": "猜"})
    assert res.status_code == 429


def test_bad_form_input_names_the_field(client, world):
    login_as(client, "subject", None, subject_id=world.person.id, username="zhang")
    res = client.post("/my/authorizations", data={"recipient": "某银行", "purpose": "贷款", "scope": ["lists"],
                                                   "valid_until": "明天", "max_reads": "3"})
    assert res.status_code == 422 and "授权截止日期格式" in res.text
    res = client.post("/my/authorizations", data={"recipient": "某银行", "purpose": "贷款", "scope": [],
                                                   "valid_until": TODAY.isoformat(), "max_reads": "3"})
    assert res.status_code == 422 and "至少选择一项" in res.text


def test_a_read_costs_a_fixed_number_of_statements(session, world, me, engine):
    """Check, count, file, lists, commitments, audit: pinned (11 on SQLite, measured; fewer on
    PostgreSQL, whose audit append is one round trip), whatever the file holds."""
    from sqlalchemy import event

    g = grant(session, me, ["records:行政管理信息", "records:司法判决及执行信息", "lists", "commitments"], reads=5)
    read(session, g.code)  # warm: the policy and the section providers are loaded once
    n = {"q": 0}

    def on(*_a, **_k):
        n["q"] += 1

    event.listen(engine, "before_cursor_execute", on)
    try:
        read(session, g.code)
    finally:
        event.remove(engine, "before_cursor_execute", on)
    assert n["q"] <= 11, n
