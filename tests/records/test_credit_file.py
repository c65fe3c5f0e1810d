"""The credit file (信用档案) and what else ``records`` keeps about subjects: search with record
counts, one record with its versions, the home page's counts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.records.factories import World, build_world, revise
from xinyong.core.clock import frozen_today, today
from xinyong.core.errors import InvalidInput, NotFound
from xinyong.records import credit_file as service
from xinyong.subjects import service as subjects


@pytest.fixture
def world(session) -> World:
    return build_world(session)


# --- search ----------------------------------------------------------------------------------


def test_search_by_name_part_and_counts_displayed_records(session, world):
    page = service.search(session, "甲科技")
    assert [h.subject.id for h in page.hits] == [world.ent_hz.id]
    assert page.hits[0].record_count == 1  # the 2024 penalty is past its display period
    assert not page.has_more and not page.by_code


def test_search_escapes_like_wildcards(session, world):
    assert service.search(session, "%").hits == []
    assert service.search(session, "_").hits == []
    assert service.search(session, "杭州%科技").hits == []


def test_search_by_exact_code(session, world):
    page = service.search(session, world.person_ric.lower())
    assert page.by_code
    assert [h.subject.id for h in page.hits] == [world.person.id]
    assert page.hits[0].record_count == 2  # both displayed, whatever their disclosure
    assert service.search(session, world.person_ric[:10]).hits == []


def test_search_filters_by_region_and_kind(session, world):
    hz = service.search(session, "", region="330100")
    codes = {h.subject.code for h in hz.hits}
    assert world.ent_hz.code in codes and world.ent_nb.code not in codes
    assert world.person.code in codes  # 330106 lies in 330100
    nb = service.search(session, "公司", region="330200")
    assert [h.subject.id for h in nb.hits] == [world.ent_nb.id]
    county = service.search(session, "", region="330106", kind="enterprise")
    assert [h.subject.id for h in county.hits] == [world.ent_hz.id]
    servants = service.search(session, None, kind="public_servant")
    assert [h.subject.id for h in servants.hits] == [world.servant.id]


def test_search_pages(session, world):
    first = service.search(session, "", limit=2)
    second = service.search(session, "", limit=2, offset=2)
    assert first.has_more and len(first.hits) == 2
    assert not {h.subject.id for h in first.hits} & {h.subject.id for h in second.hits}
    everything = service.search(session, "", limit=200)
    assert len(everything.hits) == 6 and not everything.has_more


def test_search_rejects_bad_filters(session, world):
    with pytest.raises(InvalidInput) as err:
        service.search(session, "", region="999999")
    assert err.value.field == "region"
    with pytest.raises(InvalidInput):
        service.search(session, "", region="3301")
    with pytest.raises(InvalidInput):
        service.search(session, "", kind="alien")


def test_search_costs_two_queries(session, engine, world, count_queries):
    with count_queries(engine) as counter:
        page = service.search(session, "", limit=50)
    assert len(page.hits) == 6
    assert counter.count == 2
    with count_queries(engine) as counter:
        service.search(session, "没有这个名称")
    assert counter.count == 1


# --- credit file -----------------------------------------------------------------------------


def test_credit_file_hides_expired_records_and_archive_shows_them(session, world):
    shown = service.credit_file(session, world.ent_hz)
    assert [r.id for r in shown.records] == [world.hz_recent_id]
    assert shown.statuses == {world.hz_recent_id: "active"}
    assert shown.counts == {"dishonest": 1}
    assert shown.withheld == 0
    archive = service.credit_file(session, world.ent_hz, archive=True)
    assert [r.id for r in archive.records] == [world.hz_recent_id, world.hz_old_id]
    assert archive.statuses[world.hz_old_id] == "expired"
    assert archive.records[1].status == "active"  # stored status: expiry is computed, not written


def test_credit_file_follows_the_date(session, world):
    with frozen_today(today() + timedelta(days=400)):
        assert service.credit_file(session, world.ent_hz).records == []
        archive = service.credit_file(session, world.ent_hz, archive=True)
        assert {archive.statuses[r.id] for r in archive.records} == {"expired"}


def test_natural_persons_withheld_records_are_only_counted(session, world):
    file = service.credit_file(session, world.person)
    assert [r.id for r in file.records] == [world.person_debtor_id]
    assert file.withheld == 1
    everything = service.credit_file(session, world.person, public=False)
    assert {r.id for r in everything.records} == {world.person_debtor_id, world.person_penalty_id}
    assert everything.withheld == 0


def test_credit_file_of_public_servant_has_posts(session, world):
    file = service.credit_file(session, world.servant)
    assert [(p.post.title, p.current) for p in file.posts] == [("处长", True), ("科员", False)]
    assert [p.post.body.name for p in file.current_posts] == ["杭州市发展和改革委员会"]
    assert [r.code for r in file.region_path] == ["330000", "330100", "330102"]


def test_credit_file_of_gov_body_and_enterprise(session, world):
    bureau = service.credit_file(session, world.bureau)
    assert bureau.parent is not None and bureau.parent.id == world.city_gov.id
    assert bureau.records == [] and bureau.posts == []
    ent = service.credit_file(session, world.ent_hz)
    assert ent.legal_rep_name == "李四光"
    assert ent.parent is None


def test_credit_file_query_counts(session, engine, world, count_queries):
    for subject, expected in ((world.ent_hz, 1), (world.person, 2), (world.servant, 2), (world.bureau, 2)):
        session.expire_all()
        subject = subjects.get_by_ref(session, subjects.ref_of(subject))
        with count_queries(engine) as counter:
            service.credit_file(session, subject, archive=True)
        assert counter.count == expected, subject.kind


# --- record detail ---------------------------------------------------------------------------


def test_record_detail_with_versions(session, world):
    revise(session, world)
    detail = service.record_detail(session, world.hz_recent_id)
    assert detail.subject.id == world.ent_hz.id
    assert detail.record.version == 2
    assert [v.version for v in detail.versions] == [1]
    assert detail.versions[0].facts["penalty_content"] == "罚款人民币一万元"
    assert detail.status == "active"


def test_record_detail_withholds_and_404s(session, world):
    with pytest.raises(service.Withheld) as err:
        service.record_detail(session, world.person_penalty_id)
    assert err.value.status_code == 403
    assert service.record_detail(session, world.person_penalty_id, public=False).record.id == world.person_penalty_id
    assert service.record_detail(session, world.person_debtor_id).record.disclosure == "public"
    with pytest.raises(NotFound):
        service.record_detail(session, 10**6)
