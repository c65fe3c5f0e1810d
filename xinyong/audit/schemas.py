"""What the audit routes answer."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from xinyong.accounts.roles import ROLES
from xinyong.audit.models import AuditEntry

ACTION_NAMES = {
    "read": "查阅", "create": "新增", "update": "修改", "delete": "删除", "check": "核查", "login": "登录",
    "logout": "退出", "import": "导入", "reveal": "查看完整身份证号码", "rotate": "密钥轮换",
    "login_failed": "登录失败", "lock": "锁定", "unlock": "解锁", "password_reset": "重置密码",
    "password_changed": "修改密码", "totp_enrolled": "启用动态验证码", "totp_reset": "重置动态验证码",
    "token_issued": "签发 API 令牌", "token_revoked": "吊销 API 令牌", "refused": "越权或违规操作被拒",
    "download": "下载文件",
    "revoke": "撤销",
    "daily_job": "每日任务", "daily_job_failed": "每日任务失败", "daily_trigger": "手动运行每日任务",
    "recompute": "按现行政策重算公示期", "propose": "拟认定", "confirm": "确认", "refuse": "不予认定",
    "withdraw": "撤回拟认定",
    "breach": "违诺", "stage": "进入下一阶段", "status": "变更状态", "trace": "责任回溯",
    "applied": "已采用", "not_applied": "未采用", "token_issue": "签发令牌", "token_revoke": "吊销令牌",
    "correction_record": "登记自我纠错", "correction_revoke": "撤销自我纠错",
    "complaint_escalate": "投诉逾期提级督办", "complaint_import": "导入 12345 工单", "complaint_reveal": "查看投诉人联系方式",
    "complaint_unrated": "评价期满未评价办结", "rectification_daily": "限期整改每日任务",
}
WHAT_NAMES = {
    "credit_file": "信用档案", "record": "信用记录", "import_batch": "导入批次", "subject.code": "身份证号码",
    "subject.legal_rep_code": "法定代表人身份证号码", "list_entry": "名单条目", "lists": "名单（按规则重算）",
    "check": "核查", "check_batch": "批量核查", "check_feedback": "核查反馈", "push_inbox": "推送消息",
    "push_message": "推送消息", "push_subscription": "推送订阅", "push_endpoint": "推送回调地址",
    "policy_version": "政策清单版本", "data_key": "数据密钥", "user": "用户", "token": "API 令牌",
    "department": "部门", "import_error_report": "导入错误报告", "check_batch_result": "批量核查结果",
    "published_list_export": "公示名单导出", "commitments_export": "信用承诺导出",
    "daily_run": "每日任务",
    "credit_report": "信用报告",
    "authorization_code": "授权码", "authorized_query": "授权查询",
    "commitment": "信用承诺", "complaint": "投诉举报", "complaint.complainant": "投诉人联系方式",
    "designation": "任职登记", "evaluation_review": "模型复核", "evaluation_run": "评价批次", "objection": "异议",
    "obligation_agreement": "招商引资协议", "obligation_finding": "履约失信拟认定", "obligation_judgment": "涉政府判决",
    "obligation_ppp": "PPP项目", "obligation_ppp_breach": "PPP项目违约", "obligation_ppp_person": "PPP项目责任人",
    "post": "职务", "records": "信用记录（批量）", "rectification": "限期整改", "repair": "信用修复",
    "self_correction": "自我纠错", "subject": "信用主体", "supervision_input": "监督信息", "typical_case": "典型案例",
}
# How a request reached the platform (audit_entries.via).
VIA_NAMES = {"session": "网页", "token": "接口", "cli": "命令行", "public": "公众", "code": "授权码", "oidc": "统一身份认证"}


class EntryOut(BaseModel):
    seq: int = Field(description="序号（哈希链中的位置）")
    at: datetime = Field(description="时间（UTC）")
    username: str
    role: str | None
    role_name: str | None
    via: str | None = Field(description="session（网页）、token（接口）、cli（命令行）、public")
    action: str
    action_name: str
    entity: str
    entity_id: str | None
    subject_id: int | None
    subject_ids: list[int] = Field(default_factory=list, description="该条记录另外涉及的信用主体编号（批量核查、推送消息查阅）")
    purpose: str | None
    request_id: str | None
    ip: str | None
    before: dict | None
    after: dict | None
    prev_hash: str
    hash: str

    @classmethod
    def of(cls, e: AuditEntry, subject_ids: list[int] | None = None) -> EntryOut:
        return cls(
            seq=e.seq, at=e.at, username=e.username, role=e.role, role_name=ROLES.get(e.role or ""), via=e.via,
            action=e.action, action_name=ACTION_NAMES.get(e.action, e.action), entity=e.entity,
            entity_id=e.entity_id, subject_id=e.subject_id, subject_ids=subject_ids or [], purpose=e.purpose, request_id=e.request_id, ip=e.ip,
            before=e.before, after=e.after, prev_hash=e.prev_hash, hash=e.hash,
        )


class EntryPage(BaseModel):
    total: int
    limit: int
    offset: int
    entries: list[EntryOut]


class ReadOut(BaseModel):
    """One read of the subject's file, as the subject sees it."""

    at: datetime = Field(description="时间（UTC）")
    reader: str = Field(description="查询人（用户名）")
    role_name: str | None = Field(description="查询人的角色")
    action: str = Field(description="方式：查阅、核查、查看完整身份证号码")
    what: str = Field(description="查阅的内容")
    purpose: str | None = Field(description="查询目的")

    @classmethod
    def of(cls, e: AuditEntry) -> ReadOut:
        return cls(at=e.at, reader=e.username, role_name=ROLES.get(e.role or ""),
                   action=ACTION_NAMES.get(e.action, e.action), what=WHAT_NAMES.get(e.entity, e.entity), purpose=e.purpose)


class ReadsPage(BaseModel):
    subject_id: int
    total: int
    reads: list[ReadOut]


class VerdictOut(BaseModel):
    ok: bool
    checked: int = Field(description="校验通过的条目数")
    first_bad_seq: int | None = Field(description="第一个被篡改或删除的条目序号")
    problem: str | None = Field(description="altered、removed、broken_link、head、anchor（与库外锚点不符）或 anchor_file（锚点文件被改动）")
    message: str
    message_en: str
