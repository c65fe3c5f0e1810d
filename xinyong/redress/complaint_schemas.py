"""The complaint API's bodies and answers (pydantic). Two views of a complaint: the officials'
(:class:`ComplaintOut`, the complainant masked) and the public tracking view
(:class:`TrackOut`, nothing of the complainant and no official's name in full)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from xinyong.core import regions
from xinyong.core.masking import mask_name, mask_phone
from xinyong.redress import complaint_rules as rules
from xinyong.redress.models import Complaint, ComplaintEvent
from xinyong.redress.schemas import DueOut


class ComplaintIn(BaseModel):
    target_kind: str = Field(pattern="^(gov_body|public_servant)$", description="gov_body 政府机构 / public_servant 公务人员")
    body_name: str = Field(max_length=200, description="被投诉的政府机构（或公务人员所在单位）名称")
    body_code: str | None = Field(None, max_length=18, description="被投诉单位的统一社会信用代码（可不填）")
    official_name: str | None = Field(None, max_length=50, description="被投诉的公务人员姓名（投诉公务人员时必填）")
    behaviour: str = Field(max_length=60, description="政务失信行为代码（见 complaints.yaml 的行为清单）")
    account: str = Field(max_length=2000, description="失信事实经过")
    region: str = Field(pattern=r"^\d{6}$", description="被投诉单位所在的行政区划代码")
    occurred_on: date | None = Field(None, description="发生日期")
    anonymous: bool = Field(True, description="匿名投诉（凭查询码查询进度）")
    name: str | None = Field(None, max_length=50, description="实名投诉人姓名")
    phone: str | None = Field(None, max_length=20, description="实名投诉人联系电话")


class FiledOut(BaseModel):
    id: int
    tracking_code: str = Field(description="查询码：凭此查询办理进度和评价答复，只显示这一次，请妥善保存")
    status_name: str
    reply_due: date | None


class ReplyIn(BaseModel):
    finding: str = Field(pattern="^(substantiated|partly|unsubstantiated)$", description="核查结论：属实 / 部分属实 / 不属实")
    reply: str = Field(min_length=1, max_length=2000, description="答复内容")


class ReasonsIn(BaseModel):
    reasons: str | None = Field(None, max_length=2000, description="理由或说明（不予受理时必填）")


class RevealIn(BaseModel):
    purpose: str = Field(min_length=1, max_length=200, description="查看投诉人完整联系方式的目的（记入审计日志）")


class RevealOut(BaseModel):
    name: str | None = Field(description="投诉人姓名（完整）")
    phone: str | None = Field(description="投诉人电话（完整）")


class RateIn(BaseModel):
    code: str = Field(min_length=4, max_length=40, description="查询码")
    rating: str = Field(pattern="^(satisfied|basically|unsatisfied)$", description="满意 / 基本满意 / 不满意")
    note: str | None = Field(None, max_length=2000, description="评价意见（不满意时必填）")


class TrackIn(BaseModel):
    code: str = Field(min_length=4, max_length=40, description="查询码")


class RecordIn(BaseModel):
    decision_no: str = Field(min_length=1, max_length=100, description="认定文书文号")
    decision_date: date | None = Field(None, description="认定日期（默认今天）")
    department_code: str | None = Field(None, max_length=18, description="作出认定的单位统一社会信用代码（默认转办部门）")
    department_name: str | None = Field(None, max_length=200, description="作出认定的单位名称（默认转办部门）")
    facts: dict[str, str] = Field(default_factory=dict, description="该类别信用记录的事实项：项目代码 → 内容")


class ComplaintEventOut(BaseModel):
    action: str
    action_name: str
    on: date
    note: str | None

    @classmethod
    def of(cls, e: ComplaintEvent) -> ComplaintEventOut:
        return cls(action=e.action, action_name=rules.ACTIONS.get(e.action, e.action), on=e.on, note=e.note)


def _due(c: Complaint, today: date) -> DueOut:
    d = rules.current_due(c.status, c.reply_due, c.rate_due, today)
    return DueOut(what=d.what, due=d.due, overdue=d.overdue, provisional=bool(c.due_provisional and d.due))


class TrackOut(BaseModel):
    """What the holder of a tracking code sees: no complainant data, the official's name masked."""

    id: int
    status: str
    status_name: str
    filed_on: date
    body_name: str
    official_name: str | None
    behaviour_name: str
    handling: str = Field(description="现在办理的单位或地区")
    next: DueOut
    finding_name: str | None
    reply: str | None
    replied_on: date | None
    rating_name: str | None
    can_rate: bool
    events: list[ComplaintEventOut]

    @classmethod
    def build(cls, c: Complaint, behaviours: dict[str, str], events: list[ComplaintEvent], today: date) -> TrackOut:
        return cls(
            id=c.id, status=c.status, status_name=rules.STATUSES.get(c.status, c.status), filed_on=c.filed_on,
            body_name=c.body_name, official_name=mask_name(c.official_name) if c.official_name else None,
            behaviour_name=behaviours.get(c.behaviour_code, c.behaviour_code),
            handling=c.department_name or f"{regions.name_of(c.region_code)}信用办", next=_due(c, today),
            finding_name=rules.FINDINGS.get(c.finding or ""), reply=c.reply, replied_on=c.replied_on,
            rating_name=rules.RATINGS.get(c.rating or ""), can_rate=c.status == "replied",
            events=[ComplaintEventOut.of(e) for e in events],
        )


