"""Roles and region scopes.

A user has one role and one region scope (a GB/T 2260 code): a province code covers the whole
province, a city code the city and its counties, a county code only itself. The roles are the
platform's users as DESIGN.md lists them; what each may do is declared on every route with
:func:`xinyong.accounts.access.allow` and tabled in ``docs/accounts.md``.
"""

from __future__ import annotations

ROLES: dict[str, str] = {
    "admin": "信用办管理员",
    "reporter": "部门报送员",
    "checker": "核查人员",
    "supervisor": "督导考核人员",
    "auditor": "审计员",
    "subject": "信用主体",
}

ROLES_EN: dict[str, str] = {
    "admin": "credit office administrator",
    "reporter": "department reporter",
    "checker": "checker (runs credit checks)",
    "supervisor": "supervisor (a superior government's assessor)",
    "auditor": "auditor",
    "subject": "subject (reads its own credit file)",
}

# Officials: every role that works inside a region scope (all but the subject).
OFFICIALS: tuple[str, ...] = ("admin", "reporter", "checker", "supervisor", "auditor")

# Roles that must pass a second factor (TOTP) before they can do anything.
SECOND_FACTOR_ROLES: frozenset[str] = frozenset({"admin"})


def region_covers(scope: str | None, region: str | None) -> bool:
    """Whether a user scoped to ``scope`` may see ``region``: 330000 covers 33xxxx, 330100
    covers 3301xx, a county covers only itself. An empty region is covered by nobody."""
    if not scope or not region or len(scope) != 6 or len(region) != 6:
        return False
    if scope.endswith("0000"):
        return region[:2] == scope[:2]
    if scope.endswith("00"):
        return region[:4] == scope[:4]
    return region == scope


def is_role(role: str) -> bool:
    return role in ROLES
