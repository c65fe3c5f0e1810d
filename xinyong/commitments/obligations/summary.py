"""One government body's obligation figures, for its promise-keeping page: contracts and
arrears, agreements, PPP projects, judgments (open, listed, overdue), and the latest debt ratio
with its warning level — a handful of aggregate statements, no loop over rows. The template
partial ``obligations/_obligations_section.html`` shows them (with an ECharts chart of the
arrears by contract kind); a page includes it with ``obligations`` set to :func:`body_summary`'s
answer."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from xinyong.commitments.obligations import rules
from xinyong.commitments.obligations.models import (
    Agreement,
    Contract,
    Debt,
    Judgment,
    PppBreach,
    PppProject,
)


@dataclass
class BodySummary:
    body_id: int
    contracts: int = 0
    contract_amount: Decimal = Decimal(0)
    arrears_contracts: int = 0
    arrears_amount: Decimal = Decimal(0)
    arrears_by_kind: dict[str, Decimal] = field(default_factory=dict)
    agreements: int = 0
    agreements_in_force: int = 0
    agreements_changed: int = 0
    ppp_projects: int = 0
    ppp_stages: dict[str, int] = field(default_factory=dict)
    ppp_breaches: int = 0
    judgments: int = 0
    judgments_open: int = 0
    judgments_listed: int = 0
    judgments_overdue: int = 0
    debt_as_of: date | None = None
    debt_balance: Decimal | None = None
    debt_resources: Decimal | None = None
    debt_ratio: Decimal | None = None
    debt_level: str | None = None
    debt_level_name: str | None = None
    debt_overdue: Decimal | None = None

    @property
    def chart(self) -> dict:
        """The ECharts bar data (static/charts.js): arrears per contract kind, 万元."""
        return {"labels": list(self.arrears_by_kind), "values": [float(v) for v in self.arrears_by_kind.values()],
                "name": "拖欠金额（万元）"}


def body_summary(session: Session, body_id: int) -> BodySummary:
    """The obligation figures of one body (six statements)."""
    out = BodySummary(body_id)
    c = session.execute(
        select(func.count(), func.coalesce(func.sum(Contract.amount), 0),
               func.sum(case((Contract.arrears > 0, 1), else_=0)), func.coalesce(func.sum(Contract.arrears), 0))
        .where(Contract.body_id == body_id)).one()
    out.contracts, out.contract_amount = c[0], Decimal(str(c[1]))
    out.arrears_contracts, out.arrears_amount = c[2] or 0, Decimal(str(c[3]))
    out.arrears_by_kind = {k: Decimal(str(v)) for k, v in session.execute(
        select(Contract.kind, func.sum(Contract.arrears)).where(Contract.body_id == body_id, Contract.arrears > 0)
        .group_by(Contract.kind).order_by(Contract.kind))}
    a = session.execute(
        select(func.count(), func.sum(case((Agreement.status == "in_force", 1), else_=0)),
               func.sum(case((Agreement.status.in_(("changed", "terminated")), 1), else_=0)))
        .where(Agreement.body_id == body_id)).one()
    out.agreements, out.agreements_in_force, out.agreements_changed = a[0], a[1] or 0, a[2] or 0
    out.ppp_stages = dict(session.execute(
        select(PppProject.stage, func.count()).where(PppProject.body_id == body_id).group_by(PppProject.stage)).tuples().all())
    out.ppp_projects = sum(out.ppp_stages.values())
    out.ppp_breaches = session.scalar(
        select(func.count()).select_from(PppBreach).join(PppProject, PppProject.id == PppBreach.project_id)
        .where(PppProject.body_id == body_id)) or 0
    j = session.execute(
        select(func.count(), func.sum(case((Judgment.status.in_(("unperformed", "listed")), 1), else_=0)),
               func.sum(case((Judgment.status == "listed", 1), else_=0)),
               func.sum(case((Judgment.overdue.is_(True), 1), else_=0)))
        .where(Judgment.body_id == body_id)).one()
    out.judgments, out.judgments_open, out.judgments_listed, out.judgments_overdue = j[0], j[1] or 0, j[2] or 0, j[3] or 0
    d = session.scalars(select(Debt).where(Debt.body_id == body_id).order_by(Debt.as_of.desc()).limit(1)).first()
    if d is not None:
        out.debt_as_of, out.debt_balance, out.debt_resources = d.as_of, d.balance, d.resources
        out.debt_ratio = rules.debt_ratio(d.balance, d.resources)
        out.debt_level, out.debt_overdue = d.level, d.overdue_amount
        from xinyong.commitments.obligations.service import policy_rules

        out.debt_level_name = rules.level_names(policy_rules(session)).get(d.level or "", d.level)
    return out
