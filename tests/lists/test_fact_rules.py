"""The behaviour list's rules reach their records through the records' facts (issue: measures
within the law, point 8). 非法集资, 电信诈骗 and 恶意逃废债务 share their category and severity
with behaviours that list nobody (other custodial convictions, other grounds of a 失信被执行人
listing), so a record's category and severity cannot say which it is and those three watch-list
rules never took effect: only 逃税骗税 did. The 罪名, the 诈骗方式 and the listing ground say it."""

from __future__ import annotations

from tests.lists.helpers import person, record
from xinyong.lists import rules
from xinyong.lists import service as lists
from xinyong.lists.models import ListEntry


def watch(session, subject) -> list[ListEntry]:
    return list(session.query(ListEntry).filter_by(subject_id=subject.id, list_kind="watchlist"))


def test_every_watchlist_rule_of_the_behaviour_list_takes_effect(policy):
    made = {code for r in rules.list_rules(policy) if r.list_kind == "watchlist" for code in r.behaviours}
    wanted = {b.code for b in policy.behaviours.behaviours
              for e in b.lists if e.list == "watchlist" and e.by in ("rule", "record")}
    assert wanted == {"tax_evasion", "illegal_fundraising", "telecom_fraud", "debtor_evades"}
    assert made == wanted


def test_the_records_facts_decide_the_watch_list(session):
    fundraiser, _ = person(session, "甲集资")
    record(session, fundraiser, "judicial_judgment", "serious", facts={"crime": "非法吸收公众存款罪"})
    scammer, _ = person(session, "乙电诈")
    record(session, scammer, "judicial_judgment", "serious", facts={"crime": "诈骗罪", "fraud_means": "电信网络诈骗"})
    swindler, _ = person(session, "丙诈骗")
    record(session, swindler, "judicial_judgment", "serious", facts={"crime": "诈骗罪", "fraud_means": "其他"})
    thief, _ = person(session, "丁盗窃")
    record(session, thief, "judicial_judgment", "serious", facts={"crime": "盗窃罪"})
    evader, _ = person(session, "戊逃废")
    record(session, evader, "dishonest_judgment_debtor", "serious",
           facts={"listing_ground": "以虚假诉讼、虚假仲裁或者以隐匿、转移财产等方法规避执行"})
    reporter, _ = person(session, "己报告")
    record(session, reporter, "dishonest_judgment_debtor", "serious", facts={"listing_ground": "违反财产报告制度"})

    lists.refresh(session)
    listed = {s.name: [(e.behaviour_code, e.status) for e in watch(session, s)]
              for s in (fundraiser, scammer, swindler, thief, evader, reporter)}
    assert listed == {
        "甲集资": [("illegal_fundraising", "proposed")],  # told first, may state its case (条例第二十八条)
        "乙电诈": [("telecom_fraud", "proposed")],
        "丙诈骗": [],
        "丁盗窃": [],
        "戊逃废": [("debtor_evades", "proposed")],
        "己报告": [],
    }
    # both debtors are on the blacklist by the court's listing itself, under their ground's behaviour
    black = {e.behaviour_code for e in session.query(ListEntry).filter_by(list_kind="blacklist")}
    assert black == {"debtor_evades", "debtor_property_report"}
