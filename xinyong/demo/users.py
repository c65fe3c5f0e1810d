"""One demo user per role, so that each view of the platform can be tried at once.

After ``xinyong demo`` has built the province: a provincial administrator (with a TOTP secret
already in force, printed with the passwords), a reporter for the city department that reported
most records in 杭州 (its categories are those it reported), a checker of the same department
(whose 实时推送 inbox holds the listings of 30 subjects it is subscribed to), a provincial
supervisor and auditor, and a subject user linked to a person in 杭州 who has records (one with
a listing in its notice period when there is one). The passwords are generated, printed once,
and (this being a demo) need not be changed first. Running it again creates nobody twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from xinyong.accounts import service
from xinyong.accounts.models import Department, User
from xinyong.lists.models import ListEntry
from xinyong.records.models import Record
from xinyong.subjects.models import Subject

CITY = "330100"  # 杭州市
PROVINCE = "330000"


@dataclass
class DemoLogin:
    username: str
    role: str
    region_code: str | None
    password: str
    note: str = ""
    totp_secret: str | None = None
    totp_uri: str | None = None


def _city_department(db: Session) -> tuple[str, str, list[str]] | None:
    """The 杭州 city department (a body of the city itself) that reported most records."""
    row = db.execute(
        select(Record.department_code, func.min(Record.department_name), func.count())
        .join(Subject, Subject.code == Record.department_code)
        .where(Subject.kind == "gov_body", Subject.region_code == CITY)
        .group_by(Record.department_code)
        .order_by(func.count().desc(), Record.department_code)
        .limit(1)
    ).first()
    if row is None:
        return None
    code, name, _n = row
    categories = sorted(db.scalars(select(distinct(Record.category_code)).where(Record.department_code == code)))
    return code, name, categories


def _person(db: Session) -> Subject | None:
    """A 杭州 person with records — one with a listing in its notice period when there is one,
    so that the demo subject can state its case on 我的名单记录."""
    hz = (Subject.kind == "person", Subject.region_code.like(CITY[:4] + "%"))
    proposed = db.scalar(
        select(Subject).join(ListEntry, ListEntry.subject_id == Subject.id)
        .where(*hz, ListEntry.status == "proposed").order_by(Subject.id).limit(1)
    )
    return proposed or db.scalar(
        select(Subject).where(*hz, Subject.id.in_(select(Record.subject_id))).order_by(Subject.id).limit(1)
    )


def _seed_push(db: Session, department_code: str, n: int = 30) -> int:
    """Subscribe the city department to 杭州 subjects on a list now and tell it what their
    listings did (the push's own producer, over the events so far), so that the demo checker's
    实时推送 inbox and the monitor page have messages. Returns the messages made."""
    from xinyong.core.db import utcnow
    from xinyong.push import service as push
    from xinyong.push.models import PushSubscription

    have = set(db.scalars(select(PushSubscription.subject_id).where(PushSubscription.department_code == department_code)))
    ids = [sid for sid in db.scalars(
        select(ListEntry.subject_id).where(ListEntry.region_code.like(CITY[:4] + "%"), ListEntry.status == "active")
        .group_by(ListEntry.subject_id).order_by(ListEntry.subject_id).limit(n)) if sid not in have]
    now = utcnow()
    for sid in ids:
        db.add(PushSubscription(department_code=department_code, subject_id=sid, source="explicit",
                                created_by="demo", created_at=now))
    db.flush()
    return push.on_list_events(db, 0) if ids else 0


def _grant_demo_code(db: Session, user: User) -> str:
    """One authorization code (授权查询) the demo person has granted a bank, so that 授权查询
    (``/my/authorizations``) lists one to revoke and 谁查询了我 has its grant. The code itself is
    shown to nobody (only its hash is kept): to try a third party's query, the person grants
    another on that page, which shows it once."""
    from xinyong.accounts.principal import Principal
    from xinyong.catalog import service as catalog_service
    from xinyong.core import clock
    from xinyong.disclosure import authorization

    _vid, policy = catalog_service.active_version(db)
    who = Principal(user_id=user.id, username=user.username, role="subject", region_code=user.region_code,
                    subject_id=user.subject_id, via="cli")
    parts = list(authorization.scope_parts(policy))
    granted = authorization.grant(db, policy, who, recipient="某商业银行杭州分行（演示）", purpose="办理个人住房贷款（演示）",
                                  scope=parts, valid_until=clock.today() + timedelta(days=30), max_reads=3,
                                  # granted at noon of the demo's day (04:00 UTC), whatever the clock says
                                  now=datetime.combine(clock.today(), time(4, 0)))
    return f"已授予“{granted.row.recipient}”一个授权码（30 天内可查询 3 次；码本身不显示，可在“授权查询”页撤销）"


def create_demo_users(db: Session) -> list[DemoLogin]:
    """Create the demo users that do not exist yet; returns the logins of those created."""
    made: list[DemoLogin] = []

    def add(username: str, role: str, region: str | None, note: str, **kw) -> User | None:
        if db.scalar(select(User.id).where(User.username == username)) is not None:
            return None
        password = service.generate_password()
        user, _ = service.create_user(db, username=username, role=role, region_code=region, password=password,
                                      display_name=note, **kw)
        user.must_change_password = False
        made.append(DemoLogin(username, role, region, password, note))
        return user

    admin = add("demo-admin", "admin", PROVINCE, "省信用办管理员")
    if admin is not None:
        secret = service.begin_totp(db, admin)
        admin.totp_enabled = True
        made[-1].totp_secret = secret
        made[-1].totp_uri = service.totp_uri(admin, secret)
    dept = _city_department(db)
    if dept is not None:
        code, name, categories = dept
        if db.scalar(select(Department.id).where(Department.code == code)) is None:
            service.create_department(db, code=code, name=name, region_code=CITY, categories=categories)
        add("demo-reporter", "reporter", CITY, f"{name}报送员", department_code=code)
        add("demo-checker", "checker", CITY, f"{name}核查人员", department_code=code)
        _seed_push(db, code)
    else:
        add("demo-checker", "checker", CITY, "杭州市核查人员")
    add("demo-supervisor", "supervisor", PROVINCE, "省督导考核人员")
    add("demo-auditor", "auditor", PROVINCE, "省审计员")
    person = _person(db)
    if person is not None:
        subject_user = add("demo-subject", "subject", person.region_code, "信用主体本人（演示）", subject_id=person.id)
        if subject_user is not None:
            made[-1].note = _grant_demo_code(db, subject_user)
    db.flush()
    return made
