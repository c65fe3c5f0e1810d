"""API shapes of the evaluation results (:mod:`xinyong.evaluation.results`)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from xinyong.evaluation.models import ENGINES, RUN_STATUSES


class RunOut(BaseModel):
    id: int
    system_code: str
    system_name: str
    system_version: str = Field(description="指标体系版本")
    as_of: date = Field(description="数据截止日")
    engine: str = Field(description="duckdb / spark")
    engine_name: str
    status: str = Field(description="running 运行中 / done 已完成 / failed 失败")
    status_name: str
    subjects: int
    grade_changes: int
    started_at: datetime
    finished_at: datetime | None

    @classmethod
    def build(cls, r) -> RunOut:
        return cls(id=r.id, system_code=r.system_code, system_name=r.system_name, system_version=r.system_version,
                   as_of=r.as_of, engine=r.engine, engine_name=ENGINES.get(r.engine, r.engine), status=r.status,
                   status_name=RUN_STATUSES.get(r.status, r.status), subjects=r.subjects,
                   grade_changes=r.grade_changes, started_at=r.started_at, finished_at=r.finished_at)


class GradeShareOut(BaseModel):
    code: str
    name: str
    count: int
    share: float = Field(description="占比（0–1）")


class DistributionOut(BaseModel):
    run: RunOut | None = Field(description="最近一次已完成的评价批次；尚无则为空")
    grades: list[GradeShareOut]


class RankedOut(BaseModel):
    rank: int = Field(description="名次（同分同名次）")
    subject_id: int
    name: str
    region_code: str
    region_name: str
    score: float
    grade: str
    grade_name: str
    dimensions: dict[str, float] = Field(description="各维度得分")


class RankingsOut(BaseModel):
    run: RunOut | None
    level: str = Field(description="city 设区市 / county 县（市、区）")
    items: list[RankedOut]


class SubjectScoreOut(BaseModel):
    system_code: str
    system_name: str
    run: RunOut
    score: float
    grade: str
    grade_name: str
    dimensions: dict[str, float] = Field(description="维度名称 → 得分")
    explanation: list[str] = Field(description="得分说明：各指标的情况、得分和扣分（扣分多的在前）")


class SubjectScoresOut(BaseModel):
    subject_id: int
    name: str = Field(description="名称（自然人和公务人员脱敏）")
    kind: str
    scores: list[SubjectScoreOut]
