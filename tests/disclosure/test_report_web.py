"""The credit report over HTTP and on the command line: the PDF from the API and the file
page's button, the public verification page and API catching a forged copy, the access rules
of the credit file, the rate limit, ``xinyong report``."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from tests.accounts.helpers import login_as, logout
from tests.disclosure.helpers import altered, pdf_text
from tests.records.factories import World, build_world
from xinyong.accounts.access import CSRF_COOKIE
from xinyong.audit.models import AuditEntry
from xinyong.cli import app as cli_app
from xinyong.core import settings
from xinyong.web.app import create_app

runner = CliRunner()


@pytest.fixture
def world(session) -> World:
    return build_world(session)


@pytest.fixture
def client(app_env):
    with TestClient(create_app()) as c:
        yield c


def post_report(client, subject: str, purpose: str = "信用审查", **extra):
    return client.post("/api/v1/reports", json={"subject": subject, "purpose": purpose, **extra})


def test_api_issues_a_pdf_that_verifies(client, world, session):
    login_as(client, "checker", "330100")
    res = post_report(client, world.person.id and str(world.person.id))
    assert res.status_code == 200, res.text
    assert res.headers["content-type"] == "application/pdf"
    number = res.headers["x-report-number"]
    text = pdf_text(res.content)
    assert "公共信用信息报告（自然人版）" in text and number in text
    assert World.PERSON_NAME not in text and world.person_ric not in text  # masked for a checker
    code = text.split("验证码：")[1][:8]
    logout(client)
    ok = client.get(f"/api/v1/reports/{number}/verify", params={"code": code}).json()
    assert ok["genuine"] and ok["outcome"] == "matches" and ok["subject_name"] == "张*丰"
    bad = client.get(f"/api/v1/reports/{number}/verify", params={"code": "ZZZZZZZZ"}).json()
    assert not bad["genuine"] and bad["outcome"] == "unknown"
    up = client.post("/api/v1/reports/verify", files={"file": ("r.pdf", res.content, "application/pdf")}).json()
    assert up["genuine"] and up["outcome"] == "genuine" and up["number"] == number
    forged = client.post("/api/v1/reports/verify", files={"file": ("r.pdf", altered(res.content), "application/pdf")}).json()
    assert not forged["genuine"] and forged["outcome"] == "altered"
    assert "已被改动" in forged["message"]


def test_access_follows_the_credit_file(client, world):
    assert post_report(client, world.ent_hz.code).status_code == 401  # the public: log in first
    login_as(client, "checker", "330200")  # 宁波: the person (西湖区) is outside its region
    res = post_report(client, str(world.person.id))
    assert res.status_code == 403
    assert "地区权限范围" in res.json()["detail"]["message"]
    ok = post_report(client, world.ent_hz.code)  # an enterprise elsewhere: what the public may read
    assert ok.status_code == 200
    assert post_report(client, world.ent_hz.code, purpose="").status_code == 422
    assert post_report(client, world.ent_hz.code, reveal_identity=True).status_code == 200  # nothing to reveal


def test_a_subject_reports_on_itself_and_may_reveal(client, world, session):
    login_as(client, "subject", None, subject_id=world.person.id, username="zhang")
    res = post_report(client, str(world.person.id), purpose="本人查询", reveal_identity=True)
    assert res.status_code == 200, res.text
    text = pdf_text(res.content)
    assert World.PERSON_NAME in text and world.person_ric in text
    assert "杭市监罚〔2026〕4号" in text  # the 授权查询 record: his own, in full
    login_as(client, "subject", None, subject_id=world.person.id, username="zhang")
    other = post_report(client, str(world.servant.id))
    assert other.status_code == 404  # another person: not browsable by a subject


def test_issue_is_audited_through_the_api(client, world, session):
    login_as(client, "checker", "330100")
    number = post_report(client, str(world.person.id)).headers["x-report-number"]
    session.expire_all()
    entries = session.scalars(select(AuditEntry).where(AuditEntry.entity_id == number)).all()
    assert {(e.action, e.entity, e.subject_id) for e in entries} == {
        ("create", "credit_report", world.person.id), ("read", "credit_report", world.person.id)}
    assert all(e.username == "checker_330100" and e.request_id for e in entries)
    login_as(client, "subject", None, subject_id=world.person.id, username="zhang")
    reads = client.get("/api/v1/audit/my-readers").json()["reads"]
    assert any(r["what"] == "信用报告" and r["reader"] == "checker_330100" for r in reads), reads  # 谁查询了我


def test_openapi_documents_the_pdf(client):
    doc = client.get("/api/v1/openapi.json").json()
    post = doc["paths"]["/api/v1/reports"]["post"]
    assert "application/pdf" in post["responses"]["200"]["content"]
    assert "/api/v1/reports/{number}/verify" in doc["paths"]


def test_file_page_button_form_and_download(client, world):
    page = client.get(f"/subjects/{world.ent_hz.code}")
    assert "下载信用报告" not in page.text  # the public gets no report
    login_as(client, "checker", "330100")
    page = client.get(f"/subjects/{world.person.id}")
    assert page.status_code == 200 and f'/reports/new?subject={world.person.id}' in page.text
    form = client.get("/reports/new", params={"subject": str(world.person.id)})
    assert form.status_code == 200 and "查询目的" in form.text and "张*丰" in form.text
    assert 'name="reveal"' not in form.text  # a checker may not reveal
    res = client.post("/reports", data={"subject": str(world.person.id), "purpose": "行政审批"})
    assert res.status_code == 200 and res.headers["content-type"] == "application/pdf"
    assert "attachment" in res.headers["content-disposition"]
    assert "行政审批" in pdf_text(res.content)


def test_verify_page_catches_a_forged_copy(client, world):
    login_as(client, "admin", "330100")
    res = post_report(client, world.ent_hz.code)
    number = res.headers["x-report-number"]
    code = pdf_text(res.content).split("验证码：")[1][:8]
    logout(client)
    page = client.get("/reports/verify")
    assert page.status_code == 200 and "核验信用报告" in page.text
    ok = client.get("/reports/verify", params={"number": number, "code": code})
    assert "核验通过" in ok.text and "杭州甲科技有限公司" in ok.text
    client.get("/reports/verify")  # the CSRF cookie an anonymous form sends back
    csrf = client.cookies.get(CSRF_COOKIE)
    assert csrf
    genuine = client.post("/reports/verify", files={"file": ("r.pdf", res.content, "application/pdf")},
                          data={"csrf_token": csrf or ""})
    assert genuine.status_code == 200 and "核验通过" in genuine.text and "未被改动" in genuine.text
    forged = client.post("/reports/verify", files={"file": ("r.pdf", altered(res.content), "application/pdf")},
                         data={"csrf_token": csrf or ""})
    assert forged.status_code == 200 and "核验未通过" in forged.text and "已被改动" in forged.text


def test_verification_is_rate_limited(client, world, monkeypatch):
    monkeypatch.setenv("XINYONG_REPORT_VERIFY_PER_IP", "2")
    settings.reset_settings()
    for _ in range(2):
        assert client.get("/api/v1/reports/XY20260101AAAAAAAA/verify", params={"code": "AAAAAAAA"}).status_code == 200
    res = client.get("/api/v1/reports/XY20260101AAAAAAAA/verify", params={"code": "AAAAAAAA"})
    assert res.status_code == 429 and "Retry-After" in res.headers


def test_cli_writes_and_verifies_a_report(app_env, world, tmp_path):
    out = tmp_path / "report.pdf"
    res = runner.invoke(cli_app, ["report", world.ent_hz.code, "--purpose", "监督考核", "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "公共信用信息报告" in pdf_text(out.read_bytes())
    res = runner.invoke(cli_app, ["report", "verify", str(out)])
    assert res.exit_code == 0 and "真实" in res.output
    forged = tmp_path / "forged.pdf"
    forged.write_bytes(altered(out.read_bytes()))
    res = runner.invoke(cli_app, ["report", "verify", str(forged)])
    assert res.exit_code == 1 and "已被改动" in res.output
    res = runner.invoke(cli_app, ["report", world.ent_hz.code])
    assert res.exit_code != 0  # a purpose is required
