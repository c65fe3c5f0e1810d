"""The real-time push over HTTP and the command line: a department's system pulls its messages,
acknowledges them, listens to the event stream and manages its subscriptions; an official uses
the inbox page (acknowledge with htmx, subscribe by textarea or file, remove); the credit office
sets a webhook, reads the monitor page and the statistics; ``xinyong push …``."""

from __future__ import annotations

import io
import json

from openpyxl import load_workbook
from sqlalchemy import select
from typer.testing import CliRunner

from tests.accounts.helpers import (
    PASSWORD,
    department_code,
    ensure_department,
    login_as,
    logout,
    token_for,
)
from tests.lists.helpers import body, person
from xinyong.accounts import service as accounts
from xinyong.accounts.models import User
from xinyong.audit.models import AuditEntry
from xinyong.cli import app as cli_app
from xinyong.core.clock import today
from xinyong.core.db import session_scope
from xinyong.lists import service as lists
from xinyong.push import service as push
from xinyong.push.models import PushEndpoint, PushMessage, PushSubscription

HZ, NB = "330100", "330200"


def _dept_checker(region: str = HZ, username: str = "dept_checker_hz") -> None:
    """A checker who belongs to the region's test department (make_user gives checkers none)."""
    with session_scope() as db:
        dept = ensure_department(db, region)
        if db.scalar(select(User).where(User.username == username)) is None:
            accounts.create_user(db, username=username, role="checker", region_code=region,
                                 department_code=dept.code, password=PASSWORD, display_name="部门核查人员")


def _listed(name: str, *, subscribe: tuple[str, ...] = (HZ,)) -> tuple[int, str]:
    """A person subscribed by the given regions' departments, then put on the watchlist."""
    with session_scope() as s:
        p, ric = person(s, name)
        for region in subscribe:
            push.subscribe(s, ensure_department(s, region), [ric], by="test")
        lists.include(s, code=ric, list_kind="watchlist", decision_no=f"杭信〔2026〕{p.id}号", decided_by="杭州市信用办",
                      decided_on=today(), notified_on=today(), statement="已陈述申辩", reason="重点关注", by="test")
        return p.id, ric


def _bearer(role: str, region: str = HZ, **kw) -> dict:
    return {"Authorization": f"Bearer {token_for(role, region, **kw)}"}


def test_pull_ack_and_isolation(client):
    sid, ric = _listed("韩拉取", subscribe=(HZ, NB))
    hz, nb = _bearer("reporter"), _bearer("reporter", NB)
    page = client.get("/api/v1/push/messages", headers=hz)
    assert page.status_code == 200, page.text
    out = page.json()
    assert out["department"] == department_code(HZ) and out["unacked"] == 1 and len(out["messages"]) == 1
    m = out["messages"][0]
    assert (m["event"], m["event_name"], m["subject"]["id"]) == ("list_included", "列入名单", sid)
    assert m["subject"]["name"] == "韩*取" and ric not in page.text and m["delivered_at"]
    assert m["payload"]["list_kind"] == "watchlist" and m["payload"]["decision_no"].startswith("杭信")
    assert client.get("/api/v1/push/messages", headers=hz, params={"after": out["next_after"]}).json()["messages"] == []
    theirs = client.get("/api/v1/push/messages", headers=nb).json()["messages"]
    assert len(theirs) == 1 and theirs[0]["id"] != m["id"]
    # another department's inbox is refused; a department's own is the default
    assert client.get("/api/v1/push/messages", headers=hz, params={"department": department_code(NB)}).status_code == 403
    # acknowledge: only one's own
    r = client.post("/api/v1/push/ack", headers=hz, json={"ids": [m["id"], theirs[0]["id"]]})
    assert r.status_code == 200 and r.json() == {"acked": 1, "unacked": 0}
    assert client.get("/api/v1/push/messages", headers=nb).json()["unacked"] == 1
    # the read of a natural person's data is logged
    with session_scope() as s:
        reads = s.scalars(select(AuditEntry).where(AuditEntry.subject_id == sid, AuditEntry.entity == "push_message")).all()
        assert reads and all(e.action == "read" and "实时推送" in (e.purpose or "") for e in reads)


