"""Pydantic in/out for the real-time push API (实时推送)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field

from xinyong.core.db import MAX_ID
from xinyong.push import service as push
from xinyong.push.models import PUSH_EVENTS, PushMessage, PushSubscription

RowId = Annotated[int, Field(ge=1, le=MAX_ID)]

DEPARTMENT_FIELD = Field(None, max_length=18, description="部门的统一社会信用代码：管理员指定；本部门人员可省略")


class PushSubjectOut(BaseModel):
    id: int = Field(description="主体编号（订阅时返回，部门系统据此对应自己的业务）")
    kind: str
    kind_name: str
    name: str = Field(description="名称；自然人姓名脱敏")
    code: str = Field(description="统一社会信用代码；公民身份号码脱敏")


class PushMessageOut(BaseModel):
    id: int = Field(description="消息编号，按部门递增；下次从 after=此编号 继续取")
    event: str = Field(description="list_included 列入名单 / list_removed 移出名单 / record_added 新增信用记录 / "
                                   "record_status 信用记录变更 / grade_changed 信用评价等级变化")
    event_name: str
    ref_id: int = Field(description="名单记录编号（名单事件）、信用记录编号（记录事件）或评价等级编号（等级事件）")
    subject: PushSubjectOut
    payload: dict[str, Any] = Field(description="名单或记录的要点（中文名称、日期）及该变化触发的奖惩措施（measures）；"
                                               "因曾核查而推送的，check_id 为本部门最近一次核查的编号")
    created_at: datetime
    delivered_at: datetime | None
    acked_at: datetime | None

    @classmethod
    def build(cls, m: PushMessage, subject: push.SubjectShown | None) -> PushMessageOut:
        shown = subject or push.SubjectShown(m.subject_id, "", "", "", "")
        return cls(id=m.id, event=m.event, event_name=PUSH_EVENTS.get(m.event, m.event), ref_id=m.ref_id,
                   subject=PushSubjectOut(**vars(shown)), payload=m.payload or {}, created_at=m.created_at,
                   delivered_at=m.delivered_at, acked_at=m.acked_at)


class PushPage(BaseModel):
    department: str
    messages: list[PushMessageOut]
    next_after: int = Field(description="下次请求的 after：本页最后一条消息的编号（无消息时为请求的 after）")
    unacked: int = Field(description="本部门尚未确认的消息数")


class AckIn(BaseModel):
    ids: list[RowId] = Field(min_length=1, max_length=5000, description="要确认的消息编号（已按措施处理）")
    department: str | None = DEPARTMENT_FIELD


class AckOut(BaseModel):
    acked: int = Field(description="新确认的消息数（已确认的、他部门的编号不计）")
    unacked: int


class SubscribeIn(BaseModel):
    codes: list[str] = Field(min_length=1, max_length=10_000,
                             description="统一社会信用代码或公民身份号码（精确匹配，逐个校验）")
    department: str | None = DEPARTMENT_FIELD
    ends_on: date | None = Field(None, description="订阅截止日期；不填为长期")


class CodeSubject(BaseModel):
    code: str = Field(description="请求中给出的代码（原样）")
    subject_id: int


class SubscribeOut(BaseModel):
    department: str
    added: list[CodeSubject]
    existing: list[CodeSubject]
    unknown: list[str] = Field(description="格式正确但平台无此主体的代码")
    invalid: list[str] = Field(description="校验位不正确的代码")

    @classmethod
    def build(cls, department: str, r: push.SubscribeResult) -> SubscribeOut:
        return cls(department=department, added=[CodeSubject(code=c, subject_id=i) for c, i in r.added],
                   existing=[CodeSubject(code=c, subject_id=i) for c, i in r.existing], unknown=r.unknown,
                   invalid=r.invalid)


class UnsubscribeIn(BaseModel):
    codes: list[str] = Field(default_factory=list, max_length=10_000, description="按代码取消订阅")
    subject_ids: list[RowId] = Field(default_factory=list, max_length=10_000, description="按主体编号取消订阅")
    department: str | None = DEPARTMENT_FIELD


class UnsubscribeOut(BaseModel):
    removed: int
    unknown: list[str]
    invalid: list[str]


class SubscriptionOut(BaseModel):
    subject: PushSubjectOut
    source: str
    created_by: str
    created_at: datetime
    ends_on: date | None

    @classmethod
    def build(cls, s: PushSubscription, subject: push.SubjectShown) -> SubscriptionOut:
        return cls(subject=PushSubjectOut(**vars(subject)), source=s.source, created_by=s.created_by,
                   created_at=s.created_at, ends_on=s.ends_on)


class SubscriptionPage(BaseModel):
    department: str
    total: int
    limit: int
    offset: int
    subscriptions: list[SubscriptionOut]


class EndpointIn(BaseModel):
    department: str = Field(max_length=18, description="部门的统一社会信用代码")
    url: str = Field(max_length=500, description="部门业务系统接收推送的地址（http:// 或 https://）")
    secret: str | None = Field(None, min_length=16, max_length=200, description="签名密钥；不填则生成")
    active: bool = True


class EndpointOut(BaseModel):
    department: str
    url: str
    active: bool
    secret: str | None = Field(None, description="签名密钥，仅在设置时返回一次；平台加密保存")
    signature: str = Field("X-Xinyong-Signature: hmac-sm3=<对请求体的 HMAC-SM3，十六进制>")


class DepartmentStatOut(BaseModel):
    code: str
    name: str
    total: int
    delivered: int
    acked: int
    median_ack_seconds: float | None


class PushStatsOut(BaseModel):
    total: int
    delivered: int
    delivered_rate: float
    acked: int
    acked_rate: float
    given_up: int = Field(description="网络推送多次失败、已停止重试的消息（仍可拉取）")
    median_ack_seconds: float | None = Field(description="从消息生成到部门确认的用时中位数（秒）")
    subscriptions: int
    by_day: list[dict[str, Any]] = Field(description="每日各类事件的消息数")
    by_department: list[DepartmentStatOut]

    @classmethod
    def build(cls, s: push.PushStats) -> PushStatsOut:
        return cls(total=s.total, delivered=s.delivered, delivered_rate=round(s.delivered_rate, 4), acked=s.acked,
                   acked_rate=round(s.acked_rate, 4), given_up=s.given_up, median_ack_seconds=s.median_ack_seconds,
                   subscriptions=s.subscriptions,
                   by_day=[{"day": d, **{k: c.get(k, 0) for k in PUSH_EVENTS}} for d, c in s.by_day],
                   by_department=[DepartmentStatOut(**r) for r in s.by_department])


__all__ = ["PushPage", "PushMessageOut", "AckIn", "AckOut", "SubscribeIn", "SubscribeOut",
           "UnsubscribeIn", "UnsubscribeOut", "SubscriptionPage", "EndpointIn", "EndpointOut", "PushStatsOut"]
