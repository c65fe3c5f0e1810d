"""Upgrading a database that already holds plain identity numbers (made before encryption at
rest): after ``xinyong init`` none is left in plain, look-ups by number still work, and the
numbers decrypt. Runs on an empty database of its own, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from alembic import command
from sqlalchemy import create_engine, text

from tests.conftest import PG_URL, _pg_engine
from xinyong.core import migrate
from xinyong.core.codes import make_ric, make_uscc
from xinyong.core.crypto import ensure_keyring, get_keyring
from xinyong.subjects import identity

PERSON = make_ric("330106", date(1981, 4, 5), 17)
REP = make_ric("330102", date(1966, 8, 9), 23)
COMPANY = make_uscc("91", "330106", "00770001")


@pytest.fixture
def empty_engine(backend, tmp_path, app_env):
    if backend == "sqlite":
        engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
        yield engine
        engine.dispose()
        return
    schema = f"up_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = _pg_engine(schema)
    yield engine
    engine.dispose()
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def test_plain_numbers_are_protected_by_the_upgrade(empty_engine):
    cfg = migrate.alembic_config(empty_engine)
    with empty_engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0002")  # the schema as it was before encryption at rest
        conn.execute(text(
            "INSERT INTO subjects (kind, code, name, region_code, birth_date, legal_rep_name, legal_rep_code, "
            "created_at, updated_at) VALUES "
            "('person', :p, '测试人甲', '330106', '1981-04-05', NULL, NULL, '2026-01-01', '2026-01-01'), "
            "('enterprise', :c, '杭州测试有限公司', '330106', NULL, '测试人乙', :r, '2026-01-01', '2026-01-01')"),
            {"p": PERSON, "c": COMPANY, "r": REP})
    ensure_keyring()
    migrate.upgrade(empty_engine)
    with empty_engine.connect() as conn:
        rows = {r.kind: r for r in conn.execute(text(
            "SELECT kind, code, code_cipher, legal_rep_code, legal_rep_cipher FROM subjects"))}
        dump = " ".join(str(v) for r in conn.execute(text("SELECT * FROM subjects")) for v in r)
    assert PERSON not in dump and REP not in dump  # no identity number left in plain
    person, company = rows["person"], rows["enterprise"]
    assert person.code == identity.lookup_key(PERSON)
    assert get_keyring().decrypt(person.code_cipher, identity.CODE_CONTEXT) == PERSON
    assert company.code == COMPANY and company.code_cipher is None  # a USCC stays as it is
    assert company.legal_rep_code == identity.lookup_key(REP)
    assert get_keyring().decrypt(company.legal_rep_cipher, identity.REP_CONTEXT) == REP
    migrate.upgrade(empty_engine)  # running it again changes nothing
    with empty_engine.connect() as conn:
        assert conn.execute(text("SELECT code FROM subjects WHERE kind = 'person'")).scalar() == person.code
