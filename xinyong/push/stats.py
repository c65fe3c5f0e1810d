"""Push statistics: messages per day and event, delivered and acknowledged rates, median delay."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import (
    String,
    and_,
    case,
    func,
    literal,
    literal_column,
    or_,
    select,
)
from sqlalchemy.orm import Session

from xinyong.accounts.models import Department
from xinyong.core import regions, xlsx
from xinyong.core.settings import get_settings
from xinyong.push.common import _pg
from xinyong.push.models import PUSH_EVENTS, PushMessage, PushSubscription

# --- statistics ------------------------------------------------------------------------------------


@dataclass
class PushStats:
    total: int
    delivered: int
    acked: int
    given_up: int
    median_ack_seconds: float | None
    by_day: list[tuple[str, dict[str, int]]]  # day → event → messages
    by_department: list[dict]  # code, name, total, delivered, acked, median_ack_seconds
    subscriptions: int

    @property
    def delivered_rate(self) -> float:
        return self.delivered / self.total if self.total else 0.0

    @property
    def acked_rate(self) -> float:
        return self.acked / self.total if self.total else 0.0


def _delay_seconds(session: Session):
    pm = PushMessage
    if _pg(session):
        return func.extract("epoch", pm.acked_at - pm.created_at)
    return (func.julianday(pm.acked_at) - func.julianday(pm.created_at)) * 86400.0


def _local_day(session: Session):
    """The day a message was made, in China Standard Time (times are stored in UTC)."""
    if _pg(session):
        return func.to_char(PushMessage.created_at + literal_column("interval '8 hours'"), "YYYY-MM-DD")
    return func.strftime("%Y-%m-%d", PushMessage.created_at, "+8 hours")


def _medians(session: Session, conds: list, by_department: bool):
    delay = _delay_seconds(session)
    part = [PushMessage.department_code] if by_department else []
    d = select(
        (PushMessage.department_code if by_department else literal("", String)).label("k"), delay.label("d"),
        func.row_number().over(partition_by=part or None, order_by=delay).label("rn"),
        func.count().over(partition_by=part or None).label("n"),
    ).where(*conds, PushMessage.acked_at.is_not(None)).subquery()
    q = (select(d.c.k, func.avg(d.c.d)).where(or_(d.c.rn == (d.c.n + 1) // 2, d.c.rn == (d.c.n + 2) // 2))
         .group_by(d.c.k))
    return {k: float(v) for k, v in session.execute(q).all() if v is not None}


def statistics(session: Session, *, region: str | None = None, since: date | None = None,
               until: date | None = None) -> PushStats:
    """Messages per day by event, per department; delivered and acknowledged rates; the median
    delay from a message's creation to its acknowledgement — a handful of grouped queries."""
    pm = PushMessage
    conds: list = []
    dept_scope = select(Department.code)
    if region:
        dept_scope = dept_scope.where(Department.region_code.like(regions.scope_prefix(region) + "%"))
        conds.append(pm.department_code.in_(dept_scope))
    if since:
        conds.append(pm.created_at >= datetime.combine(since, datetime.min.time()))
    if until:
        conds.append(pm.created_at < datetime.combine(until + timedelta(days=1), datetime.min.time()))
    s = get_settings()
    delivered = func.sum(case((pm.delivered_at.is_not(None), 1), else_=0))
    acked = func.sum(case((pm.acked_at.is_not(None), 1), else_=0))
    given_up = func.sum(case((and_(pm.delivered_at.is_(None), pm.attempts >= s.push_max_attempts), 1), else_=0))
    total_row = session.execute(select(func.count(), delivered, acked, given_up).where(*conds)).one()
    day = _local_day(session)
    by_day: dict[str, dict[str, int]] = {}
    for d, ev, n in session.execute(select(day, pm.event, func.count()).where(*conds).group_by(day, pm.event).order_by(day)):
        by_day.setdefault(d, {})[ev] = n
    medians = _medians(session, conds, True)
    names = dict(session.execute(select(Department.code, Department.name)).all())
    by_dept = [
        {"code": code, "name": names.get(code, code), "total": n, "delivered": int(dl or 0), "acked": int(ak or 0),
         "median_ack_seconds": medians.get(code)}
        for code, n, dl, ak in session.execute(
            select(pm.department_code, func.count(), delivered, acked).where(*conds)
            .group_by(pm.department_code).order_by(func.count().desc()))
    ]
    sub_q = select(func.count()).select_from(PushSubscription)
    if region:
        sub_q = sub_q.where(PushSubscription.department_code.in_(dept_scope))
    overall = _medians(session, conds, False)
    return PushStats(
        total=int(total_row[0] or 0), delivered=int(total_row[1] or 0), acked=int(total_row[2] or 0),
        given_up=int(total_row[3] or 0), median_ack_seconds=overall.get(""),
        by_day=sorted(by_day.items()), by_department=by_dept, subscriptions=int(session.scalar(sub_q) or 0),
    )


def statistics_xlsx(stats: PushStats, path: Path) -> Path:
    wb = xlsx.streamed_workbook()
    ws = wb.create_sheet("总体")
    xlsx.append(ws, ["推送消息", "已送达", "送达率", "已确认", "确认率", "放弃重试", "确认用时中位数（秒）", "订阅数"])
    xlsx.append(ws, [stats.total, stats.delivered, round(stats.delivered_rate, 4), stats.acked,
                     round(stats.acked_rate, 4), stats.given_up, round(stats.median_ack_seconds, 1) if stats.median_ack_seconds is not None else None,
                     stats.subscriptions])
    ws = wb.create_sheet("按日")
    xlsx.append(ws, ["日期", *PUSH_EVENTS.values(), "合计"])
    for d, counts in stats.by_day:
        xlsx.append(ws, [d, *(counts.get(k, 0) for k in PUSH_EVENTS), sum(counts.values())])
    ws = wb.create_sheet("按部门")
    xlsx.append(ws, ["部门代码", "部门名称", "推送消息", "已送达", "已确认", "确认用时中位数（秒）"])
    for r in stats.by_department:
        xlsx.append(ws, [r["code"], r["name"], r["total"], r["delivered"], r["acked"],
                         round(r["median_ack_seconds"], 1) if r["median_ack_seconds"] is not None else None])
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
