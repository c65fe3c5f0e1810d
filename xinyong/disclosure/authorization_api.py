"""API of authorized queries (授权查询): a third party reads a person's file with a code.

No account is needed: the authorization code is the credential (80-bit random, bound by the
person to a recipient, a purpose, a scope, a last day and a number of reads). Calls are
rate-limited per address (``XINYONG_AUTHORIZED_QUERY_PER_IP``) whether or not the code is right,
so codes cannot be tried in bulk. Translates HTTP to :mod:`xinyong.disclosure.authorization`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from starlette.responses import Response

from xinyong.accounts.access import allow, limit_address
from xinyong.accounts.principal import Principal
from xinyong.audit.deps import AuditDep
from xinyong.catalog.deps import PolicyDep
from xinyong.core.http import SessionDep, error_responses
from xinyong.core.settings import get_settings
from xinyong.disclosure import authorization

router = APIRouter()
TAG = "授权查询"
Anyone = Annotated[Principal, allow(public=True)]


class AuthorizedQueryIn(BaseModel):
    code: str = Field(max_length=40, description="授权码（16 位，可含连字符）")
    reader: str = Field(max_length=100, description="查询方名称（单位或个人），记入审计日志并告知信用主体")
    purpose: str | None = Field(None, max_length=200, description="本次查询目的；不填为授权时的用途")


class BlockOut(BaseModel):
    caption: str | None = None
    lines: list[tuple[str, str]] = Field(default_factory=list)
    headers: list[str] = Field(default_factory=list)
    rows: list[list[str]] = Field(default_factory=list)
    note: str | None = None


class SectionOut(BaseModel):
    key: str
    title: str
    blocks: list[BlockOut]


class AuthorizedQueryOut(BaseModel):
    subject_name: str = Field(description="脱敏的姓名")
    subject_code: str = Field(description="脱敏的公民身份号码")
    recipient: str = Field(description="授权时的被授权方")
    purpose: str = Field(description="授权用途")
    scope: list[str] = Field(description="授权范围（中文）")
    valid_until: str = Field(description="授权截止时间（北京时间）")
    reads_left: int
    sections: list[SectionOut] = Field(description="按信用报告标准章节顺序；不在授权范围内的章节注明")

    @classmethod
    def of(cls, reading: authorization.Reading, policy) -> AuthorizedQueryOut:
        row = reading.row
        return cls(
            subject_name=reading.identity["name"], subject_code=reading.identity["code"], recipient=row.recipient,
            purpose=row.purpose, scope=authorization.scope_names(policy, row.scope),
            valid_until=authorization.shown_until(row), reads_left=reading.reads_left,
            sections=[SectionOut(key=f.spec.key, title=f.spec.title, blocks=[
                BlockOut(caption=b.caption, lines=list(b.lines), headers=b.table.headers if b.table else [],
                         rows=b.table.rows if b.table else [], note=b.note) for b in f.blocks]) for f in reading.sections],
        )


def limit_queries(request: Request) -> None:
    s = get_settings()
    limit_address(request, "authorized-query", s.authorized_query_per_ip, s.authorized_query_window_seconds)


@router.post(
    "/authorized-query",
    tags=[TAG],
    response_model=AuthorizedQueryOut,
    summary="凭授权码查询信用信息",
    description=(
        "无须账户：凭信用主体本人授予的授权码查询其信用信息，只返回授权范围内的部分（按类别分组的信用记录——公开和"
        "授权查询级别，不含政务共享——、信用名单、信用承诺），身份信息脱敏。每次查询记入审计日志（本人在“谁查询了我”"
        "中可见），并扣减一次查询次数。授权码不存在、已过期、已撤销或次数已用完时为 403，`message` 说明原因。"
        "每个地址限次（XINYONG_AUTHORIZED_QUERY_PER_IP），超出为 429。"
    ),
    responses=error_responses(403, 422, 429),
)
def authorized_query(request: Request, session: SessionDep, policy: PolicyDep, who: Anyone, audit: AuditDep,
                     body: AuthorizedQueryIn) -> AuthorizedQueryOut:
    limit_queries(request)
    reading = authorization.read(session, policy.policy, policy.version_id, body.code, reader_name=body.reader,
                                 purpose=body.purpose, what="api", request_id=audit.request_id, ip=audit.ip)
    out = AuthorizedQueryOut.of(reading, policy.policy)
    session.commit()
    return out


@router.post(
    "/authorized-query/report",
    tags=[TAG],
    response_class=Response,
    summary="凭授权码下载信用报告（PDF）",
    description=(
        "授权范围含“下载信用报告”时，按授权范围出具信用报告 PDF（同 `POST /api/v1/reports` 的格式，可核验），"
        "扣减一次查询次数并记入审计日志；否则为 403。请求体同 `POST /api/v1/authorized-query`。"
    ),
    responses={200: {"description": "信用报告 PDF", "content": {"application/pdf": {}}}, **error_responses(403, 422, 429)},
)
def authorized_report(request: Request, session: SessionDep, policy: PolicyDep, who: Anyone, audit: AuditDep,
                      body: AuthorizedQueryIn) -> Response:
    limit_queries(request)
    issued = authorization.issue_report(session, policy.policy, policy.version_id, body.code, reader_name=body.reader,
                                        purpose=body.purpose, request_id=audit.request_id, ip=audit.ip)
    session.commit()
    from xinyong.disclosure.api import pdf_response  # the module that includes this router

    return pdf_response(issued)
