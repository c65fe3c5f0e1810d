"""Masking in every output: each GET page and API answer of the app, as the public, as an
official whose region covers the people (who sees their withheld records) and as a person
reading its own file, never shows an identity number or a natural person's full name."""

from __future__ import annotations

import re

import pytest
from fastapi import routing
from starlette.routing import Mount

from tests.accounts.helpers import login_as, logout
from tests.web.conftest import assert_masked
from xinyong.accounts.access import rule_of
from xinyong.web.app import create_app

SKIP = {"/api/v1/openapi.json", "/api/v1/docs"}  # the interface's description, not data


def get_routes() -> list[str]:
    out = []
    for ctx in routing.iter_route_contexts(create_app().routes):
        if isinstance(ctx.original_route, Mount) or ctx.path is None or ctx.path in SKIP:
            continue
        if "GET" in (ctx.methods or ()) and rule_of(ctx.original_route) is not None:
            out.append(ctx.path)
    return out


def urls_for(path: str, world) -> list[str]:
    """Concrete URLs for a route, filled from the world; [] when its parameters are unknown here
    (another package's objects: its own tests check those outputs)."""
    fill = {
        "code": [str(world.person.id), str(world.servant.id), world.ent_hz.code, world.person_ric],
        "id": [world.person_penalty_id, world.person_debtor_id, world.hz_recent_id],
    }
    names = re.findall(r"\{(\w+)\}", path)
    if not names:
        return [path]
    if any(n not in fill for n in names):
        return []
    return [path.replace("{" + names[0] + "}", str(v)) for v in fill[names[0]]]


# (a full name typed into the search box is echoed back to whoever typed it, so it is not searched here)
SEARCHES = [{"q": "张"}, {"q": "欧阳"}, {"q": "李"}, {"kind": "person"}, {"kind": "enterprise"}]


@pytest.mark.parametrize("who", ["public", "checker", "subject"])
def test_no_output_shows_an_identity_number_or_a_full_name(client, world, who):
    if who == "checker":
        login_as(client, "checker", "330100")
    elif who == "subject":
        login_as(client, "subject", None, subject_id=world.person.id, username="own-file")
    else:
        logout(client)
    seen = 0
    for path in get_routes():
        for url in urls_for(path, world):
            variants = [{}]
            if path in ("/subjects", "/api/v1/subjects"):
                variants += SEARCHES + [{"q": world.person_ric}]
            for params in variants:
                r = client.get(url, params=params, follow_redirects=True)
                if r.status_code >= 400:
                    continue
                ctype = r.headers.get("content-type", "")
                if "html" in ctype or "json" in ctype:
                    assert_masked(r.text, world)
                    seen += 1
    assert seen >= 20, seen
