"""Authorisation-matrix cases for the routes web itself adds: the home page and the API's
documents (they describe the interface, not data, so they are public)."""

from __future__ import annotations

from tests.accounts.matrix import Case, expect

CASES = [
    Case("GET", "/", expect=expect(200)),
    Case("GET", "/api/v1/openapi.json", expect=expect(200)),
    Case("GET", "/api/v1/docs", expect=expect(200)),
]
