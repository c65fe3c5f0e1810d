"""The demo province checks as the law says (issue: measures within the law): a conviction for
寻衅滋事罪 still serving its sentence, a 警告 whose six months are over but whose record is still
shown, and 平湖市财政局 listed as a 失信被执行人 on ground (一) in 2024 and never removed.

The province is built as ``xinyong demo --scale 0.01`` builds it (seed 2016) on 2026-12-02. The
court's 2024 listing of the 平湖市财政局 is one of the demo's fixed stories (xinyong.demo.stories)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from xinyong.catalog import service as catalog_service
from xinyong.checks import rules
from xinyong.checks import service as checks
from xinyong.core.clock import frozen_today
from xinyong.demo.generator import build_demo
from xinyong.records.models import Record
from xinyong.records.periods import OPEN_END, add_months
from xinyong.subjects.models import Subject

DAY = date(2026, 12, 2)


def applied(session, policy, scenario: str, subject: Subject) -> tuple[set[str], str]:
    """The measures of ``scenario`` that apply to ``subject`` on DAY and the outcome's words."""
    sc = checks.scenario_of(policy, scenario)
    measures = rules.scenario_measures(policy, sc)
    got = checks.gather_facts(session, policy, [subject], measures, DAY)
    hits = checks.evaluate(policy, sc, subject, [], got.facts, DAY)
    flags = rules.Flags(mandatory=any(m.type == "punish" and m.mandatory for m, *_ in hits),
                        punish=any(m.type == "punish" for m, *_ in hits),
                        reward=any(m.type == "reward" for m, *_ in hits))
    return {m.code for m, *_ in hits}, rules.choose_outcome(sc.outcomes, flags)[1]


def test_the_demo_checks_as_the_law_says(session):
    with frozen_today(DAY):
        build_demo(session, scale=0.01, seed=2016)
        session.flush()
        policy = catalog_service.active_version(session)[1]
        check_the_conviction_for_picking_quarrels(session, policy)
        check_the_warning_whose_period_is_over(session, policy)
        check_the_finance_bureau_listed_until_removed(session, policy)


def _records(session, category: str):
    return session.execute(select(Record, Subject).join(Subject, Subject.id == Record.subject_id)
                           .where(Record.category_code == category).order_by(Record.id)).all()


def check_the_conviction_for_picking_quarrels(session, policy):
    serving = [(r, s) for r, s in _records(session, "judicial_judgment")
               if r.facts.get("crime") == "寻衅滋事罪" and (r.facts.get("sentence_end") or "") > DAY.isoformat()]
    assert serving, "the demo holds a 寻衅滋事罪 conviction whose sentence is still running"
    for rec, subject in serving:
        end = date.fromisoformat(rec.facts["sentence_end"])
        assert rec.display_until == add_months(end, 60)  # 条例第十六条: five years from the sentence's end
        measures, outcome = applied(session, policy, "civil_servant_recruitment", subject)
        assert "rec_criminal_record" in measures and outcome == "取消报考资格/不予录用"
        assert "security_guard_bar" in applied(session, policy, "special_industry_entry", subject)[0]  # intentional
        # 寻衅滋事罪 is neither 贪污、贿赂、侵占、挪用 nor an offence against the market economy
        assert "post_limit_company" not in applied(session, policy, "legal_rep_appointment", subject)[0]


def check_the_warning_whose_period_is_over(session, policy):
    over = [(r, s) for r, s in _records(session, "disciplinary_sanction")
            if r.facts.get("sanction_type") == "警告" and r.facts.get("sanction_kind") == "政务处分"
            and add_months(r.decision_date, 6) < DAY <= r.display_until]
    assert over, "the demo holds a 警告 past its six months and still shown"
    for _rec, subject in over:
        measures, outcome = applied(session, policy, "cadre_selection", subject)
        assert "ps_promotion_bar" not in measures  # 政务处分法第八条: 警告 lasts six months
        assert "ps_appointment_limit" in measures and outcome == "审慎审查"


def check_the_finance_bureau_listed_until_removed(session, policy):
    bureau = session.scalars(select(Subject).where(Subject.name == "平湖市财政局")).one()
    rec = session.scalars(select(Record).where(Record.subject_id == bureau.id,
                                               Record.category_code == "dishonest_judgment_debtor")).one()
    assert rec.decision_date == date(2024, 4, 10) and "removal_date" not in rec.facts
    assert rec.display_until == OPEN_END  # no fixed term: until the court removes it
    measures, outcome = applied(session, policy, "consumption_restriction", bureau)
    assert outcome != "通过" and outcome == "限制消费，不予办理"
    assert "gov_debtor_officials_consumption" in measures
