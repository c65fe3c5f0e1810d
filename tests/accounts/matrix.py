"""The authorisation matrix: the format of ``tests/<pkg>/access_cases.py``.

Each package that adds routes lists one :class:`Case` per route (method + path template, exactly
as in the app's route table) in a module-level ``CASES`` list in ``tests/<pkg>/access_cases.py``.
``tests/accounts/test_matrix.py`` collects every route from ``create_app()``, every case from
those files, and calls each route as every caller in :data:`WHO` — the public and one user per
role, all scoped to Hangzhou (330100) — against an object in their region (``"in"``) and one
outside it (``"out"``, in Ningbo 330200). It fails for a route without an ``allow(...)`` rule,
a route without a case, a case without a route, and every answer that differs from the case.

Expected answers are HTTP status codes, with one reading: a page that redirects a caller who is
not logged in to ``/login`` counts as **401**. Other redirects are their own status (303).

Example (``tests/records/access_cases.py``)::

    from tests.accounts.matrix import Case, expect, OFFICIALS

    CASES = [
        Case("GET", "/api/v1/subjects/{code}",
             params=lambda w, where: {"code": w.ref("person", where)},
             expect=expect(200),                       # everyone, in region
             out=expect(200, **{r: 403 for r in OFFICIALS})),  # officials out of region: 403
        Case("POST", "/api/v1/lists/{id}/entries",
             params=lambda w, where: {"id": w.once(f"list-{where}", lambda: make_list(w, where))},
             json=lambda w, where: {"subject": w.ref("enterprise", where)},
             expect=expect(401, admin=201, checker=403, ...)),
    ]

``params`` and the bodies are called with the :class:`MatrixWorld` and ``"in"`` / ``"out"``;
``w.db`` is a SQLAlchemy session on the test database (commit what you create), and
``w.once(key, factory)`` runs ``factory()`` once per test run and remembers its result, so an
object made for one caller is reused by the others. A case whose route changes state should
make a fresh object per call (a factory without ``once``) or expect the status of a repeat.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from xinyong.accounts.roles import OFFICIALS as _OFFICIALS
from xinyong.accounts.roles import ROLES

WHO: tuple[str, ...] = ("public", *ROLES)  # public, admin, reporter, checker, supervisor, auditor, subject
OFFICIALS: tuple[str, ...] = _OFFICIALS  # admin, reporter, checker, supervisor, auditor
IN_REGION = "330100"  # every matrix user's scope: 杭州市
OUT_REGION = "330200"  # the "out" objects: 宁波市

Params = Callable[["MatrixWorld", str], dict[str, Any]]


def expect(default: int, **per_who: int) -> dict[str, int]:
    """A status for every caller in :data:`WHO`: ``default`` unless named."""
    unknown = set(per_who) - set(WHO)
    if unknown:
        raise ValueError(f"unknown callers {sorted(unknown)}; use {WHO}")
    return {who: per_who.get(who, default) for who in WHO}


def only(roles: tuple[str, ...] | list[str], ok: int = 200, *, public: int = 401, others: int = 403) -> dict[str, int]:
    """``ok`` for these roles, 401 for the public, 403 for the other roles."""
    return {who: ok if who in roles else public if who == "public" else others for who in WHO}


@dataclass(frozen=True)
class Case:
    method: str
    route: str  # the path template as in the route table, e.g. "/api/v1/subjects/{code}"
    expect: dict[str, int]  # in region: caller → status
    out: dict[str, int] | None = None  # out of region (default: the same as ``expect``)
    params: Params | None = None  # path parameters for "in" / "out"
    query: Params | None = None  # query parameters
    json: Params | None = None  # a JSON body
    form: Params | None = None  # a form body (the CSRF token is added by the matrix client)
    note: str = ""

    def __post_init__(self) -> None:
        for name in ("expect", "out"):
            value = getattr(self, name)
            if value is not None and set(value) != set(WHO):
                raise ValueError(f"{self.method} {self.route}: {name} must name every caller in {WHO}")

    @property
    def key(self) -> tuple[str, str]:
        return self.method.upper(), self.route

    def expected(self, who: str, where: str) -> int:
        table = self.out if (where == "out" and self.out is not None) else self.expect
        return table[who]


@dataclass
class MatrixWorld:
    """What the cases build on (made once per test by ``tests/accounts/test_matrix.py``).

    - ``world``: :class:`tests.records.factories.World` (杭州 enterprise, person 张三丰 in 西湖区
      with a withheld penalty and a public debtor entry, public servant, bodies).
    - ``out``: the same kinds in 宁波 (330200): an enterprise, a person with a withheld penalty
      and a public debtor entry.
    - ``users``: caller → user id; the subject user is the Hangzhou person.
    """

    db: Session
    world: Any
    refs: dict[tuple[str, str], str]  # (kind, where) → the ref used in URLs
    records: dict[tuple[str, str], int]  # (what, where) → record id
    users: dict[str, int] = field(default_factory=dict)
    subject_ids: dict[str, int] = field(default_factory=dict)  # where → the person's subject id
    _once: dict[str, Any] = field(default_factory=dict)

    def ref(self, kind: str, where: str) -> str:
        """``kind``: "person", "enterprise"; ``where``: "in" or "out"."""
        return self.refs[(kind, where)]

    def record(self, what: str, where: str) -> int:
        """``what``: "person_withheld" (授权查询), "person_public" (失信被执行人), "enterprise"."""
        return self.records[(what, where)]

    def region(self, where: str) -> str:
        return IN_REGION if where == "in" else OUT_REGION

    def once(self, key: str, factory: Callable[[], Any]) -> Any:
        if key not in self._once:
            self._once[key] = factory()
        return self._once[key]
