"""Leniency for self-correction (从轻、减轻、免于惩戒): recording a self-correction against a
record, revoking it, and telling the checks.

国发〔2016〕76号 四(四)、浙政办发〔2017〕75号（政务） 二(一)7、温政办〔2017〕71号 二(一)3: a public
servant who, after the dishonest act, recovers the loss, removes its ill effects or stops the
harm, may have the punishment lightened or waived; 国办发〔2016〕98号 四(三): performing the
obligation afterwards reduces the loss of credit. The kinds are policy data (``redress.yaml``
``self_correction_kinds``); what each earns is the measure's ``leniency`` in ``measures.yaml``.

Who records: the credit office (role ``admin``) of the record's region, or the record's source
department (role ``reporter`` of the department that reported the record, in its region). The
same may revoke (a correction that proves untrue), with reasons; the row stays. Every change is
an audit entry; reading the corrections of a natural person's record is the records' own read.

The checks sit above this package, so they learn of corrections through
:data:`xinyong.checks.leniency.hooks` and :data:`~xinyong.checks.leniency.table_hooks`, which
:mod:`xinyong.redress` registers with on import (:func:`corrections_in_force`,
:func:`corrections_table`).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from xinyong.accounts.principal import Principal
from xinyong.audit.service import log_event
from xinyong.catalog import service as catalog_service
from xinyong.catalog.schemas import PolicySet
from xinyong.checks.leniency import Correction
from xinyong.core.clock import today as _today
from xinyong.core.errors import Forbidden, InvalidInput, NotFound
from xinyong.records.models import Record
from xinyong.redress import files
from xinyong.redress.models import SelfCorrection

OFFICE_ROLES = ("admin",)
DEPARTMENT_ROLES = ("reporter",)
MAX_NOTE = 2000


def _live():
    return SelfCorrection.revoked_on.is_(None)


# --- the checks' hooks ---------------------------------------------------------------------------


def corrections_in_force(session: Session, record_ids: list[int], on: date) -> list[Correction]:
    """The corrections recorded on or before ``on`` and not revoked, of these records."""
    q = (select(SelfCorrection.id, SelfCorrection.record_id, SelfCorrection.kind, SelfCorrection.corrected_on,
                SelfCorrection.note)
         .where(SelfCorrection.record_id.in_(record_ids), _live(), SelfCorrection.corrected_on <= on))
    return [Correction(i, r, k, d, n or "") for i, r, k, d, n in session.execute(q)]


def corrections_table(on: date) -> Select:
    """The same as a selectable of ``(record_id, kind)``, for the set-based batch check."""
    return select(SelfCorrection.record_id.label("record_id"), SelfCorrection.kind.label("kind")).where(
        _live(), SelfCorrection.corrected_on <= on)


# --- who may -------------------------------------------------------------------------------------


def acts_as(who: Principal, record: Record) -> str:
    """``office`` or ``department`` — who ``who`` is for this record — or :class:`Forbidden`."""
    if who.role in OFFICE_ROLES:
        if not who.covers(record.region_code):
            raise Forbidden("该记录不在您的地区权限范围内，应由记录所在地区的信用办登记",
                            f"record {record.id} is outside {who.label}'s region")
        return "office"
    if who.role in DEPARTMENT_ROLES:
        if who.department_code != record.department_code or not who.covers(record.region_code):
            raise Forbidden("只有作出认定的部门（记录的报送部门）可以登记该记录的自我纠错",
                            f"{who.label} is not record {record.id}'s source department")
        return "department"
    raise Forbidden("只有信用办和记录的认定部门可以登记自我纠错", f"{who.label} may not record self-corrections")


def ensure_reads(who: Principal, record: Record) -> None:
    if who.owns(record.subject_id):
        return
    acts_as(who, record)


# --- reading -------------------------------------------------------------------------------------


def _record(session: Session, record_id: int) -> Record:
    record = session.get(Record, record_id)
    if record is None:
        raise NotFound(f"信用记录 {record_id} 不存在", f"record {record_id} does not exist")
    return record


def get(session: Session, correction_id: int) -> SelfCorrection:
    c = session.get(SelfCorrection, correction_id)
    if c is None:
        raise NotFound(f"自我纠错登记 {correction_id} 不存在", f"self-correction {correction_id} does not exist")
    return c


def of_record(session: Session, record_id: int) -> list[SelfCorrection]:
    q = select(SelfCorrection).where(SelfCorrection.record_id == record_id).order_by(SelfCorrection.id)
    return list(session.scalars(q))


def kinds(policy: PolicySet) -> dict[str, str]:
    return {k.code: k.name for k in policy.redress.self_correction_kinds}


def earns(policy: PolicySet, kind: str, subject_kind: str) -> list[str]:
    """What a correction of ``kind`` earns a subject of this kind, measure by measure, in words
    (the page shows it before the correction is recorded)."""
    names = {"waive": "免于实施", "reference": "由必须适用改为审慎参考", "shorten": "期限缩短"}
    out = []
    for m in policy.measures.measures:
        for opt in m.leniency:
            if kind in opt.kinds and subject_kind in opt.subject_kinds:
                extra = f" {opt.months} 个月" if opt.effect == "shorten" else ""
                out.append(f"{m.name}：{names[opt.effect]}{extra}")
    return out


# --- changing ------------------------------------------------------------------------------------


def _state(c: SelfCorrection) -> dict:
    return {"record_id": c.record_id, "kind": c.kind, "corrected_on": c.corrected_on, "note": c.note,
            "evidence_sha256": c.evidence_sha256, "revoked_on": c.revoked_on, "revoke_reasons": c.revoke_reasons}


def record_correction(session: Session, who: Principal, *, record_id: int, kind: str, corrected_on: date | None,
                      note: str, evidence: tuple[str, bytes] | None = None, policy: PolicySet | None = None,
                      request_id: str | None = None, ip: str | None = None) -> SelfCorrection:
    """Record a self-correction against ``record_id``; refusals change nothing."""
    record = _record(session, record_id)
    role = acts_as(who, record)
    policy = policy or catalog_service.active_version(session)[1]
    known = kinds(policy)
    if kind not in known:
        names = "、".join(f"{c}（{n}）" for c, n in known.items()) or "（政策清单未列出任何类型）"
        raise InvalidInput(f"未知的自我纠错类型“{kind}”，可选：{names}", f"unknown self-correction kind {kind!r}",
                           field="kind")
    if record.polarity != "dishonest":
        raise InvalidInput("只有失信记录可以登记自我纠错", f"record {record.id} is not a dishonest record",
                           field="record_id")
    if record.status not in ("active", "under_objection"):
        raise InvalidInput("该记录已修复、撤销或过期，不再用于核查，无需登记自我纠错",
                           f"record {record.id} is {record.status}", field="record_id")
    day = corrected_on or _today()
    if day > _today():
        raise InvalidInput("纠错日期不能晚于今天", "corrected_on is in the future", field="corrected_on")
    if day < record.decision_date:
        raise InvalidInput(f"纠错日期早于记录的决定日期（{record.decision_date:%Y-%m-%d}）",
                           "corrected_on is before the decision", field="corrected_on")
    text = (note or "").strip()
    if not text:
        raise InvalidInput("请说明纠错的情况（挽回了什么损失、如何停止危害或消除影响、整改结果）",
                           "a self-correction states what was done", field="note")
    if len(text) > MAX_NOTE:
        raise InvalidInput(f"说明不能超过 {MAX_NOTE} 字", "note too long", field="note")
    dup = session.scalar(select(SelfCorrection.id).where(SelfCorrection.record_id == record.id,
                                                         SelfCorrection.kind == kind, _live()))
    if dup is not None:
        raise InvalidInput(f"该记录已登记“{known[kind]}”（登记 {dup}），如有变化请先撤销原登记",
                           f"record {record.id} already has a live {kind} correction {dup}", field="kind")
    stored = files.store(*evidence) if evidence is not None else None
    c = SelfCorrection(record_id=record.id, subject_id=record.subject_id, region_code=record.region_code,
                       department_code=record.department_code, kind=kind, corrected_on=day, note=text,
                       recorded_by=who.label[:100], recorded_as=role,
                       evidence_name=stored.file_name if stored else None,
                       evidence_type=stored.media_type if stored else None,
                       evidence_size=stored.size if stored else None,
                       evidence_sha256=stored.sha256 if stored else None)
    session.add(c)
    session.flush()
    log_event(session, who=who, action="correction_record", entity="self_correction", entity_id=c.id,
              subject_id=record.subject_id, before=None, after=_state(c), request_id=request_id, ip=ip)
    return c


def revoke(session: Session, who: Principal, correction_id: int, *, reasons: str, request_id: str | None = None,
           ip: str | None = None) -> SelfCorrection:
    """Revoke a correction (it proved untrue, or was recorded in error): it earns nothing from
    today; the row stays with who, when and why."""
    c = get(session, correction_id)
    acts_as(who, _record(session, c.record_id))
    if c.revoked_on is not None:
        raise InvalidInput(f"该登记已于 {c.revoked_on:%Y-%m-%d} 撤销，不能再次撤销", "already revoked")
    text = (reasons or "").strip()
    if not text:
        raise InvalidInput("请填写撤销理由", "a revocation states its reasons", field="reasons")
    before = _state(c)
    c.revoked_on, c.revoked_by, c.revoke_reasons = _today(), who.label[:100], text[:MAX_NOTE]
    session.flush()
    log_event(session, who=who, action="correction_revoke", entity="self_correction", entity_id=c.id,
              subject_id=c.subject_id, before=before, after=_state(c), request_id=request_id, ip=ip)
    return c
