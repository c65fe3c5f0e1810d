"""Authorized query (授权查询): a person grants a third party a code that opens part of his file.

A person who proved who he is (a subject user with a second factor, or the province's single
sign-on, :mod:`xinyong.disclosure.oidc`) grants a code: for whom (``recipient``), for what
(``purpose``), which parts of the file (``scope``, :data:`SCOPE_PARTS`), until which day, how
many reads. The code is random (16 characters of :data:`CODE_ALPHABET`, 80 bits), shown to the
person once and stored as its SHA-256; his page lists his codes with the reads used, and he can
revoke one early.

The third party needs no account: the code is the credential, bound to the recipient and the
purpose the person chose, and the reader states who he is and why on each read (audited). A
read with the code (:func:`read`) — a page or the API — sees the file as the code allows: the
person's identity masked; his records of the allowed category groups that are public or
authorized for query (授权查询), never those for government sharing only (政务共享); his list
entries and commitments when the scope names them; and, with ``report``, the same as a credit
report PDF. Every read is one audit entry (``read authorized_query``) whose subject is the
person, so it appears in his 谁查询了我, and takes one read off the code, in the same
transaction. A code that is unknown, expired, revoked or used up is refused in Chinese (the
same answer for an unknown and a wrong code); the routes rate-limit tries per address.

Plain functions over a session; the caller commits. ``now`` is a parameter (UTC, naive, as
stored) so that a test moves the clock without waiting; left out, it is
:func:`xinyong.core.clock.utcnow`, which follows a day frozen with
:func:`~xinyong.core.clock.frozen_today` (as the pages do), so that a test of the pages needs no
wall-clock date.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from xinyong.accounts.principal import Principal
from xinyong.audit import service as audit
from xinyong.catalog.schemas import PolicySet
from xinyong.commitments.models import STATUSES as COMMITMENT_STATUSES
from xinyong.commitments.models import Commitment
from xinyong.core import clock, masking
from xinyong.core.errors import Forbidden, InvalidInput, NotFound
from xinyong.core.settings import get_settings
from xinyong.disclosure import providers as _providers  # noqa: F401 (registers the sections)
from xinyong.disclosure.authorization_models import AuthorizationCode
from xinyong.disclosure.sections import (
    SECTION_OF_GROUP,
    SECTIONS,
    Block,
    FilledSection,
    ReportContext,
    Table,
    discover,
    providers,
)
from xinyong.records import credit_file as files
from xinyong.records.schemas import CreditFileOut
from xinyong.subjects.models import Subject

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off paper or a phone
CODE_LENGTH = 16
CODE_RE = re.compile(r"[A-Z2-9]{16}")
ENTITY = "authorized_query"
# Records a third party may see with a code: public ones and those disclosed by authorization;
# never those for government sharing only (政务共享).
READABLE_DISCLOSURES = frozenset({"public", "authorized"})
READABLE_COMMITMENTS = frozenset({"public", "limited"})
PARTS = {"lists": "信用名单", "commitments": "信用承诺", "report": "下载信用报告（PDF）"}
OUT_OF_SCOPE = "不在本次授权范围内"


def record_groups(policy: PolicySet) -> list[str]:
    """The catalog's category groups a person may open, in the catalog's order (基础信息 is the
    identity, always shown masked)."""
    return list(dict.fromkeys(c.group for c in policy.catalog.categories if c.group != "基础信息"))


def scope_parts(policy: PolicySet) -> dict[str, str]:
    """Every part a code may open: ``records:<group>`` for each category group, ``lists``,
    ``commitments``, ``report`` — key → Chinese name."""
    return {**{f"records:{g}": f"信用记录：{g}" for g in record_groups(policy)}, **PARTS}


def scope_names(policy: PolicySet, scope: list[str]) -> list[str]:
    parts = scope_parts(policy)
    return [parts.get(p, p) for p in scope]


def hash_code(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def clean_code(raw: str) -> str:
    """A code as typed: blanks and dashes dropped, upper case."""
    return re.sub(r"[\s\-]", "", raw or "").upper()


def format_code(code: str) -> str:
    """XXXX-XXXX-XXXX-XXXX, as the person reads it out."""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def end_of_day_utc(day: date) -> datetime:
    """The first instant after ``day`` in China Standard Time, as stored (UTC, naive)."""
    return datetime.combine(day + timedelta(days=1), time(), clock.CST).astimezone(UTC).replace(tzinfo=None)


def last_day(row: AuthorizationCode) -> date:
    """The last day (Beijing) a code may be used."""
    return (row.expires_at.replace(tzinfo=UTC).astimezone(clock.CST) - timedelta(seconds=1)).date()


def shown_until(row: AuthorizationCode) -> str:
    return f"{last_day(row).isoformat()} 24:00"


def state(row: AuthorizationCode, now: datetime) -> str:
    """active / expired / revoked / exhausted."""
    if row.revoked_at is not None:
        return "revoked"
    if now >= row.expires_at:
        return "expired"
    if row.reads_used >= row.max_reads:
        return "exhausted"
    return "active"


STATE_NAMES = {"active": "有效", "expired": "已过期", "revoked": "已撤销", "exhausted": "次数已用完"}
REFUSALS = {
    "unknown": ("授权码不存在或输入有误，请核对后重试", "no such authorization code"),
    "expired": ("该授权码已过授权期限，不能再查询；请联系信用主体本人重新授权", "the authorization code has expired"),
    "revoked": ("该授权码已被信用主体本人撤销，不能再查询", "the authorization code was revoked"),
    "exhausted": ("该授权码的查询次数已用完，不能再查询；请联系信用主体本人重新授权",
                  "the authorization code has no reads left"),
}


class CodeRefused(Forbidden):
    """A read with a code that is unknown, expired, revoked or used up (403, one reason each)."""

    def __init__(self, reason: str) -> None:
        zh, en = REFUSALS[reason]
        super().__init__(zh, en)
        self.reason = reason


# --- granting ------------------------------------------------------------------------------


@dataclass
class Granted:
    row: AuthorizationCode
    code: str  # the only time the code is seen in clear

    @property
    def shown(self) -> str:
        return format_code(self.code)


def _clean_scope(policy: PolicySet, scope: list[str]) -> list[str]:
    parts = scope_parts(policy)
    chosen = list(dict.fromkeys(p.strip() for p in scope if p and p.strip()))
    unknown = [p for p in chosen if p not in parts]
    if unknown:
        raise InvalidInput(f"授权范围“{unknown[0]}”不存在，请从列出的范围中选择", f"unknown scope part {unknown[0]!r}",
                           field="scope")
    if not any(p != "report" for p in chosen):
        raise InvalidInput("请至少选择一项授权范围（信用记录的类别、信用名单或信用承诺）",
                           "choose at least one part of the file", field="scope")
    return [p for p in parts if p in chosen]  # in the catalog's order


def grant(
    session: Session,
    policy: PolicySet,
    who: Principal,
    *,
    recipient: str,
    purpose: str,
    scope: list[str],
    valid_until: date,
    max_reads: int,
    now: datetime | None = None,
    request_id: str | None = None,
    ip: str | None = None,
) -> Granted:
    """A new code for ``who``'s own subject (a subject user only); audited (``create``)."""
    if who.role != "subject" or who.subject_id is None or who.user_id is None:
        raise Forbidden("只有信用主体本人可以授权查询本人的信用信息", "only the subject itself may grant a code")
    s = get_settings()
    now = now or clock.utcnow()
    recipient, purpose = (recipient or "").strip(), (purpose or "").strip()
    if not recipient:
        raise InvalidInput("请填写被授权方（查询单位或个人的名称）", "the recipient is missing", field="recipient")
    if len(recipient) > 100:
        raise InvalidInput("被授权方名称不能超过 100 字", "the recipient is longer than 100 characters", field="recipient")
    if not purpose:
        raise InvalidInput("请填写授权用途（如：办理个人贷款）", "the purpose is missing", field="purpose")
    if len(purpose) > 200:
        raise InvalidInput("授权用途不能超过 200 字", "the purpose is longer than 200 characters", field="purpose")
    today = now.replace(tzinfo=UTC).astimezone(clock.CST).date()
    if valid_until < today:
        raise InvalidInput(f"授权截止日期 {valid_until.isoformat()} 早于今天", "the last day is in the past",
                           field="valid_until")
    if valid_until > today + timedelta(days=s.authorization_max_days):
        raise InvalidInput(f"授权期限最长 {s.authorization_max_days} 天（至 "
                           f"{(today + timedelta(days=s.authorization_max_days)).isoformat()}）",
                           "the code would be valid too long", field="valid_until")
    if not 1 <= max_reads <= s.authorization_max_reads:
        raise InvalidInput(f"查询次数应在 1 到 {s.authorization_max_reads} 之间", "reads out of range", field="max_reads")
    parts = _clean_scope(policy, scope)
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    row = AuthorizationCode(
        subject_id=who.subject_id, user_id=who.user_id, code_hash=hash_code(code), prefix=code[:4],
        recipient=recipient, purpose=purpose, scope=parts, expires_at=end_of_day_utc(valid_until),
        max_reads=max_reads, reads_used=0, created_at=now,
    )
    session.add(row)
    session.flush()
    audit.log_event(session, who=who, action="create", entity="authorization_code", entity_id=row.id,
                    subject_id=who.subject_id, purpose=purpose,
                    after={"recipient": recipient, "scope": parts, "valid_until": valid_until.isoformat(),
                           "max_reads": max_reads, "prefix": row.prefix},
                    request_id=request_id, ip=ip)
    return Granted(row, code)


