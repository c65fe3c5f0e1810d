"""``AuditDep``: the audit log bound to one request, for routes.

``audit.read(subject_id, what, purpose)`` logs a read of personal data and commits it at once
(a read is logged even when nothing else is written); ``audit.event(action=..., entity=..., ...)``
appends an entry to the route's own transaction, which the route commits with its write. Both
fill in who (the principal that ``allow(...)`` resolved for this request), the request id and
the caller's address.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, Request

from xinyong.audit import service
from xinyong.audit.models import AuditEntry
from xinyong.core.http import SessionDep

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from xinyong.accounts.principal import Principal


class Audit:
    def __init__(self, request: Request, session: Session):
        self.request = request
        self.session = session

    @property
    def who(self) -> Principal:
        """The principal ``allow(...)`` put on the request (resolved before the route runs)."""
        who = getattr(self.request.state, "principal", None)
        if who is None:
            from xinyong.accounts.principal import PUBLIC

            return PUBLIC
        return who

    @property
    def request_id(self) -> str | None:
        return getattr(self.request.state, "request_id", None)

    @property
    def ip(self) -> str | None:
        return self.request.client.host if self.request.client else None

    def read(self, subject_id: int | None, what: str, purpose: str, *, entity_id: str | int | None = None,
             who: Principal | None = None) -> AuditEntry:
        entry = service.log_read(
            self.session, who=who or self.who, subject_id=subject_id, purpose=purpose, what=what,
            entity_id=entity_id, request_id=self.request_id, ip=self.ip,
        )
        self.session.commit()
        return entry

    def event(self, *, action: str, entity: str, who: Principal | None = None, **kwargs: Any) -> AuditEntry:
        return service.log_event(
            self.session, who=who or self.who, action=action, entity=entity,
            request_id=self.request_id, ip=self.ip, **kwargs,
        )


    def download(self, what: str, persons: int, *, entity_id: str | int | None = None) -> AuditEntry:
        """Log a download of a file holding ``persons`` persons' data and commit it at once (the
        file is sent whatever happens next)."""
        entry = service.log_download(self.session, who=self.who, what=what, persons=persons, entity_id=entity_id,
                                     request_id=self.request_id, ip=self.ip)
        self.session.commit()
        return entry


def get_audit(request: Request, session: SessionDep) -> Audit:
    return Audit(request, session)


AuditDep = Annotated[Audit, Depends(get_audit)]
