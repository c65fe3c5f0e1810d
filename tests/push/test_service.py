"""The real-time push (实时推送) against a database: who is told (subscriptions and recent
checks), the messages a refresh, a listing, a removal and an import batch make in their own
transaction, the outbox read and acknowledged per department, webhook delivery with its
signature and its retries, and the statistics."""

from __future__ import annotations

import http.server
import json
import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, update

from tests.accounts.helpers import ensure_department
from tests.lists.helpers import body, person, record
from tests.records.factories import debtor, load, penalty
from xinyong.accounts.principal import Principal, cli_principal
from xinyong.checks import service as checks
from xinyong.checks.models import Check
from xinyong.core import settings as core_settings
from xinyong.core.clock import frozen_today, today
from xinyong.core.codes import make_ric, make_uscc
from xinyong.core.db import utcnow
from xinyong.core.errors import Forbidden, InvalidInput, NotFound
from xinyong.lists import hooks as list_hooks
from xinyong.lists import service as lists
from xinyong.lists.models import ListEntry, ListEntryEvent
from xinyong.push import service as push
from xinyong.push.models import PushMessage
from xinyong.records.models import Record
from xinyong.subjects.identity import lookup_key
from xinyong.subjects.models import Subject

HZ, NB = "330100", "330200"


@pytest.fixture
def depts(session):
    a, b = ensure_department(session, HZ), ensure_department(session, NB)
    session.commit()
    return a, b


def msgs(session, dept=None):
    q = select(PushMessage).order_by(PushMessage.id)
    if dept is not None:
        q = q.where(PushMessage.department_code == dept.code)
    return list(session.scalars(q))


def include(session, code, no):
    """A decision listing on the watchlist, the subject told and heard the same day."""
    return lists.include(session, code=code, list_kind="watchlist", decision_no=no, decided_by="杭州市信用办",
                         decided_on=today(), notified_on=today(), statement="已陈述申辩", reason="重点关注",
                         by="tester")


def checker_of(dept, username="dept_checker") -> Principal:
    return Principal(user_id=None, username=username, role="checker", region_code=dept.region_code,
                     department_code=dept.code, via="session")


def test_hooks_are_registered_in_order():
    from xinyong.records import hooks as record_hooks

    names = [h.__name__ for h in record_hooks.registered()]
    assert names.index("_refresh_after_import") < names.index("_push_import")
    assert "_push_list_events" in [h.__name__ for h in list_hooks.registered()]


def test_subscribe_matches_codes_exactly(session, depts):
    hz, _ = depts
    p, ric = person(session, "赵订阅")
    firm = body(session, "杭州订阅有限公司")
    unknown = make_ric("330106", date(1991, 5, 6), 9)
    bad = ric[:-1] + ("0" if ric[-1] != "0" else "1")
    r = push.subscribe(session, hz, [f" {ric.lower()} ", firm.code, unknown, bad, ""], by="tester")
    assert sorted(sid for _, sid in r.added) == sorted([p.id, firm.id])
    assert r.unknown == [unknown] and r.invalid == [bad]
    again = push.subscribe(session, hz, [firm.code, firm.code], by="tester")
    assert (again.added, [sid for _, sid in again.existing]) == ([], [firm.id])
    rows, total = push.subscriptions(session, hz)
    assert total == 2 and {s.subject_id for s, _ in rows} == {p.id, firm.id}
    assert push.unsubscribe(session, hz, codes=[firm.code]).removed == 1
    assert push.subscriptions(session, hz)[1] == 1
    with pytest.raises(InvalidInput):
        push.subscribe(session, hz, [ric], by="tester", ends_on=today() - timedelta(days=1))


def test_department_of(session, depts):
    hz, nb = depts
    assert push.department_of(session, checker_of(hz), None).code == hz.code
    with pytest.raises(Forbidden):
        push.department_of(session, checker_of(hz), nb.code)  # another department's inbox
    with pytest.raises(Forbidden):
        push.department_of(session, Principal(None, "c", "checker", HZ, via="session"), None)  # none of its own
    admin = Principal(None, "a", "admin", HZ, via="session")
    assert push.department_of(session, admin, hz.code).code == hz.code
    with pytest.raises(Forbidden):
        push.department_of(session, admin, nb.code)  # outside the admin's region
    with pytest.raises(InvalidInput):
        push.department_of(session, admin, None)
    with pytest.raises(NotFound):
        push.department_of(session, admin, make_uscc("11", HZ, "99999999"))
    assert push.department_of(session, cli_principal(), nb.code).code == nb.code


