"""accounts as plain functions: roles and region scopes, the password policy, lockout, TOTP,
tokens, the rate limiter, secrets at rest."""

from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest

from tests.accounts.helpers import PASSWORD, ensure_department, make_user
from xinyong.accounts import secrets as keys
from xinyong.accounts import service
from xinyong.accounts.principal import PUBLIC, Principal, cli_principal
from xinyong.accounts.ratelimit import SlidingWindow
from xinyong.accounts.roles import ROLES, region_covers
from xinyong.core.db import utcnow
from xinyong.core.errors import InvalidInput, NotFound


def test_roles_are_the_six_agreed():
    assert ROLES == {"admin": "信用办管理员", "reporter": "部门报送员", "checker": "核查人员",
                     "supervisor": "督导考核人员", "auditor": "审计员", "subject": "信用主体"}


@pytest.mark.parametrize(("scope", "region", "covered"), [
    ("330000", "330106", True), ("330000", "330100", True), ("330000", "320106", False),
    ("330100", "330106", True), ("330100", "330100", True), ("330100", "330203", False),
    ("330106", "330106", True), ("330106", "330105", False), ("330106", "330100", False),
    ("330100", None, False), (None, "330106", False),
])
def test_region_covers(scope, region, covered):
    assert region_covers(scope, region) is covered


def test_principals_cover_by_role_and_scope():
    city = Principal(1, "c", "checker", "330100", via="session")
    assert city.covers("330106") and not city.covers("330203")
    assert city.label == "c(checker)" and city.is_official and not city.is_public
    subject = Principal(2, "s", "subject", "330106", subject_id=7, via="session")
    assert not subject.covers("330106") and subject.owns(7) and not subject.owns(8)
    assert PUBLIC.is_public and not PUBLIC.covers("330106") and PUBLIC.label == "public(public)"
    cli = cli_principal("ops")
    assert cli.role == "admin" and cli.via == "cli" and cli.covers("330106") and cli.covers("110000")


@pytest.mark.parametrize(("password", "ok"), [
    ("Correct-Horse-42", True),
    ("correcthorse42!", True),  # lower, digit, other: three classes
    ("Short-1a", False),  # too short
    ("correcthorsebattery", False),  # one class
    ("CorrectHorseBattery", False),  # two classes
    ("xx-checker01-XX9", False),  # contains the username
])
def test_password_policy(password, ok):
    assert (service.password_problems(password, "checker01") == []) is ok


def test_generated_passwords_meet_the_policy():
    for _ in range(20):
        assert service.password_problems(service.generate_password()) == []


def test_passwords_are_argon2_hashes(session):
    user = make_user(session, "checker")
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash
    assert service.authenticate(session, user.username, PASSWORD) is user


def test_create_user_checks_role_region_department_and_subject(session, world):
    with pytest.raises(InvalidInput):
        service.create_user(session, username="x1", role="king", region_code="330100")
    with pytest.raises(InvalidInput):
        service.create_user(session, username="x2", role="checker", region_code="999999")
    with pytest.raises(InvalidInput):
        service.create_user(session, username="x3", role="reporter", region_code="330100")  # no department
    with pytest.raises(NotFound):
        service.create_user(session, username="x4", role="reporter", region_code="330100", department_code="nope")
    with pytest.raises(InvalidInput):
        service.create_user(session, username="x5", role="subject")  # no subject
    with pytest.raises(InvalidInput):
        service.create_user(session, username="bad name", role="checker", region_code="330100")
    with pytest.raises(InvalidInput):
        service.create_user(session, username="x6", role="checker", region_code="330100", password="weak")
    dept = ensure_department(session, "330106")
    with pytest.raises(InvalidInput):  # a county reporter cannot belong to a department elsewhere
        service.create_user(session, username="x7", role="reporter", region_code="330203", department_code=dept.code)
    user, password = service.create_user(session, username="x8", role="subject", subject_id=world.person.id,
                                         region_code=world.person.region_code)
    assert user.must_change_password and service.password_problems(password) == []
    with pytest.raises(InvalidInput):
        service.create_user(session, username="x8", role="checker", region_code="330100")  # taken


