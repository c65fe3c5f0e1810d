"""审计日志: the append-only, hash-chained log of every write and every read of personal data.

Importing the package registers the daily anchor of the chain head (:mod:`xinyong.core.daily`).
"""

from datetime import date as _date

from sqlalchemy.orm import Session as _Session

from xinyong.core import daily as _daily


def _daily_anchor(session: _Session, day: _date) -> dict:
    """The chain head, anchored outside the database once a day (``xinyong audit anchor``),
    after the day's other jobs have logged what they did; a head already anchored is not
    anchored again."""
    from xinyong.audit import anchors

    return anchors.daily_anchor(session)


_daily.register("audit.anchor", "审计日志锚定", _daily_anchor, order=1000, counts={"anchors": "写入锚点"})
