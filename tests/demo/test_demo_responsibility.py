"""The demo's court clerk: a 书记员 of a court that is a dishonest judgment debtor answers for
nothing the court did — the consumption limits (限制消费) reach the court's registered principal,
never a person whose title happens to contain 书记 (issue: 书记员 matched the principal's words)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, select

from xinyong.accounts.principal import cli_principal
from xinyong.checks import service as checks
from xinyong.core.clock import frozen_today
from xinyong.demo.generator import build_demo
from xinyong.records.models import Record, RecordPerson
from xinyong.records.service import displayed
from xinyong.subjects import identity
from xinyong.subjects.models import Designation, Post, Subject

DAY = date(2026, 12, 2)
WHO = cli_principal("tester")


def test_the_demo_court_clerk_is_not_punished_for_her_court(session):
    with frozen_today(DAY):
        build_demo(session, scale=0.01, seed=2016, today=DAY)
        session.flush()
        # clerks in post today at a court with a shown 失信被执行人 record
        clerks = session.execute(
            select(Subject, Post.body_id)
            .join(Post, Post.person_id == Subject.id)
            .join(Record, and_(Record.subject_id == Post.body_id, Record.category_code == "dishonest_judgment_debtor"))
            .where(Post.title == "书记员", Post.end_date.is_(None), displayed(DAY))
            .order_by(Subject.id)
        ).all()
        # …and not named as a directly responsible person in a decision about her court: one so
        # named is reached by the decision itself, whatever her post
        named = set(session.scalars(select(RecordPerson.person_key).join(Record, Record.id == RecordPerson.record_id)
                                    .where(Record.subject_id.in_({b for _, b in clerks}))))
        clerks = [(c, b) for c, b in clerks if c.code not in named]
        assert clerks, "the demo has a court on the dishonest judgment debtor list, with a clerk"
        for clerk, court_id in clerks[:3]:
            code = identity.reveal(session, clerk, who=WHO, purpose="核对演示数据")
            r = checks.check_one(session, scenario="consumption_restriction", code=code, purpose="演示核查", who=WHO)
            assert [h for h in r.hits if h.target.id == court_id] == [], clerk.name
            assert r.check.outcome_kind != "mandatory"
        # checking the court names its principal as registered for the day of the listing, or,
        # where the demo registered nobody then, asks for a person to verify — never the clerk
        court = session.get(Subject, clerks[0][1])
        reached = checks.check_one(session, scenario="consumption_restriction", code=court.code, purpose="演示核查",
                                   who=WHO).reached
        principals = [p for p in reached if p.role == "principal"]
        assert principals
        registered = session.scalars(select(Designation).where(Designation.body_id == court.id,
                                                               Designation.role == "principal")).all()
        if not registered:
            assert [(p.name, "请人工核实" in p.code) for p in principals] == [("—", True)]
        clerk_names = {checks_name(c) for c, _ in clerks}
        assert not clerk_names & {p.name for p in principals}


def checks_name(subject: Subject) -> str:
    from xinyong.subjects import schemas as shown

    return shown.subject_name(subject)
