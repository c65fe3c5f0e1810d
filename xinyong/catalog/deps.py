"""Request-scoped dependency: the policy version in use, for any capability's API and pages.

FastAPI caches a dependency within one request, so a route that asks for the session and the
policy still opens one session (:func:`xinyong.core.http.get_session`) and looks the active
version up once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from xinyong.catalog.schemas import PolicySet
from xinyong.catalog.service import active_version
from xinyong.core.http import SessionDep


@dataclass(frozen=True)
class PolicyInUse:
    version_id: int
    policy: PolicySet

    @property
    def label(self) -> str:
        return self.policy.meta.label


def get_policy(request: Request, session: SessionDep) -> PolicyInUse:
    """The active policy version; remembered on the request for the page footer."""
    version_id, policy = active_version(session)
    request.state.policy_label = policy.meta.label
    return PolicyInUse(version_id, policy)


PolicyDep = Annotated[PolicyInUse, Depends(get_policy)]
