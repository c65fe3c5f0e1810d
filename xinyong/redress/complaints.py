"""Complaints about government dishonesty (投诉举报): filing (the public form and 12345-hotline
work orders), routing, the body's reply, the complainant's rating, escalation of overdue
complaints, a substantiated complaint becoming a credit record, queues and public statistics.

Plain functions over a session; the caller commits. Who may do what is decided here, so the API
and the pages refuse alike:

- filing: anyone, no login (the public form; the web layer rate-limits the public); a
  12345-hotline file: the credit office (``admin``) of the rows' regions;
- following a complaint and rating its reply: whoever holds its tracking code;
- replying or refusing: the department the complaint is routed to (a ``reporter`` of that
  department) or the credit office of the region handling it;
- closing, and turning a substantiated complaint into a record: the credit office of that region;
- reading: those who may reply, and the credit office of the region it was first routed to.

The complainant's name and telephone are shown masked to the officials (the public sees nothing
of them); the officials handling the complaint may reveal them in full, stating why, each reveal
an audit entry (:func:`reveal_complainant`). Every step is a row of the case file
(``complaint_events``) and an entry in the audit log.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import date

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from xinyong.accounts.models import Department
from xinyong.accounts.principal import PUBLIC, Principal
from xinyong.audit.service import log_event
from xinyong.catalog import service as catalog_service
from xinyong.catalog.schemas import ComplaintPolicy, PolicySet
from xinyong.core import regions
from xinyong.core.clock import today as _today
from xinyong.core.db import utcnow
from xinyong.core.errors import Forbidden, InvalidInput, NotFound
from xinyong.core.masking import mask_ids_in_text
from xinyong.redress import complaint_rules as rules
from xinyong.redress import queues
from xinyong.redress.models import Complaint, ComplaintEvent
from xinyong.subjects.models import Post, Subject

MAX_TEXT = 2000
QUEUE_LIMIT = 500
DAILY_USER = "daily"
SOURCE_PREFIX = "complaint:"  # the source id of a record made from a complaint
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
CODE_LENGTH = 16  # 80 bits from ``secrets``


# --- policy and tracking codes ---------------------------------------------------------------


def policy(session: Session) -> PolicySet:
    return catalog_service.active_version(session)[1]


def complaint_policy(session: Session) -> ComplaintPolicy:
    return policy(session).complaints


def behaviours(p: PolicySet) -> dict[str, str]:
    """The behaviours the public may complain of (``complaints.yaml``), code → name, in the
    policy's order; a code the behaviour list does not hold is left out."""
    known = {b.code: b for b in p.behaviours.behaviours}
    return {c: known[c].name for c in p.complaints.behaviours if c in known}


