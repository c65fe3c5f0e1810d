"""API: credit files (信用档案), subjects found with their record counts, and one credit record
with its version history. Translates HTTP to :mod:`xinyong.records.credit_file`.

The credit file is what ``records`` keeps about a subject, so its routes live here, under the
subject's URL (``/subjects/{code}``).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from sqlalchemy.orm import Session

from xinyong.catalog.deps import PolicyDep, PolicyInUse
from xinyong.catalog.service import policy_by_id
from xinyong.core.http import SessionDep, error_responses
from xinyong.records import credit_file as files
from xinyong.records.schemas import CreditFileOut, RecordDetailOut, SearchResult
from xinyong.subjects import service as subjects

router = APIRouter()

SUBJECTS_TAG = "信用主体"
RECORDS_TAG = "信用记录"

Kind = Literal["gov_body", "public_servant", "person", "enterprise"]


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
        "代码不存在或格式不正确时返回 404。"
    ),
    responses=error_responses(404),
)
def get_credit_file(
    session: SessionDep,
    policy: PolicyDep,
    code: Annotated[str, Path(description="统一社会信用代码、公民身份号码或主体编号（ref）", max_length=40)],
    archive: Annotated[bool, Query(description="含已过公示期的档案记录")] = False,
) -> CreditFileOut:
    subject = subjects.get_by_ref(session, code)
    file = files.credit_file(session, subject, archive=archive)
    return CreditFileOut.build(file, policy.policy, policy.version_id)


@router.get(
    "/subjects",
    tags=[SUBJECTS_TAG],
    response_model=SearchResult,
    summary="查询信用主体",
    description=(
        "按统一社会信用代码或公民身份号码精确查询，或按名称包含的文字查询；可限定行政区划"
        "（省、市或县代码，含其下级）和主体类别。按名称排序分页，`has_more` 表示还有下一页。"
        "每个主体附公示期内信用记录条数。自然人姓名和身份证号码脱敏。"
    ),
    responses=error_responses(422),
)
def search_subjects(
    session: SessionDep,
    q: Annotated[str, Query(description="代码或名称中的文字", max_length=100)] = "",
    region: Annotated[str | None, Query(description="行政区划代码，如 330100（杭州市）", pattern=r"^\d{6}$")] = None,
    kind: Annotated[Kind | None, Query(description="主体类别")] = None,
    limit: Annotated[int, Query(ge=1, le=subjects.MAX_SEARCH_LIMIT, description="每页条数")] = 20,
    offset: Annotated[int, Query(ge=0, description="跳过的条数")] = 0,
) -> SearchResult:
    page = files.search(session, q, region=region, kind=kind, limit=limit, offset=offset)
    return SearchResult.build(page)


def detail_out(session: Session, policy: PolicyInUse, record_id: int) -> RecordDetailOut:
    """The record as a public reader sees it, its facts named by the policy version it was
    accepted under (the active one, usually, and then without another query)."""
    detail = files.record_detail(session, record_id)
    vid = detail.record.policy_version_id
    names = policy.policy if vid == policy.version_id else policy_by_id(session, vid)
    return RecordDetailOut.build(detail, names)


@router.get(
    "/records/{id}",
    tags=[RECORDS_TAG],
    response_model=RecordDetailOut,
    summary="信用记录详情",
    description=(
        "一条信用记录：类别、性质、严重程度、决定文书号和日期、认定部门、公示期、当前状态"
        "（超过公示期即为 expired）、按数据目录命名的事实项，以及全部历史版本（最早在前，最后一项为当前状态，"
        "`changed` 列出与前一版本不同的项目）。自然人姓名、身份证号码脱敏；自然人的授权查询、"
        "政务共享记录不予公开（403）。"
    ),
    responses=error_responses(403, 404),
)
def get_record(
    session: SessionDep,
    policy: PolicyDep,
    id: Annotated[int, Path(ge=1, description="信用记录编号")],
) -> RecordDetailOut:
    return detail_out(session, policy, id)
