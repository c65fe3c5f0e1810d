"""Demo phase: typical cases (典型案例) on the public portal, so that 典型案例 shows something on
first run: a handful of public, shown penalty and judgment records of enterprises, marked by the
credit office through :func:`xinyong.disclosure.portal.mark_case` (the same checks as the
management page: never a natural person, only a public record inside its display period), one
audit entry each. Its own random stream (``seed + CASES_SEED``), after every earlier phase but
the oversight one, so the subjects and records stay the same.
"""

from __future__ import annotations

import random
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.audit.service import log_event
from xinyong.disclosure import portal
from xinyong.records.models import Record
from xinyong.records.service import displayed
from xinyong.subjects.models import Subject

CASES_SEED = 1818
CASES = 5
POOL = 200  # the candidates drawn from: the first records of the kind, by id
CATEGORIES = {
    "admin_penalty": ("行政处罚典型案例", "依法从重处罚并向社会公示，提醒市场主体守法诚信经营。"),
    "dishonest_judgment_debtor": ("失信被执行人典型案例", "有履行能力而拒不履行生效法律文书确定的义务，依法纳入失信被执行人名单并实施联合惩戒。"),
    "judicial_judgment": ("司法判决典型案例", "以案释法，引导市场主体依法履约、诚信经营。"),
}


def build_cases(session: Session, *, seed: int, today: date) -> dict[str, int]:
    rng = random.Random(seed + CASES_SEED)
    pool = session.execute(
        select(Record.id, Record.category_code, Subject.name)
        .join(Subject, Subject.id == Record.subject_id)
        .where(Subject.kind == "enterprise", Record.disclosure == "public", Record.category_code.in_(list(CATEGORIES)),
               displayed(today))
        .order_by(Record.id).limit(POOL)
    ).all()
    made = 0
    for rid, category, name in rng.sample(pool, min(CASES, len(pool))):
        kind, note = CATEGORIES[category]
        case, before = portal.mark_case(session, rid, f"{name}{kind}", note, "demo", on=today)
        log_event(session, who="demo", action="create" if before is None else "update", entity="typical_case",
                  entity_id=case.id, after=portal.case_state(case))
        made += 1
    return {"typical_cases": made}
