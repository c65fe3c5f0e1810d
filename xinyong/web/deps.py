"""Request-scoped dependencies: a database session per request and the policy version in use.

FastAPI caches a dependency within one request, so a page that asks for the session and the
policy twice still opens one session and looks the active version up once.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from xinyong.catalog.schemas import PolicySet
from xinyong.catalog.service import active_version
from xinyong.core.db import session_factory


def get_session() -> Iterator[Session]:
    """One session per request, closed (and so rolled back if uncommitted) afterwards."""
    session = session_factory()()
    try:
        yield session
    finally:
        session.close()


@dataclass(frozen=True)
class PolicyInUse:
    version_id: int
    policy: PolicySet

    @property
    def label(self) -> str:
        return self.policy.meta.label


def get_policy(request: Request, session: Annotated[Session, Depends(get_session)]) -> PolicyInUse:
    """The active policy version; remembered on the request for the page footer."""
    version_id, policy = active_version(session)
    request.state.policy_label = policy.meta.label
    return PolicyInUse(version_id, policy)


SessionDep = Annotated[Session, Depends(get_session)]
PolicyDep = Annotated[PolicyInUse, Depends(get_policy)]
