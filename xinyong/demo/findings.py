"""The demo's obligation findings: the proposals the daily run makes from the obligations the
demo holds (contracts in arrears, debts with overdue repayments, agreements past due), so the
credit office's list has something to confirm or refuse on first run. Proposals only: no record
is written (the credit office confirms them), so the records and subjects before stay as they were."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session


def build_findings(session: Session, *, today: date) -> dict[str, int]:
    from xinyong.commitments.obligations.findings import daily_findings

    return {f"findings_{k}": v for k, v in daily_findings(session, today).items()}
