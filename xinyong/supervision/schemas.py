"""Supervision inputs and the supervisor's board as the API shows them (pydantic)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from xinyong.core import regions
from xinyong.supervision import service
from xinyong.supervision.models import KINDS


class SupervisionRowIn(BaseModel):
    """One row, with the same columns as the kind's XLSX template; a kind ignores the columns it
    does not have (:data:`xinyong.supervision.service.FIELDS`)."""

    body_code: str = Field(description="单位统一社会信用代码（政府机构）")
    body_name: str | None = Field(None, description="单位名称（核对用）")
    region: str | None = Field(None, description="行政区划代码；须与单位登记的一致")
    year: int = Field(description="年度")
    category: str | None = Field(None, description="督查 / 考核；人大代表建议 / 政协提案")
    source: str | None = Field(None, description="督查考核机关、建议法院、评议活动或评价机构")
    ref_no: str | None = Field(None, description="文号或编号")
    title: str | None = Field(None, description="标题、事由或评价名称")
    issued_on: date | None = Field(None, description="结果日期、交办日期、发出日期或公布日期")
    deadline: date | None = Field(None, description="办理期限或答复期限")
    done_on: date | None = Field(None, description="办结日期或答复日期")
    on_time: bool | None = Field(None, description="按时办结")
    adopted: bool | None = Field(None, description="采纳")
    satisfied: bool | None = Field(None, description="满意")
    score: float | None = Field(None, description="得分（不得为负数）")
    result: str | None = Field(None, description="结果等次、评议等次或评级")
    note: str | None = Field(None, description="备注、答复及落实情况")


class SupervisionBatchIn(BaseModel):
    rows: list[SupervisionRowIn] = Field(min_length=1, max_length=service.MAX_ROWS)


class RowProblemOut(BaseModel):
    row: int
    column: str
    message: str


class ImportOut(BaseModel):
    kind: str
    kind_name: str
    rows: int
    created: int
    updated: int
    unchanged: int
    rejected: int
    errors: list[RowProblemOut]

    @classmethod
    def build(cls, r: service.Imported) -> ImportOut:
        return cls(kind=r.kind, kind_name=KINDS[r.kind], rows=r.rows, created=r.created, updated=r.updated,
                   unchanged=r.unchanged, rejected=r.rejected,
                   errors=[RowProblemOut(row=e.row, column=e.column, message=e.reason) for e in r.errors])


class SupervisionOut(BaseModel):
    id: int
    kind: str
    body_code: str
    body_name: str
    region_code: str
    region_name: str
    year: int
    category: str | None
    source: str | None
    ref_no: str | None
    title: str | None
    issued_on: date | None
    deadline: date | None
    done_on: date | None
    on_time: bool | None
    adopted: bool | None
    satisfied: bool | None
    score: float | None
    result: str | None
    note: str | None
    overdue_days: int = Field(0, description="司法建议：逾期未答复的日历天数（按查询当天计）")
    replied_late: bool = Field(False, description="司法建议：答复日期晚于答复期限")

    @classmethod
    def build(cls, x: service.Listed) -> SupervisionOut:
        i = x.item
        return cls(id=i.id, kind=i.kind, body_code=x.body_code, body_name=x.body_name, region_code=i.region_code,
                   region_name=regions.name_of(i.region_code), year=i.year, category=i.category, source=i.source,
                   ref_no=i.ref_no, title=i.title, issued_on=i.issued_on, deadline=i.deadline, done_on=i.done_on,
                   on_time=i.on_time, adopted=i.adopted, satisfied=i.satisfied, score=i.score, result=i.result,
                   note=i.note, overdue_days=x.overdue_days, replied_late=x.late)


class SupervisionPage(BaseModel):
    total: int
    items: list[SupervisionOut]


class RegionFiguresOut(BaseModel):
    region_code: str
    region_name: str
    counts: dict[str, int] = Field(description="该年度各类监督信息条数（键为类别代码）")
    total: int
    overdue_replies: int = Field(description="逾期未答复的司法建议（不限年度）")
    on_time_rate: float | None = Field(description="按时办结率：是 / 已填写该项的件数")
    adopted_rate: float | None
    satisfied_rate: float | None


class OverdueOut(BaseModel):
    id: int
    body_name: str
    region_code: str
    source: str | None
    ref_no: str | None
    issued_on: date | None
    deadline: date
    overdue_days: int


class AppraisalOut(BaseModel):
    body_name: str
    region_code: str
    year: int
    score: float
    result: str | None


class BoardOut(BaseModel):
    year: int
    as_of: date = Field(description="逾期按该日计算")
    kinds: dict[str, str]
    totals: dict[str, int]
    overdue_total: int
    rates: dict[str, float | None]
    regions: list[RegionFiguresOut]
    overdue: list[OverdueOut]
    appraisals: list[AppraisalOut]

    @classmethod
    def build(cls, b: service.Board) -> BoardOut:
        return cls(
            year=b.year, as_of=b.today, kinds=dict(KINDS), totals=b.totals, overdue_total=b.overdue_total,
            rates=b.rates(),
            regions=[RegionFiguresOut(region_code=r.region_code, region_name=r.region_name, counts=r.counts,
                                      total=r.total, overdue_replies=r.overdue, on_time_rate=r.on_time_rate,
                                      adopted_rate=r.adopted_rate, satisfied_rate=r.satisfied_rate) for r in b.regions],
            overdue=[OverdueOut(id=o.id, body_name=o.body_name, region_code=o.region_code, source=o.source,
                                ref_no=o.ref_no, issued_on=o.issued_on, deadline=o.deadline, overdue_days=o.days)
                     for o in b.overdue],
            appraisals=[AppraisalOut(body_name=a.body_name, region_code=a.region_code, year=a.year, score=a.score,
                                     result=a.result) for a in b.appraisals],
        )