def test_listing_by_refresh_tells_the_subscriber_only(session, depts):
    hz, nb = depts
    p, ric = person(session, "钱失信")
    other, _ = person(session, "孙无关")
    rec = record(session, p, "dishonest_judgment_debtor", "serious")
    record(session, other, "dishonest_judgment_debtor", "serious")
    push.subscribe(session, hz, [ric], by="tester")
    lists.refresh(session)
    got = msgs(session)
    assert [(m.department_code, m.subject_id, m.event) for m in got] == [(hz.code, p.id, "list_included")]
    m = got[0]
    entry = session.get(ListEntry, m.ref_id)
    assert (entry.subject_id, entry.list_kind, entry.record_id) == (p.id, "blacklist", rec.id)
    pl = m.payload
    assert pl["event"] == "list_included" and pl["event_name"] == "列入名单"
    assert pl["list_kind"] == "blacklist" and pl["list_type"] == "punish" and "严重失信" in pl["list_name"]
    assert pl["category"] == "dishonest_judgment_debtor" and pl["severity"] == "serious" and pl["severity_name"]
    assert pl["effective_from"] == rec.decision_date.isoformat() and pl["check_id"] is None
    assert pl["measures"] and all({"code", "name", "mandatory", "department"} <= set(x) for x in pl["measures"])
    assert m.origin.startswith("lee:") and m.delivered_at is None and m.acked_at is None
    # the watchlist entry the same record proposes (notice period) is not pushed
    assert session.scalar(select(func.count()).where(ListEntry.subject_id == p.id, ListEntry.status == "proposed")) >= 0
    assert not msgs(session, nb)
    # a second refresh changes nothing and tells nobody again
    lists.refresh(session)
    assert len(msgs(session)) == 1


def test_the_same_events_make_one_message_per_department(session, depts):
    hz, _ = depts
    p, ric = person(session, "李重复")
    push.subscribe(session, hz, [ric], by="tester")
    mark = list_hooks.mark(session)
    include(session, ric, "杭信〔2026〕1号")
    assert len(msgs(session)) == 1
    push.on_list_events(session, mark)  # seen again (as a concurrent transaction would): no second message
    assert len(msgs(session)) == 1


def test_a_change_with_nobody_to_tell_costs_two_small_questions(session, engine, depts, count_queries):
    p, ric = person(session, "周无人问")
    record(session, p, "dishonest_judgment_debtor", "serious")
    mark = list_hooks.mark(session)
    with count_queries(engine) as counter:
        assert push.on_list_events(session, mark) == 0  # no event after the mark: one question
    assert counter.count == 1
    lists.refresh(session)  # lists the debtor: events, but nobody subscribed or checked
    assert session.scalar(select(func.count()).select_from(ListEntryEvent).where(ListEntryEvent.id > mark))
    with count_queries(engine) as counter:
        assert push.on_list_events(session, mark) == 0
    assert counter.count == 2
    assert msgs(session) == []
    push.subscribe(session, depts[0], [ric], by="tester")  # now somebody is watched: the events are told
    assert push.on_list_events(session, mark) == 1


def test_implicit_subscription_through_a_recent_check(session, depts, monkeypatch):
    hz, nb = depts
    p, ric = person(session, "周核查")
    stale, stale_ric = person(session, "吴旧核")
    r = checks.check_one(session, scenario="civil_servant_recruitment", code=ric, purpose="招录", who=checker_of(hz))
    checks.check_one(session, scenario="civil_servant_recruitment", code=stale_ric, purpose="招录", who=checker_of(nb))
    session.execute(update(Check).where(Check.subject_id == stale.id).values(created_at=utcnow() - timedelta(days=400)))
    for code in (ric, stale_ric):
        include(session, code, f"杭信〔2026〕{code[-4:]}号")
    got = msgs(session)
    assert [(m.department_code, m.subject_id) for m in got] == [(hz.code, p.id)]  # the 400-day-old check tells nobody
    assert got[0].payload["check_id"] == r.check.id
    # with the watch period off, only subscriptions count
    monkeypatch.setenv("XINYONG_PUSH_WATCH_DAYS", "0")
    core_settings.reset_settings()
    try:
        entry = session.scalar(select(ListEntry).where(ListEntry.subject_id == p.id))
        lists.remove(session, entry.id, reason="decision", by="tester", decision_no="杭信〔2026〕9号")
        assert len(msgs(session)) == 1
    finally:
        monkeypatch.delenv("XINYONG_PUSH_WATCH_DAYS")
        core_settings.reset_settings()


