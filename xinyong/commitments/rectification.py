"""限期整改: tasks opened by dishonesty records on government bodies, their steps, the daily
report of overdue ones to the superior body and the records of the responsible persons.

76号 四(三) / 浙 政务 二(一)5: a government with a 政务失信 record explains it in writing and
rectifies it within a deadline; the persons mainly responsible answer for it. Here:

- **Opening** (:func:`open_tasks`): a record of a category in ``rectification.yaml`` on a subject
  of kind ``gov_body`` opens one task, with its deadline in working days. The records' import
  hook opens the tasks of a batch inside the batch's transaction; the daily run opens any still
  missing (a record written before the policy named its category). One ``INSERT … SELECT``
  each, the record's unique key on the task standing behind ``NOT EXISTS``.
- **Steps** (:func:`take_step`, rules in :mod:`xinyong.commitments.rectification_rules`): the
  body (its own account) or the credit office of its region writes the explanation, progress
  notes and evidence and asks for acceptance; the credit office returns or closes it. Each step
  is an event of the task and an audit entry with the state before and after.
- **Escalation** (:func:`escalate`): a task not closed past its deadline is reported once to the
  superior body (the body's ``parent``; the region above where it has none): one ``UPDATE …
  RETURNING`` and one batched insert of its events.
- **Responsible persons** (:func:`person_records`): for an escalated task, the persons the body
  had *registered* (designations, never post titles) in the roles the policy names on the day
  of the act the record describes get a record of the policy's category through the records'
  own write path (:func:`xinyong.records.ingest.import_source`), its source
  ``rectification:<task>:<role>`` so that however often the run is repeated it is written once.

The caller commits.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, case, exists, func, insert, literal, or_, select, update
from sqlalchemy.orm import Session, aliased

from xinyong.accounts.principal import Principal
from xinyong.audit.service import log_event
from xinyong.catalog import service as catalog_service
from xinyong.catalog.schemas import RectificationPolicy
from xinyong.commitments import rectification_rules as rules
from xinyong.commitments.rectification_models import (
    RECT_STATUSES,
    Rectification,
    RectificationEvent,
)
from xinyong.core import regions
from xinyong.core.db import utcnow
from xinyong.core.errors import Forbidden, InvalidInput, NotFound
from xinyong.records.models import Record
from xinyong.subjects.models import Designation, Subject

DAILY_USER = "daily"
SOURCE_PREFIX = "rectification:"
MAX_TEXT = 4000
OFFICE_ROLES = ("admin",)
DAILY_COUNTS = {"opened": "新开启整改", "escalated": "逾期报告上级", "persons": "责任人信用记录",
                "rejected": "记录被退回"}


def policy_of(session: Session) -> RectificationPolicy:
    return catalog_service.active_version(session)[1].rectification


# --- opening -----------------------------------------------------------------------------------


def open_tasks(session: Session, today: date, *, batch_id: int | None = None) -> int:
    """Open a task for every record of a rectification category on a government body that has
    none yet (only those a batch wrote, with ``batch_id``). Two statements: the
    tasks, then their "opened" events. Returns how many were opened."""
    policy = policy_of(session)
    if not policy.categories:
        return 0
    due = rules.due_date(today, policy.deadline_workdays)
    has_task = exists().where(Rectification.record_id == Record.id)
    q = (select(Record.id, Record.subject_id, Record.region_code, Record.category_code, Record.decision_date,
                literal(today), literal(due), literal("open"), literal(False), literal(utcnow()), literal(utcnow()))
         .join(Subject, Subject.id == Record.subject_id)
         .where(Subject.kind == "gov_body", Record.polarity == "dishonest", Record.status == "active",
                Record.category_code.in_(policy.categories), ~has_task))
    if batch_id is not None:
        q = q.where(Record.batch_id == batch_id)  # indexed; what a batch did not write, the daily run finds
    opened = list(session.scalars(
        insert(Rectification).from_select(
            ["record_id", "body_id", "region_code", "category_code", "act_date", "opened_on", "due_on", "status",
             "persons_done", "created_at", "updated_at"], q).returning(Rectification.id)))
    _events(session, opened, "opened", today, DAILY_USER,
            f"政务失信记录形成，限 {policy.deadline_workdays} 个工作日内书面说明并整改")
    return len(opened)


def _events(session: Session, task_ids: list[int], action: str, on: date, by: str, note: str) -> None:
    """One event per task a statement just changed (its ``RETURNING`` ids): one batched insert."""
    if task_ids:
        at = utcnow()
        session.execute(insert(RectificationEvent), [
            {"rectification_id": i, "action": action, "on": on, "by": by, "note": note, "at": at} for i in task_ids])


def on_import(session: Session, batch_id: int) -> None:
    """The records' import hook: the batch's records on government bodies open their tasks."""
    from xinyong.core.clock import today

    open_tasks(session, today(), batch_id=batch_id)


# --- reading -----------------------------------------------------------------------------------


def is_office(who: Principal) -> bool:
    return who.role in OFFICE_ROLES


def get(session: Session, task_id: int, who: Principal) -> Rectification:
    task = session.get(Rectification, task_id)
    if task is None:
        raise NotFound(f"整改任务 {task_id} 不存在", f"rectification {task_id} not found")
    if who.owns(task.body_id) or who.covers(task.region_code):
        return task
    raise Forbidden("该整改任务不在您的地区权限范围内", f"rectification {task_id} is outside {who.label}'s scope")


def _scope(q, who: Principal):
    if who.region_code:
        return q.where(Rectification.region_code.like(regions.scope_prefix(who.region_code) + "%"))
    if who.via == "cli":
        return q
    if who.role == "subject" and who.subject_id is not None:
        return q.where(Rectification.body_id == who.subject_id)
    return q.where(literal(False))


def _overdue(today: date):
    return and_(Rectification.status.in_(rules.OPEN), Rectification.due_on < today)


def search(session: Session, who: Principal, *, today: date, region: str | None = None, status: str | None = None,
           body_id: int | None = None, limit: int = 100, offset: int = 0) -> list[tuple[Rectification, Subject, Record]]:
    """Tasks in the caller's scope with their body and record: overdue first, then by deadline.
    ``status``: a status, ``overdue`` or ``escalated``. One query."""
    q = (select(Rectification, Subject, Record).join(Subject, Subject.id == Rectification.body_id)
         .join(Record, Record.id == Rectification.record_id))
    q = _scope(q, who)
    if region:
        if not who.covers(region):
            raise Forbidden("超出您的地区权限范围", f"region {region} is outside {who.label}'s scope")
        q = q.where(Rectification.region_code.like(regions.scope_prefix(region) + "%"))
    if status == "overdue":
        q = q.where(_overdue(today))
    elif status == "escalated":
        q = q.where(Rectification.escalated_on.is_not(None))
    elif status == "pending":
        q = q.where(Rectification.status.in_(rules.OPEN))
    elif status:
        if status not in RECT_STATUSES:
            raise InvalidInput(f"“{status}”不是整改状态", f"unknown status {status}", field="status")
        q = q.where(Rectification.status == status)
    if body_id is not None:
        q = q.where(Rectification.body_id == body_id)
    q = q.order_by(case((_overdue(today), 0), else_=1), Rectification.due_on, Rectification.id)
    return list(session.execute(q.limit(limit).offset(offset)).tuples())


@dataclass
class BoardRow:
    region_code: str
    name: str
    counts: dict[str, int]
    overdue: int
    escalated: int

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def board(session: Session, who: Principal, *, today: date) -> list[BoardRow]:
    """Per county: tasks by status, the overdue and the escalated ones. One ``GROUP BY``."""
    cols = [func.sum(case((Rectification.status == s, 1), else_=0)).label(s) for s in RECT_STATUSES]
    q = select(Rectification.region_code, *cols,
               func.sum(case((_overdue(today), 1), else_=0)).label("overdue"),
               func.sum(case((Rectification.escalated_on.is_not(None), 1), else_=0)).label("escalated"))
    q = _scope(q, who).group_by(Rectification.region_code).order_by(Rectification.region_code)
    return [BoardRow(r.region_code, regions.name_of(r.region_code), {s: int(getattr(r, s) or 0) for s in RECT_STATUSES},
                     int(r.overdue or 0), int(r.escalated or 0)) for r in session.execute(q)]


def events(session: Session, task_ids: list[int]) -> dict[int, list[RectificationEvent]]:
    out: dict[int, list[RectificationEvent]] = {i: [] for i in task_ids}
    if task_ids:
        for e in session.scalars(select(RectificationEvent).where(RectificationEvent.rectification_id.in_(task_ids))
                                 .order_by(RectificationEvent.id)):
            out[e.rectification_id].append(e)
    return out


def person_records(session: Session, task_id: int) -> list[Record]:
    """The records the task's escalation wrote for the responsible persons."""
    return list(session.scalars(select(Record).where(Record.source_id.like(f"{SOURCE_PREFIX}{task_id}:%"))
                                .order_by(Record.id)))


