"""The authorisation matrix: every route of the app × every caller (the public and one user per
role) × an object in the caller's region and one outside it, against the expected answers in
``tests/<pkg>/access_cases.py`` (format: :mod:`tests.accounts.matrix`).

It fails for a route that declares no ``allow(...)`` rule, a route with no case, a case for a
route that does not exist, and every answer that is not the expected one (all of them are
listed at once).
"""

from __future__ import annotations

import importlib
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi import routing
from fastapi.testclient import TestClient
from sqlalchemy import select
from starlette.routing import Mount

from tests.accounts.helpers import PASSWORD, make_user
from tests.accounts.matrix import IN_REGION, WHO, Case, MatrixWorld
from tests.records.factories import build_world, debtor, load, penalty
from xinyong.accounts import ratelimit, service
from xinyong.accounts.access import CSRF_COOKIE, CSRF_HEADER, SESSION_COOKIE, rule_of
from xinyong.accounts.models import User
from xinyong.core.clock import frozen_today, today
from xinyong.core.codes import make_ric
from xinyong.records.models import Record
from xinyong.subjects.models import Subject
from xinyong.web.app import create_app

TESTS = Path(__file__).resolve().parent.parent
# The matrix runs on this day, not the wall clock's: the world's records, the cases' dates
# (``xinyong.core.clock.today()``) and the app's "today" all follow it.
MATRIX_DAY = date(2026, 12, 2)
NB_PERSON_NAME = "钱七星"


def app_routes(app) -> list[tuple[str, str, object]]:
    """(method, path, route) for every endpoint; mounts (static files) are not routes."""
    out = []
    for ctx in routing.iter_route_contexts(app.routes):
        original = ctx.original_route
        if isinstance(original, Mount) or ctx.path is None:
            continue
        for method in sorted(ctx.methods or ()):
            if method != "HEAD":
                out.append((method, ctx.path, original))
    return out


def all_cases() -> list[Case]:
    cases = []
    for path in sorted(TESTS.glob("*/access_cases.py")):
        module = importlib.import_module(f"tests.{path.parent.name}.access_cases")
        cases.extend(module.CASES)
    return cases


def test_every_route_declares_an_access_rule():
    missing = [f"{m} {p}" for m, p, route in app_routes(create_app()) if rule_of(route) is None]
    assert not missing, f"these routes have no allow(...) rule: {missing}"


def test_every_route_has_a_case_and_every_case_a_route():
    routes = {(m, p) for m, p, _ in app_routes(create_app())}
    cases = {c.key for c in all_cases()}
    no_case = sorted(f"{m} {p}" for m, p in routes - cases)
    no_route = sorted(f"{m} {p}" for m, p in cases - routes)
    assert not no_case, f"add these routes to a tests/<pkg>/access_cases.py: {no_case}"
    assert not no_route, f"these cases name routes the app does not have: {no_route}"


def build_matrix_world(db) -> MatrixWorld:
    world = build_world(db)
    recent = today() - timedelta(days=20)
    nb_person = make_ric("330203", date(1988, 3, 4), 77)
    ent_nb = world.ent_nb
    load(db, [penalty(NB_PERSON_NAME, nb_person, recent, "甬市监罚〔2026〕9号", natural=True)], "admin_penalty")
    load(db, [debtor(NB_PERSON_NAME, nb_person, recent, "(2026)浙02执9号")], "dishonest_judgment_debtor")
    person_out = db.scalar(select(Subject).where(Subject.name == NB_PERSON_NAME))
    ids = {r.decision_no: r.id for r in db.scalars(select(Record))}
    w = MatrixWorld(
        db=db, world=world,
        refs={("person", "in"): str(world.person.id), ("person", "out"): str(person_out.id),
              ("enterprise", "in"): world.ent_hz.code, ("enterprise", "out"): ent_nb.code},
        records={("person_withheld", "in"): world.person_penalty_id,
                 ("person_withheld", "out"): ids["甬市监罚〔2026〕9号"],
                 ("person_public", "in"): world.person_debtor_id,
                 ("person_public", "out"): ids["(2026)浙02执9号"],
                 ("enterprise", "in"): world.hz_recent_id,
                 ("enterprise", "out"): ids["甬市监罚〔2026〕3号"]},
        subject_ids={"in": world.person.id, "out": person_out.id},
    )
    for role in WHO[1:]:
        if role == "subject":
            user = make_user(db, "subject", world.person.region_code, username="matrix_subject",
                             subject_id=world.person.id)
        else:
            user = make_user(db, role, IN_REGION, username=f"matrix_{role}")
        w.users[role] = user.id
    db.commit()
    return w


def _log_in(client: TestClient, w: MatrixWorld, who: str) -> None:
    client.cookies.clear()
    client.headers.pop(CSRF_HEADER, None)
    if who == "public":
        client.get("/login")  # the CSRF cookie, sent back as the header (double submit)
        client.headers[CSRF_HEADER] = client.cookies.get(CSRF_COOKIE)
        return
    user = w.db.get(User, w.users[who])
    raw, ws = service.start_session(w.db, user)
    ws.stage = "full"
    w.db.commit()
    client.cookies.set(SESSION_COOKIE, raw)
    client.headers[CSRF_HEADER] = ws.csrf_token


def _url(case: Case, w: MatrixWorld, where: str) -> str:
    params = case.params(w, where) if case.params else {}
    path = case.route
    for name, value in params.items():
        path = path.replace("{" + name + "}", str(value))
    assert not re.search(r"\{\w+\}", path), f"{case.route}: params left out"
    return path


def _outcome(response) -> int:
    if response.status_code in (302, 303, 307) and response.headers.get("location", "").startswith("/login"):
        return 401
    return response.status_code


def test_the_authorisation_matrix(app_env, session):
    with frozen_today(MATRIX_DAY):
        _run_the_matrix(session)


def _run_the_matrix(session) -> None:
    cases = all_cases()
    w = build_matrix_world(session)
    app = create_app()
    failures = []
    with TestClient(app, follow_redirects=False) as client:
        for who in WHO:
            _log_in(client, w, who)
            for case in cases:
                for where in ("in", "out"):
                    if case.method != "GET":
                        _log_in(client, w, who)  # a fresh session: a POST may end or change it
                        ratelimit.reset()
                    url = _url(case, w, where)
                    kwargs = {}
                    if case.query:
                        kwargs["params"] = case.query(w, where)
                    if case.json:
                        kwargs["json"] = case.json(w, where)
                    if case.form:
                        kwargs["data"] = case.form(w, where)
                    response = client.request(case.method, url, **kwargs)
                    if case.method != "GET":
                        _log_in(client, w, who)
                    got, want = _outcome(response), case.expected(who, where)
                    if got != want:
                        failures.append(f"{case.method} {url} [{case.route}] as {who} ({where}): "
                                        f"got {got}, want {want} {case.note}")
    assert not failures, f"{len(failures)} answers differ:\n" + "\n".join(failures)


def test_matrix_users_can_really_log_in(app_env, session):
    """The matrix opens sessions directly; the password of its users works too."""
    user = make_user(session, "checker", IN_REGION, username="matrix_probe")
    session.commit()
    assert service.authenticate(session, user.username, PASSWORD) is not None


@pytest.mark.parametrize("who", WHO)
def test_case_tables_name_every_caller(who):
    for case in all_cases():
        assert who in case.expect