def new_tracking_code() -> str:
    """An unguessable code (80 bits from :mod:`secrets`), shown once, as XXXX-XXXX-XXXX-XXXX."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i:i + 4] for i in range(0, CODE_LENGTH, 4))


def tracking_hash(code: str) -> str:
    """What is stored of a tracking code: its SHA-256, so the table never holds the code."""
    cleaned = "".join(ch for ch in (code or "").upper() if ch.isalnum())
    return hashlib.sha256(("xinyong-complaint:" + cleaned).encode()).hexdigest()


# --- who may ---------------------------------------------------------------------------------


def is_office(who: Principal) -> bool:
    return who.role == "admin"


def may_reply(who: Principal, c: Complaint) -> bool:
    if is_office(who) and who.covers(c.region_code):
        return True
    return (who.role == "reporter" and c.department_code is not None and who.department_code == c.department_code
            and who.covers(c.region_code))


def ensure_reads(who: Principal, c: Complaint) -> None:
    if may_reply(who, c) or (is_office(who) and who.covers(c.origin_region)):
        return
    raise Forbidden("该投诉不在您的职责和地区权限范围内", f"complaint {c.id} is outside {who.label}'s scope")


def ensure_step(who: Principal, c: Complaint, step: str) -> None:
    if step in ("reply", "reject"):
        if not may_reply(who, c):
            raise Forbidden("该投诉未转办给您所在的单位或地区，不能答复", f"{who.label} may not reply to complaint {c.id}")
        return
    if not is_office(who):
        raise Forbidden("只有信用办可以办结投诉或将其认定为信用记录", f"{who.label} may not {step} complaints")
    if not who.covers(c.region_code):
        raise Forbidden("该投诉不在您的地区权限范围内", f"complaint {c.id} is outside {who.label}'s region")


def _visible(who: Principal):
    """SQL: the complaints ``who`` handles or may read."""
    if who.role == "admin":
        if who.region_code is None:
            return None
        prefix = regions.scope_prefix(who.region_code)
        return or_(Complaint.region_code.like(prefix + "%"), Complaint.origin_region.like(prefix + "%"))
    if who.role == "reporter" and who.department_code:
        return Complaint.department_code == who.department_code
    raise Forbidden("只有信用办和被转办的部门可以查看投诉", f"{who.label} may not read complaints")


# --- reading ---------------------------------------------------------------------------------


def get(session: Session, complaint_id: int) -> Complaint:
    c = session.get(Complaint, complaint_id)
    if c is None:
        raise NotFound(f"投诉 {complaint_id} 不存在", f"complaint {complaint_id} does not exist")
    return c


def by_code(session: Session, code: str) -> Complaint:
    """The complaint of a tracking code; one answer for a wrong code and an unknown one."""
    c = session.scalar(select(Complaint).where(Complaint.tracking_hash == tracking_hash(code)))
    if c is None:
        raise NotFound("查询码不正确，没有找到对应的投诉", "no complaint with this tracking code")
    return c


def events(session: Session, complaint_id: int) -> list[ComplaintEvent]:
    q = select(ComplaintEvent).where(ComplaintEvent.complaint_id == complaint_id).order_by(ComplaintEvent.id)
    return list(session.scalars(q))


def due(c: Complaint, today: date | None = None) -> rules.Due:
    return rules.current_due(c.status, c.reply_due, c.rate_due, today or _today())


def overdue_clause(day: date):
    """SQL: waiting for a reply past its deadline (the same rule as :func:`due`)."""
    return and_(Complaint.status.in_(rules.REPLYING_STATUSES), Complaint.reply_due < day)


def queue(session: Session, who: Principal, *, status: str | None = None, today: date | None = None,
          limit: int = QUEUE_LIMIT) -> list[Complaint]:
    """The complaints ``who`` handles: overdue first, then by the reply deadline, finished last."""
    return queues.queue(session, Complaint, rules, _visible(who), status=status, day=today or _today(), limit=limit,
                        what="投诉", due_of=lambda c, d: due(c, d))


def counts(session: Session, who: Principal, today: date | None = None) -> dict[str, int]:
    day = today or _today()
    return queues.counts(session, Complaint, rules, _visible(who), day, overdue=overdue_clause(day))


# --- filing ----------------------------------------------------------------------------------


def _text(value: str | None, field: str, label: str, *, required: bool, width: int = MAX_TEXT) -> str | None:
    value = (value or "").strip()
    if not value:
        if required:
            raise InvalidInput(f"请填写{label}", f"{field} is required", field=field)
        return None
    if len(value) > width:
        raise InvalidInput(f"{label}不能超过 {width} 字", f"{field} is longer than {width}", field=field)
    return value


def _phone(value: str | None) -> str | None:
    value = "".join(ch for ch in (value or "") if ch.isdigit() or ch == "-")
    if not value:
        return None
    if not 7 <= len(value) <= 20:
        raise InvalidInput("联系电话格式不正确（7 至 20 位数字）", "phone is 7 to 20 digits", field="phone")
    return value


def _event(session: Session, c: Complaint, action: str, day: date, by: str, note: str | None = None) -> None:
    session.add(ComplaintEvent(complaint_id=c.id, action=action, on=day, by=by[:100], note=note, at=utcnow()))


def _state(c: Complaint) -> dict:
    return {"status": c.status, "region_code": c.region_code, "department_code": c.department_code,
            "reply_due": c.reply_due, "finding": c.finding, "rating": c.rating, "record_id": c.record_id}


def _audit(session: Session, who: Principal | str, c: Complaint, action: str, before: dict | None, after: dict,
           request_id: str | None = None, ip: str | None = None) -> None:
    log_event(session, who=who, action=f"complaint_{action}", entity="complaint", entity_id=c.id,
              subject_id=c.official_id or c.body_id, before=before, after=after, request_id=request_id, ip=ip)


def find_body(session: Session, *, name: str, code: str | None, region: str | None) -> Subject | None:
    """The government body named: by its USCC, else by its exact name (in the region where one
    is given) when exactly one body has it; None when the platform does not know it."""
    q = select(Subject).where(Subject.kind == "gov_body")
    if code:
        found = session.scalar(q.where(Subject.code == code.strip().upper()))
        if found is not None:
            return found
    q = q.where(Subject.name == name)
    if region:
        q = q.where(Subject.region_code == region)
    found = list(session.scalars(q.limit(2)))
    return found[0] if len(found) == 1 else None


def _official(session: Session, body: Subject | None, name: str | None, on: date) -> Subject | None:
    """The public servant of that name holding a post at the body on ``on``, where exactly one does."""
    if body is None or not name:
        return None
    q = (select(Subject).join(Post, Post.person_id == Subject.id)
         .where(Subject.kind == "public_servant", Subject.name == name, Post.body_id == body.id,
                Post.start_date <= on, or_(Post.end_date.is_(None), Post.end_date >= on)).limit(2))
    found = list(session.scalars(q))
    return found[0] if len(found) == 1 else None


def route(session: Session, body: Subject | None, region: str) -> tuple[str, str | None, str | None]:
    """(region, department code, department name) a complaint goes to: the body's own department
    where the platform has one (an account of that department replies), else the credit office of
    the body's region (or of ``region`` for a body the platform does not know)."""
    if body is not None:
        dept = session.scalar(select(Department).where(Department.code == body.code, Department.active.is_(True)))
        if dept is not None:
            return dept.region_code, dept.code, dept.name
        return body.region_code, None, None
    return region, None, None


