"""The demo's four stories (docs/demo.md) check as the law says, in a small province: the court
clerk is not reached by her court's 失信被执行人 measure; 平湖市财政局, listed on ground (一) on
2024-04-10 and never removed, does not check as 通过; the servant whose 警告 ended is not barred
from promotion after its six months but is within them; the 寻衅滋事罪 convict is not barred by
公司法第一百七十八条 (not an economic crime) but is by the measure covering intentional crimes."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from xinyong.catalog import service as catalog_service
from xinyong.checks import rules
from xinyong.checks import service as checks
from xinyong.core.clock import frozen_today
from xinyong.demo import stories
from xinyong.demo.generator import build_demo
from xinyong.records.models import Record
from xinyong.records.periods import OPEN_END, add_months
from xinyong.records.service import displayed
from xinyong.subjects.identity import lookup_key
from xinyong.subjects.models import Post, Subject

DAY = date(2026, 12, 2)


def applied(session, policy, scenario: str, subject: Subject, on: date) -> tuple[set[str], str]:
    """The measures of ``scenario`` that apply to ``subject`` on ``on`` and the outcome's words."""
    sc = checks.scenario_of(policy, scenario)
    measures = rules.scenario_measures(policy, sc)
    got = checks.gather_facts(session, policy, [subject], measures, on)
    hits = checks.evaluate(policy, sc, subject, [], got.facts, on)
    flags = rules.Flags(mandatory=any(m.type == "punish" and m.mandatory for m, *_ in hits),
                        punish=any(m.type == "punish" for m, *_ in hits),
                        reward=any(m.type == "reward" for m, *_ in hits))
    return {m.code for m, *_ in hits}, rules.choose_outcome(sc.outcomes, flags)[1]


def _subject(session, code: str) -> Subject:
    return session.scalars(select(Subject).where(Subject.code == lookup_key(code))).one()


def test_the_demo_stories_check_as_the_law_says(session):
    with frozen_today(DAY):
        built = build_demo(session, scale=0.005, seed=2016, today=DAY)
        session.flush()
        assert built.rejected == 0
        policy = catalog_service.active_version(session)[1]
        check_the_court_clerk(session, policy)
        check_the_finance_bureau(session, policy)
        check_the_warning(session, policy)
        check_the_conviction(session, policy)


def check_the_court_clerk(session, policy):
    clerk = _subject(session, stories.CLERK_RIC)
    court = session.scalars(select(Subject).where(Subject.name == stories.COURT)).one()
    post = session.scalars(select(Post).where(Post.person_id == clerk.id)).one()
    assert (post.body_id, post.title, post.end_date) == (court.id, "书记员", None)
    listed = session.scalars(select(Record).where(Record.subject_id == court.id, displayed(DAY),
                                                  Record.category_code == "dishonest_judgment_debtor")).all()
    assert [r.decision_date for r in listed] == [stories.COURT_LISTED]
    assert "gov_debtor_officials_consumption" in applied(session, policy, "consumption_restriction", court, DAY)[0]
    # the court's listing reaches its registered principal, not the clerk
    measures, outcome = applied(session, policy, "consumption_restriction", clerk, DAY)
    assert measures == set() and outcome == "通过"


def check_the_finance_bureau(session, policy):
    bureau = session.scalars(select(Subject).where(Subject.name == stories.BUREAU)).one()
    rec = session.scalars(select(Record).where(Record.subject_id == bureau.id,
                                               Record.category_code == "dishonest_judgment_debtor",
                                               Record.decision_date == stories.LISTED)).one()
    assert rec.facts["listing_ground"] == "有履行能力而拒不履行生效法律文书确定义务"
    assert "removal_date" not in rec.facts and "listing_end" not in rec.facts
    assert rec.display_until == OPEN_END  # no fixed term: until the court removes it
    measures, outcome = applied(session, policy, "consumption_restriction", bureau, DAY)
    assert outcome != "通过" and "gov_debtor_officials_consumption" in measures


def check_the_warning(session, policy):
    servant = _subject(session, stories.SERVANT_RIC)
    assert servant.name == stories.names()[0]
    rec = session.scalars(select(Record).where(Record.subject_id == servant.id)).one()
    assert (rec.facts["sanction_type"], rec.decision_date) == ("警告", stories.WARNED)
    assert rec.display_until > DAY  # still shown …
    within = add_months(stories.WARNED, 6) - date.resolution  # … but the sanction's period is six months
    assert "ps_promotion_bar" in applied(session, policy, "cadre_selection", servant, within)[0]
    after = add_months(stories.WARNED, 6) + date.resolution
    for day in (after, DAY):
        measures, outcome = applied(session, policy, "cadre_selection", servant, day)
        assert "ps_promotion_bar" not in measures, day
        assert "ps_appointment_limit" in measures and outcome == "审慎审查"


def check_the_conviction(session, policy):
    convict = _subject(session, stories.CONVICT_RIC)
    rec = session.scalars(select(Record).where(Record.subject_id == convict.id)).one()
    assert rec.facts["crime"] == "寻衅滋事罪" and rec.facts["sentence_end"] == stories.SENTENCE[1].isoformat()
    assert rec.display_until == add_months(stories.SENTENCE[1], 60)  # 条例第十六条
    assert "post_limit_company" not in applied(session, policy, "legal_rep_appointment", convict, DAY)[0]
    assert "security_guard_bar" in applied(session, policy, "special_industry_entry", convict, DAY)[0]
