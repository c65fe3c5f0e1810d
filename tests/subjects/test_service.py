from __future__ import annotations

import pytest

from tests.records.factories import World, build_world
from xinyong.core.clock import today
from xinyong.core.errors import InvalidInput, NotFound
from xinyong.subjects import service


@pytest.fixture
def world(session) -> World:
    return build_world(session)


# --- lookup ----------------------------------------------------------------------------------


def test_get_by_code_cleans_the_code(session, world):
    code = world.ent_hz.code
    assert service.get_by_code(session, code).id == world.ent_hz.id
    spaced = f" {code[:6]} {code[6:]} ".lower()
    assert service.get_by_code(session, spaced).id == world.ent_hz.id
    fullwidth = "".join(chr(ord(c) + 0xFEE0) for c in code)
    assert service.get_by_code(session, fullwidth).id == world.ent_hz.id
    assert service.get_by_code(session, world.person_ric).id == world.person.id


def test_get_by_code_unknown_and_malformed(session, world):
    unknown = world.ent_hz.code[:-1] + ("0" if world.ent_hz.code[-1] != "0" else "1")
    with pytest.raises(NotFound) as err:
        service.get_by_code(session, "91330106MA2XXXXX00")
    assert "格式" in err.value.zh or "校验" in err.value.zh
    with pytest.raises(NotFound):
        service.get_by_code(session, unknown)
    with pytest.raises(NotFound) as err:
        service.get_by_code(session, "abc")
    assert err.value.status_code == 404
    assert "18" in err.value.zh


def test_get_by_ref_takes_a_number(session, world):
    assert service.get_by_ref(session, str(world.person.id)).id == world.person.id
    assert service.ref_of(world.person) == str(world.person.id)
    assert service.ref_of(world.ent_hz) == world.ent_hz.code
    with pytest.raises(NotFound):
        service.get_by_ref(session, "999999")


# --- plain search (no record counts: those are xinyong.records.credit_file.search) ------------


def test_search_finds_subjects_in_one_query(session, engine, world, count_queries):
    with count_queries(engine) as counter:
        page = service.search(session, "", limit=50)
    assert counter.count == 1
    assert len(page.subjects) == 6 and not page.has_more
    assert [s.id for s in service.search(session, "甲科技").subjects] == [world.ent_hz.id]
    by_code = service.search(session, world.person_ric.lower())
    assert by_code.by_code and [s.id for s in by_code.subjects] == [world.person.id]
    first = service.search(session, "", limit=2)
    assert first.has_more and len(first.subjects) == 2
    with pytest.raises(InvalidInput):
        service.search(session, "", kind="alien")


def test_count_by_kind(session, engine, world, count_queries):
    with count_queries(engine) as counter:
        counts = service.count_by_kind(session)
    assert counter.count == 1
    assert counts == {"gov_body": 2, "public_servant": 1, "person": 1, "enterprise": 2}


def test_posts_held_current_first(session, engine, world, count_queries):
    with count_queries(engine) as counter:
        held = service.posts_held(session, world.servant)
    assert counter.count == 1
    assert [(p.post.title, p.current) for p in held] == [("处长", True), ("科员", False)]
    assert held[0].post.body.name == "杭州市发展和改革委员会"
    back_then = service.posts_held(session, world.servant, on=today().replace(year=2010))
    assert [(p.post.title, p.current) for p in back_then] == [("科员", True), ("处长", False)]
    assert service.posts_held(session, world.ent_hz) == []
