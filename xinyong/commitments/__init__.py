"""信用承诺 (commitments): the register, breaches as records, fulfilment rates.

Importing the package registers the daily breach run (``xinyong jobs daily``): commitments still
in force after their due date become breaches and 违背信用承诺 records, once
(:func:`xinyong.commitments.service.daily_breaches`).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from xinyong.core import daily as _daily


def _breaches(session: Session, today: date) -> dict[str, int]:
    from xinyong.commitments.service import daily_breaches

    return daily_breaches(session, today)


_daily.register(
    "commitments.breaches", "信用承诺违诺认定", _breaches, order=30,
    counts={"due": "待认定违诺", "breached": "新认定违诺", "records": "违诺信用记录", "rejected": "记录被退回"},
)

from xinyong.commitments import obligations as _obligations  # noqa: E402,F401  registers the obligations' daily work