def test_removal_and_expiry_are_pushed(session, depts):
    hz, _ = depts
    p, ric = person(session, "郑移出")
    q, q_ric = person(session, "王到期")
    push.subscribe(session, hz, [ric, q_ric], by="tester")
    entry = include(session, ric, "杭信〔2026〕2号")
    lists.remove(session, entry.id, reason="repair", by="tester", decision_no="杭信修〔2026〕1号")
    # a listing that rests on a record ends with the record's display period
    rec = record(session, q, "dishonest_judgment_debtor", "serious", decided=today() - timedelta(days=40), days_shown=35)
    session.execute(update(Record).where(Record.id == rec.id).values(display_until=today() + timedelta(days=5)))
    lists.refresh(session)
    with frozen_today(today() + timedelta(days=10)):
        lists.refresh(session)
    got = [(m.subject_id, m.event, m.payload.get("removal_reason")) for m in msgs(session)]
    assert got[:2] == [(p.id, "list_included", None), (p.id, "list_removed", "repair")]
    assert (q.id, "list_included", None) in got and (q.id, "list_removed", "period_end") in got  # until = shown until
    removed = [m for m in msgs(session) if m.event == "list_removed" and m.subject_id == p.id][0]
    assert removed.payload["removal_reason_name"] == "信用修复"
    assert removed.payload["removal_decision_no"] == "杭信修〔2026〕1号"


def test_a_proposal_is_pushed_when_it_takes_effect_not_before(session, depts):
    hz, _ = depts
    p, ric = person(session, "冯拟列")
    q, q_ric = person(session, "蒋申辩")
    push.subscribe(session, hz, [ric, q_ric], by="tester")
    record(session, p, "tax_violation", "serious")  # watchlist by rule, after 5 working days' notice
    record(session, q, "tax_violation", "serious")
    lists.refresh(session)
    proposed = {e.subject_id: e for e in session.scalars(select(ListEntry).where(ListEntry.status == "proposed"))}
    assert set(proposed) == {p.id, q.id} and not msgs(session)
    lists.state_case(session, proposed[q.id].id, statement="已补缴税款", by="subject")
    lists.decide_statement(session, proposed[q.id].id, accepted=True, by="tester")  # withdrawn: never in force
    with frozen_today(today() + timedelta(days=15)):
        lists.refresh(session)
    got = msgs(session)
    assert [(m.subject_id, m.event) for m in got] == [(p.id, "list_included")]
    assert got[0].payload["list_kind"] == "watchlist" and got[0].payload["basis_name"] == "按规则列入"