class ComplaintOut(TrackOut):
    """The officials' view: where it came from and where it stands; the complainant masked."""

    channel: str
    channel_name: str
    hotline_no: str | None
    anonymous: bool
    complainant: str | None = Field(description="实名投诉人（姓名和电话已脱敏）")
    target_kind: str
    body_id: int | None
    account: str
    occurred_on: date | None
    region_code: str
    origin_region: str
    department_name: str | None
    escalations: int
    finding: str | None
    rating: str | None
    rating_note: str | None
    record_id: int | None
    steps: list[str] = Field(description="现在可以进行的处理步骤")

    @classmethod
    def of(cls, c: Complaint, behaviours: dict[str, str], events: list[ComplaintEvent], today: date) -> ComplaintOut:
        base = TrackOut.build(c, behaviours, events, today).model_dump()
        base["official_name"] = c.official_name
        who = None if c.anonymous else f"{mask_name(c.complainant_name)}（{mask_phone(c.complainant_phone)}）"
        steps = [s for s in rules.allowed_steps(c.status) if s not in ("rate", "escalate")]
        if rules.recordable(c.status, c.finding, c.record_id):
            steps = [s for s in steps if s != "record"]
        return cls(**base, channel=c.channel, channel_name=rules.CHANNELS.get(c.channel, c.channel),
                   hotline_no=c.hotline_no, anonymous=c.anonymous, complainant=who, target_kind=c.target_kind,
                   body_id=c.body_id, account=c.account, occurred_on=c.occurred_on, region_code=c.region_code,
                   origin_region=c.origin_region, department_name=c.department_name, escalations=c.escalations,
                   finding=c.finding, rating=c.rating, rating_note=c.rating_note, record_id=c.record_id, steps=steps)


class ComplaintQueueOut(BaseModel):
    counts: dict[str, int] = Field(description="按状态的件数；overdue 为逾期未答复件数，open 为未办结件数")
    complaints: list[ComplaintOut]


class StatRow(BaseModel):
    key: str
    name: str
    total: int
    replied: int
    substantiated: int
    escalated: int
    satisfied: int


class StatsOut(BaseModel):
    by_region: list[StatRow]
    by_body: list[StatRow]


class ImportErrorOut(BaseModel):
    row: int
    column: str
    message: str


class ImportOut(BaseModel):
    filed: int
    unchanged: int = Field(description="已导入过的工单（同一工单编号），未重复登记")
    rejected: int
    errors: list[ImportErrorOut]
    codes: list[dict] = Field(description="每个新登记工单的行号、投诉编号和查询码（告知来电人）")
