from __future__ import annotations

from datetime import date

import pytest

from tests.accounts.helpers import login_as
from tests.records.factories import World, revise
from tests.web.conftest import LEGAL_REP_RIC, assert_masked
from xinyong.core.codes import make_ric


def assert_error(response, status: int) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"detail"}
    assert body["detail"]["message"] and body["detail"]["message_en"]
    return body["detail"]


# --- credit file -----------------------------------------------------------------------------


def test_credit_file_of_enterprise(client, world):
    r = client.get(f"/api/v1/subjects/{world.ent_hz.code}")
    assert r.status_code == 200
    body = r.json()
    assert body["subject"]["name"] == "杭州甲科技有限公司"
    assert body["subject"]["code"] == world.ent_hz.code  # organisations are not masked
    assert body["subject"]["kind_name"] == "企业"  # what its code (91) says it is
    assert [x["name"] for x in body["region_path"]] == ["浙江省", "杭州市", "西湖区"]
    assert body["archive"] is False
    assert [x["id"] for x in body["records"]] == [world.hz_recent_id]
    rec = body["records"][0]
    assert rec["category_name"] == "行政处罚"
    assert rec["polarity_name"] == "失信"
    assert rec["severity_name"] == "一般"
    assert rec["status"] == "active" and rec["status_name"] == "有效"
    assert rec["disclosure_name"] == "公开"
    assert {c["polarity"]: c["count"] for c in body["counts"]} == {"dishonest": 1, "honest": 0, "neutral": 0}
    assert body["legal_rep"] == {"name": "李*光", "code": LEGAL_REP_RIC[:6] + "*" * 12}
    assert body["withheld"] == 0 and body["withheld_note"] is None
    assert body["policy_version"]["label"]
    assert_masked(r.text, world)


def test_credit_file_archive_includes_expired(client, world):
    body = client.get(f"/api/v1/subjects/{world.ent_hz.code}", params={"archive": "true"}).json()
    assert body["archive"] is True
    assert [(x["id"], x["status"]) for x in body["records"]] == [
        (world.hz_recent_id, "active"), (world.hz_old_id, "expired")
    ]
    assert body["records"][1]["status_name"] == "已过公示期"


def test_credit_file_of_person_is_masked_and_withholds(client, world):
    """The public reads a person's file only through the look-up by number and name; by number
    or subject number alone it gets the 404 of a number no one has."""
    r = client.post("/api/v1/subjects/lookup", json={"code": world.person_ric, "name": World.PERSON_NAME})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["subject"]["name"] == "张*丰"
    assert body["subject"]["code"] == world.person_ric[:6] + "*" * 12
    assert body["subject"]["ref"] == str(world.person.id)
    assert [x["id"] for x in body["records"]] == [world.person_debtor_id]
    assert body["records"][0]["subject_name"] == "张*丰"
    assert body["withheld"] == 1
    assert body["withheld_note"] == "另有 1 条授权查询信息，经信用主体授权后方可查询"
    assert_masked(r.text, world)
    for ref in (world.person_ric, str(world.person.id)):
        assert assert_error(client.get(f"/api/v1/subjects/{ref}"), 404)["message"] == "未找到该信用主体"


def test_official_reads_a_person_by_number(client, world):
    login_as(client, "checker", "330100")
    r = client.get(f"/api/v1/subjects/{world.person_ric}")
    assert r.status_code == 200 and r.json()["subject"]["name"] == "张*丰"
    assert r.json()["withheld"] == 0  # the region covers him: everything
    assert_masked(r.text, world)


def test_credit_file_of_public_servant_and_gov_body(client, world):
    login_as(client, "checker", "330100")
    body = client.get(f"/api/v1/subjects/{world.servant.id}").json()
    assert body["subject"]["name"] == "欧**娜"
    assert [(p["title"], p["current"], p["body"]["name"]) for p in body["posts"]] == [
        ("处长", True, "杭州市发展和改革委员会"), ("科员", False, "杭州市人民政府"),
    ]
    body = client.get(f"/api/v1/subjects/{world.bureau.code}").json()
    assert body["parent"]["name"] == "杭州市人民政府"
    assert body["records"] == [] and body["posts"] == []


def test_credit_file_404(client, world):
    detail = assert_error(client.get("/api/v1/subjects/91330106MA2XXXXX00"), 404)
    assert "代码" in detail["message"]
    unknown = make_ric("330106", date(1991, 2, 3), 7)
    detail = assert_error(client.get(f"/api/v1/subjects/{unknown}"), 404)
    assert detail["message"] == "未找到该信用主体"
    assert unknown not in client.get(f"/api/v1/subjects/{unknown}").text
    assert_error(client.get("/api/v1/subjects/abc"), 404)
    assert_error(client.get("/api/v1/subjects/999999"), 404)


# --- search ----------------------------------------------------------------------------------


def test_search(client, world):
    r = client.get("/api/v1/subjects", params={"q": "公司"})
    assert r.status_code == 200
    body = r.json()
    assert {x["code"] for x in body["items"]} == {world.ent_hz.code, world.ent_nb.code}
    counts = {x["code"]: x["record_count"] for x in body["items"]}
    assert counts == {world.ent_hz.code: 1, world.ent_nb.code: 1}
    assert body["has_more"] is False and body["limit"] == 20 and body["offset"] == 0


def test_search_by_identity_number_is_masked(client, world):
    r = client.get("/api/v1/subjects", params={"q": world.person_ric})
    body = r.json()
    assert body["by_code"] is True
    assert body["items"] == []  # the public finds no person by number alone
    assert body["q"] == world.person_ric[:6] + "*" * 12
    login_as(client, "checker", "330100")
    r = client.get("/api/v1/subjects", params={"q": world.person_ric})
    body = r.json()
    assert [x["ref"] for x in body["items"]] == [str(world.person.id)]
    assert body["items"][0]["name"] == "张*丰"
    assert_masked(r.text, world)