def test_import_pushes_records_after_the_listings(session, depts):
    hz, nb = depts
    person_ric = make_ric("330106", date(1985, 6, 7), 31)
    firm = make_uscc("91", "330106", "55667788")
    recent = today() - timedelta(days=10)
    load(session, [penalty("杭州推送科技有限公司", firm, recent, "杭市监罚〔2026〕71号")], "admin_penalty")
    push.subscribe(session, hz, [firm], by="tester")
    session.commit()
    assert not msgs(session)  # subscribing does not replay the past
    load(session, [penalty("杭州推送科技有限公司", firm, recent, "杭市监罚〔2026〕72号")], "admin_penalty")
    added = msgs(session)
    assert [(m.event, m.department_code) for m in added] == [("record_added", hz.code)]
    rec = session.get(Record, added[0].ref_id)
    assert rec.decision_no == "杭市监罚〔2026〕72号"
    pl = added[0].payload
    assert (pl["category"], pl["polarity"], pl["status"], pl["status_name"]) == ("admin_penalty", "dishonest", "active", "有效")
    assert pl["decision_date"] == recent.isoformat() and pl["category_name"]
    # the same rows again: unchanged, nothing new; with a changed fact: a new version → record_status
    load(session, [penalty("杭州推送科技有限公司", firm, recent, "杭市监罚〔2026〕72号")], "admin_penalty")
    assert len(msgs(session)) == 1
    load(session, [penalty("杭州推送科技有限公司", firm, recent, "杭市监罚〔2026〕72号", 处罚内容="罚款人民币三万元")],
         "admin_penalty")
    changed = msgs(session)[-1]
    assert (changed.event, changed.ref_id, changed.payload["version"]) == ("record_status", rec.id, 2)
    assert changed.payload["previous_status"] == "active"

    # a debtor entry: the listing (lists hook) comes before the record (push's records hook)
    load(session, [penalty("某人", person_ric, recent, "杭市监罚〔2026〕73号", natural=True)], "admin_penalty")
    push.subscribe(session, nb, [person_ric], by="tester")
    session.commit()
    load(session, [debtor("某人", person_ric, recent, "(2026)浙01执71号")], "dishonest_judgment_debtor")
    got = [m.event for m in msgs(session, nb)]
    assert got == ["list_included", "record_added"]


def test_records_changed_elsewhere(session, depts):
    hz, _ = depts
    firm = body(session, "杭州修复有限公司")
    rec = record(session, firm, "admin_penalty", "general")
    push.subscribe(session, hz, [firm.code], by="tester")
    rec.status, rec.version = "repaired", 2
    session.flush()
    assert push.on_records_changed(session, [rec.id]) == 1
    assert push.on_records_changed(session, [rec.id]) == 0  # once per version
    m = msgs(session)[0]
    assert (m.event, m.payload["status_name"]) == ("record_status", "已修复")
    assert push.on_records_changed(session, []) == 0


def test_outbox_read_ack_and_isolation(session, depts):
    hz, nb = depts
    p, ric = person(session, "陈收件")
    push.subscribe(session, hz, [ric], by="tester")
    push.subscribe(session, nb, [ric], by="tester")
    include(session, ric, "杭信〔2026〕3号")
    mine, theirs = push.messages(session, hz), push.messages(session, nb)
    assert len(mine) == len(theirs) == 1 and mine[0].id != theirs[0].id
    assert push.messages(session, hz, after=mine[0].id) == []
    push.deliver(session, mine, checker_of(hz), channel="pull")
    assert mine[0].delivered_at is not None
    from xinyong.audit.models import AuditEntry

    logged = session.scalars(select(AuditEntry).where(AuditEntry.subject_id == p.id, AuditEntry.action == "read")).all()
    assert [e.entity for e in logged] == ["push_message"]
    assert push.ack(session, hz, [theirs[0].id]) == 0  # another department's message
    assert push.unacked_count(session, hz) == 1
    assert push.ack(session, hz, [mine[0].id, mine[0].id]) == 1
    assert push.ack(session, hz, [mine[0].id]) == 0
    assert push.unacked_count(session, hz) == 0 and push.unacked_count(session, nb) == 1
    shown = push.subjects_of(session, mine)[p.id]
    assert shown.name == "陈*件" and ric not in shown.code and shown.code == ric[:6] + "*" * 12


class _Hook(http.server.BaseHTTPRequestHandler):
    status = 200
    received: list = []

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((dict(self.headers), body))
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    _Hook.received = []
    _Hook.status = 200
    server = http.server.HTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, _Hook
    server.shutdown()
    server.server_close()