def codes_of(session: Session, who: Principal) -> list[AuthorizationCode]:
    """The person's codes, newest first (one query)."""
    if who.subject_id is None:
        return []
    return list(session.scalars(select(AuthorizationCode).where(AuthorizationCode.subject_id == who.subject_id)
                                .order_by(AuthorizationCode.id.desc())))


def revoke(session: Session, who: Principal, code_id: int, *, now: datetime | None = None,
           request_id: str | None = None, ip: str | None = None) -> AuthorizationCode:
    """End a code early; only its own person may. Revoking a revoked code changes nothing."""
    row = session.get(AuthorizationCode, code_id)
    if row is None or who.role != "subject" or row.subject_id != who.subject_id:
        raise NotFound("未找到该授权码", "no such authorization code")
    if row.revoked_at is None:
        row.revoked_at = now or clock.utcnow()
        session.flush()
        audit.log_event(session, who=who, action="revoke", entity="authorization_code", entity_id=row.id,
                        subject_id=row.subject_id, before={"revoked": False}, after={"revoked": True},
                        request_id=request_id, ip=ip)
    return row


# --- reading with a code -------------------------------------------------------------------


@dataclass
class Reading:
    row: AuthorizationCode
    subject: Subject
    sections: list[FilledSection]
    identity: dict[str, str]
    reads_left: int

    @property
    def may_download(self) -> bool:
        return "report" in self.row.scope


