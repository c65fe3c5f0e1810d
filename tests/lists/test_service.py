"""The lists against a database: rule-based listing is set-based and idempotent; a subject is
told first and may state its case; expiry, repair and revocation take an entry off at the next
refresh (and no check counts it even before); decisions carry their document numbers; the
history is kept; published lists are masked; grades load from a file."""

from __future__ import annotations

import csv
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from tests.lists.helpers import body, person, record
from xinyong.core.clock import frozen_today, today
from xinyong.core.errors import InvalidInput
from xinyong.lists import exports, rules
from xinyong.lists import service as lists
from xinyong.lists.models import ListEntry, ListEntryEvent
from xinyong.lists.service import ListingRefused


def entries(session, subject_id=None):
    q = select(ListEntry).order_by(ListEntry.id)
    if subject_id:
        q = q.where(ListEntry.subject_id == subject_id)
    return list(session.scalars(q))


def in_force_ids(session, on=None):
    return set(session.scalars(select(ListEntry.id).where(lists.in_force(on or today()))))


def test_court_listing_is_in_force_at_once_and_refresh_is_idempotent(session):
    debtor, _ = person(session, "李债务")
    r = record(session, debtor, "dishonest_judgment_debtor", "serious")
    first = lists.refresh(session)
    assert first.included == 1 and first.proposed == 0
    [e] = entries(session, debtor.id)
    assert (e.list_kind, e.basis, e.status, e.decision_no) == ("blacklist", "record", "active", r.decision_no)
    assert e.listed_until == r.display_until
    assert e.id in in_force_ids(session)
    again = lists.refresh(session)
    assert again.summary() == {"proposed": 0, "included": 0, "activated": 0, "removed": {}}
    assert len(entries(session, debtor.id)) == 1
    assert [ev.action for ev in lists.history(session, e.id)] == ["included"]


def test_rule_listing_is_proposed_then_takes_effect_after_notice(session):
    evader, _ = person(session, "赵逃税")
    record(session, evader, "tax_violation", "serious")
    lists.refresh(session)
    [e] = entries(session, evader.id)
    assert e.status == "proposed" and e.notified_on == today()
    assert e.effective_from == rules.notice_ends(today(), 5).due
    assert e.id not in in_force_ids(session)  # nobody is punished during the notice period
    with frozen_today(e.effective_from):
        assert lists.refresh(session).activated == 1
        session.refresh(e)
        assert e.status == "active"
        assert e.id in in_force_ids(session, e.effective_from)
    assert [ev.action for ev in lists.history(session, e.id)] == ["proposed", "activated"]


def test_a_statement_holds_the_listing_until_decided(session):
    evader, _ = person(session, "钱申辩")
    record(session, evader, "tax_violation", "serious")
    lists.refresh(session)
    [e] = entries(session, evader.id)
    lists.state_case(session, e.id, statement="已补缴税款及滞纳金", by="subject")
    with frozen_today(e.effective_from + timedelta(days=3)):
        assert lists.refresh(session).activated == 0  # waits for the decision
        lists.decide_statement(session, e.id, accepted=True, by="admin", note="已纠正")
        session.refresh(e)
        assert e.status == "withdrawn" and e.removal_reason == "statement_accepted"
        assert lists.refresh(session).activated == 0
    with pytest.raises(InvalidInput):
        lists.state_case(session, e.id, statement="again", by="subject")


def test_a_rejected_statement_lets_the_listing_take_effect(session):
    evader, _ = person(session, "孙申辩")
    record(session, evader, "tax_violation", "serious")
    lists.refresh(session)
    [e] = entries(session, evader.id)
    lists.state_case(session, e.id, statement="不服", by="subject")
    lists.decide_statement(session, e.id, accepted=False, by="admin")
    with frozen_today(e.effective_from):
        assert lists.refresh(session).activated == 1


@pytest.mark.parametrize(("status", "reason"), [("repaired", "repair"), ("revoked", "revoked")])
def test_repair_and_revocation_drop_the_listing(session, status, reason):
    debtor, _ = person(session, "周修复")
    r = record(session, debtor, "dishonest_judgment_debtor", "serious")
    lists.refresh(session)
    [e] = entries(session, debtor.id)
    r.status = status
    session.flush()
    assert e.id not in in_force_ids(session)  # checks stop counting it at once
    result = lists.refresh(session)
    assert result.removed == {reason: 1}
    session.refresh(e)
    assert (e.status, e.removal_reason, e.removed_on) == ("removed", reason, today())
    assert lists.refresh(session).removed == {}  # not listed again


def test_expiry_of_the_record_ends_the_listing(session):
    debtor, _ = person(session, "吴到期")
    r = record(session, debtor, "dishonest_judgment_debtor", "serious", days_shown=40)
    lists.refresh(session)
    [e] = entries(session, debtor.id)
    later = r.display_until + timedelta(days=1)
    assert e.id not in in_force_ids(session, later)
    with frozen_today(later):
        assert lists.refresh(session).removed == {"period_end": 1}
    assert session.scalar(select(func.count()).select_from(ListEntryEvent).where(ListEntryEvent.entry_id == e.id)) == 2