# --- steps -------------------------------------------------------------------------------------


def shown(task: Rectification) -> dict:
    return {"status": task.status, "due_on": task.due_on.isoformat(), "explained_on":
            task.explained_on.isoformat() if task.explained_on else None,
            "closed_on": task.closed_on.isoformat() if task.closed_on else None,
            "escalated_on": task.escalated_on.isoformat() if task.escalated_on else None}


def take_step(session: Session, who: Principal, task_id: int, step: str, *, today: date, note: str | None = None,
              evidence: str | None = None, request_id: str | None = None, ip: str | None = None) -> Rectification:
    """One step of a task (see :mod:`~xinyong.commitments.rectification_rules`): refused with a
    Chinese message before anything is written when the step, the actor or the text is wrong."""
    if step not in rules.STEPS:
        raise InvalidInput(f"“{step}”不是整改步骤，可选：{'、'.join(rules.STEP_NAMES.values())}",
                           f"unknown step {step}", field="step")
    task = get(session, task_id, who)
    office = is_office(who) and who.covers(task.region_code)
    if rules.office_only(step) and not office:
        raise Forbidden(f"只有信用办可以{rules.STEP_NAMES[step]}", f"only the credit office may {step}")
    if not office and not who.owns(task.body_id):
        raise Forbidden("只有被整改单位或其所在地区的信用办可以办理整改", f"{who.label} may not act on this task")
    to = rules.next_status(task.status, step)
    if to is None:
        raise InvalidInput(f"整改任务当前为“{RECT_STATUSES[task.status]}”，不能{rules.STEP_NAMES[step]}",
                           f"cannot {step} from {task.status}", field="step")
    note = (note or "").strip()[:MAX_TEXT] or None
    evidence = (evidence or "").strip()[:MAX_TEXT] or None
    if step in ("explain", "progress", "return") and not note:
        field, zh = {"explain": ("note", "须填写书面说明（失信原因和整改措施）"), "progress": ("note", "须填写整改进展"),
                     "return": ("note", "退回须说明理由")}[step]
        raise InvalidInput(zh, f"{step} needs a text", field=field)
    if step == "evidence" and not evidence:
        raise InvalidInput("须填写整改佐证材料说明", "evidence needs a description", field="evidence")
    if step == "close" and not note:
        raise InvalidInput("验收办结须填写验收意见", "closing needs the office's opinion", field="note")
    before = shown(task)
    task.status = to
    if step == "explain":
        task.explanation, task.explained_on = note, today
    if step == "close":
        task.closed_on, task.closed_by = today, who.username[:100]
    task.updated_at = utcnow()
    session.add(RectificationEvent(rectification_id=task.id, action={"explain": "explained", "submit": "submitted",
                                                                      "return": "returned", "close": "closed"}.get(step, step),
                                   on=today, by=who.label[:100], note=note, evidence=evidence, at=utcnow()))
    session.flush()
    log_event(session, who=who, action=f"rectification_{step}", entity="rectification", entity_id=task.id,
              subject_id=task.body_id, before=before, after=shown(task), request_id=request_id, ip=ip)
    return task


