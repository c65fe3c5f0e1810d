"""The re-identification attack (issue: a masked number plus the public search gave the whole
number): it is run here against the public API and pages, and must not work.

The attacker knows what a public page used to show of a person's number — region and last four
(330106********123X) — and tries every birth date that fits the check digit, asking the public
API whether each candidate exists. Today's answer must be the same for every candidate unless
the full name comes with it, and an address may not ask more often than docs/privacy.md says.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from fastapi import Request
from fastapi.testclient import TestClient
from stdnum.cn import ric as stdnum_ric

from tests.records.factories import World
from xinyong.accounts.access import client_ip
from xinyong.core import masking
from xinyong.core.codes import make_ric
from xinyong.core.settings import get_settings, reset_settings
from xinyong.web.app import create_app


def old_mask_candidates(number: str, first: date = date(1926, 1, 1), last: date = date(2008, 12, 31)) -> list[str]:
    """Every valid identity number with the same region and last four as ``number``: what
    330106********123X left to guess."""
    out = []
    day = first
    while day <= last:
        body = f"{number[:6]}{day:%Y%m%d}{number[14:17]}"
        if stdnum_ric.calc_check_digit(body + "0") == number[17]:
            out.append(body + number[17])
        day += timedelta(days=1)
    return out


def answer(r) -> tuple[int, str]:
    return r.status_code, r.text


def probes(client: TestClient, candidate: str, name: str) -> list[tuple[int, str]]:
    """Everything the public can ask about a number without the person's full name (as an
    API client: no cookies)."""
    client.cookies.clear()
    return [
        answer(client.get("/api/v1/subjects", params={"q": candidate})),
        answer(client.get("/api/v1/subjects", params={"q": candidate, "kind": "person"})),
        answer(client.get(f"/api/v1/subjects/{candidate}")),
        answer(client.post("/api/v1/subjects/lookup", json={"code": candidate, "name": name})),
        answer(client.get("/subjects", params={"q": candidate}, headers={"HX-Request": "true"})),
    ]


def test_old_mask_leaves_a_few_thousand_guesses(world):
    """The arithmetic of docs/privacy.md: the old mask left ~2,300 candidates."""
    candidates = old_mask_candidates(world.person_ric)
    assert world.person_ric in candidates
    assert 2_000 < len(candidates) < 3_000


def test_a_guessed_number_is_not_confirmed_without_the_full_name(client, world, monkeypatch):
    monkeypatch.setenv("XINYONG_PERSON_LOOKUP_PER_IP", "1000")  # the limit is tested below
    monkeypatch.setenv("XINYONG_PUBLIC_RATE_PER_IP", "100000")
    reset_settings()
    candidates = old_mask_candidates(world.person_ric)
    true_index = candidates.index(world.person_ric)
    tried = candidates[max(0, true_index - 20): true_index + 20]  # the true number among 39 wrong ones
    assert world.person_ric in tried and len(tried) == 40
    for wrong_name in ("", "张*丰", "张三", "张三风", "李四"):
        seen = {tuple(probes(client, c, wrong_name)) for c in tried}
        if len(seen) > 1:
            a, b = list(seen)[:2]
            diff = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
            raise AssertionError(f"the public can tell the true number from the others (name {wrong_name!r}): {diff}")
    # with the full name, and only then, the person is found
    client.cookies.clear()
    found = client.post("/api/v1/subjects/lookup", json={"code": world.person_ric, "name": World.PERSON_NAME})
    assert found.status_code == 200 and found.json()["subject"]["id"] == world.person.id
    other = client.post("/api/v1/subjects/lookup", json={"code": tried[0], "name": World.PERSON_NAME})
    assert other.status_code == 404
    # no public output narrows the number back: the masked form keeps the region only
    assert found.json()["subject"]["code"] == masking.mask_ric(world.person_ric) == world.person_ric[:6] + "*" * 12


def test_a_person_without_a_public_record_is_not_found_even_with_the_name(client, session, world, monkeypatch):
    from xinyong.subjects.models import Subject

    quiet = make_ric("330106", date(1985, 7, 8), 321)
    session.add(Subject(kind="person", code=quiet, name="王五六", region_code="330106", birth_date=date(1985, 7, 8)))
    session.commit()
    r = client.post("/api/v1/subjects/lookup", json={"code": quiet, "name": "王五六"})
    nobody = client.post("/api/v1/subjects/lookup",
                         json={"code": make_ric("330106", date(1985, 7, 9), 321), "name": "王五六"})
    assert answer(r) == answer(nobody) and r.status_code == 404
    # the person itself is not listed by name either
    assert client.get("/api/v1/subjects", params={"q": "王五六"}).json()["items"] == []


def test_persons_are_not_browsable_by_subject_number(client, world):
    unknown = answer(client.get("/api/v1/subjects/999999"))
    for subject in (world.person, world.servant):
        assert answer(client.get(f"/api/v1/subjects/{subject.id}")) == unknown
    listed = client.get("/api/v1/subjects", params={"region": "330000", "limit": 200}).json()["items"]
    assert {x["kind"] for x in listed} <= {"gov_body", "enterprise"}


def test_public_lookups_are_limited_per_address(app_env, world):
    """At most PERSON_LOOKUP_PER_IP look-ups per address and window (docs/privacy.md), found or
    not; a forged X-Forwarded-For does not give a fresh address."""
    limit = get_settings().person_lookup_per_ip
    assert limit == 20  # the documented default
    with TestClient(create_app(), client=("203.0.113.7", 40000)) as attacker:
        wrong = old_mask_candidates(world.person_ric)[:limit + 5]
        statuses = [attacker.post("/api/v1/subjects/lookup", json={"code": c, "name": World.PERSON_NAME}).status_code
                    for c in wrong[:limit]]
        assert set(statuses) == {404}
        refused = attacker.post("/api/v1/subjects/lookup", json={"code": world.person_ric, "name": World.PERSON_NAME})
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
        assert "请求过于频繁" in refused.json()["detail"]["message"]
        forged = attacker.post("/api/v1/subjects/lookup", json={"code": world.person_ric, "name": World.PERSON_NAME},
                               headers={"X-Forwarded-For": "198.51.100.9"})
        assert forged.status_code == 429
        # the page form counts against the same limit
        page = attacker.post("/subjects/lookup", data={"code": world.person_ric, "name": World.PERSON_NAME,
                                                       "csrf_token": attacker.cookies.get("xinyong_csrf", "")})
        assert page.status_code in (403, 429)  # no CSRF cookie yet, or the limit
    with TestClient(create_app(), client=("203.0.113.8", 40000)) as neighbour:
        r = neighbour.post("/api/v1/subjects/lookup", json={"code": world.person_ric, "name": World.PERSON_NAME})
        assert r.status_code == 200  # another address has its own count


def test_every_public_request_is_limited_per_address(app_env, world, monkeypatch):
    monkeypatch.setenv("XINYONG_PUBLIC_RATE_PER_IP", "5")
    reset_settings()
    with TestClient(create_app(), client=("203.0.113.9", 40000)) as c:
        assert [c.get("/api/v1/subjects", params={"q": "公司"}).status_code for _ in range(5)] == [200] * 5
        r = c.get("/api/v1/subjects", params={"q": "公司"})
        assert r.status_code == 429 and r.headers["Retry-After"]


@pytest.mark.parametrize("trusted, peer, header, seen", [
    ("", "127.0.0.1", "198.51.100.9", "127.0.0.1"),  # no proxy configured: loopback is no proxy
    ("10.0.0.5", "127.0.0.1", "198.51.100.9", "127.0.0.1"),  # loopback is not the configured proxy
    ("10.0.0.5", "10.0.0.5", "198.51.100.9", "198.51.100.9"),  # the proxy names the caller
    ("10.0.0.0/24", "10.0.0.5", "1.1.1.1, 198.51.100.9, 10.0.0.7", "198.51.100.9"),  # client's own claim ignored
    ("10.0.0.5", "10.0.0.5", "", "10.0.0.5"),
])
def test_forwarded_for_is_believed_only_from_configured_proxies(app_env, monkeypatch, trusted, peer, header, seen):
    monkeypatch.setenv("XINYONG_TRUSTED_PROXIES", trusted)
    reset_settings()
    app = create_app()

    @app.get("/_address", include_in_schema=False)
    def address(request: Request) -> dict:
        return {"ip": client_ip(request)}

    with TestClient(app, client=(peer, 40000)) as c:
        headers = {"X-Forwarded-For": header} if header else {}
        r = c.get("/_address", headers=headers)
        assert r.json() == {"ip": seen}, r.text[:300]


def test_a_wrong_trusted_proxy_setting_stops_start_up(app_env, monkeypatch):
    monkeypatch.setenv("XINYONG_TRUSTED_PROXIES", "10.0.0.5, proxy.example")
    reset_settings()
    with pytest.raises(ValueError, match="proxy.example"):
        with TestClient(create_app()):
            pass
