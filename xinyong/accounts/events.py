"""Account events — a login, a failed login, a logout, a user created, locked or given a new
password, a token issued or revoked — handed to whoever listens.

Why a listener list: ``accounts`` sits above ``audit`` in the dependency order (DESIGN.md), so
it cannot write audit entries itself, yet every write must reach the audit log. The audit
capability subscribes when it is imported (:mod:`xinyong.audit.service`); the web application
and the command line import it, so in both every event becomes one hash-chained entry, in the
same transaction as the change it records. Each event also goes to the application log.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from xinyong.accounts.principal import Principal

log = logging.getLogger("xinyong.accounts")


@dataclass(frozen=True)
class AccountEvent:
    who: Principal | str  # who acted (for a login: the user logging in; the CLI: a name)
    action: str  # login, login_failed, logout, create, update, lock, unlock, token_issued, …
    entity: str  # "user", "token", "department"
    entity_id: str | int | None = None
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    ip: str | None = None
    request_id: str | None = None


Listener = Callable[[Session, AccountEvent], None]
_listeners: list[Listener] = []


def subscribe(listener: Listener) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def emit(db: Session, event: AccountEvent) -> None:
    """Tell every listener, in the caller's transaction (the caller commits)."""
    who = event.who if isinstance(event.who, str) else event.who.label
    log.info("%s %s %s %s from %s", who, event.action, event.entity, event.entity_id, event.ip or "-")
    for listener in _listeners:
        listener(db, event)


def user_state(user: Any) -> dict[str, Any]:
    """What the change log keeps of a user (never its password hash or TOTP secret)."""
    return {
        "username": user.username, "role": user.role, "region_code": user.region_code,
        "department_code": user.department_code, "subject_id": user.subject_id, "active": user.active,
        "locked_until": user.locked_until.isoformat() if user.locked_until else None,
        "totp_enabled": user.totp_enabled,
    }
