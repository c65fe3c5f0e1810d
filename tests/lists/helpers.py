"""Subjects and records made directly (not through the import), so a test can set exactly the
category, severity, dates and status a rule looks at. Codes are synthetic and valid; identity
numbers are protected by the subjects model as they are stored."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import count

from sqlalchemy.orm import Session

from xinyong.catalog import service as catalog_service
from xinyong.core.clock import today
from xinyong.core.codes import make_ric, make_uscc
from xinyong.records.models import PERSON_KEYS, Record, RecordPerson
from xinyong.subjects.models import Designation, Post, Subject

_n = count(1)


def person(session: Session, name: str = "王小明", *, region: str = "330106", born: date = date(1990, 3, 4),
           kind: str = "person") -> tuple[Subject, str]:
    """(subject, its identity number in plain)."""
    ric = make_ric(region, born, next(_n) % 1000)
    s = Subject(kind=kind, code=ric, name=name, region_code=region, birth_date=born)
    session.add(s)
    session.flush()
    return s, ric


def body(session: Session, name: str, *, kind: str = "enterprise", region: str = "330106",
         legal_rep: tuple[str, str] | None = None) -> Subject:
    prefix = "91" if kind == "enterprise" else "11"
    s = Subject(kind=kind, code=make_uscc(prefix, region, f"{next(_n) + 40000000:08d}"), name=name, region_code=region,
                legal_rep_name=legal_rep[0] if legal_rep else None, legal_rep_code=legal_rep[1] if legal_rep else None)
    session.add(s)
    session.flush()
    return s


def post(session: Session, person_: Subject, body_: Subject, title: str, *, start: date = date(2020, 1, 1),
         end: date | None = None) -> Post:
    p = Post(person_id=person_.id, body_id=body_.id, title=title, start_date=start, end_date=end)
    session.add(p)
    session.flush()
    return p


def designate(session: Session, person_: Subject, body_: Subject, role: str, *, start: date = date(2020, 1, 1),
              end: date | None = None) -> Designation:
    """Register ``person_`` as ``body_``'s legal_rep / principal / financial_head over a period."""
    d = Designation(person_id=person_.id, body_id=body_.id, role=role, start_date=start, end_date=end, created_by="test")
    session.add(d)
    session.flush()
    return d


def record(session: Session, subject: Subject, category: str, severity: str | None = None, *,
           decided: date | None = None, days_shown: int = 365, status: str = "active",
           polarity: str | None = None, facts: dict | None = None) -> Record:
    """A record as the rules read it. A 失信被执行人 entry names its ground (a two-year one unless
    ``facts`` says otherwise): the list rules tell the grounds apart by it."""
    vid, policy = catalog_service.active_version(session)
    if facts is None:
        facts = {"listing_ground": "违反财产报告制度"} if category == "dishonest_judgment_debtor" else {}
    cat = policy.category(category)
    assert cat is not None, category
    decided = decided or today() - timedelta(days=30)
    n = next(_n)
    r = Record(
        subject_id=subject.id, category_code=category, polarity=polarity or cat.polarity, severity=severity,
        department_code=make_uscc("11", "330100", "00250001"), department_name="杭州市某局", source_id=f"t-{n}",
        decision_no=f"测〔2026〕{n}号", decision_date=decided, subject_name=subject.name,
        region_code=subject.region_code, disclosure="public", display_from=decided,
        display_until=decided + timedelta(days=days_shown), retention_until=decided + timedelta(days=5 * 365),
        status=status, facts=facts or {}, content_hash=f"{n:032d}", policy_version_id=vid, changed_by="test",
    )
    session.add(r)
    session.flush()
    return r


def name_persons(session: Session, record_: Record, *persons: tuple[Subject, str]) -> None:
    """Let ``record_``'s decision name ``persons`` ((subject, identity number) pairs) as its
    directly responsible persons, as the import stores them: masked in the fact, keyed in
    ``record_persons``."""
    from xinyong.core.masking import mask_ric

    masked = [mask_ric(ric) for _s, ric in persons]
    record_.facts = {**(record_.facts or {}), "responsible_persons": "、".join(masked),
                     PERSON_KEYS: {"responsible_persons": [s.code for s, _ in persons]}}
    session.add_all([RecordPerson(record_id=record_.id, fact="responsible_persons", person_key=s.code, person_masked=m)
                     for (s, _ric), m in zip(persons, masked, strict=True)])
    session.flush()