def check_filing(p: PolicySet, *, target_kind: str, body_name: str, official_name: str | None, behaviour: str,
                 account: str, region: str, anonymous: bool, name: str | None, phone: str | None) -> dict:
    """The filing's fields checked (Chinese messages naming the field), before anything is looked up."""
    if target_kind not in rules.TARGET_KINDS:
        raise InvalidInput("请选择投诉对象：政府机构或公务人员", f"unknown target kind {target_kind!r}", field="target_kind")
    out = {
        "body_name": _text(body_name, "body_name", "被投诉的政府机构（或公务人员所在单位）名称", required=True, width=200),
        "official_name": _text(official_name, "official_name", "被投诉的公务人员姓名",
                               required=target_kind == "public_servant", width=50)
        if target_kind == "public_servant" else None,
        "account": _text(account, "account", "失信事实经过", required=True),
    }
    allowed = behaviours(p)
    if behaviour not in allowed:
        raise InvalidInput("请从清单中选择政务失信行为", f"behaviour {behaviour!r} is not on the complaint list",
                           field="behaviour")
    if not region or not regions.is_known(region):
        raise InvalidInput("请选择被投诉单位所在的行政区划", f"unknown region {region!r}", field="region")
    if not anonymous:
        out["name"] = _text(name, "name", "投诉人姓名（或选择匿名投诉）", required=True, width=50)
        out["phone"] = _phone(phone)
        if out["phone"] is None:
            raise InvalidInput("实名投诉请填写联系电话（或选择匿名投诉）", "a named complaint needs a phone", field="phone")
    return out


def filed_note(channel: str, hotline_no: str | None, anonymous: bool) -> str:
    return (rules.CHANNELS.get(channel, channel) + (f"（工单 {hotline_no}）" if hotline_no else "")
            + ("，匿名" if anonymous else "，实名"))


def routed_note(dept_name: str | None, to_region: str, workdays: int) -> str:
    return f"转 {dept_name or regions.name_of(to_region) + '信用办'} 办理，{workdays} 个工作日内答复"