# --- the daily run -----------------------------------------------------------------------------


def _region_above(code):
    """The region above a region code, as SQL: a county's city, a city's province."""
    return case((func.substr(code, 5, 2) != "00", func.substr(code, 1, 4) + literal("00")),
                (func.substr(code, 3, 4) != "0000", func.substr(code, 1, 2) + literal("0000")),
                else_=code)


def escalate(session: Session, today: date) -> int:
    """Report every task still open past its deadline (and the policy's grace in working days)
    to the superior body, once: one ``UPDATE … RETURNING`` and one batched insert of events."""
    policy = policy_of(session)
    cutoff = rules.escalation_cutoff(today, policy.escalate_after_workdays)
    body = aliased(Subject)
    superior = aliased(Subject)
    parent_id = select(body.parent_id).where(body.id == Rectification.body_id).scalar_subquery()
    parent_region = (select(superior.region_code).join(body, body.parent_id == superior.id)
                     .where(body.id == Rectification.body_id).scalar_subquery())
    due = and_(Rectification.status.in_(rules.OPEN), Rectification.due_on < cutoff, Rectification.escalated_on.is_(None))
    escalated = list(session.scalars(
        update(Rectification).where(due).values(
            escalated_on=today, escalated_to_id=parent_id,
            escalated_region=func.coalesce(parent_region, _region_above(Rectification.region_code)),
            updated_at=utcnow()).returning(Rectification.id).execution_options(synchronize_session=False)))
    _events(session, escalated, "escalated", today, DAILY_USER, "逾期未完成整改，报告上级机关")
    return len(escalated)


