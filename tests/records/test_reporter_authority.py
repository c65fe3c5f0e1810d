"""A reporter cannot publish under another body's name: the reporting department and the
deciding authority (处罚机关) come from the account's department and the authorities the credit
office registered for it, not from the row. The attack: a 杭州 bureau's token sends a penalty
as 浙江省高级人民法院, or names another department's code as 处罚机关."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests import factories as f
from xinyong.accounts import service as accounts
from xinyong.core.db import session_scope
from xinyong.core.errors import InvalidInput
from xinyong.records.models import Record
from xinyong.web.app import create_app

COURT = "浙江省高级人民法院"
BRANCH = "杭州市市场监督管理局西湖分局"


@pytest.fixture
def client(app_env):
    with TestClient(create_app()) as c:
        yield c


@pytest.fixture
def token(app_env):
    with session_scope() as db:
        accounts.create_department(db, code=f.DEPT, name=f.DEPT_NAME, region_code="330100",
                                   categories=["admin_penalty"])
        user, _ = accounts.create_user(db, username="hz-scj", role="reporter", region_code="330100",
                                       department_code=f.DEPT, password="Baosong-2026-测试密码")
        return accounts.issue_token(db, user, name="系统对接", by="test").token


def send(client, token, rows):
    r = client.post("/api/v1/records", json={"category": "admin_penalty", "rows": rows},
                    headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200, r.text
    return r.json()


def departments_shown() -> list[str]:
    with session_scope() as db:
        return list(db.scalars(select(Record.department_name).order_by(Record.id)))


def test_another_bodys_name_is_refused_row_by_row(client, token):
    rows = [
        f.penalty_row(1, 处罚机关=COURT, 数据来源单位=COURT),
        f.penalty_row(2, 处罚机关="", 数据来源单位=""),  # left out: the registered name
        f.penalty_row(3),
    ]
    out = send(client, token, rows)
    assert (out["new"], out["rejected"]) == (2, 1)
    [e] = out["errors"]
    assert e["row"] == 1 and e["value"] == COURT and f.DEPT_NAME in e["message"] and "登记" in e["message"]
    assert departments_shown() == [f.DEPT_NAME, f.DEPT_NAME]


def test_another_departments_code_as_deciding_authority_is_refused(client, token):
    out = send(client, token, [f.penalty_row(1, 处罚机关统一社会信用代码=f.OTHER_DEPT)])
    assert out["rejected"] == 1 and out["errors"][0]["field"] == "处罚机关统一社会信用代码"
    assert departments_shown() == []
    out = send(client, token, [f.penalty_row(2, 处罚机关统一社会信用代码=f.DEPT)])  # its own code: fine
    assert out["new"] == 1


def test_a_registered_authority_may_be_named(client, token):
    with session_scope() as db:
        accounts.set_department_authorities(db, accounts.get_department(db, f.DEPT), [(f.OTHER_DEPT, BRANCH)])
    out = send(client, token, [f.penalty_row(1, 处罚机关=BRANCH, 处罚机关统一社会信用代码=f.OTHER_DEPT),
                               f.penalty_row(2, 处罚机关=COURT, 数据来源单位=COURT)])
    assert (out["new"], out["rejected"]) == (1, 1)
    assert departments_shown() == [BRANCH]


def test_a_wrong_authority_code_is_refused_at_registration(session):
    dept = accounts.create_department(session, code=f.DEPT, name=f.DEPT_NAME, region_code="330100")
    with pytest.raises(InvalidInput) as exc:
        accounts.set_department_authorities(session, dept, [("91330100MA000000XX", "某局")])
    assert "决定机关代码" in exc.value.zh


def test_the_row_validator_and_the_fast_path_agree(session):
    """Both validators refuse the same rows (the fast path hands a doubtful row to the other)."""
    from xinyong.records import uploads
    from xinyong.records.validation import ReporterScope

    scope = ReporterScope(department_code=f.DEPT, categories=frozenset({"admin_penalty"}), region_code="330100",
                          department_name=f.DEPT_NAME, authorities=frozenset({(f.DEPT, f.DEPT_NAME)}))
    rows = [f.penalty_row(n, 处罚机关=COURT, 数据来源单位=COURT) for n in range(1, 40)] + [f.penalty_row(50)]
    result = uploads.import_rows(session, rows, scope=scope, department_name=f.DEPT_NAME, category="admin_penalty",
                                 user="r(reporter)")
    assert (result.new, result.rejected) == (1, 39)
    assert session.scalar(select(func.count()).select_from(Record)) == 1