def file_complaint(
    session: Session,
    who: Principal = PUBLIC,
    *,
    target_kind: str,
    body_name: str,
    body_code: str | None = None,
    official_name: str | None = None,
    behaviour: str,
    account: str,
    region: str,
    occurred_on: date | None = None,
    anonymous: bool = True,
    name: str | None = None,
    phone: str | None = None,
    channel: str = "web",
    hotline_no: str | None = None,
    today: date | None = None,
    request_id: str | None = None,
    ip: str | None = None,
) -> tuple[Complaint, str]:
    """File a complaint and route it. Returns the complaint and its tracking code (shown once)."""
    day = today or _today()
    p = policy(session)
    v = check_filing(p, target_kind=target_kind, body_name=body_name, official_name=official_name,
                     behaviour=behaviour, account=account, region=region, anonymous=anonymous, name=name, phone=phone)
    if occurred_on is not None and occurred_on > day:
        raise InvalidInput("失信行为发生日期不能晚于今天", "occurred_on is in the future", field="occurred_on")
    body = find_body(session, name=v["body_name"], code=body_code, region=region)
    official = _official(session, body, v["official_name"], occurred_on or day)
    to_region, dept_code, dept_name = route(session, body, region)
    d = rules.reply_due(day, p.complaints.reply_workdays)
    code = new_tracking_code()
    c = Complaint(
        channel=channel, hotline_no=hotline_no, tracking_hash=tracking_hash(code), anonymous=anonymous,
        complainant_name=None if anonymous else v["name"], complainant_phone=None if anonymous else v["phone"],
        target_kind=target_kind, body_id=body.id if body else None, body_name=body.name if body else v["body_name"],
        official_id=official.id if official else None, official_name=v["official_name"], behaviour_code=behaviour,
        account=mask_ids_in_text(v["account"] or ""), occurred_on=occurred_on, origin_region=to_region,
        region_code=to_region, department_code=dept_code, department_name=dept_name, filed_on=day, status="routed",
        reply_due=d.due, due_provisional=d.provisional, escalations=0, created_at=utcnow(), updated_at=utcnow(),
    )
    session.add(c)
    session.flush()
    _event(session, c, "filed", day, who.label, filed_note(channel, hotline_no, anonymous))
    _event(session, c, "routed", day, "平台", routed_note(dept_name, to_region, p.complaints.reply_workdays))
    _audit(session, who, c, "file", None, {**_state(c), "channel": channel, "behaviour": behaviour,
                                           "anonymous": anonymous}, request_id, ip)
    session.flush()
    return c, code


# --- the complainant's contact --------------------------------------------------------------


def reveal_complainant(session: Session, who: Principal, complaint_id: int, *, purpose: str,
                       request_id: str | None = None, ip: str | None = None) -> dict[str, str | None]:
    """The named complainant's name and telephone in full, for the officials handling the
    complaint (the credit office of its region, or the department it is routed to) who state why
    (to call back about the reply, say); every reveal is an audit entry (``complaint_reveal``)
    naming who, why and from where, in the caller's transaction, as identity numbers are revealed
    (:func:`xinyong.subjects.identity.reveal`). Everyone else sees them masked."""
    c = get(session, complaint_id)
    if not may_reply(who, c):
        raise Forbidden("只有承办该投诉的单位或所在地区的信用办可以查看投诉人的完整联系方式",
                        f"{who.label} may not see complaint {c.id}'s complainant")
    if c.anonymous or not (c.complainant_name or c.complainant_phone):
        raise InvalidInput("该投诉为匿名投诉，没有投诉人信息", "the complaint is anonymous", field="complainant")
    why = _text(purpose, "purpose", "查看投诉人完整联系方式的目的", required=True, width=200)
    log_event(session, who=who, action="complaint_reveal", entity="complaint.complainant", entity_id=c.id,
              subject_id=c.official_id or c.body_id, purpose=why, request_id=request_id, ip=ip)
    session.flush()
    return {"name": c.complainant_name, "phone": c.complainant_phone}


# --- steps -----------------------------------------------------------------------------------


