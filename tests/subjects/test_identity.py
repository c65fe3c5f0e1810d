"""Identity numbers at rest: keyed-hash look-ups, SM4-GCM ciphertexts, masked outputs, and key
rotation that leaves every record readable and every look-up working."""

from __future__ import annotations

import json
import stat
from datetime import date

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

import xinyong.models  # noqa: F401  (every table)
from tests.records.factories import build_world
from tests.web.conftest import LEGAL_REP_RIC
from xinyong.accounts.principal import Principal, cli_principal
from xinyong.audit import service as audit
from xinyong.core import crypto, settings
from xinyong.core.codes import make_ric, make_uscc
from xinyong.core.crypto import KeyRingError, get_keyring
from xinyong.core.db import Base
from xinyong.records import credit_file
from xinyong.subjects import identity, keys
from xinyong.subjects import service as subjects
from xinyong.subjects.models import Subject
from xinyong.subjects.schemas import subject_code

RIC = make_ric("330106", date(1990, 1, 1), 123)


@pytest.fixture
def file_keys(app_env, monkeypatch):
    """The key ring in VAR_DIR/keys/data-keys.json, as `xinyong init` makes it."""
    monkeypatch.delenv("XINYONG_DATA_KEY")
    settings.reset_settings()
    crypto.reset_keyring_cache()
    ring, created = crypto.ensure_keyring()
    assert created
    yield ring
    settings.reset_settings()


def test_lookup_keys(session):
    uscc = make_uscc("91", "330106", "12345678")
    key = identity.lookup_key(RIC)
    assert len(key) == 64 and key != RIC and key == get_keyring().keyed_hash(RIC)
    assert identity.lookup_key(f" {RIC[:6]} {RIC[6:]}".lower()) == key  # cleaned first
    assert identity.lookup_key(uscc) == uscc  # a USCC is its own key
    bad_check = RIC[:-1] + ("0" if RIC[-1] != "0" else "1")
    assert identity.lookup_key(bad_check) == bad_check  # not an identity number: nothing to hash
    assert identity.lookup_keys([RIC, uscc, RIC.lower()]) == [key, uscc, key]
    assert identity.is_identity_number(RIC) and not identity.is_identity_number(uscc)


def test_no_identity_number_is_stored_in_plain(session):
    world = build_world(session)
    secrets = {world.person_ric, world.servant_ric, LEGAL_REP_RIC}
    for table in Base.metadata.sorted_tables:
        dump = repr(session.execute(select(table)).all())
        for ric in secrets:
            assert ric not in dump, (table.name, ric)
            assert ric.lower() not in dump.lower(), (table.name, ric)
    person = session.get(Subject, world.person.id)
    assert person.code == identity.lookup_key(world.person_ric)
    assert get_keyring().decrypt(person.code_cipher, identity.CODE_CONTEXT) == world.person_ric
    hz = session.get(Subject, world.ent_hz.id)
    assert hz.legal_rep_code == identity.lookup_key(LEGAL_REP_RIC) and hz.legal_rep_cipher
    # the legal representative is found by joining on the key
    rep_key = identity.lookup_key(LEGAL_REP_RIC)
    assert session.scalar(select(Subject.id).where(Subject.legal_rep_code == rep_key)) == hz.id


def test_outputs_show_the_masked_number(session):
    world = build_world(session)
    ric = world.person_ric
    assert subject_code(world.person) == ric[:6] + "*" * 12
    assert subject_code(world.ent_hz) == world.ent_hz.code
    file = credit_file.credit_file(session, world.ent_hz)
    assert file.legal_rep_code == LEGAL_REP_RIC[:6] + "*" * 12
    assert subjects.get_by_code(session, ric).id == world.person.id
    assert subjects.ref_of(world.person) == str(world.person.id)


def test_only_the_subject_or_an_admin_sees_the_whole_number(session):
    world = build_world(session)
    person = session.get(Subject, world.person.id)
    me = Principal(user_id=3, username="me", role="subject", region_code=None, subject_id=person.id, via="session")
    checker = Principal(user_id=4, username="c", role="checker", region_code="330100", via="session")
    assert identity.reveal(session, person, who=me, purpose="本人核对") == world.person_ric
    assert identity.reveal(session, person, who=cli_principal("ops"), purpose="更正户籍信息") == world.person_ric
    with pytest.raises(identity.NotAllowed):
        identity.reveal(session, person, who=checker, purpose="好奇")
    other = session.get(Subject, world.servant.id)
    with pytest.raises(identity.NotAllowed):
        identity.reveal(session, other, who=me, purpose="看看别人")
    session.commit()
    logged = audit.entries(session, audit.EntryFilter(action="reveal"))
    assert [(e.username, e.purpose, e.subject_id) for e in logged] == [
        ("ops", "更正户籍信息", person.id), ("me", "本人核对", person.id)]