def test_webhook_delivery_signed_with_retries(session, depts, receiver):
    server, hook = receiver
    hz, nb = depts
    p, ric = person(session, "褚网钩")
    push.subscribe(session, hz, [ric], by="tester")
    push.subscribe(session, nb, [ric], by="tester")  # no endpoint: left for the pull API
    include(session, ric, "杭信〔2026〕4号")
    url = f"http://127.0.0.1:{server.server_port}/xinyong"
    ep, secret = push.set_endpoint(session, hz, url, by="tester")
    assert secret not in ep.secret_cipher and len(secret) >= 16
    session.commit()

    hook.status = 503  # the department's system is down: an attempt, an error, a back-off
    r = push.deliver_once(session)
    assert (r.posts, r.sent, r.failed) == (1, 0, 1)
    m = msgs(session, hz)[0]
    session.refresh(m)
    assert (m.attempts, m.delivered_at, m.last_error) == (1, None, "HTTP 503")
    first_wait = m.next_attempt_at - utcnow()
    assert timedelta(seconds=20) < first_wait <= timedelta(seconds=31)
    assert push.deliver_once(session).posts == 0  # not due yet

    hook.status = 200
    r = push.deliver_once(session, now=m.next_attempt_at + timedelta(seconds=1))
    assert (r.posts, r.sent) == (1, 1)
    headers, raw = hook.received[-1]
    assert push.verify_signature(secret, raw, headers["X-Xinyong-Signature"])
    assert not push.verify_signature("wrong-secret-0123456789", raw, headers["X-Xinyong-Signature"])
    sent = json.loads(raw)
    assert sent["department"] == hz.code and [x["id"] for x in sent["messages"]] == [m.id]
    assert sent["messages"][0]["subject"]["name"] == "褚*钩" and ric not in raw.decode()
    session.refresh(m)
    assert m.delivered_at is not None
    assert msgs(session, nb)[0].delivered_at is None  # no endpoint, not sent
    assert push.deliver_once(session).posts == 0


def test_webhook_gives_up_after_max_attempts(session, depts, monkeypatch):
    hz, _ = depts
    p, ric = person(session, "卫放弃")
    push.subscribe(session, hz, [ric], by="tester")
    include(session, ric, "杭信〔2026〕5号")
    push.set_endpoint(session, hz, "http://127.0.0.1:9/closed", by="tester", secret="s" * 20)
    session.commit()
    monkeypatch.setenv("XINYONG_PUSH_MAX_ATTEMPTS", "3")
    core_settings.reset_settings()

    def refused(*_a):
        raise ConnectionRefusedError("refused")

    try:
        later = utcnow()
        waits = []
        for _ in range(3):
            later += timedelta(days=2)
            push.deliver_once(session, post=refused, now=later)
            m = msgs(session, hz)[0]
            session.refresh(m)
            waits.append(m.next_attempt_at and (m.next_attempt_at - later).total_seconds())
        assert waits == [30, 60, None] and m.attempts == 3 and "refused" in m.last_error
        assert push.deliver_once(session, post=refused, now=later + timedelta(days=9)).posts == 0
        assert push.statistics(session).given_up == 1
    finally:
        monkeypatch.delenv("XINYONG_PUSH_MAX_ATTEMPTS")
        core_settings.reset_settings()


def test_endpoint_url_must_be_http(session, depts):
    with pytest.raises(InvalidInput):
        push.set_endpoint(session, depts[0], "file:///etc/passwd", by="tester")
    with pytest.raises(InvalidInput):
        push.set_endpoint(session, depts[0], "https://x.example/h", by="tester", secret="short")


def test_statistics(session, depts):
    hz, nb = depts
    subjects = [person(session, f"统计{i}")[1] for i in range(3)]
    push.subscribe(session, hz, subjects, by="tester")
    push.subscribe(session, nb, subjects[:1], by="tester")
    for i, code in enumerate(subjects):
        include(session, code, f"杭信〔2026〕1{i}号")
    rows = push.messages(session, hz)
    now = utcnow()
    for m, secs in zip(rows, (10, 30, None), strict=True):  # two acknowledged: after 10 s and 30 s
        m.delivered_at = now
        if secs is not None:
            m.created_at, m.acked_at = now - timedelta(seconds=secs), now
    session.flush()
    s = push.statistics(session)
    assert (s.total, s.delivered, s.acked, s.subscriptions) == (4, 3, 2, 4)
    assert s.median_ack_seconds == pytest.approx(20, abs=0.01)
    assert sum(sum(c.values()) for _, c in s.by_day) == 4
    assert all(set(c) == {"list_included"} for _, c in s.by_day)
    by = {r["code"]: r for r in s.by_department}
    assert by[hz.code]["total"] == 3 and by[hz.code]["acked"] == 2 and by[hz.code]["median_ack_seconds"] == pytest.approx(20, abs=0.01)
    assert by[nb.code]["median_ack_seconds"] is None
    scoped = push.statistics(session, region=NB)
    assert (scoped.total, scoped.subscriptions) == (1, 1)