def take_step(
    session: Session,
    who: Principal,
    complaint_id: int,
    step: str,
    *,
    reply: str | None = None,
    finding: str | None = None,
    reasons: str | None = None,
    today: date | None = None,
    request_id: str | None = None,
    ip: str | None = None,
) -> Complaint:
    """An official's step: ``reply`` (with ``finding`` and the reply text), ``reject`` (reasons),
    ``close``. Rating is :func:`rate`, escalation :func:`escalate_overdue`, a record :func:`make_record`."""
    day = today or _today()
    c = get(session, complaint_id)
    if step not in ("reply", "reject", "close"):
        raise InvalidInput(f"未知的处理步骤“{step}”", f"unknown step {step!r}", field="action")
    ensure_step(who, c, step)
    to = rules.next_status(c.status, step)
    before = _state(c)
    note: str | None
    if step == "reply":
        if finding not in rules.FINDINGS:
            raise InvalidInput("请选择核查结论：属实、部分属实或不属实", f"unknown finding {finding!r}", field="finding")
        text = _text(reply, "reply", "答复内容", required=True)
        c.finding, c.reply, c.replied_on, c.replied_by = finding, mask_ids_in_text(text or ""), day, who.label[:100]
        c.rate_due = rules.reply_due(day, complaint_policy(session).rate_workdays).due
        note = f"{rules.FINDINGS[finding]}：{c.reply}"
    elif step == "reject":
        note = _text(reasons, "reasons", "不予受理的理由", required=True)
        c.reply, c.replied_on, c.replied_by = note, day, who.label[:100]
    else:
        note = _text(reasons, "reasons", "说明", required=False)
        c.closed_on = day
    c.status = to
    c.updated_at = utcnow()
    _event(session, c, to, day, who.label, note)
    _audit(session, who, c, step, before, _state(c), request_id, ip)
    session.flush()
    return c


def rate(session: Session, code: str, rating: str, note: str | None = None, *, today: date | None = None,
         request_id: str | None = None, ip: str | None = None) -> Complaint:
    """The complainant rates the reply, by the tracking code (no login)."""
    day = today or _today()
    c = by_code(session, code)
    if rating not in rules.RATINGS:
        raise InvalidInput("请选择评价：满意、基本满意或不满意", f"unknown rating {rating!r}", field="rating")
    to = rules.next_status(c.status, "rate")
    late = rules.rating_late(c.rate_due, day)
    if late:
        raise InvalidInput(late, f"the rating period ended on {c.rate_due}", field="rating")
    text = _text(note, "note", "评价意见", required=rating == "unsatisfied")
    before = _state(c)
    c.rating, c.rating_note, c.rated_on, c.status, c.updated_at = rating, text, day, to, utcnow()
    _event(session, c, "rated", day, "投诉人", rules.RATINGS[rating] + (f"：{text}" if text else ""))
    _audit(session, PUBLIC, c, "rate", before, _state(c), request_id, ip)
    session.flush()
    return c


# --- escalation (the daily run) --------------------------------------------------------------


def escalate_overdue(session: Session, today: date, *, who: Principal | str = DAILY_USER) -> dict[str, int]:
    """Every complaint waiting for a reply past its deadline goes to the superior region (its
    department cleared: the superior's credit office supervises), with a fresh deadline of
    ``escalated_reply_workdays``. Set-based: one select of the ids, one update per level of
    region (county → city, city → province), one insert of the case-file rows, one audit entry.
    A second run the same day finds nothing overdue (the new deadline is after today); a
    province's complaint cannot go higher and stays overdue on the queues and the board."""
    p = complaint_policy(session)
    d = rules.reply_due(today, p.escalated_reply_workdays)
    late = and_(overdue_clause(today), ~Complaint.region_code.like("__0000"))
    rows = session.execute(select(Complaint.id, Complaint.region_code, Complaint.body_id, Complaint.official_id)
                           .where(late).order_by(Complaint.id)).all()
    if not rows:
        return {"escalated": 0}
    ids = [r.id for r in rows]
    city = func.substr(Complaint.region_code, 1, 4) + "00"
    prov = func.substr(Complaint.region_code, 1, 2) + "0000"
    common = {"department_code": None, "department_name": None, "status": "escalated", "reply_due": d.due,
              "due_provisional": d.provisional, "escalations": Complaint.escalations + 1, "escalated_on": today,
              "updated_at": utcnow()}
    counties = and_(Complaint.id.in_(ids), ~Complaint.region_code.like("____00"))
    cities = and_(Complaint.id.in_(ids), Complaint.region_code.like("____00"))
    # cities first: a county moved to its city in the same run must not move again
    session.execute(update(Complaint).where(cities).values(region_code=prov, **common)
                    .execution_options(synchronize_session=False))
    session.execute(update(Complaint).where(counties).values(region_code=city, **common)
                    .execution_options(synchronize_session=False))
    by = who if isinstance(who, str) else who.label
    session.execute(ComplaintEvent.__table__.insert(), [
        {"complaint_id": r.id, "action": "escalated", "on": today, "by": by[:100], "at": utcnow(),
         "note": f"逾期未答复，提级至{regions.name_of(rules.superior(r.region_code) or r.region_code)}督办，"
                 f"{p.escalated_reply_workdays} 个工作日内答复"} for r in rows])
    log_event(session, who=who, action="complaint_escalate", entity="complaint", entity_id=None,
              after={"date": today.isoformat(), "escalated": len(ids), "ids": ids[:1000], "reply_due": d.due},
              subject_ids=[r.official_id or r.body_id for r in rows if (r.official_id or r.body_id)])
    session.expire_all()
    return {"escalated": len(ids)}


