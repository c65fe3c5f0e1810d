"""政府履约 (obligations of government bodies): 招商引资 agreements and policy promises,
procurement and other contracts with their arrears, PPP projects with the responsible person of
each stage over time, court judgments and listings as dishonest judgment debtors, and debt.

Importing the package registers the daily work (``xinyong jobs daily``), each set-based and
idempotent (:mod:`xinyong.commitments.obligations.service`): arrears from due dates, debt
warning levels, overdue judgments (with listings reported to the superior and written as
records), PPP breaches traced to the person responsible when they happened, and proposals
of records (arrears, overdue debt, agreements past due) for the credit office to confirm
(:mod:`xinyong.commitments.obligations.findings`).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from xinyong.core import daily as _daily


def _job(name: str):
    def run(session: Session, today: date) -> dict[str, int]:
        from xinyong.commitments.obligations import findings, service

        if name == "findings":
            return findings.daily_findings(session, today)
        return {"arrears": service.daily_arrears, "debt": service.daily_debt_levels,
                "judgments": service.daily_judgments, "ppp": service.daily_ppp_breaches}[name](session, today)

    return run


_LABELS = {"arrears": "拖欠企业账款（按付款到期日）", "debt": "政府债务风险预警等级",
           "judgments": "涉政府机构判决逾期与失信被执行人", "ppp": "PPP项目违约责任回溯"}
_COUNTS = {
    "arrears": {"arrears": "新增或变动的拖欠", "cleared": "拖欠已清偿"},
    "debt": {"levels": "债务预警等级变动"},
    "judgments": {"overdue": "逾期状态变动", "reported": "报告上级", "records": "失信被执行人记录", "rejected": "记录被退回"},
    "ppp": {"traced": "追溯到责任人", "records": "PPP项目违约记录", "rejected": "记录被退回"},
}
for _n, _label in _LABELS.items():
    _daily.register(f"obligations.{_n}", _label, _job(_n), order=31, counts=_COUNTS[_n])
# after the arrears are counted: proposals for the credit office to confirm or refuse
_daily.register("obligations.findings", "履约失信拟认定（待信用办确认）", _job("findings"), order=32,
                counts={"arrears": "拖欠企业账款拟认定", "debt_overdue": "政府债务违约拟认定",
                        "agreement_overdue": "招商引资失信拟认定", "withdrawn": "原因消除撤回的拟认定"})
