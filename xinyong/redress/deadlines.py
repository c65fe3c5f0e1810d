"""The redress deadlines in working days, as policy data (``redress.yaml`` ``deadlines``, each
with its basis, validated by ``xinyong policy check``) rather than constants.

The rules modules (:mod:`xinyong.redress.rules`, :mod:`xinyong.redress.repair_rules`) stay plain
functions a test calls without a database: they take the day counts as arguments and, when
given none, read the default policy folder's ``redress.yaml`` (:func:`default`). The services
pass the active policy's counts (:func:`of`), so a province that loads other counts gets them.
"""

from __future__ import annotations

from functools import cache

import yaml

from xinyong.catalog.schemas import PolicySet, RedressDeadlines, RedressPolicy


@cache
def default() -> RedressDeadlines:
    """The counts of the default policy folder (read once)."""
    from xinyong.catalog.loader import DEFAULT_DIR

    data = yaml.safe_load((DEFAULT_DIR / "redress.yaml").read_text(encoding="utf-8"))
    deadlines = RedressPolicy.model_validate(data).deadlines
    assert deadlines is not None, "the default redress.yaml names the deadlines"
    return deadlines


def of(policy: PolicySet | None) -> RedressDeadlines:
    """The active policy's counts, or the default ones where its folder has no ``redress.yaml``."""
    if policy is not None and policy.redress.deadlines is not None:
        return policy.redress.deadlines
    return default()


def active(session) -> RedressDeadlines:
    from xinyong.catalog import service as catalog_service

    try:
        return of(catalog_service.active_version(session)[1])
    except catalog_service.NoPolicy:
        return default()