def close_unrated(session: Session, today: date, *, who: Principal | str = DAILY_USER) -> dict[str, int]:
    """Every replied complaint whose rating period (``rate_workdays`` after the reply) ended
    before ``today`` without a rating is closed (办结), as ``complaints.yaml`` allows. Set-based:
    one select of the ids, one update, one insert of the case-file rows, one audit entry; a
    second run the same day finds none (they are closed)."""
    p = complaint_policy(session)
    ended = and_(Complaint.status == "replied", Complaint.rate_due.is_not(None), Complaint.rate_due < today)
    rows = session.execute(select(Complaint.id, Complaint.body_id, Complaint.official_id)
                           .where(ended).order_by(Complaint.id)).all()
    if not rows:
        return {"closed_unrated": 0}
    ids = [r.id for r in rows]
    session.execute(update(Complaint).where(Complaint.id.in_(ids), Complaint.status == "replied")
                    .values(status="closed", closed_on=today, updated_at=utcnow())
                    .execution_options(synchronize_session=False))
    by = who if isinstance(who, str) else who.label
    session.execute(ComplaintEvent.__table__.insert(), [
        {"complaint_id": r.id, "action": "closed", "on": today, "by": by[:100], "at": utcnow(),
         "note": f"答复后 {p.rate_workdays} 个工作日内未评价，评价期满办结"} for r in rows])
    log_event(session, who=who, action="complaint_unrated", entity="complaint", entity_id=None,
              after={"date": today.isoformat(), "closed": len(ids), "ids": ids[:1000]},
              subject_ids=[r.official_id or r.body_id for r in rows if (r.official_id or r.body_id)])
    session.expire_all()
    return {"closed_unrated": len(ids)}


def daily(session: Session, today: date) -> dict:
    """The daily job: escalate what is overdue, close what was left unrated past its rating
    period, then note what is still overdue and due today."""
    changed = {**escalate_overdue(session, today), **close_unrated(session, today)}
    seen = queues.daily(session, Complaint, rules, today, overdue=overdue_clause(today),
                        due_on=and_(Complaint.status.in_(rules.REPLYING_STATUSES), Complaint.reply_due == today))
    return {**changed, "overdue": seen["overdue"], "due_today": seen["due_today"]}


# --- a substantiated complaint becomes a record ----------------------------------------------