def test_who_may_pull(client):
    _listed("杨权限")
    admin = _bearer("admin")
    assert client.get("/api/v1/push/messages", headers=admin).status_code == 422  # which department?
    got = client.get("/api/v1/push/messages", headers=admin, params={"department": department_code(HZ)})
    assert got.status_code == 200 and len(got.json()["messages"]) == 1
    assert client.get("/api/v1/push/messages", headers=_bearer("checker")).status_code == 403  # no department
    _dept_checker()
    login_as(client, "checker", username="dept_checker_hz")
    assert len(client.get("/api/v1/push/messages").json()["messages"]) == 1
    logout(client)
    assert client.get("/api/v1/push/messages", headers=_bearer("supervisor")).status_code == 403
    assert client.get("/api/v1/push/messages").status_code == 401


def test_event_stream(client):
    sid, _ = _listed("朱消息")
    _listed("秦续传")
    hz = _bearer("reporter")
    with client.stream("GET", "/api/v1/push/stream", headers=hz, params={"wait": 0}) as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        text = "".join(r.iter_text())
    events = [e for e in text.split("\n\n") if e.startswith("id:")]
    assert len(events) == 2 and text.startswith("retry: 3000")
    first = dict(line.split(": ", 1) for line in events[0].splitlines())
    data = json.loads(first["data"])
    assert first["event"] == "list_included" and int(first["id"]) == data["id"] and data["subject"]["id"] == sid
    # resume after the first one, as a reconnecting EventSource does
    with client.stream("GET", "/api/v1/push/stream", headers={**hz, "Last-Event-ID": first["id"]},
                       params={"wait": 0}) as r:
        again = [e for e in "".join(r.iter_text()).split("\n\n") if e.startswith("id:")]
    assert len(again) == 1 and again[0] == events[1]
    # a short wait: the stream stays open, sends a new message as it comes, then ends by itself
    with client.stream("GET", "/api/v1/push/stream", headers=hz, params={"wait": 1, "after": 10**6}) as r:
        assert [e for e in "".join(r.iter_text()).split("\n\n") if e.startswith("id:")] == []
    assert client.get("/api/v1/push/stream", headers=_bearer("reporter", NB),
                      params={"department": department_code(HZ), "wait": 0}).status_code == 403


def test_subscriptions_api(client):
    with session_scope() as s:
        p, ric = person(s, "尤订阅")
        firm = body(s, "杭州接口有限公司")
        firm_code, pid = firm.code, p.id
    hz = _bearer("reporter")
    r = client.post("/api/v1/push/subscriptions", headers=hz, json={"codes": [ric, firm_code, "330106199001011230"]})
    assert r.status_code == 201, r.text
    out = r.json()
    assert {x["code"]: x["subject_id"] for x in out["added"]}[ric] == pid and out["invalid"] == ["330106199001011230"]
    listed = client.get("/api/v1/push/subscriptions", headers=hz).json()
    assert listed["total"] == 2 and ric not in json.dumps(listed, ensure_ascii=False)
    names = {x["subject"]["name"] for x in listed["subscriptions"]}
    assert names == {"尤*阅", "杭州接口有限公司"}
    gone = client.request("DELETE", "/api/v1/push/subscriptions", headers=hz, json={"codes": [firm_code]})
    assert gone.status_code == 200 and gone.json()["removed"] == 1
    gone = client.request("DELETE", "/api/v1/push/subscriptions", headers=hz, json={"subject_ids": [pid]})
    assert gone.json()["removed"] == 1
    assert client.get("/api/v1/push/subscriptions", headers=hz).json()["total"] == 0


def test_endpoint_and_stats_api(client):
    _listed("许统计")
    admin = _bearer("admin")
    r = client.put("/api/v1/push/endpoint", headers=admin,
                   json={"department": department_code(HZ), "url": "https://hz.example.gov.cn/push"})
    assert r.status_code == 200 and len(r.json()["secret"]) >= 16
    with session_scope() as s:
        ep = s.scalar(select(PushEndpoint))
        assert r.json()["secret"] not in ep.secret_cipher
    assert client.put("/api/v1/push/endpoint", headers=_bearer("reporter"),
                      json={"department": department_code(HZ), "url": "https://x.example/p"}).status_code == 403
    st = client.get("/api/v1/push/stats", headers=_bearer("supervisor")).json()
    assert st["total"] == 1 and st["by_department"][0]["code"] == department_code(HZ)
    assert st["by_day"][0]["list_included"] == 1
    x = client.get("/api/v1/push/stats.xlsx", headers=_bearer("supervisor"))
    assert x.status_code == 200 and load_workbook(io.BytesIO(x.content)).sheetnames == ["总体", "按日", "按部门"]


