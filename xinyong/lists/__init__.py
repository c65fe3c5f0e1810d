"""红名单 / 黑名单 / 重点关注名单: inclusion by rule and by decision, periods, removal, history.

Importing the package registers the rule-based refresh as a records hook, so every import batch
brings the listings up to date inside its own transaction, and as a daily job (``xinyong jobs
daily``): the notice periods that end, the periods and records that expire are the day's work.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from xinyong.core import daily as _daily
from xinyong.records import hooks as _hooks


def _refresh_after_import(session: Session, batch_id: int) -> None:
    from xinyong.lists.service import refresh_hook

    refresh_hook(session, batch_id)


def _standing(session: Session, subject, full: bool, policy) -> list[tuple[str, str]]:
    from xinyong.lists.service import standing_lines

    return standing_lines(session, subject, full, policy)


_hooks.register(_refresh_after_import)
_hooks.register_standing(_standing)


def _daily_refresh(session: Session, day):
    """``xinyong lists refresh`` for the day: new listings, activations, removals."""
    from xinyong.lists.service import refresh

    return refresh(session, day, by="daily").summary()


_daily.register("lists.refresh", "名单按规则更新", _daily_refresh, order=10, counts={
    "proposed": "拟列入", "included": "直接列入", "activated": "告知期满生效", "removed": "移出",
    "removed.period_end": "列入期限届满", "removed.expired": "公示期届满", "removed.repair": "信用修复",
    "removed.revoked": "记录撤销"})