def make_record(session: Session, who: Principal, complaint_id: int, *, decision_no: str,
                decision_date: date | None = None, facts: dict | None = None, department_code: str | None = None,
                department_name: str | None = None, today: date | None = None, request_id: str | None = None,
                ip: str | None = None):
    """A substantiated complaint becomes a credit record of its behaviour's category, through
    the records' own import path (the same validation, periods and versions as any department's
    row), its source id naming the complaint. The import's refusal is returned as the message."""
    from xinyong.records.ingest import import_source
    from xinyong.records.models import Record
    from xinyong.records.readers import rows_from_dicts
    from xinyong.records.validation import Defaults

    day = today or _today()
    c = get(session, complaint_id)
    ensure_step(who, c, "record")
    why = rules.recordable(c.status, c.finding, c.record_id)
    if why:
        raise InvalidInput(why, "the complaint cannot become a record", field="action")
    number = _text(decision_no, "decision_no", "认定文书文号", required=True, width=100)
    subject = session.get(Subject, c.official_id or c.body_id) if (c.official_id or c.body_id) else None
    if subject is None:
        raise InvalidInput("被投诉单位或人员尚未在平台登记为信用主体，请先登记后再认定", "the body is not a subject",
                           field="body")
    dept_code = (department_code or "").strip().upper() or c.department_code or who.department_code
    dept_name = (department_name or "").strip() or (c.department_name if dept_code == c.department_code else None)
    if not dept_code or not dept_name:
        raise InvalidInput("请填写作出认定的单位名称和统一社会信用代码", "the deciding department is required",
                           field="department_code")
    p = policy(session)
    behaviour = next((b for b in p.behaviours.behaviours if b.code == c.behaviour_code), None)
    if behaviour is None:
        raise InvalidInput("该投诉的失信行为已不在现行行为清单中", "the behaviour is gone", field="behaviour")
    plain = subject.code
    if subject.code_cipher:
        from xinyong.core.crypto import get_keyring
        from xinyong.subjects.identity import CODE_CONTEXT

        plain = get_keyring().decrypt(subject.code_cipher, CODE_CONTEXT)
    row = {
        "subject_name": subject.name, "subject_code": plain, "category": behaviour.category,
        "decision_no": number, "decision_date": (decision_date or day).isoformat(),
        "department_name": dept_name, "department_code": dept_code, "source_id": f"{SOURCE_PREFIX}{c.id}",
        **({"severity": behaviour.severity} if behaviour.severity else {}),
        **{k: v for k, v in (facts or {}).items() if isinstance(k, str) and not k.startswith("_")},
    }
    result = import_source(session, rows_from_dicts([row]), file_name=f"complaint-{c.id}", category=behaviour.category,
                           user=who.username, defaults=Defaults(today=day), who=who)
    if result.rejected or not (result.new or result.updated or result.unchanged):
        msgs = "；".join(f"{e.field}：{e.zh}" for e in result.errors[:5]) or "记录未能写入"
        raise InvalidInput(f"不能形成信用记录：{msgs}", "the record path refused the row", field="facts")
    record = session.scalar(select(Record).where(Record.source_id == row["source_id"]).order_by(Record.id.desc()))
    before = _state(c)
    c.record_id = record.id if record is not None else None
    c.updated_at = utcnow()
    _event(session, c, "recorded", day, who.label, f"认定文书 {number}，形成信用记录（第 {c.record_id} 号）")
    _audit(session, who, c, "record", before, _state(c), request_id, ip)
    session.flush()
    return c


# --- public statistics -----------------------------------------------------------------------


def stats_by_region(session: Session) -> list[dict]:
    """Per region where complaints were first routed: filed, replied on time, substantiated,
    escalated. One ``GROUP BY``; nothing of any complainant."""
    q = select(Complaint.origin_region, *_stat_cols()).group_by(Complaint.origin_region) \
        .order_by(Complaint.origin_region)
    return [{"key": r[0], "name": regions.name_of(r[0]), **_stat(r)} for r in session.execute(q)]


def stats_by_body(session: Session, limit: int = 100) -> list[dict]:
    """Per body named: the same counts, the most complained of first. One ``GROUP BY``."""
    total = func.count()
    q = select(Complaint.body_name, *_stat_cols()).group_by(Complaint.body_name) \
        .order_by(total.desc(), Complaint.body_name).limit(limit)
    return [{"key": r[0], "name": r[0], **_stat(r)} for r in session.execute(q)]


def _n(cond):
    from sqlalchemy import case

    return func.sum(case((cond, 1), else_=0))


def _stat_cols():
    return (func.count(), _n(Complaint.replied_on.is_not(None)), _n(Complaint.finding.in_(rules.RECORDABLE_FINDINGS)),
            _n(Complaint.escalations > 0), _n(Complaint.rating == "satisfied"))


def _stat(r) -> dict:
    return {"total": int(r[1] or 0), "replied": int(r[2] or 0), "substantiated": int(r[3] or 0),
            "escalated": int(r[4] or 0), "satisfied": int(r[5] or 0)}
