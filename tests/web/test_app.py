from __future__ import annotations

import re
import uuid

import pytest
from fastapi.testclient import TestClient

import xinyong
from xinyong.web import templating
from xinyong.web.app import create_app, route_table


@pytest.fixture
def client(app_env):
    with TestClient(create_app()) as c:
        yield c


def test_app_metadata():
    app = create_app()
    assert app.title == "xinyong 公共信用信息平台"
    assert app.version == xinyong.__version__
    assert app.openapi_url == "/api/v1/openapi.json"
    assert "/api/v1/docs" in {r.path for r in route_table(app)}


def test_every_route_has_summary_and_description():
    app = create_app()
    routes = [r for r in route_table(app) if not r.mount and r.path != app.openapi_url]
    paths = {r.path for r in routes}
    assert {"/api/v1/subjects/{code}", "/api/v1/subjects", "/api/v1/records/{id}", "/api/v1/policy",
            "/", "/subjects", "/subjects/{code}", "/records/{id}", "/policy"} <= paths
    for route in routes:
        assert route.summary, route.path
        assert route.description, route.path


def test_route_table_lists_mounts():
    table = route_table(create_app())
    mounts = {r.path for r in table if r.mount}
    assert "/static" in mounts
    assert {"GET"} <= next(r.methods for r in table if r.path == "/api/v1/records/{id}")


def test_openapi_document(client):
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200
    doc = r.json()
    assert doc["info"]["title"] == "xinyong 公共信用信息平台"
    app = create_app()
    api_routes = {r.path for r in route_table(app) if r.in_schema and r.path.startswith("/api/")}
    assert set(doc["paths"]) == api_routes  # every API route, and no page, is in the document
    assert {"/api/v1/subjects/{code}", "/api/v1/records", "/api/v1/policy"} <= set(doc["paths"])
    for path, ops in doc["paths"].items():
        for op in ops.values():
            assert op["summary"] and op["description"], path
    assert client.get("/api/v1/docs").status_code == 200


def test_request_id_on_every_response(client):
    seen = set()
    for url in ("/", "/policy", "/api/v1/policy", "/api/v1/subjects/abc", "/nowhere", "/static/app.css"):
        r = client.get(url)
        rid = r.headers.get("X-Request-ID")
        assert rid, url
        uuid.UUID(rid)
        seen.add(rid)
    assert len(seen) == 6


def test_request_id_given_is_kept_and_bad_one_replaced(client):
    r = client.get("/api/v1/policy", headers={"X-Request-ID": "dept-42.abc"})
    assert r.headers["X-Request-ID"] == "dept-42.abc"
    r = client.get("/api/v1/policy", headers={"X-Request-ID": "bad id <script>"})
    uuid.UUID(r.headers["X-Request-ID"])


def test_errors_are_json_under_api_and_pages_elsewhere(client):
    r = client.get("/api/v1/subjects/abc")
    assert r.status_code == 404 and r.headers["content-type"].startswith("application/json")
    assert set(r.json()["detail"]) >= {"message", "message_en"}
    r = client.get("/subjects/abc")
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert "代码格式不正确" in r.text and 'lang="zh-CN"' in r.text
    assert r.headers["X-Request-ID"] in r.text  # shown, to quote to an administrator
    r = client.get("/api/v1/nowhere")
    assert r.status_code == 404 and r.json()["detail"]["message"] == "页面或资源不存在"
    r = client.get("/nowhere")
    assert r.status_code == 404 and "页面或资源不存在" in r.text
    r = client.get("/records/abc")
    assert r.status_code == 422 and "参数有误" in r.text


def test_unhandled_error_still_has_request_id(app_env):
    app = create_app()

    @app.get("/api/v1/boom", summary="boom", description="boom")
    def boom():
        raise RuntimeError("boom")

    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.get("/api/v1/boom")
    assert r.status_code == 500
    assert r.headers["X-Request-ID"]
    assert r.json()["detail"]["message"] == "系统内部错误，请稍后重试"


def test_static_and_vendor_files(client):
    r = client.get("/static/app.css")
    assert r.status_code == 200 and "topbar" in r.text
    assert client.get("/static/charts.js").status_code == 200
    vendor = templating.vendor_available()
    if not all(vendor.values()):
        pytest.skip("npm packages not installed (run `npm install`)")
    assert client.get("/vendor/echarts/echarts.min.js").status_code == 200
    assert client.get("/vendor/htmx/htmx.min.js").status_code == 200


def test_pages_work_without_npm_packages(client, monkeypatch):
    monkeypatch.setattr(templating, "vendor_available", lambda: {"echarts": False, "htmx": False})
    r = client.get("/")
    assert r.status_code == 200
    assert "npm install" in r.text
    assert "/vendor/" not in r.text


def test_template_dirs_cover_every_capability():
    dirs = {p.parent.name for p in templating.template_dirs()}
    assert {"web", "records", "catalog"} <= dirs
    package_dir = templating.WEB_DIR.parent
    assert {p.parent.name for p in package_dir.glob("*/templates")} == dirs


def test_every_route_is_in_docs_api_md():
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "api.md").read_text(encoding="utf-8")
    for route in route_table(create_app()):
        assert re.search(r"[`\s]" + re.escape(route.path) + r"[`\s?/]", doc), route.path


def test_api_docs_served_without_internet(client):
    """Swagger UI comes from the npm package under /vendor, never from a CDN."""
    r = client.get("/api/v1/docs")
    assert r.status_code == 200
    assert "/vendor/swagger/swagger-ui-bundle.js" in r.text
    assert "cdn" not in r.text.lower()
    assert client.get("/api/v1/openapi.json").status_code == 200


def test_a_nul_character_is_a_422_on_both_databases(client):
    """Found by schemathesis on PostgreSQL: a NUL in a code reached the driver and was a 500."""
    from tests.accounts.helpers import token_for

    r = client.put("/api/v1/push/endpoint", headers={"Authorization": f"Bearer {token_for('admin', '330000')}"},
                   json={"department": "\u0000È", "url": "https://example.org/hook"})
    assert r.status_code in (404, 422) and r.json()["detail"]["message"], r.text


def test_a_digit_that_is_not_ascii_is_not_a_subject_number(client):
    """Found by schemathesis: ``"¹".isdigit()`` is true and ``int("¹")`` fails, a 500."""
    for path in ("/api/v1/subjects/¹", "/subjects/²３"):
        r = client.get(path)
        assert r.status_code == 404, (path, r.status_code)