def test_inbox_page_ack_with_htmx_and_subscriptions(client):
    sid, ric = _listed("吕页面")
    login_as(client, "reporter")
    page = client.get("/checks/push")
    assert page.status_code == 200 and "吕*面" in page.text and "吕页面" not in page.text and ric not in page.text
    assert "未确认 <strong id=\"unacked\">1</strong>" in page.text
    with session_scope() as s:
        mid = s.scalar(select(PushMessage.id))
        assert s.scalars(select(AuditEntry).where(AuditEntry.subject_id == sid, AuditEntry.entity == "push_inbox")).all()
    frag = client.post("/checks/push/ack", data={"ids": str(mid)}, headers={"HX-Request": "true"})
    assert frag.status_code == 200 and frag.text.lstrip().startswith("<section") and "已确认" in frag.text
    assert "<html" not in frag.text
    # subscribe by textarea and by CSV upload; remove
    with session_scope() as s:
        a, a_ric = person(s, "施甲")
        b, b_ric = person(s, "张乙")
        a_id, b_id = a.id, b.id
    added = client.post("/checks/push/subscriptions", data={"codes": f"{a_ric}\n330106199001011230"})
    assert added.status_code == 200 and "新订阅 1 个主体" in added.text and "代码校验不通过 1 个" in added.text
    csv_file = f"姓名,统一社会信用代码或公民身份号码\n张乙,{b_ric}\n".encode()
    added = client.post("/checks/push/subscriptions", files={"file": ("codes.csv", csv_file, "text/csv")})
    assert added.status_code == 200 and "新订阅 1 个主体" in added.text and "张*" in added.text and "张乙" not in added.text
    bad = client.post("/checks/push/subscriptions", data={"codes": ""})
    assert bad.status_code == 422 and "请填写或上传" in bad.text
    r = client.post("/checks/push/subscriptions/remove", data={"subject_id": str(a_id)}, follow_redirects=False)
    assert r.status_code == 303
    with session_scope() as s:
        assert set(s.scalars(select(PushSubscription.subject_id))) == {sid, b_id}


def test_pages_for_admin_and_a_checker_without_department(client):
    _listed("孔管理")
    login_as(client, "admin")
    choose = client.get("/checks/push")
    assert choose.status_code == 200 and "选择部门" in choose.text and department_code(HZ) in choose.text
    inbox = client.get("/checks/push", params={"department": department_code(HZ)})
    assert inbox.status_code == 200 and "孔*理" in inbox.text
    monitor = client.get("/checks/push/monitor")
    assert monitor.status_code == 200 and "实时推送监控" in monitor.text and "测试部门330100" in monitor.text
    login_as(client, "checker")
    page = client.get("/checks/push")
    assert page.status_code == 200 and "未归属部门" in page.text
    assert client.get("/checks/push/monitor").status_code == 403


def test_cli(app_env):
    runner = CliRunner()
    with session_scope() as s:
        firm = body(s, "杭州命令行有限公司")
        ensure_department(s, HZ)
        code = firm.code
    r = runner.invoke(cli_app, ["push", "subscribe", department_code(HZ), code, "330106199001011230"])
    assert r.exit_code == 0, r.output
    assert "新订阅 1" in r.output and "校验不通过 1" in r.output
    r = runner.invoke(cli_app, ["push", "endpoint", department_code(HZ), "http://127.0.0.1:9/closed", "--secret", "x" * 20])
    assert r.exit_code == 0 and "签名密钥" in r.output
    with session_scope() as s:
        lists.include(s, code=code, list_kind="watchlist", decision_no="杭信〔2026〕88号", decided_by="杭州市信用办",
                      decided_on=today(), notified_on=today(), statement="已陈述申辩", reason="重点关注", by="test")
    r = runner.invoke(cli_app, ["push", "deliver", "--once"])
    assert r.exit_code == 0 and "失败 1 条" in r.output, r.output
    r = runner.invoke(cli_app, ["push", "stats"])
    assert r.exit_code == 0 and "推送消息 1 条" in r.output
    r = runner.invoke(cli_app, ["push", "unsubscribe", department_code(HZ), code])
    assert r.exit_code == 0 and "取消订阅 1 个" in r.output