def find(session: Session, code: str, now: datetime) -> AuthorizationCode:
    """The live code for what was typed; :class:`CodeRefused` else."""
    code = clean_code(code)
    row = None
    if CODE_RE.fullmatch(code):
        row = session.scalar(select(AuthorizationCode).where(AuthorizationCode.code_hash == hash_code(code)))
    if row is None or not hmac.compare_digest(row.code_hash, hash_code(code)):
        raise CodeRefused("unknown")
    st = state(row, now)
    if st != "active":
        raise CodeRefused(st)
    return row


def _take_read(session: Session, row: AuthorizationCode, now: datetime) -> None:
    """One read off the code, guarded in SQL so that two readers at once cannot exceed it."""
    done = session.execute(
        update(AuthorizationCode)
        .where(AuthorizationCode.id == row.id, AuthorizationCode.reads_used < AuthorizationCode.max_reads,
               AuthorizationCode.revoked_at.is_(None), AuthorizationCode.expires_at > now)
        .values(reads_used=AuthorizationCode.reads_used + 1, last_read_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not done:
        raise CodeRefused("exhausted")
    session.refresh(row)


def _keep_record(groups: set[str], policy: PolicySet):
    def keep(r) -> bool:
        category = policy.category(r.category_code)
        group = category.group if category else "其他"
        return r.disclosure in READABLE_DISCLOSURES and group in groups

    return keep


def scoped_file(session: Session, policy: PolicySet, version_id: int, subject: Subject, scope: list[str],
                on: date) -> CreditFileOut:
    """The file as a code shows it: the records of the allowed groups that are public or authorized."""
    groups = {p.split(":", 1)[1] for p in scope if p.startswith("records:")}
    out = CreditFileOut.build(files.credit_file(session, subject, public=False, on=on), policy, version_id)
    keep = _keep_record(groups, policy)
    out.records = [r for r in out.records if keep(r)]
    out.withheld = 0
    out.withheld_note = None
    return out


def _commitment_blocks(session: Session, subject: Subject) -> list[Block]:
    rows = list(session.scalars(
        select(Commitment).where(Commitment.subject_id == subject.id, Commitment.disclosure.in_(READABLE_COMMITMENTS))
        .order_by(Commitment.made_on.desc(), Commitment.id.desc())))
    if not rows:
        return []
    table = Table(["承诺编号", "承诺事由", "承诺受理单位", "承诺日期", "履行期限", "状态"], [
        [c.code, masking.mask_ids_in_text(c.matter), c.accepting_unit, c.made_on.isoformat(),
         c.due_on.isoformat() if c.due_on else "—", COMMITMENT_STATUSES.get(c.status, c.status)] for c in rows])
    return [Block(caption=f"信用承诺（{len(rows)} 项）", table=table)]


def sections_for(ctx: ReportContext, scope: list[str]) -> list[FilledSection]:
    """The report's sections in the standard's order, each with only what the scope opens; a
    section the scope does not reach says so (rather than 无, which would claim nothing is on file)."""
    discover()
    groups = {p.split(":", 1)[1] for p in scope if p.startswith("records:")}
    record_sections = {SECTION_OF_GROUP.get(g, "other") for g in groups}
    out = []
    for spec in SECTIONS:
        reach = spec.key == "basic" or spec.key in record_sections or \
            ("lists" in scope and spec.key in ("honours", "serious_lists")) or \
            ("commitments" in scope and spec.key == "commitments")
        if not reach:
            out.append(FilledSection(spec, [Block(note=OUT_OF_SCOPE)]))
            continue
        blocks: list[Block] = []
        for provider in providers(spec.key):
            name = provider.__name__
            if name == "identity" or name.startswith("records_") or (name.startswith("lists_") and "lists" in scope):
                blocks += provider(ctx)
        if spec.key == "commitments" and "commitments" in scope:
            blocks += _commitment_blocks(ctx.session, ctx.subject)
        out.append(FilledSection(spec, blocks))
    return out


def masked_identity(subject: Subject) -> dict[str, str]:
    from xinyong.subjects.schemas import subject_code, subject_name

    return {"name": subject_name(subject), "code": subject_code(subject)}


def reader(recipient: str) -> Principal:
    """The third party as the audit log names it: not a user, the name it gave."""
    return Principal(user_id=None, username=f"授权查询方：{recipient}"[:100], role=None, region_code=None, via="code")


def read(
    session: Session,
    policy: PolicySet,
    version_id: int,
    code: str,
    *,
    reader_name: str,
    purpose: str | None = None,
    what: str = "page",
    now: datetime | None = None,
    request_id: str | None = None,
    ip: str | None = None,
) -> Reading:
    """One read with a code: checked, counted, audited (in the caller's transaction)."""
    now = now or clock.utcnow()
    reader_name = (reader_name or "").strip()
    if not reader_name:
        raise InvalidInput("请填写查询方名称（与授权时的被授权方一致）", "the reader's name is missing", field="reader")
    if len(reader_name) > 100:
        raise InvalidInput("查询方名称不能超过 100 字", "the reader's name is longer than 100 characters", field="reader")
    row = find(session, code, now)
    if what == "report" and "report" not in row.scope:
        raise Forbidden("该授权码不包括下载信用报告", "the code does not allow a report")
    _take_read(session, row, now)
    subject = session.get(Subject, row.subject_id)
    day = now.replace(tzinfo=UTC).astimezone(clock.CST).date()
    identity = masked_identity(subject)
    sections: list[FilledSection] = []
    if what != "report":
        out = scoped_file(session, policy, version_id, subject, row.scope, day)
        ctx = ReportContext(session=session, subject=subject, file=out, full=False, policy=policy,
                            who=reader(reader_name), on=day, identity=identity)
        sections = sections_for(ctx, row.scope)
    audit.log_event(
        session, who=reader(reader_name), action="read", entity=ENTITY, entity_id=row.id, subject_id=row.subject_id,
        purpose=(purpose or "").strip() or row.purpose,
        after={"what": what, "scope": row.scope, "recipient": row.recipient, "reads_used": row.reads_used,
               "max_reads": row.max_reads},
        request_id=request_id, ip=ip,
    )
    return Reading(row, subject, sections, identity, row.max_reads - row.reads_used)


def issue_report(
    session: Session, policy: PolicySet, version_id: int, code: str, *, reader_name: str, purpose: str | None = None,
    now: datetime | None = None, request_id: str | None = None, ip: str | None = None,
):
    """The credit report PDF as the code allows (scope ``report``): one read, audited, and the
    report stored for verification like any other (:func:`xinyong.disclosure.service.issue`)."""
    from xinyong.disclosure import service

    reading = read(session, policy, version_id, code, reader_name=reader_name, purpose=purpose, what="report",
                   now=now, request_id=request_id, ip=ip)
    row = reading.row
    return service.issue(
        session, policy, version_id, reader(reader_name), reading.subject,
        purpose=f"授权查询：{(purpose or '').strip() or row.purpose}"[:200], full=False,
        scoped=lambda ctx: sections_for(ctx, row.scope),
        file_out=lambda on: scoped_file(session, policy, version_id, reading.subject, row.scope, on),
        request_id=request_id, ip=ip,
    )


# --- the person's own file --------------------------------------------------------------------


def log_own_file(session: Session, who: Principal, *, request_id: str | None = None, ip: str | None = None) -> None:
    """The person read his whole file (every disclosure level): one audit entry."""
    audit.log_read(session, who=who, subject_id=who.subject_id, purpose="本人查询", what="credit_file",
                   entity_id=who.subject_id, request_id=request_id, ip=ip)