def write_person_records(session: Session, today: date) -> dict[str, int]:
    """The responsible persons of escalated tasks whose records are not yet written: one select
    (tasks × designations covering the day of the act, in the policy's roles), one import
    batch, one update marking the tasks done."""
    from xinyong.commitments.service import _plain_code
    from xinyong.records.ingest import import_source
    from xinyong.records.readers import rows_from_dicts
    from xinyong.records.validation import Defaults

    counts = {"persons": 0, "rejected": 0}
    full = catalog_service.active_version(session)[1]
    policy = full.rectification
    waiting = and_(Rectification.escalated_on.is_not(None), Rectification.persons_done.is_(False))
    spec = policy.personal_record
    if spec is None or full.category(spec.category) is None:
        session.execute(update(Rectification).where(waiting).values(persons_done=True)
                        .execution_options(synchronize_session=False))
        return counts
    person = aliased(Subject)
    body = aliased(Subject)
    superior = aliased(Subject)
    found = session.execute(
        select(Rectification.id, Rectification.act_date, Rectification.escalated_on, Rectification.due_on,
               Designation.role, person.name, person.code, person.code_cipher, body.name.label("body_name"),
               superior.name.label("superior_name"), superior.code.label("superior_code"),
               Record.decision_no, Record.department_name, Record.department_code, Record.category_code)
        .join(Record, Record.id == Rectification.record_id)
        .join(body, body.id == Rectification.body_id)
        .outerjoin(superior, superior.id == Rectification.escalated_to_id)
        .join(Designation, and_(Designation.body_id == Rectification.body_id, Designation.role.in_(spec.roles),
                                Designation.start_date <= Rectification.act_date,
                                or_(Designation.end_date.is_(None), Designation.end_date >= Rectification.act_date)))
        .join(person, person.id == Designation.person_id)
        .where(waiting).order_by(Rectification.id, Designation.role)
    ).all()
    role_names = {"legal_rep": "法定代表人", "principal": "主要负责人", "financial_head": "财政（财务）部门负责人"}
    category_names = {c.code: c.name for c in full.catalog.categories}
    rows = []
    for r in found:
        facts_text = (f"{r.body_name}因“{category_names.get(r.category_code, r.category_code)}”（{r.decision_no}）"
                      f"被要求限期整改，期限 {r.due_on.isoformat()} 届满未完成，{r.escalated_on.isoformat()} 报告上级机关；"
                      f"失信行为发生之日（{r.act_date.isoformat()}）本人为该单位登记的{role_names.get(r.role, r.role)}。")
        rows.append({
            "subject_name": r.name, "subject_code": _plain_code(r.code, r.code_cipher), "category": spec.category,
            "decision_no": f"整改逾期〔{r.escalated_on.year}〕{r.id}号-{r.role}",
            "decision_date": r.escalated_on.isoformat(),
            "department_name": r.superior_name or r.department_name,
            "department_code": r.superior_code or r.department_code,
            "source_id": f"{SOURCE_PREFIX}{r.id}:{r.role}",
            "accountability_facts": facts_text, "employer": r.body_name, "post": role_names.get(r.role, r.role),
            "in_duty": "是", **spec.facts,
        })
    if rows:
        result = import_source(session, rows_from_dicts(rows), file_name="rectifications", category=spec.category,
                               user=DAILY_USER, defaults=Defaults(today=today))
        counts["persons"] = result.new + result.updated + result.unchanged
        counts["rejected"] = result.rejected
    per_task = Counter(r.id for r in found)
    session.execute(update(Rectification).where(waiting).values(persons_done=True)
                    .execution_options(synchronize_session=False))
    if per_task:
        at = utcnow()
        session.execute(insert(RectificationEvent), [
            {"rectification_id": t, "action": "persons", "on": today, "by": DAILY_USER, "count": n, "at": at,
             "note": "按失信行为发生之日在任的登记身份认定责任人，写入其信用记录"} for t, n in sorted(per_task.items())])
    return counts


def daily(session: Session, today: date) -> dict[str, int]:
    """The daily job: open missing tasks, report overdue ones upwards, write the responsible
    persons' records. A second run the same day changes nothing."""
    opened = open_tasks(session, today)
    escalated = escalate(session, today)
    persons = write_person_records(session, today)
    counts = {"opened": opened, "escalated": escalated, **persons}
    if any(counts.values()):
        log_event(session, who=DAILY_USER, action="rectification_daily", entity="rectification",
                  after={"date": today.isoformat(), **counts})
    session.expire_all()
    return counts