def _readable(session) -> list[str]:
    """Every identity number in the database, decrypted (fails on one that cannot be)."""
    ring = get_keyring()
    out = []
    for code, rep in session.execute(select(Subject.code_cipher, Subject.legal_rep_cipher)):
        if code:
            out.append(ring.decrypt(code, identity.CODE_CONTEXT))
        if rep:
            out.append(ring.decrypt(rep, identity.REP_CONTEXT))
    return sorted(out)


def test_rotation_leaves_every_record_readable(file_keys, session):
    world = build_world(session)
    # more persons, to rotate in several chunks
    session.add_all(Subject(kind="person", code=make_ric("330102", date(1970, 1, 1), n), name=f"测试{n}",
                            region_code="330102") for n in range(250))
    session.commit()
    before = _readable(session)
    old = file_keys.active
    assert len(before) == 253 and keys.status().usage == {old: 253}

    seen_mixed = []

    def progress(done: int) -> None:  # between chunks: old and new ciphertexts, all readable
        with session.no_autoflush:
            session.expire_all()
            seen_mixed.append((done, _readable(session) == before))

    result = keys.rotate(chunk=100, progress=progress)
    assert result.active != old and result.ciphertexts == 253 and result.chunks == 3
    assert seen_mixed[0] == (100, True) and all(ok for _n, ok in seen_mixed)
    session.expire_all()
    assert _readable(session) == before
    assert keys.status().usage == {result.active: 253, old: 0}
    # look-ups still work: the look-up key is not rotated
    assert subjects.get_by_code(session, world.person_ric).id == world.person.id
    servant = session.get(Subject, world.servant.id)
    assert get_keyring().decrypt(servant.code_cipher, identity.CODE_CONTEXT) == world.servant_ric
    assert subject_code(servant) == world.servant_ric[:6] + "*" * 12
    # the credit files still read
    assert credit_file.credit_file(session, session.get(Subject, world.person.id)).records
    path = crypto.key_file()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert set(json.loads(path.read_text())["encryption"]["keys"]) == {old, result.active}
    assert keys.prune() == [old]
    assert set(get_keyring().keys) == {result.active}
    session.expire_all()
    assert _readable(session) == before
    rotated = audit.entries(session, audit.EntryFilter(action="rotate"))
    assert rotated[0].entity_id == result.active and rotated[0].after["ciphertexts"] == 253


def test_a_second_rotation_catches_what_was_left(file_keys, session):
    build_world(session)
    keys.add_key()  # a rotation stopped after adding its key, before re-encrypting anything
    ring = get_keyring()
    assert ring.active != file_keys.active and len(_readable(session)) == 3
    result = keys.rotate(new_key=False)
    assert result.active == ring.active and result.ciphertexts == 3
    assert keys.status().usage[ring.active] == 3


def test_rotation_with_the_key_in_the_environment(app_env, monkeypatch, session):
    build_world(session)
    with pytest.raises(KeyRingError, match="XINYONG_DATA_KEY"):
        keys.rotate()
    ring = get_keyring()
    new = crypto.new_key()
    grown = crypto.Keyring(new.id, {**ring.keys, new.id: new}, ring.hash_key)
    monkeypatch.setenv("XINYONG_DATA_KEY", json.dumps(grown.as_json()))
    settings.reset_settings()
    result = keys.rotate(new_key=False)
    assert result.active == new.id and result.ciphertexts == 3
    assert subjects.get_by_code(session, make_ric("330106", date(1990, 1, 1), 123)) is not None


def test_init_makes_the_key_file_and_the_keys_commands(file_keys, session, monkeypatch):
    from xinyong.cli import app

    runner = CliRunner()
    path = crypto.key_file()
    path.unlink()
    crypto.reset_keyring_cache()
    result = runner.invoke(app, ["init"])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    build_world(session)
    status = runner.invoke(app, ["keys", "status"])
    assert status.exit_code == 0 and get_keyring().active in status.output and "SM4-GCM" in status.output
    rotated = runner.invoke(app, ["keys", "rotate", "--chunk", "100"])
    assert rotated.exit_code == 0, rotated.output
    assert "3 个密文" in rotated.output
    pruned = runner.invoke(app, ["keys", "prune"])
    assert pruned.exit_code == 0 and "1 个" in pruned.output
    session.expire_all()
    assert len(_readable(session)) == 3


def test_a_lost_key_file_is_not_silently_replaced(app_env, session, monkeypatch):
    """Numbers stored under one ring, then a new ring (the key file lost and `init` run):
    init, serve and commands that read identities refuse, keys status says how to restore."""
    build_world(session)
    session.commit()
    monkeypatch.setenv("XINYONG_DATA_KEY", json.dumps(crypto.fresh_keyring().as_json()))
    settings.reset_settings()
    crypto.reset_keyring_cache()
    runner = CliRunner()
    from xinyong.cli import app as cli_app

    for args in (["init"], ["serve"], ["keys", "status"], ["users", "list"]):
        result = runner.invoke(cli_app, args)
        assert result.exit_code != 0, args
    with pytest.raises(KeyRingError) as exc:
        keys.key_check()
    assert "恢复" in exc.value.zh
    st = keys.status()
    assert st.problem and "备份" in st.problem[0]
