"""API: issue a credit report (a PDF) and verify one. Translates HTTP to
:mod:`xinyong.disclosure.service`; who may see which subject is the credit file's own rule
(:func:`xinyong.records.api.sees_in_full`, :func:`xinyong.records.api.ensure_browsable`)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Path, Query, Request, UploadFile
from starlette.responses import Response

from xinyong.accounts.access import allow, limit_address
from xinyong.accounts.principal import Principal
from xinyong.accounts.roles import ROLES
from xinyong.audit.deps import AuditDep
from xinyong.catalog.deps import PolicyDep
from xinyong.core.errors import InvalidInput
from xinyong.core.http import SessionDep, error_responses
from xinyong.core.settings import get_settings
from xinyong.disclosure import service
from xinyong.disclosure.schemas import ReportIn, VerificationOut
from xinyong.records.api import ensure_browsable, sees_in_full
from xinyong.subjects import service as subjects
from xinyong.subjects.models import Subject

router = APIRouter()
TAG = "信用报告"
PDF = "application/pdf"
MAX_PDF_BYTES = 20 * 1024 * 1024

LoggedIn = Annotated[Principal, allow(*ROLES)]
Anyone = Annotated[Principal, allow(public=True)]


def issue_for(session, policy, who: Principal, audit, subject: Subject, purpose: str, reveal: bool) -> service.Issued:
    """The one step behind the API and the page: the reader's rights on the subject, then the
    report, committed with its audit entries."""
    ensure_browsable(who, subject)
    full = sees_in_full(who, subject)
    issued = service.issue(session, policy.policy, policy.version_id, who, subject, purpose=purpose, full=full,
                           reveal=reveal, request_id=audit.request_id, ip=audit.ip)
    session.commit()
    return issued


def pdf_response(issued: service.Issued) -> Response:
    return Response(issued.pdf, media_type=PDF, headers={
        "Content-Disposition": f"attachment; filename=\"report-{issued.report.number}.pdf\"; "
                               f"filename*=UTF-8''{quote(issued.filename)}",
        "X-Report-Number": issued.report.number,
        "Cache-Control": "no-store",
    })


def limit_verifications(request: Request, who: Principal) -> None:
    """Verifications by a caller not logged in: REPORT_VERIFY_PER_IP per address and window, on
    top of the public rate limit, so that codes cannot be tried in bulk."""
    if who.is_public:
        s = get_settings()
        limit_address(request, "report-verify", s.report_verify_per_ip, s.report_verify_window_seconds)


def read_upload(file: UploadFile) -> bytes:
    data = file.file.read(MAX_PDF_BYTES + 1)
    if len(data) > MAX_PDF_BYTES:
        raise InvalidInput("文件超过 20 MB，不是本平台出具的信用报告", "the file is larger than 20 MB", field="file")
    if not data:
        raise InvalidInput("请选择要核验的 PDF 文件", "no file was sent", field="file")
    return data


@router.post(
    "/reports",
    tags=[TAG],
    response_class=Response,
    summary="出具信用报告（PDF）",
    description=(
        "按全国公共信用信息报告标准的章节顺序出具一个信用主体的信用报告（PDF，中文字体已嵌入）：报告编号、时间、"
        "查询目的和查询人；基础信息（自然人身份信息按查询人的权限脱敏）；按类别的信用记录（状态、公示期）；名单；"
        "信用承诺；信用评价；异议和信用修复等。每份报告带报告编号、验证码和指向核验页的二维码；平台保存其 SHA-256，"
        "`GET /api/v1/reports/{number}/verify` 和 `POST /api/v1/reports/verify` 可核验。须登录；可查看的范围同信用档案："
        "地区权限范围内的公职人员和信用主体本人看到全部记录，其他人看到公开的部分；范围外的公职人员对自然人为 403。"
        "每次出具记入审计日志（公职人员出具自然人报告还记为一次个人信息查阅）。"
    ),
    responses={200: {"description": "信用报告 PDF（响应头 X-Report-Number 为报告编号）",
                     "content": {PDF: {"schema": {"type": "string", "format": "binary"}}}},
               **error_responses(401, 403, 404, 422)},
)
def create_report(session: SessionDep, policy: PolicyDep, who: LoggedIn, audit: AuditDep, body: ReportIn) -> Response:
    subject = subjects.get_by_ref(session, body.subject)
    return pdf_response(issue_for(session, policy, who, audit, subject, body.purpose, body.reveal_identity))


@router.get(
    "/reports/{number}/verify",
    tags=[TAG],
    response_model=VerificationOut,
    summary="按报告编号和验证码核验信用报告",
    description=(
        "公开，无须登录。报告编号和验证码都相符时 `genuine` 为 true（`outcome` matches）；编号不存在或验证码不符时"
        "一律 false（`outcome` unknown），不透露编号是否存在。要确认文件内容未被改动，请上传文件 "
        "(`POST /api/v1/reports/verify`)。未登录时每个地址限次（XINYONG_REPORT_VERIFY_PER_IP）。"
    ),
    responses=error_responses(422, 429),
)
def verify_by_number(
    request: Request, session: SessionDep, who: Anyone,
    number: Annotated[str, Path(description="报告编号", max_length=32)],
    code: Annotated[str, Query(description="验证码（报告上印的 8 位字母数字）", max_length=16)],
) -> VerificationOut:
    limit_verifications(request, who)
    return VerificationOut.of(service.verify_code(session, number, code))


@router.post(
    "/reports/verify",
    tags=[TAG],
    response_model=VerificationOut,
    summary="上传 PDF 核验信用报告",
    description=(
        "公开，无须登录。上传一份信用报告 PDF（multipart 字段 `file`）：其 SHA-256 与平台留存的相同时为真实且未改动"
        "（`outcome` genuine）；文件写有平台出具过的报告编号而内容不同时为已改动（altered）；否则为平台未出具（unknown）。"
        "未登录时每个地址限次（XINYONG_REPORT_VERIFY_PER_IP）。"
    ),
    responses=error_responses(422, 429),
)
def verify_upload(request: Request, session: SessionDep, who: Anyone,
                        file: Annotated[UploadFile, File(description="信用报告 PDF 文件")]) -> VerificationOut:
    limit_verifications(request, who)
    data = read_upload(file)
    return VerificationOut.of(service.verify_pdf(session, data))


from xinyong.disclosure.authorization_api import router as _authorization_router  # noqa: E402

router.include_router(_authorization_router)  # 授权查询: xinyong.disclosure.authorization_api