def test_a_decision_needs_notice_and_a_document_number(session):
    firm = body(session, "杭州劣质食品有限公司")
    decided = today()
    common = dict(code=firm.code, list_kind="blacklist", decided_by="杭州市市场监督管理局", decided_on=decided,
                  reason="生产不符合食品安全标准的食品", by="admin")
    with pytest.raises(ListingRefused, match="told before"):
        lists.include(session, decision_no="杭市监信〔2026〕1号", **common)
    with pytest.raises(ListingRefused, match="state its case"):
        lists.include(session, decision_no="杭市监信〔2026〕1号", notified_on=decided - timedelta(days=1), **common)
    with pytest.raises(Exception, match="document number"):
        lists.include(session, decision_no=" ", notified_on=decided - timedelta(days=30), **common)
    heard = lists.include(session, decision_no="杭市监信〔2026〕1号", notified_on=decided - timedelta(days=1),
                          statement="对事实无异议", months=36, **common)
    assert heard.status == "active" and heard.listed_until == date(decided.year + 3, decided.month, decided.day)
    waited = lists.include(session, decision_no="杭市监信〔2026〕2号", notified_on=decided - timedelta(days=30), **common)
    assert {heard.id, waited.id} <= in_force_ids(session)
    assert [ev.action for ev in lists.history(session, heard.id)] == ["notified", "statement", "included"]
    # the red list rewards: no notice needed
    red = lists.include(session, code=firm.code, list_kind="redlist", decision_no="杭信用〔2026〕9号",
                        decided_by="杭州市信用办", decided_on=decided, reason="诚信示范企业", by="admin")
    assert red.status == "active"
    # removal by decision and on repair, with the history kept
    lists.remove(session, heard.id, reason="repair", by="admin", decision_no="杭市监修〔2026〕3号")
    lists.remove(session, waited.id, reason="decision", by="admin", decision_no="杭市监信〔2026〕4号")
    assert not {heard.id, waited.id} & in_force_ids(session)
    assert lists.history(session, heard.id)[-1].decision_no == "杭市监修〔2026〕3号"
    assert len(lists.entries_of(session, firm.id)) == 3


def test_published_lists_are_masked_and_export(session, policy, tmp_path):
    debtor, ric = person(session, "郑公示")
    record(session, debtor, "dishonest_judgment_debtor", "serious")
    firm = body(session, "宁波失信贸易有限公司", region="330203")
    record(session, firm, "dishonest_judgment_debtor", "serious")
    lists.refresh(session)
    rows, total = lists.published(session, list_kind="blacklist", kinds=exports.public_kinds(policy))
    assert total == 2
    rows, total = lists.published(session, region="330200")
    assert total == 1 and rows[0].subject.id == firm.id
    path = tmp_path / "bl.xlsx"
    assert exports.write_xlsx(session, policy, path) == 2
    text = "\n".join(str(c) for row in load_workbook(path).active.iter_rows(values_only=True) for c in row)
    assert "郑*示" in text and "郑公示" not in text
    assert ric not in text and ric[:6] + "*" * 12 in text
    assert firm.code in text and "宁波失信贸易有限公司" in text


def test_grades_load_from_a_file(session, tmp_path):
    firm = body(session, "杭州优秀科技有限公司")
    p, ric = person(session, "王优秀")
    path = tmp_path / "grades.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["统一社会信用代码或公民身份号码", "评价等级", "评价日期", "评价分数"])
        w.writerow([firm.code, "良好", "2025-06-30", "780"])
        w.writerow([firm.code, "优秀", "2026-06-30", "920"])
        w.writerow([ric, "较差", "2026-06-30", ""])
        w.writerow(["91330106MA00000000", "优秀", "2026-06-30", ""])
    out = lists.load_grades(session, path, by="test")
    assert (out.rows, out.loaded, out.unknown) == (4, 3, 1)
    assert lists.grade_of(session, [firm.id, p.id]) == {firm.id: "优秀", p.id: "较差"}


def test_import_hook_lists_in_the_batch_transaction(session):
    from tests.records.factories import debtor, load
    from xinyong.core.codes import make_ric

    ric = make_ric("330108", date(1985, 7, 7), 77)
    load(session, [debtor("冯导入", ric, today() - timedelta(days=3), "(2026)浙01执99号")], "dishonest_judgment_debtor")
    [e] = [x for x in entries(session) if x.decision_no == "(2026)浙01执99号"]
    assert e.status == "active" and e.basis == "record"


def test_import_hook_reads_the_records_its_batch_added_or_changed(session, monkeypatch):
    """The hook finds the batch's records through records.batch_id (the batch of their current
    version), so its work follows the batch. A record the batch only re-sent unchanged is left to
    the daily refresh, as is a record stored while the rule did not apply."""
    from tests.records.factories import debtor, load
    from xinyong.core.codes import make_ric
    from xinyong.records import hooks as record_hooks

    first = debtor("卫先存", make_ric("330108", date(1984, 2, 2), 81), today() - timedelta(days=3), "(2026)浙01执81号")
    monkeypatch.setattr(record_hooks, "registered", lambda: [])  # stored with no hook, as before a rule existed
    load(session, [first], "dishonest_judgment_debtor")
    monkeypatch.undo()
    second = debtor("卫后到", make_ric("330108", date(1984, 3, 3), 82), today() - timedelta(days=2), "(2026)浙01执82号")
    load(session, [first, second], "dishonest_judgment_debtor")  # the first again, unchanged
    listed = {x.decision_no for x in entries(session)}
    assert "(2026)浙01执82号" in listed and "(2026)浙01执81号" not in listed
    lists.refresh(session)  # the daily refresh reaches it
    assert "(2026)浙01执81号" in {x.decision_no for x in entries(session)}
