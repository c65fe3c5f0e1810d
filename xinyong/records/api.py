"""API: credit files (信用档案), subjects found with their record counts, and one credit record
with its version history. Translates HTTP to :mod:`xinyong.records.credit_file`.

The credit file is what ``records`` keeps about a subject, so its routes live here, under the
subject's URL (``/subjects/{code}``).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request
from sqlalchemy.orm import Session

from xinyong.accounts.access import allow, limit_address
from xinyong.accounts.principal import Principal
from xinyong.audit.deps import Audit, AuditDep
from xinyong.catalog.deps import PolicyDep, PolicyInUse
from xinyong.catalog.service import policy_by_id
from xinyong.core.errors import Forbidden
from xinyong.core.http import MAX_ID, SessionDep, error_responses
from xinyong.core.settings import get_settings
from xinyong.records import credit_file as files
from xinyong.records.schemas import CreditFileOut, PersonLookupIn, RecordDetailOut, SearchResult
from xinyong.records.write_api import router as write_router
from xinyong.subjects import service as subjects
from xinyong.subjects.models import Subject

router = APIRouter()
router.include_router(write_router)  # POST /records: xinyong.records.write_api

SUBJECTS_TAG = "信用主体"
RECORDS_TAG = "信用记录"

Kind = Literal["gov_body", "public_servant", "person", "enterprise"]
Anyone = Annotated[Principal, allow(public=True)]
Purpose = Annotated[str, Query(description="查阅目的（公职人员查阅自然人信息时记入审计日志）", max_length=200)]
DEFAULT_PURPOSE = "查阅信用档案"


def sees_in_full(who: Principal, subject: Subject) -> bool:
    """Whether ``who`` reads this subject's file in full (授权查询 and 政务共享 records too):
    the subject itself, or an official whose region scope covers the subject. An official
    outside the region gets 403 for a natural person's file; everyone else reads what the
    public may read (a natural person's 授权查询 / 政务共享 records only counted)."""
    if who.owns(subject.id):
        return True
    if who.is_official:
        if who.covers(subject.region_code):
            return True
        if subject.is_natural:
            raise Forbidden("该自然人不在您的地区权限范围内", "this person is outside your region scope")
    return False


def lists_persons(who: Principal) -> bool:
    """Only officials list, search or browse natural persons; the public (and a subject, for
    anyone but itself) finds a person only by number and name together (:func:`lookup_person`)."""
    return who.is_official


def ensure_browsable(who: Principal, subject: Subject) -> None:
    """A natural person's file named by its number or code is for the person itself and
    officials only: anyone else gets the same 404 as for a number no one has, so that neither
    a guessed identity number nor an enumerated subject number is confirmed."""
    if subject.is_natural and not who.owns(subject.id) and not lists_persons(who):
        raise subjects.not_found()


def limit_person_lookups(request: Request, who: Principal) -> None:
    """Person look-ups by a caller not logged in: PERSON_LOOKUP_PER_IP per address and window
    (docs/privacy.md). Every attempt counts, found or not."""
    if who.is_public:
        s = get_settings()
        limit_address(request, "person-lookup", s.person_lookup_per_ip, s.person_lookup_window_seconds)


def lookup_person(session: Session, who: Principal, code: str, name: str) -> Subject:
    """The natural person with this number and name, as ``who`` may find him: an official of any
    region or the person himself regardless of public records, anyone else only where he has a
    public record (:func:`xinyong.records.credit_file.find_person`)."""
    return files.find_person(session, code, name, public=not lists_persons(who))


def log_personal_read(audit: Audit, who: Principal, subject: Subject, what: str, purpose: str,
                      entity_id: str | int | None = None) -> None:
    """An official reading a natural person's file or record: one entry in the audit log."""
    if subject.is_natural and who.is_official:
        audit.read(subject.id, what, (purpose or "").strip() or DEFAULT_PURPOSE, entity_id=entity_id)


def read_file(session, policy, who: Principal, audit: Audit, subject: Subject, *, archive: bool, purpose: str,
              category: str | None = None, limit: int | None = None, offset: int = 0) -> CreditFileOut:
    """A subject's credit file as ``who`` may read it (whole, or what the public sees), the read
    logged where it is a natural person's: the one step behind the API's file, the public's
    look-up and the file page."""
    file = files.credit_file(session, subject, archive=archive, public=not sees_in_full(who, subject),
                             category=category, limit=limit, offset=offset)
    log_personal_read(audit, who, subject, "credit_file", purpose, subjects.ref_of(subject))
    return CreditFileOut.build(file, policy.policy, policy.version_id)


@router.get(
    "/subjects/{code}",
    tags=[SUBJECTS_TAG],
    response_model=CreditFileOut,
    summary="信用档案",
    description=(
        "一个信用主体的信用档案：主体信息（自然人姓名、身份证号码脱敏）、所在行政区划、"
        "现任职务（公务人员）、上级机构（政府机构）、法定代表人（企业，脱敏），"
        "以及公示期内的信用记录和按性质的计数。`archive=true` 时给出档案（含已过公示期、仍在保存期内的记录，"
        "状态为 expired）。自然人的授权查询、政务共享信息只给出条数（withheld）。"
        "`code` 为统一社会信用代码或公民身份号码，或查询结果中的 `ref`（自然人为主体编号）。"
        "代码不存在或格式不正确时返回 404。自然人的档案只对本人和公职人员按此查阅，其他人一律 404"
        "（公众请用 `POST /subjects/lookup`）。"
        "公众可查阅；信用主体本人、地区权限范围内的公职人员可见全部记录（公职人员查阅自然人档案记入审计日志，"
        "`purpose` 为查阅目的）；地区权限范围外的公职人员查阅自然人档案返回 403。"
    ),
    responses=error_responses(401, 403, 404),
)
def get_credit_file(
    session: SessionDep,
    policy: PolicyDep,
    who: Anyone,
    audit: AuditDep,
    code: Annotated[str, Path(description="统一社会信用代码、公民身份号码或主体编号（ref）", max_length=40)],
    archive: Annotated[bool, Query(description="含已过公示期的档案记录")] = False,
    purpose: Purpose = DEFAULT_PURPOSE,
) -> CreditFileOut:
    subject = subjects.get_by_ref(session, code)
    ensure_browsable(who, subject)
    return read_file(session, policy, who, audit, subject, archive=archive, purpose=purpose)


@router.post(
    "/subjects/lookup",
    tags=[SUBJECTS_TAG],
    response_model=CreditFileOut,
    summary="按身份证号码和姓名查询自然人信用档案",
    description=(
        "公众查询自然人（含公务人员）的唯一途径：同时提供完整的公民身份号码和姓名，且该自然人有公示期内的公开信用记录时，"
        "返回其信用档案（姓名、身份证号码脱敏；授权查询、政务共享信息只给出条数）。号码不存在、姓名不符、"
        "没有公开记录，一律返回同一个 404，不透露号码是否存在。未登录时每个地址每小时最多查询 "
        "`XINYONG_PERSON_LOOKUP_PER_IP` 次（默认 20），超过返回 429。"
        "公职人员（地区权限范围内）和本人可查到没有公开记录的自然人；公职人员查阅记入审计日志。"
    ),
    responses=error_responses(401, 403, 404, 422, 429),
)
def lookup_person_file(
    request: Request, session: SessionDep, policy: PolicyDep, who: Anyone, audit: AuditDep, body: PersonLookupIn,
) -> CreditFileOut:
    limit_person_lookups(request, who)
    subject = lookup_person(session, who, body.code, body.name)
    return read_file(session, policy, who, audit, subject, archive=body.archive, purpose=body.purpose)


@router.get(
    "/subjects",
    tags=[SUBJECTS_TAG],
    response_model=SearchResult,
    summary="查询信用主体",
    description=(
        "按统一社会信用代码或公民身份号码精确查询，或按名称包含的文字查询；可限定行政区划"
        "（省、市或县代码，含其下级）和主体类别。按名称排序分页，`has_more` 表示还有下一页。"
        "每个主体附公示期内信用记录条数。自然人姓名和身份证号码脱敏。"
        "自然人（含公务人员）只对公职人员列出；公众查询自然人须用 `POST /subjects/lookup`（身份证号码和姓名）。"
    ),
    responses=error_responses(401, 403, 422),
)
def search_subjects(
    session: SessionDep,
    who: Anyone,
    q: Annotated[str, Query(description="代码或名称中的文字", max_length=100)] = "",
    region: Annotated[str | None, Query(description="行政区划代码，如 330100（杭州市）", pattern=r"^\d{6}$")] = None,
    kind: Annotated[Kind | None, Query(description="主体类别")] = None,
    limit: Annotated[int, Query(ge=1, le=subjects.MAX_SEARCH_LIMIT, description="每页条数")] = 20,
    offset: Annotated[int, Query(ge=0, le=MAX_ID, description="跳过的条数")] = 0,
) -> SearchResult:
    page = files.search(session, q, region=region, kind=kind, limit=limit, offset=offset, persons=lists_persons(who))
    return SearchResult.build(page)


def detail_out(
    session: Session, policy: PolicyInUse, record_id: int, who: Principal | None = None,
    audit: Audit | None = None, purpose: str = DEFAULT_PURPOSE,
) -> RecordDetailOut:
    """The record as ``who`` may see it (the public when not given), its facts named by the
    policy version it was accepted under (the active one, usually, and then without another
    query). A natural person's record read by an official is logged in the audit log."""
    detail = files.record_detail(session, record_id, public=False)
    if detail.subject.is_natural and not (who is not None and (who.owns(detail.subject.id) or lists_persons(who))):
        raise files.record_not_found(record_id)  # the public browses no person's records
    full = who is not None and sees_in_full(who, detail.subject)
    if not full and files.withheld_from_public(detail.record, detail.subject):
        raise files.Withheld()
    if who is not None and audit is not None:
        log_personal_read(audit, who, detail.subject, "record", purpose, record_id)
    vid = detail.record.policy_version_id
    names = policy.policy if vid == policy.version_id else policy_by_id(session, vid)
    return RecordDetailOut.build(detail, names, public=not full)


@router.get(
    "/records/{id}",
    tags=[RECORDS_TAG],
    response_model=RecordDetailOut,
    summary="信用记录详情",
    description=(
        "一条信用记录：类别、性质、严重程度、决定文书号和日期、认定部门、公示期、当前状态"
        "（超过公示期即为 expired）、按数据目录命名的事实项，以及全部历史版本（最早在前，最后一项为当前状态，"
        "`changed` 列出与前一版本不同的项目）。自然人姓名、身份证号码脱敏；自然人的授权查询、"
        "政务共享记录不予公开（403），信用主体本人和地区权限范围内的公职人员可以查阅（记入审计日志）；"
        "自然人的记录对公众一律 404（公众在按身份证号码和姓名查到的信用档案中阅读）；"
        "地区权限范围外的公职人员查阅自然人的记录返回 403。"
    ),
    responses=error_responses(401, 403, 404),
)
def get_record(
    session: SessionDep,
    policy: PolicyDep,
    who: Anyone,
    audit: AuditDep,
    id: Annotated[int, Path(ge=1, le=MAX_ID, description="信用记录编号")],
    purpose: Purpose = DEFAULT_PURPOSE,
) -> RecordDetailOut:
    return detail_out(session, policy, id, who, audit, purpose)
