"""Who may read which evaluation result (docs/evaluation.md, 谁能看到评价结果) — plain rules the
API and the pages both apply.

- Government bodies' and enterprises' results: the credit office, the supervisors and the
  auditors, within their region; everyone, the whole province, where the system's ``publish``
  says the results are published (浙 政务 二(一)3).
- Persons' and public servants' scores: the credit office only (its region), the name masked,
  and every read logged with its purpose (:func:`xinyong.audit.service.log_read`); and the
  person itself, reading its own.
"""

from __future__ import annotations

from xinyong.accounts.principal import Principal
from xinyong.catalog.indicators import IndicatorSystem
from xinyong.core.errors import Forbidden, NotFound, Unauthorized

OFFICIALS = ("admin", "supervisor", "auditor")
PERSONS_READERS = ("admin",)
NATURAL = ("person", "public_servant")
READ_PURPOSE = "信用评价分级管理"


def is_official(who: Principal) -> bool:
    return who.role in OFFICIALS


def visible_systems(who: Principal, systems: list[IndicatorSystem]) -> list[IndicatorSystem]:
    """The systems whose aggregate results (distribution, rankings) the reader may see."""
    return [s for s in systems if is_official(who) or s.publish]


def scope_for(who: Principal, system: IndicatorSystem) -> str | None:
    """The region a reader's rankings cover: the province where the results are published,
    else the official's own region."""
    return None if system.publish else who.region_code


def ensure_system(who: Principal, system: IndicatorSystem) -> None:
    if not (is_official(who) or system.publish):
        raise _refused(who)


def ensure_subject(who: Principal, system: IndicatorSystem, subject_id: int, kind: str,
                   region_code: str | None) -> None:
    """May ``who`` read a subject's score under ``system``? (A subject always reads its own.)"""
    if who.owns(subject_id):
        return
    if kind in NATURAL:
        if who.role in PERSONS_READERS and who.covers(region_code):
            return
        raise _refused(who)
    if system.publish or (is_official(who) and who.covers(region_code)):
        return
    raise _refused(who)


def readable_systems(who: Principal, systems: list[IndicatorSystem], subject_id: int, kind: str,
                     region_code: str | None) -> list[IndicatorSystem]:
    """The systems under which ``who`` may read the subject's score: a government body scored
    under a published system and an unpublished one shows the public the published one only.
    Refused (as :func:`ensure_subject`) when there is none."""
    readable = []
    for system in systems:
        try:
            ensure_subject(who, system, subject_id, kind, region_code)
        except (Unauthorized, Forbidden):
            continue
        readable.append(system)
    if systems and not readable:
        ensure_subject(who, systems[0], subject_id, kind, region_code)
    return readable


def _refused(who: Principal) -> Exception:
    if who.is_public:
        return Unauthorized()
    return Forbidden("无权查看该评价结果", "not allowed to read this evaluation result")


def system_or_404(systems: list[IndicatorSystem], code: str) -> IndicatorSystem:
    found = next((s for s in systems if s.code == code), None)
    if found is None:
        raise NotFound(f"评价指标体系 {code} 不存在", f"no indicator system {code!r}")
    return found


def open_subject(session, who: Principal, subject_id: int, *, request_id: str | None = None,
                 ip: str | None = None):
    """A subject's scores as ``who`` may read them, for the page and the API alike: the subject,
    the systems it may read them under, and whether it is a natural person. A person's score read
    by anyone but the person is an audited read (committed here). Refused as :func:`ensure_subject`."""
    from xinyong.audit.service import log_read
    from xinyong.catalog.service import active_version
    from xinyong.evaluation import results
    from xinyong.subjects.models import Subject

    subject = session.get(Subject, subject_id)
    if subject is None:
        raise NotFound("信用主体不存在", "no such subject")
    _, policy = active_version(session)
    systems = readable_systems(who, results.systems_for(subject.kind, policy.evaluation.systems),
                               subject.id, subject.kind, subject.region_code)
    natural = subject.kind in NATURAL
    if natural and not who.owns(subject.id):
        log_read(session, who=who, subject_id=subject.id, purpose=READ_PURPOSE, what="evaluation_score",
                 request_id=request_id, ip=ip)
        session.commit()
    return subject, systems, natural
