"""Credit reports (信用报告): issue one for a subject as the reader may see it, and verify a copy.

Plain functions over a session; the routes and the command line decide who may see the subject
(the same rule as the credit file, :func:`xinyong.records.api.sees_in_full`) and pass ``full``.
Issuing reads the file through the credit file's own read path
(:func:`xinyong.records.credit_file.credit_file`, masked by
:class:`xinyong.records.schemas.CreditFileOut`), fills the sections in the national standard's
order (:mod:`xinyong.disclosure.sections`), renders the PDF, and — in the caller's transaction —
stores the report's number, verification code and the SHA-256 of the exact bytes handed out,
and writes the audit entries: the issue itself always (``create credit_report``), and a read
of personal data (``read credit_report``, so the person finds it in 谁查询了我) when an official
reports on a natural person.

Verifying needs no login and no secret: the number and the code printed on the report find
it; an uploaded copy is genuine exactly when its bytes hash to a stored digest, so a forged
report or an edited copy (one byte changed) is caught.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from urllib.parse import urlencode

from sqlalchemy import select
from sqlalchemy.orm import Session

from xinyong.accounts.principal import Principal
from xinyong.accounts.roles import ROLES
from xinyong.audit import service as audit
from xinyong.catalog.schemas import PolicySet
from xinyong.core import clock, masking
from xinyong.core.errors import InvalidInput
from xinyong.core.settings import get_settings
from xinyong.disclosure import pdf as pdf_render
from xinyong.disclosure import providers as _providers  # noqa: F401 (registers the sections)
from xinyong.disclosure.models import IssuedReport
from xinyong.disclosure.sections import ReportContext, fill
from xinyong.records import credit_file as files
from xinyong.records.schemas import CreditFileOut
from xinyong.subjects import identity
from xinyong.subjects.models import Subject
from xinyong.subjects.service import ref_of

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off paper
NUMBER_RE = re.compile(r"XY\d{8}[0-9A-F]{8}")
NUMBER_IN_PDF = re.compile(rb"report-number:(XY\d{8}[0-9A-F]{8})")
ENTITY = "credit_report"


def new_number(on: datetime) -> str:
    """报告编号: XY, the date of issue, eight random hexadecimal digits (not guessable in sequence)."""
    return f"XY{on:%Y%m%d}{secrets.token_hex(4).upper()}"


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


def report_title(subject: Subject) -> str:
    """The standard has two reports: natural persons, and legal persons and other organisations."""
    return "公共信用信息报告（自然人版）" if subject.is_natural else "公共信用信息报告（法人和非法人组织版）"


def requester_label(who: Principal) -> str:
    if who.role == "subject":
        return "信用主体本人"
    if who.via == "cli":
        return f"{who.username}（命令行，{ROLES.get(who.role or '', '')}）"
    return f"{who.username}（{ROLES.get(who.role or '', '公众')}）"


def verify_link(number: str, code: str) -> str:
    return f"{get_settings().report_verify_url}?{urlencode({'number': number, 'code': code})}"


@dataclass
class Issued:
    report: IssuedReport
    pdf: bytes

    @property
    def filename(self) -> str:
        return f"信用报告-{self.report.number}.pdf"


def issue(
    session: Session,
    policy: PolicySet,
    policy_version_id: int,
    who: Principal,
    subject: Subject,
    *,
    purpose: str,
    full: bool,
    reveal: bool = False,
    request_id: str | None = None,
    ip: str | None = None,
    file_out: Callable[[date], CreditFileOut] | None = None,
    scoped: Callable[[ReportContext], list] | None = None,
) -> Issued:
    """One report on ``subject`` for ``who``: ``full`` when the reader sees the file in full (the
    subject itself, an official whose region covers it), else what the public may read.
    ``reveal``: the identity whole (the subject itself or an administrator only, audited as a
    reveal, :func:`xinyong.subjects.identity.reveal`); else masked. The caller commits."""
    purpose = (purpose or "").strip()
    if not purpose:
        raise InvalidInput("出具信用报告须说明查询目的", "a credit report must state its purpose", field="purpose")
    if len(purpose) > 200:
        raise InvalidInput("查询目的不能超过 200 字", "the purpose is longer than 200 characters", field="purpose")
    now = clock.now()
    day = clock.today()
    if file_out is not None:
        out = file_out(day)
    else:
        out = CreditFileOut.build(files.credit_file(session, subject, public=not full, on=day), policy, policy_version_id)
    shown = {"name": out.subject.name, "code": out.subject.code}
    reveal = reveal and subject.is_natural  # an organisation's name and code are public: nothing to reveal
    if reveal:
        shown["code"] = identity.reveal(session, subject, who=who, purpose=purpose, request_id=request_id, ip=ip)
        shown["name"] = subject.name
    number, code = new_number(now), new_code()
    ctx = ReportContext(session=session, subject=subject, file=out, full=full, policy=policy, who=who, on=day,
                        identity=shown)
    head = pdf_render.ReportHeader(
        title=report_title(subject), number=number, code=code, issued_at=now,
        purpose=masking.mask_ids_in_text(purpose), requester=requester_label(who),
        issuer=get_settings().report_issuer, verify_url=verify_link(number, code),
        verify_page=get_settings().report_verify_url,
    )
    data = pdf_render.render(head, scoped(ctx) if scoped is not None else fill(ctx))
    digest = hashlib.sha256(data).hexdigest()
    row = IssuedReport(
        number=number, code=code, sha256=digest, size=len(data), subject_id=subject.id,
        requester=who.username[:100], requester_role=who.role, purpose=purpose,
        masked=not reveal, issued_at=now.astimezone(UTC).replace(tzinfo=None),
    )
    session.add(row)
    session.flush()
    if subject.is_natural and who.is_official:
        audit.log_read(session, who=who, subject_id=subject.id, purpose=purpose, what=ENTITY, entity_id=number,
                       request_id=request_id, ip=ip)
    audit.log_event(
        session, who=who, action="create", entity=ENTITY, entity_id=number, subject_id=subject.id,
        purpose=purpose, after={"number": number, "sha256": digest, "masked": not reveal, "full": full,
                                "subject": ref_of(subject)},
        request_id=request_id, ip=ip,
    )
    return Issued(row, data)


# --- verifying -------------------------------------------------------------------------------


@dataclass
class Verification:
    genuine: bool
    outcome: str  # genuine / matches (number and code match) / altered / unknown
    zh: str
    en: str
    number: str | None = None
    issued_at: datetime | None = None  # UTC, naive (as stored)
    subject_name: str | None = None  # masked for natural persons
    subject_kind: str | None = None

    @property
    def issued_at_cst(self) -> str | None:
        if self.issued_at is None:
            return None
        return self.issued_at.replace(tzinfo=UTC).astimezone(clock.CST).strftime("%Y-%m-%d %H:%M")


def _described(session: Session, row: IssuedReport, genuine: bool, outcome: str, zh: str, en: str) -> Verification:
    subject = session.get(Subject, row.subject_id)
    name = None
    if subject is not None:
        name = masking.mask_name(subject.name) if subject.is_natural else subject.name
    return Verification(genuine, outcome, zh, en, number=row.number, issued_at=row.issued_at,
                        subject_name=name, subject_kind=subject.kind if subject else None)


UNKNOWN_CODE = ("未找到与该报告编号和验证码相符的信用报告：报告可能是伪造的，或编号、验证码输入有误",
                "no report has this number and verification code")


def verify_code(session: Session, number: str, code: str) -> Verification:
    """A report found by its number and verification code. A wrong code and an unknown number
    get the same answer, so that the page confirms no number without its code."""
    number = (number or "").strip().upper()
    code = (code or "").strip().upper()
    row = session.scalar(select(IssuedReport).where(IssuedReport.number == number)) if NUMBER_RE.fullmatch(number) else None
    if row is None or not hmac.compare_digest(row.code.encode(), code.encode()):
        return Verification(False, "unknown", *UNKNOWN_CODE)
    return _described(
        session, row, True, "matches",
        "报告编号与验证码相符：该报告由本平台出具。如需确认文件内容未被改动，请上传 PDF 文件核验。",
        "the number and code match a report the platform issued; upload the PDF to check its content",
    )


def verify_pdf(session: Session, data: bytes) -> Verification:
    """A copy of a report: genuine and unaltered when its SHA-256 is one the platform stored;
    altered when it names a number the platform issued but its bytes differ; else unknown."""
    digest = hashlib.sha256(data).hexdigest()
    row = session.scalar(select(IssuedReport).where(IssuedReport.sha256 == digest).limit(1))
    if row is not None:
        return _described(session, row, True, "genuine",
                          "文件与平台留存的摘要一致：该报告真实，内容未被改动。",
                          "the file matches the digest the platform kept: genuine and unaltered")
    found = NUMBER_IN_PDF.search(data)
    if found:
        row = session.scalar(select(IssuedReport).where(IssuedReport.number == found.group(1).decode()))
        if row is not None:
            return _described(session, row, False, "altered",
                              f"报告编号 {row.number} 确由本平台出具，但该文件与出具时的文件不一致：内容已被改动，不能作为信用报告使用。",
                              "the number was issued, but the file differs from the one issued: altered")
    return Verification(False, "unknown", "平台未出具过该文件：该报告可能是伪造的。",
                        "the platform issued no such file: it may be forged")


def get_report(session: Session, number: str) -> IssuedReport | None:
    number = (number or "").strip().upper()
    return session.scalar(select(IssuedReport).where(IssuedReport.number == number)) if NUMBER_RE.fullmatch(number) else None
