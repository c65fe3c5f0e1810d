"""API: one credit record with its version history."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from sqlalchemy.orm import Session

from xinyong.catalog.service import policy_by_id
from xinyong.subjects.schemas import RecordDetailOut
from xinyong.subjects.service import record_detail
from xinyong.web.deps import PolicyDep, PolicyInUse, SessionDep
from xinyong.web.schemas import error_responses

router = APIRouter(tags=["信用记录"])


def detail_out(session: Session, policy: PolicyInUse, record_id: int) -> RecordDetailOut:
    """The record as a public reader sees it, its facts named by the policy version it was
    accepted under (the active one, usually, and then without another query)."""
    detail = record_detail(session, record_id)
    vid = detail.record.policy_version_id
    names = policy.policy if vid == policy.version_id else policy_by_id(session, vid)
    return RecordDetailOut.build(detail, names)


@router.get(
    "/records/{id}",
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