def test_lockout_counts_failures_and_a_success_resets(session, monkeypatch):
    monkeypatch.setenv("XINYONG_LOCKOUT_THRESHOLD", "3")
    monkeypatch.setenv("XINYONG_LOCKOUT_MINUTES", "20")
    from xinyong.core.settings import reset_settings

    reset_settings()
    user = make_user(session, "checker")
    for _ in range(2):
        with pytest.raises(service.LoginFailed):
            service.authenticate(session, user.username, "nope")
    service.authenticate(session, user.username, PASSWORD)
    assert user.failed_logins == 0
    for _ in range(2):
        with pytest.raises(service.LoginFailed):
            service.authenticate(session, user.username, "nope")
    with pytest.raises(service.AccountLocked) as err:
        service.authenticate(session, user.username, "nope")
    assert "20 分钟" in err.value.zh or "19 分钟" in err.value.zh or "21 分钟" in err.value.zh
    assert timedelta(minutes=19) < user.locked_until - utcnow() <= timedelta(minutes=20)
    with pytest.raises(service.AccountLocked):
        service.authenticate(session, user.username, PASSWORD)
    service.unlock(session, user)
    assert service.authenticate(session, user.username, PASSWORD) is user
    service.lock(session, user)  # by an administrator: until unlocked
    with pytest.raises(service.AccountLocked) as err:
        service.authenticate(session, user.username, PASSWORD)
    assert "联系" in err.value.zh


def test_totp_codes_are_checked_once_each(session):
    user = make_user(session, "checker")
    secret = service.begin_totp(session, user)
    assert not user.totp_enabled and secret not in user.totp_secret
    with pytest.raises(service.WrongCode):
        service.confirm_totp(session, user, "12345")
    code = pyotp.TOTP(secret).now()
    service.confirm_totp(session, user, code)
    assert user.totp_enabled
    with pytest.raises(service.WrongCode):
        service.verify_totp(session, user, code)  # the same code again
    assert user.failed_logins == 1


def test_totp_secrets_are_sm4_encrypted(tmp_path, app_env):
    stored = keys.encrypt("JBSWY3DPEHPK3PXP")
    assert stored.startswith("sm4gcm1:") and "JBSWY3DPEHPK3PXP" not in stored
    assert keys.decrypt(stored) == "JBSWY3DPEHPK3PXP"
    assert keys.encrypt("JBSWY3DPEHPK3PXP") != stored  # a fresh nonce each time


def test_tokens_expire_and_are_revoked(session):
    user = make_user(session, "reporter")
    issued = service.issue_token(session, user, name="sys", by="t", days=10)
    assert issued.token.startswith("xy_" + issued.row.prefix + "_")
    assert issued.token not in issued.row.token_hash and len(issued.row.token_hash) == 64
    assert issued.row.department_code == user.department_code
    assert set(issued.row.categories) == {"admin_penalty", "admin_licence", "dishonest_judgment_debtor"}
    token, owner = service.resolve_token(session, issued.token)
    assert owner is user and service.token_state(token) == "active"
    who = service.principal_of(session, user, via="token", token=token)
    assert who.role == "reporter" and who.categories == frozenset(token.categories)

    token.expires_at = utcnow() - timedelta(seconds=1)
    with pytest.raises(service.TokenInvalid, match="expired"):
        service.resolve_token(session, issued.token)
    token.expires_at = utcnow() + timedelta(days=1)
    service.revoke_token(session, token, by="t")
    with pytest.raises(service.TokenInvalid, match="revoked"):
        service.resolve_token(session, issued.token)
    with pytest.raises(service.TokenInvalid):
        service.resolve_token(session, "xy_00000000_" + "a" * 43)


def test_a_token_is_scoped_to_its_departments_categories(session):
    user = make_user(session, "reporter", categories=("admin_penalty",))
    issued = service.issue_token(session, user, name="sys", by="t", categories=["admin_penalty"])
    assert issued.row.categories == ["admin_penalty"]
    with pytest.raises(InvalidInput):
        service.issue_token(session, user, name="sys", by="t", categories=["admin_licence"])
    with pytest.raises(InvalidInput):
        service.issue_token(session, user, name="sys", by="t", days=100_000)


def test_sliding_window():
    w = SlidingWindow()
    assert [w.hit("k", 3, 10, now=t) for t in (0, 1, 2)] == [0, 0, 0]
    assert w.hit("k", 3, 10, now=3) == pytest.approx(7)
    assert w.hit("other", 3, 10, now=3) == 0
    assert w.hit("k", 3, 10, now=10.5) == 0  # the first hit has left the window


def test_a_token_loses_a_category_its_department_loses(session):
    user = make_user(session, "reporter")
    issued = service.issue_token(session, user, name="sys", by="t")
    dept = service.get_department(session, user.department_code)
    service.set_department_categories(session, dept, ["admin_penalty"])
    token, _ = service.resolve_token(session, issued.token)
    assert service.principal_of(session, user, via="token", token=token).categories == {"admin_penalty"}
