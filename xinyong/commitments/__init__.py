"""信用承诺 (commitments): the register, breaches as records, fulfilment rates.

Importing the package registers the daily breach run (``xinyong jobs daily``): commitments still
in force after their due date become breaches and 违背信用承诺 records, once
(:func:`xinyong.commitments.service.daily_breaches`). It registers the rectification run too
(限期整改, :func:`xinyong.commitments.rectification.daily`: tasks opened, overdue ones reported
to the superior body, the responsible persons' records), and the records' import hook that opens
the tasks of a batch's records on government bodies in the batch's transaction.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from xinyong.core import daily as _daily
from xinyong.records import hooks as _record_hooks


def _breaches(session: Session, today: date) -> dict[str, int]:
    from xinyong.commitments.service import daily_breaches

    return daily_breaches(session, today)


_daily.register(
    "commitments.breaches", "信用承诺违诺认定", _breaches, order=30,
    counts={"due": "待认定违诺", "breached": "新认定违诺", "records": "违诺信用记录", "rejected": "记录被退回"},
)


def _rectifications(session: Session, today: date) -> dict[str, int]:
    from xinyong.commitments.rectification import daily

    return daily(session, today)


def _open_rectifications(session: Session, batch_id: int) -> None:
    from xinyong.commitments.rectification import on_import

    on_import(session, batch_id)


_daily.register(
    "commitments.rectifications", "限期整改与逾期上报", _rectifications, order=31,
    counts={"opened": "新开启整改", "escalated": "逾期报告上级", "persons": "责任人信用记录", "rejected": "记录被退回"},
)
_record_hooks.register(_open_rectifications)
from xinyong.commitments import obligations as _obligations  # noqa: E402,F401  registers the obligations' daily work
