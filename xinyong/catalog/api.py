"""API: the policy version in use and its 数据目录 categories."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, Field

from xinyong.accounts.access import allow
from xinyong.accounts.principal import Principal
from xinyong.catalog.deps import PolicyDep
from xinyong.catalog.schemas import (
    POLARITY_NAMES,
    SUBJECT_KIND_NAMES,
    Category,
    Period,
    PolicySet,
)
from xinyong.core.http import error_responses

router = APIRouter(tags=["政策清单"])


class PeriodOut(BaseModel):
    severity: str = Field(description="Severity code, or 'default' for categories without severities")
    severity_name: str
    min_months: int
    max_months: int | None
    until_fact: str | None
    text: str = Field(description="The period in words, e.g. 3–12个月")


class CategoryOut(BaseModel):
    code: str
    name: str
    group: str
    polarity: str
    polarity_name: str
    subject_kinds: list[str]
    subject_kind_names: list[str]
    severities: list[str]
    display_periods: list[PeriodOut]
    retention_years: int
    disclosure_legal: str = Field(description="Disclosure for government bodies and enterprises")
    disclosure_natural: str = Field(description="Disclosure for persons and public servants")
    repairable: bool


class PolicyOut(BaseModel):
    version_id: int
    label: str
    title: str
    region: str
    effective_from: date
    based_on: list[str]
    categories: list[CategoryOut]


def period_text(period: Period, category: Category) -> str:
    if period.until_fact:
        fact = category.fact(period.until_fact)
        until = f"至{fact.name if fact else period.until_fact}"
        return until if period.max_months is None else f"{until}，最长{period.max_months}个月"
    if period.max_months == 0:
        return "不公示"
    if period.min_months and period.min_months != period.max_months:
        return f"{period.min_months}–{period.max_months}个月"
    return f"{period.max_months}个月"


def policy_out(version_id: int, policy: PolicySet) -> PolicyOut:
    severities = policy.severity_names()
    categories = []
    for c in policy.catalog.categories:
        periods = [
            PeriodOut(
                severity=key,
                severity_name=severities.get(key, "—" if key == "default" else key),
                min_months=p.min_months,
                max_months=p.max_months,
                until_fact=p.until_fact,
                text=period_text(p, c),
            )
            for key in (c.severities or ["default"])
            if (p := c.display_period.get(key)) is not None
        ]
        categories.append(CategoryOut(
            code=c.code, name=c.name, group=c.group, polarity=c.polarity,
            polarity_name=POLARITY_NAMES[c.polarity], subject_kinds=list(c.subject_kinds),
            subject_kind_names=[SUBJECT_KIND_NAMES[k] for k in c.subject_kinds], severities=list(c.severities),
            display_periods=periods, retention_years=c.retention.years,
            disclosure_legal=c.disclosure.legal, disclosure_natural=c.disclosure.natural, repairable=c.repairable,
        ))
    m = policy.meta
    return PolicyOut(
        version_id=version_id, label=m.label, title=m.title, region=m.region, effective_from=m.effective_from,
        based_on=list(m.based_on), categories=categories,
    )


@router.get(
    "/policy",
    response_model=PolicyOut,
    summary="当前政策清单",
    description=(
        "正在使用的政策清单版本（编号、标签、依据文件）及数据目录中的各类信用信息："
        "性质（失信/守信/中性）、适用主体类别、严重程度及各自的公示期、保存年限、"
        "对法人和自然人的公开方式（公开/授权查询/政务共享）、是否可修复。"
    ),
    responses=error_responses(404),
)
def get_policy(policy: PolicyDep, who: Annotated[Principal, allow(public=True)]) -> PolicyOut:
    return policy_out(policy.version_id, policy.policy)