def test_duration_words():
    from xinyong.push.pages import duration

    assert [duration(x) for x in (None, 45, 720, 3 * 3600 + 300, 2 * 86_400 + 4 * 3600)] == [
        "—", "45 秒", "12 分钟", "3 小时 5 分", "2 天 4 小时"]


def _new_entries(since: int) -> list[AuditEntry]:
    with session_scope() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.seq > since).order_by(AuditEntry.seq)))


def _head() -> int:
    from sqlalchemy import func

    with session_scope() as s:
        return s.scalar(select(func.coalesce(func.max(AuditEntry.seq), 0)))


def test_reading_the_inbox_is_one_audit_entry_per_view(client, count_queries):
    """A department that opens its inbox has read once, however many messages and persons it
    shows: one entry, naming the persons in its details — and the page costs the same number of
    statements with three messages as with five."""
    from xinyong.core.db import get_engine

    ids = sorted(_listed(name)[0] for name in ("甲一读", "乙二读", "丙三读"))
    login_as(client, "reporter")
    client.get("/checks/push")  # warm up: the first connection, the policy cache, the login's token
    since = _head()
    with count_queries(get_engine()) as counter:
        page = client.get("/checks/push")
    assert page.status_code == 200 and all(n in page.text for n in ("甲*读", "乙*读", "丙*读"))
    entries = _new_entries(since)
    assert len(entries) == 1, [(e.entity, e.subject_id) for e in entries]
    e = entries[0]
    assert (e.action, e.entity, e.entity_id, e.subject_id) == ("read", "push_inbox", department_code(HZ), ids[0])
    assert _linked(e) == ids  # each person finds the view in 谁查询了我
    assert e.after["subject_ids"] == ids and e.after["count"] == 3 and len(e.after["message_ids"]) == 3
    assert sorted(e.after["subscription_ids"]) and "网页" in e.purpose
    # the inbox page's statements, pinned: the web session, the department (twice: the reader's
    # and the inbox's), the latest messages, their subjects, the unacknowledged count, the
    # subscriptions (count, page, their subjects), the one audit entry (the chain head taken, then
    # on PostgreSQL the entry and the head's move in one statement, on SQLite two; its links to
    # the persons in one more), the endpoint
    expected = PAGE_STATEMENTS[get_engine().dialect.name]
    assert counter.count == expected, (get_engine().dialect.name, counter.count)
    more = sorted(_listed(name)[0] for name in ("丁四读", "戊五读"))
    since = _head()
    with count_queries(get_engine()) as counter:
        assert client.get("/checks/push").status_code == 200
    assert counter.count == expected  # does not grow with the messages shown
    [e] = _new_entries(since)
    assert e.after["subject_ids"] == sorted(ids + more) and e.after["count"] == 5
    # an API list call is one view too: one entry for the pull, one for the subscriptions
    since = _head()
    pulled = client.get("/api/v1/push/messages", headers=_bearer("reporter"))
    assert pulled.status_code == 200 and len(pulled.json()["messages"]) == 5
    [e] = _new_entries(since)
    assert (e.entity, e.subject_id, e.after["count"]) == ("push_message", min(ids + more), 5) and "接口拉取" in e.purpose
    assert _linked(e) == sorted(ids + more)
    since = _head()
    assert client.get("/api/v1/push/subscriptions", headers=_bearer("reporter")).status_code == 200
    [e] = _new_entries(since)
    assert (e.entity, e.after["count"]) == ("push_subscription", 5)


def _linked(entry) -> list[int]:
    """The subjects an entry concerns: its own and those linked in audit_entry_subjects."""
    from xinyong.audit.models import AuditEntrySubject
    from xinyong.core.db import session_scope

    with session_scope() as s:
        linked = set(s.scalars(select(AuditEntrySubject.subject_id).where(AuditEntrySubject.seq == entry.seq)))
    return sorted(linked | {entry.subject_id})


PAGE_STATEMENTS = {"sqlite": 14, "postgresql": 13}
