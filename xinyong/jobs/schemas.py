"""The daily jobs over the API: a run's outcome per job, and the history of runs."""

from __future__ import annotations

import datetime as dt
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from xinyong.jobs import service
from xinyong.jobs.models import DailyRun


class RunIn(BaseModel):
    date: dt.date | None = Field(None, description="运行哪一天的任务（默认北京时间今天）")
    force: bool = Field(False, description="当天已完成的任务也重新运行")
    jobs: list[str] | None = Field(None, max_length=50, description="只运行这些任务（任务名，见 GET 返回的 jobs）")


class OutcomeOut(BaseModel):
    job: str
    label: str = Field(description="任务名称")
    state: str = Field(description="done 已完成 / failed 失败 / skipped 当天已完成而跳过 / busy 另一进程正在运行")
    state_name: str
    summary: dict[str, Any] | None = Field(description="变更了什么（各项计数）；skipped 时为当天那次运行的")
    changed: int = Field(description="本次变更合计（skipped、failed 为 0）")
    description: str = Field(description="变更的中文说明")
    error: str | None = None
    seconds: float
    attempt: int | None = None

    @classmethod
    def of(cls, o: service.JobOutcome) -> OutcomeOut:
        return cls(job=o.name, label=o.label, state=o.state, state_name=service.STATE_NAMES[o.state],
                   summary=o.summary, changed=o.changed, description=service.describe(o.summary, o.counts),
                   error=o.error, seconds=round(o.seconds, 3), attempt=o.attempt)


class RunOut(BaseModel):
    date: dt.date
    busy: bool = Field(description="另一进程正在运行每日任务，本次未运行")
    failed: int
    changed: int
    outcomes: list[OutcomeOut]


class DailyRunOut(BaseModel):
    id: int
    date: dt.date
    job: str
    label: str
    attempt: int
    state: str = Field(description="done 已完成 / failed 失败")
    state_name: str
    summary: dict[str, Any] | None
    changed: int
    description: str
    error: str | None
    by: str = Field(description="执行者：scheduler（服务器定时）、cli（命令行）或管理员用户名")
    started_at: datetime
    finished_at: datetime | None

    @classmethod
    def of(cls, r: DailyRun, jobs: dict) -> DailyRunOut:
        job = jobs.get(r.job)
        counts = dict(job.counts) if job else {}
        return cls(id=r.id, date=r.day, job=r.job, label=job.label if job else r.job, attempt=r.attempt,
                   state=r.state, state_name=service.STATE_NAMES.get(r.state, r.state), summary=r.summary,
                   changed=r.changed, description=r.error or "" if r.state == "failed" else service.describe(r.summary, counts),
                   error=r.error, by=r.by, started_at=r.started_at, finished_at=r.finished_at)


class JobOut(BaseModel):
    name: str
    label: str
    order: int


class HistoryOut(BaseModel):
    total: int
    limit: int
    offset: int
    jobs: list[JobOut] = Field(description="已登记的每日任务，按运行顺序")
    runs: list[DailyRunOut] = Field(description="运行记录：日期新的在前，同一天失败的在前")