def test_search_by_name_masks_persons(client, world):
    r = client.get("/api/v1/subjects", params={"region": "330000", "limit": 200})
    assert {x["kind"] for x in r.json()["items"]} == {"gov_body", "enterprise"}  # the public: no persons
    assert len(r.json()["items"]) == 4
    assert client.get("/api/v1/subjects", params={"kind": "person"}).json()["items"] == []
    login_as(client, "checker", "330100")
    r = client.get("/api/v1/subjects", params={"region": "330000", "limit": 200})
    items = r.json()["items"]
    assert len(items) == 6
    assert_masked(r.text, world)
    r = client.get("/api/v1/subjects", params={"kind": "public_servant"})
    assert [x["name"] for x in r.json()["items"]] == ["欧**娜"]


def test_search_paging_and_filters(client, world):
    body = client.get("/api/v1/subjects", params={"limit": 3}).json()
    assert len(body["items"]) == 3 and body["has_more"] is True
    body = client.get("/api/v1/subjects", params={"limit": 3, "offset": 3}).json()
    assert len(body["items"]) == 1 and body["has_more"] is False
    body = client.get("/api/v1/subjects", params={"region": "330200"}).json()
    assert [x["code"] for x in body["items"]] == [world.ent_nb.code]


@pytest.mark.parametrize("params, field", [
    ({"kind": "alien"}, "kind"),
    ({"limit": 0}, "limit"),
    ({"limit": 1000}, "limit"),
    ({"offset": -1}, "offset"),
    ({"region": "3301"}, "region"),
])
def test_search_422(client, world, params, field):
    detail = assert_error(client.get("/api/v1/subjects", params=params), 422)
    assert field in detail["message"]
    assert [e["loc"][-1] for e in detail["errors"]] == [field]


def test_search_unknown_region_422(client, world):
    detail = assert_error(client.get("/api/v1/subjects", params={"region": "999999"}), 422)
    assert detail["field"] == "region"
    assert "行政区划" in detail["message"]


# --- records ---------------------------------------------------------------------------------


def test_record_with_versions(client, session, world):
    revise(session, world)
    r = client.get(f"/api/v1/records/{world.hz_recent_id}")
    assert r.status_code == 200
    body = r.json()
    assert body["version"] == 2
    assert body["subject"]["code"] == world.ent_hz.code
    facts = {f["key"]: f for f in body["facts"]}
    assert facts["penalty_content"]["name"] == "处罚内容"
    assert facts["penalty_content"]["value"] == "罚款人民币五万元"
    assert "李*光" in facts["violation_facts"]["value"]
    assert [v["version"] for v in body["versions"]] == [1, 2]
    assert body["versions"][-1]["current"] is True
    assert body["versions"][-1]["changed"] == ["处罚内容"]
    assert body["versions"][0]["superseded_at"]
    assert_masked(r.text, world)


def test_record_of_person_public_and_withheld(client, world):
    """The public browses no person's records (the 404 of a record that does not exist); the
    person reads both, 授权查询 included."""
    for record_id in (world.person_debtor_id, world.person_penalty_id):
        detail = assert_error(client.get(f"/api/v1/records/{record_id}"), 404)
        assert detail["message"] == f"信用记录 {record_id} 不存在或不公开"
    login_as(client, "subject", None, subject_id=world.person.id, username="own-file")
    r = client.get(f"/api/v1/records/{world.person_debtor_id}")
    assert r.status_code == 200
    assert r.json()["subject_name"] == "张*丰"
    assert_masked(r.text, world)
    assert client.get(f"/api/v1/records/{world.person_penalty_id}").status_code == 200


def test_record_404_422(client, world):
    assert_error(client.get("/api/v1/records/999999"), 404)
    assert_error(client.get("/api/v1/records/abc"), 422)
    assert_error(client.get("/api/v1/records/0"), 422)


# --- policy ----------------------------------------------------------------------------------


def test_policy(client, policy):
    r = client.get("/api/v1/policy")
    assert r.status_code == 200
    body = r.json()
    assert body["label"] == policy.meta.label
    cats = {c["code"]: c for c in body["categories"]}
    assert set(cats) == {c.code for c in policy.catalog.categories}
    penalty = cats["admin_penalty"]
    assert penalty["name"] == "行政处罚" and penalty["polarity_name"] == "失信"
    assert penalty["disclosure_legal"] == "public" and penalty["disclosure_natural"] == "authorized"
    periods = {p["severity"]: p for p in penalty["display_periods"]}
    assert periods["general"]["severity_name"] == "一般"
    assert periods["general"]["max_months"] == 12
    assert periods["general"]["text"] == "3–12个月"


def test_api_query_counts(client, world, count_queries):
    from xinyong.core.db import get_engine

    urls = {
        f"/api/v1/subjects/{world.ent_hz.code}": 3,  # policy 1, subject, records
        f"/api/v1/subjects/{world.bureau.code}?archive=true": 4,  # + the parent body
        "/api/v1/subjects?q=公司": 2,  # no policy needed: the page, the record counts
        f"/api/v1/records/{world.hz_recent_id}": 3,  # policy 1, record + subject, versions
        "/api/v1/policy": 1,
    }
    app_engine = get_engine()
    for url in urls:
        client.get(url)  # warm up: first connection, policy cache
    for url, expected in urls.items():
        with count_queries(app_engine) as counter:
            assert client.get(url).status_code == 200
        assert counter.count == expected, url
