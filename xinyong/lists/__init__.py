"""红名单 / 黑名单 / 重点关注名单: inclusion by rule and by decision, periods, removal, history.

Importing the package registers the rule-based refresh as a records hook, so every import batch
brings the listings up to date inside its own transaction.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from xinyong.records import hooks as _hooks


def _refresh_after_import(session: Session, batch_id: int) -> None:
    from xinyong.lists.service import refresh_hook

    refresh_hook(session, batch_id)


def _standing(session: Session, subject, full: bool, policy) -> list[tuple[str, str]]:
    from xinyong.lists.service import standing_lines

    return standing_lines(session, subject, full, policy)


_hooks.register(_refresh_after_import)
_hooks.register_standing(_standing)