def test_read_codes_from_text_and_files(tmp_path):
    assert push.read_codes("a1, b2；c3\n d4") == ["a1", "b2", "c3", "d4"]
    csv_bytes = "名称,统一社会信用代码或公民身份号码\n甲,X1\n乙,X2\n".encode()
    assert push.read_codes("", "codes.csv", csv_bytes) == ["X1", "X2"]
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["X3"])
    wb.active.append(["X4"])
    path = tmp_path / "c.xlsx"
    wb.save(path)
    assert push.read_codes("", "c.xlsx", path.read_bytes()) == ["X3", "X4"]
    with pytest.raises(InvalidInput):
        push.read_codes("", "c.pdf", b"%PDF")


def test_nothing_registered_nothing_marked(session):
    saved = list_hooks.registered()
    for h in saved:
        list_hooks.unregister(h)
    try:
        assert list_hooks.mark(session) is None
        list_hooks.run(session, None)
    finally:
        for h in saved:
            list_hooks.register(h)
    assert list_hooks.mark(session) == int(session.scalar(select(func.max(ListEntryEvent.id))) or 0)


def test_subject_lookup_is_by_identity_key(session, depts):
    """Identity numbers are keyed hashes at rest: subscribing finds the subject by its key."""
    p, ric = person(session, "沈密文")
    assert session.scalar(select(Subject.code).where(Subject.id == p.id)) == lookup_key(ric)
    r = push.subscribe(session, depts[0], [ric], by="tester")
    assert r.added == [(ric, p.id)]


def test_concurrent_transactions_tell_each_event_once(backend, engine, session, depts):
    """PostgreSQL, READ COMMITTED: a transaction whose mark predates another's committed listing
    sees that listing's event in its range too; the event still makes one message."""
    if backend != "postgresql":
        pytest.skip("concurrent writers: PostgreSQL")
    from xinyong.core.db import session_factory

    hz, _ = depts
    p, ric = person(session, "甲并发")
    q, q_ric = person(session, "乙并发")
    push.subscribe(session, hz, [ric, q_ric], by="tester")
    session.commit()
    a, b = session_factory(engine)(), session_factory(engine)()
    try:
        mark = list_hooks.mark(a)  # A's transaction has begun
        include(b, q_ric, "杭信〔2026〕61号")
        b.commit()  # B's listing, its event and its message are committed
        include(a, ric, "杭信〔2026〕62号")
        push.on_list_events(a, mark)  # A's range now holds B's event as well as its own
        a.commit()
    finally:
        a.close()
        b.close()
    got = sorted((m.subject_id, m.event) for m in msgs(session))
    assert got == sorted([(p.id, "list_included"), (q.id, "list_included")])


def test_a_pushed_listing_offers_only_the_measures_for_its_subjects_kind(session):
    """A measure applies to the subject kinds it names: an enterprise's listing never offers a
    measure that is not for enterprises, nor a person's one that is not for persons."""
    import json

    from xinyong.catalog import service as catalog_service

    _, policy = catalog_service.active_version(session)
    kinds_of = {m.code: set(m.subject_kinds) for m in policy.measures.measures}
    by_key = push.list_measures(policy)
    for key, measures in by_key.items():
        kind = key.split("|")[1]
        assert all(kind in kinds_of[m["code"]] for m in json.loads(measures)), key
    person_only = {c for c, k in kinds_of.items() if "enterprise" not in k}
    person_codes = {m["code"] for m in json.loads(by_key["blacklist|person"])}
    assert person_only & person_codes  # the person's listing offers them …
    assert not person_only & {m["code"] for m in json.loads(by_key["blacklist|enterprise"])}  # … not the enterprise's
    for key, measures in push.record_measures(policy).items():
        assert all(key.rsplit("|", 1)[1] in kinds_of[m["code"]] for m in json.loads(measures)), key
