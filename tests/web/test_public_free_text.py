"""Security finding 12: a penalty's free text read by the public shows no phone number, e-mail,
house number or third party's name whole, on the record page and in the API; an official of the
subject's region reads them whole, and a natural person's record read by an official is logged
as every such read is."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from tests.accounts.helpers import login_as, logout
from tests.lists.helpers import body, person, record
from xinyong.audit.models import AuditEntry
from xinyong.core.db import session_scope

PHONE = "13812345678"
ADDRESS = "文三路478号华星时代广场A座1201室"
THIRD = "王小二"
EMAIL = "wangxiaoer@example.com"
FACTS = {
    "violation_type": "虚假广告",
    "violation_facts": f"经查，当事人在杭州市西湖区{ADDRESS}，雇佣{THIRD}（电话{PHONE}，邮箱{EMAIL}）发布虚假广告。",
    "penalty_basis": "《中华人民共和国广告法》第五十五条",
    "penalty_type": "罚款",
    "penalty_content": f"罚款人民币5000元，责令{THIRD}停止发布",
    "other_persons": THIRD,
}
WHOLE = (PHONE, ADDRESS, THIRD, EMAIL)


def _record(kind: str = "enterprise") -> int:
    with session_scope() as s:
        if kind == "person":
            subject, _ = person(s, "钱某某", born=date(1988, 8, 8))
        else:
            subject = body(s, "杭州丙广告有限公司")
        return record(s, subject, "admin_penalty", "general", facts=FACTS).id


def _shown(client, rid: int) -> tuple[str, str]:
    api = client.get(f"/api/v1/records/{rid}")
    page = client.get(f"/records/{rid}")
    assert api.status_code == 200 and page.status_code == 200, (api.text, page.status_code)
    return api.text, page.text


def test_the_public_reads_the_facts_masked(client):
    rid = _record()
    for text in _shown(client, rid):
        for whole in WHOLE:
            assert whole not in text, whole
        assert "138****5678" in text and "文三路****" in text and "王*二" in text and "w***@example.com" in text
        assert "广告法" in text and "5000元" in text  # the rest as it was


def test_an_official_reads_them_whole(client):
    rid = _record()
    login_as(client, "checker", "330100")
    for text in _shown(client, rid):
        for whole in WHOLE:
            assert whole in text, whole


def test_a_persons_record_read_by_an_official_is_whole_and_logged(client):
    rid = _record("person")
    logout(client)
    assert client.get(f"/api/v1/records/{rid}").status_code == 404  # the public browses no person's records
    login_as(client, "checker", "330100")
    with session_scope() as s:
        before = s.scalar(select(AuditEntry.seq).order_by(AuditEntry.seq.desc()).limit(1)) or 0
    api = client.get(f"/api/v1/records/{rid}").text
    assert PHONE in api and THIRD in api
    with session_scope() as s:
        reads = s.scalars(select(AuditEntry).where(AuditEntry.seq > before, AuditEntry.action == "read")).all()
    assert [(e.entity, e.entity_id) for e in reads] == [("record", str(rid))]
