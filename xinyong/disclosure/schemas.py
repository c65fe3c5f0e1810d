"""Pydantic in/out of the credit report routes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from xinyong.disclosure.service import Verification


class ReportIn(BaseModel):
    subject: str = Field(description="统一社会信用代码、公民身份号码或主体编号（ref）", min_length=1, max_length=40)
    purpose: str = Field(description="查询目的（印在报告上并记入审计日志）", min_length=1, max_length=200)
    reveal_identity: bool = Field(
        False, description="显示完整身份信息（仅信用主体本人或管理员；作为“查看完整身份证号码”记入审计日志）",
    )


class VerificationOut(BaseModel):
    genuine: bool = Field(description="true: the number and code match (GET), or the file is unaltered (POST)")
    outcome: str = Field(description="genuine（文件真实未改动）/ matches（编号与验证码相符）/ altered（已被改动）/ unknown（未出具或伪造）")
    message: str = Field(description="核验结论（中文）")
    number: str | None = Field(None, description="报告编号")
    issued_at: datetime | None = Field(None, description="出具时间（UTC）")
    subject_name: str | None = Field(None, description="信用主体名称（自然人脱敏）")

    @classmethod
    def of(cls, v: Verification) -> VerificationOut:
        return cls(genuine=v.genuine, outcome=v.outcome, message=v.zh, number=v.number, issued_at=v.issued_at,
                   subject_name=v.subject_name)
