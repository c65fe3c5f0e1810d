"""Authorisation-matrix cases for the catalog routes: the policy lists are public."""

from __future__ import annotations

from tests.accounts.matrix import Case, expect, only

CASES = [
    Case("GET", "/api/v1/policy", expect=expect(200)),
    Case("GET", "/policy", expect=expect(200)),
    Case("GET", "/policy/versions", expect=only(("admin",))),
]
