"""The demo's lists and checks: listings by rule and by decision, grades, and checks with
feedback spread over the past months, so that the list and statistics pages show something.

Deterministic by seed, like the rest of the demo. Listing by rule is the set-based refresh;
decisions, grades and checks go through the services on a sample whose size follows the scale
(a few hundred checks at scale 1, a second or two).
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from xinyong.accounts.principal import Principal
from xinyong.checks import service as checks
from xinyong.checks.models import Check
from xinyong.core import regions
from xinyong.core.db import utcnow
from xinyong.lists import service as lists
from xinyong.lists.models import ListEntry, SubjectGrade
from xinyong.records.models import Record
from xinyong.subjects.models import NATURAL_KINDS, Subject

GRADES = ("优秀", "良好", "中等", "较差")
REASONS_NOT_APPLIED = ("经核实为同名他人", "该措施不适用于本事项", "主体已履行义务，待信用修复")


def build_joint(session: Session, *, scale: float, seed: int, today: date, progress=None) -> dict[str, int]:
    rng = random.Random(seed * 7 + 3)
    out: dict[str, int] = {}
    lists.refresh(session, today, by="demo")  # the import hook made most; this finishes the rest
    out["rule_listings"] = session.scalar(
        select(func.count()).select_from(ListEntry).where(ListEntry.basis.in_(("rule", "record")))) or 0

    def sample(q, n):
        rows = list(session.execute(q.order_by(Record.id).limit(n * 4)).all())
        rng.shuffle(rows)
        return rows[:n]

    # decisions: the red list for honours, the blacklist for serious penalties (told first)
    n_dec = max(3, round(40 * scale))
    honours = sample(select(Record.id, Record.subject_id, Record.decision_no).where(Record.category_code == "honour"), n_dec)
    serious = sample(select(Record.id, Record.subject_id, Record.decision_no)
                     .where(Record.category_code == "admin_penalty", Record.severity == "serious",
                            Record.display_until >= today), n_dec)
    decided = 0
    for kind, rows, reason, by in (("redlist", honours, "获得表彰，列入守信激励对象名单", "信用办"),
                                   ("blacklist", serious, "严重违法失信，列入严重失信主体名单", "市场监督管理局")):
        for i, (rid, sid, no) in enumerate(rows):
            subject = session.get(Subject, sid)
            on = today - timedelta(days=rng.randint(5, 300))
            lists.include(session, subject=subject, list_kind=kind, decision_no=f"{no}-名单{i + 1}",
                          decided_by=f"{regions.name_of(regions.city_of(subject.region_code))}{by}", decided_on=on,
                          reason=reason, by="demo", months=36, notified_on=on - timedelta(days=20) if kind != "redlist" else None,
                          statement="未在规定期限内陈述申辩" if kind != "redlist" else None, record_id=rid)
            decided += 1
    out["decisions"] = decided

    # grades for a sample of bodies and enterprises (what the evaluation capability will write)
    ids = session.scalars(select(Subject.id).where(Subject.kind.in_(("gov_body", "enterprise"))).order_by(Subject.id)
                          .limit(max(20, round(2000 * scale)))).all()
    session.execute(
        SubjectGrade.__table__.insert(),
        [{"subject_id": sid, "grade": rng.choices(GRADES, weights=(2, 5, 3, 1))[0], "score": None,
          "graded_on": date(today.year - 1, 12, 31), "source": "演示数据（公共信用评价结果）", "created_by": "demo"}
         for sid in ids],
    )
    out["grades"] = len(ids)

    # checks, with feedback, over the past six months
    n_checks = max(20, round(300 * scale))
    debtors = session.scalars(  # candidates in a recruitment: persons (the scenario checks no one else)
        select(Record.subject_id).join(Subject, Subject.id == Record.subject_id)
        .where(Record.category_code.in_(("dishonest_judgment_debtor", "judicial_judgment", "exam_cheating")),
               Subject.kind.in_(NATURAL_KINDS))
        .order_by(Record.id).limit(n_checks)).all()
    people = session.scalars(select(Subject.id).where(Subject.kind.in_(NATURAL_KINDS)).order_by(Subject.id)
                             .limit(n_checks * 3)).all()
    firms = session.scalars(select(Subject.id).where(Subject.kind == "enterprise").order_by(Subject.id)
                            .limit(n_checks)).all()
    plan = ([("civil_servant_recruitment", sid) for sid in rng.sample(list(debtors), min(len(debtors), n_checks // 3))]
            + [("civil_servant_recruitment", sid) for sid in rng.sample(list(people), min(len(people), n_checks // 3))]
            + [(rng.choice(("fiscal_subsidy", "administrative_licensing", "government_procurement")), sid)
               for sid in rng.sample(list(firms), min(len(firms), n_checks // 3))])
    cities = [c.code for c in regions.cities()]
    made: list[int] = []
    for i, (scenario, sid) in enumerate(plan):
        city = rng.choice(cities)
        who = Principal(user_id=None, username=f"demo_checker_{city}", role="checker", region_code=city, via="cli")
        r = checks.check_subject(session, session.get(Subject, sid), None, scenario=scenario,
                                 purpose="演示：" + ("公务员招录资格审查" if scenario == "civil_servant_recruitment" else "业务办理前核查"),
                                 who=who, on=today)
        made.append(r.check.id)
        if r.hits and rng.random() < 0.75:
            if rng.random() < 0.85:
                checks.feedback(session, r.check.id, action="applied", note="", who=who)
            else:
                checks.feedback(session, r.check.id, action="not_applied", note=rng.choice(REASONS_NOT_APPLIED), who=who)
        if progress:
            progress("joint", i + 1, len(plan))
    # spread them over the last six months, for the monthly chart
    if made:
        now = utcnow()
        session.execute(update(Check), [{"id": cid, "created_at": now - timedelta(days=rng.randint(0, 180))}
                                        for cid in made])
    out["checks"] = len(made)
    session.flush()
    return out
