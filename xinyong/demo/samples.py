"""A handful of the demo's synthetic subjects with their full codes, one for each thing a check
can answer — clean, on the 严重失信主体名单, on the 红名单, a public servant under a sanction, a
possible match — so that whoever tries 联合奖惩核查 has codes to type without reading the
database. Printed by ``xinyong demo`` (and again by ``--if-empty``) and listed in docs/demo.md.

The identity numbers are synthetic (generated for the demo), printed whole on the operator's
console only; pages mask them like any other."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from xinyong.lists.models import ListEntry
from xinyong.lists.service import in_force
from xinyong.records.models import Record
from xinyong.records.service import displayed
from xinyong.subjects import identity
from xinyong.subjects.models import Subject

CITY_PREFIX = "3301"  # 杭州: the demo checker's region


@dataclass(frozen=True)
class Sample:
    outcome: str  # what a check of it shows, in words
    kind_name: str
    name: str
    code: str  # whole: the demo's synthetic number
    region_code: str
    birth_date: str = ""
    hint: str = ""


def _code(subject: Subject) -> str:
    if subject.code_cipher:
        return identity._decrypt(subject.code_cipher, identity.CODE_CONTEXT) or subject.code
    return subject.code


def _first(session: Session, *conds, kinds: tuple[str, ...]) -> Subject | None:
    """The first such subject in 杭州, else in the province (a small demo may have none there)."""
    for where in (Subject.region_code.like(CITY_PREFIX + "%"), Subject.region_code.is_not(None)):
        found = session.scalar(
            select(Subject).where(Subject.kind.in_(kinds), where, *conds).order_by(Subject.id).limit(1)
        )
        if found is not None:
            return found
    return None


def _listed(kind: str):
    return exists().where(ListEntry.subject_id == Subject.id, ListEntry.list_kind == kind, in_force())


def sample_subjects(session: Session) -> list[Sample]:
    """One subject (in 杭州 where there is one, first by number) for each outcome the demo holds."""
    from xinyong.catalog.schemas import SUBJECT_KIND_NAMES

    no_records = ~exists().where(Record.subject_id == Subject.id, displayed())
    no_listing = ~exists().where(ListEntry.subject_id == Subject.id, in_force())
    sanctioned = exists().where(Record.subject_id == Subject.id, Record.category_code == "disciplinary_sanction",
                                displayed())
    wanted = [
        ("无记录、无名单（核查无命中）", _first(session, no_records, no_listing, kinds=("enterprise", "person")),
         "任一场景"),
        ("列入严重失信主体名单", _first(session, _listed("blacklist"), kinds=("person", "enterprise")),
         "如：公务员录用、政府采购"),
        ("列入红名单", _first(session, _listed("redlist"), kinds=("enterprise", "person")), "如：评优评先"),
        ("受到政务处分或纪律处分的公务人员", _first(session, sanctioned, kinds=("public_servant",)),
         "如：评优评先、职务晋升"),
    ]
    out = []
    for outcome, subject, hint in wanted:
        if subject is not None:
            out.append(Sample(outcome, SUBJECT_KIND_NAMES[subject.kind], subject.name, _code(subject),
                              subject.region_code, hint=hint))
    person = _first(session, _listed("blacklist"), Subject.birth_date.is_not(None), kinds=("person",))
    if person is not None:
        out.append(Sample("疑似匹配（批量核查名单中只填姓名、地区、出生日期）", SUBJECT_KIND_NAMES[person.kind],
                          person.name, "", person.region_code, person.birth_date.isoformat(),
                          "批量核查：候选名单中不填代码"))
    return out
