"""``xinyong demo``: the synthetic province is valid, complete, proportional and deterministic."""

from __future__ import annotations

import random

from sqlalchemy import func, select
from typer.testing import CliRunner

from xinyong.catalog import service as catalog_service
from xinyong.core import clock, codes, migrate, regions
from xinyong.core.crypto import get_keyring
from xinyong.core.db import make_engine, session_factory
from xinyong.demo import generator, stories
from xinyong.demo.generator import build_demo
from xinyong.records.models import ImportBatch, Record
from xinyong.subjects import identity
from xinyong.subjects.models import Post, Subject

SCALE = 0.005


def test_demo_province(session):
    """One build (they take seconds), every property checked on it."""
    built = build_demo(session, scale=SCALE, seed=7)
    session.flush()
    check_no_row_rejected_and_every_category_filled(built, session)
    check_counts_are_proportional_to_scale(built)
    check_every_region_has_its_government_and_departments(session)
    check_public_servants_hold_exactly_one_current_post(built, session)
    check_codes_are_valid(session)
    check_records_respect_subject_kinds_and_periods(session)


def check_no_row_rejected_and_every_category_filled(built, session):
    _vid, policy = catalog_service.active_version(session)
    assert built.rejected == 0
    assert built.errors == []
    stored = dict(session.execute(select(Record.category_code, func.count()).group_by(Record.category_code)).all())
    later = built.records_after
    assert stored == {c: built.records.get(c, 0) + later.get(c, 0) for c in stored}
    assert sum(stored.values()) == built.rows + sum(later.values())
    # every category the active policy lists gets at least one record, whatever the list holds
    assert set(stored) == {c.code for c in policy.catalog.categories}
    assert session.scalar(select(func.sum(ImportBatch.rows_rejected))) == 0


def check_counts_are_proportional_to_scale(built):
    # the fixed stories (xinyong.demo.stories) add their own persons on top of the scale
    assert built.subjects["person"] == round(generator.PERSONS * SCALE) + stories.PERSONS
    assert built.subjects["public_servant"] == round(generator.PUBLIC_SERVANTS * SCALE) + stories.SERVANTS
    assert built.subjects["enterprise"] >= round(generator.ENTERPRISES * SCALE)
    assert built.bodies["institutions"] >= round(generator.INSTITUTIONS * SCALE)
    assert built.bodies["villages"] == round(generator.VILLAGES * SCALE)
    expected = generator.RECORDS * SCALE
    assert 0.9 * expected <= built.rows <= 1.1 * expected
    # licences and penalties dominate; government-integrity categories are a handful
    assert built.records["admin_licence"] + built.records["admin_penalty"] > 0.6 * built.rows


def check_every_region_has_its_government_and_departments(session):
    by_code = {s.code: s for s in session.scalars(select(Subject).where(Subject.kind == "gov_body"))}
    govs = {s.region_code: s for s in by_code.values() if s.name.endswith("人民政府")}
    province = govs["330000"]
    assert province.name == "浙江省人民政府" and province.parent_id is None
    for city in regions.cities():
        gov = govs[city.code]
        assert gov.name == f"{city.name}人民政府"
        assert gov.parent_id == province.id
        departments = [s for s in by_code.values() if s.parent_id == gov.id and s.region_code == city.code]
        names = {d.name for d in departments}
        assert f"{city.name}市场监督管理局" in names
        assert f"{city.name}中级人民法院" in names
        assert len(departments) >= 15
    for county in (r for r in regions.all_regions() if r.level == "county"):
        gov = govs[county.code]
        assert gov.parent_id == govs[county.parent].id
        assert session.scalar(select(func.count()).where(Subject.parent_id == gov.id)) >= 15


def check_public_servants_hold_exactly_one_current_post(built, session):
    servants = session.scalars(select(Subject.id).where(Subject.kind == "public_servant")).all()
    assert len(servants) == built.subjects["public_servant"]
    rows = session.execute(
        select(Post.person_id, func.count(), func.count(Post.end_date)).group_by(Post.person_id)
    ).all()
    assert {r[0] for r in rows} == set(servants)
    for _pid, total, ended in rows:
        assert 1 <= total <= 3
        assert total - ended == 1  # exactly one post with no end date
    bad = session.scalar(select(func.count()).select_from(Post).where(Post.end_date < Post.start_date))
    assert bad == 0
    bodies = session.scalars(select(Subject.kind).join(Post, Post.body_id == Subject.id).distinct()).all()
    assert set(bodies) == {"gov_body"}


def check_codes_are_valid(session):
    rng = random.Random(1)
    ring = get_keyring()
    rows = session.execute(select(Subject.kind, Subject.code, Subject.birth_date, Subject.code_cipher)).all()
    # identity numbers are stored as keyed hashes, and encrypted (docs/privacy.md)
    subjects = [(k, ring.decrypt(cipher, identity.CODE_CONTEXT) if cipher else code, b, code)
                for k, code, b, cipher in rows]
    for kind, code, birth, stored in rng.sample(subjects, 400):
        if kind in ("person", "public_servant"):
            info = codes.validate_ric(code)
            assert info.birth_date == birth
            assert stored == identity.lookup_key(code) != code
        else:
            assert codes.validate_uscc(code) == code
            assert codes.uscc_kind(code) == kind
    departments = session.scalars(select(Record.department_code).distinct()).all()
    for code in departments:
        assert codes.validate_uscc(code) == code
    # historical county codes stay in use in identity numbers (330103 下城区 …)
    historical = {r.code for r in regions.all_regions(include_historical=True) if not r.current}
    natural = [c for k, c, _, _ in subjects if k in ("person", "public_servant")]
    assert any(c[:6] in historical for c in natural)


def check_records_respect_subject_kinds_and_periods(session):
    _vid, policy = catalog_service.active_version(session)
    pairs = session.execute(
        select(Record.category_code, Subject.kind).join(Subject, Subject.id == Record.subject_id).distinct()
    ).all()
    for category, kind in pairs:
        assert kind in policy.category(category).subject_kinds, (category, kind)
    today = clock.today()
    total = session.scalar(select(func.count()).select_from(Record))
    shown = session.scalar(select(func.count()).where(Record.display_until >= today))
    oldest = session.scalar(select(func.min(Record.decision_date)))
    assert 0 < total - shown  # some records are past their display period
    assert shown > total / 2  # most are shown
    assert (today - oldest).days > 4 * 365


def test_same_seed_same_province(tmp_path):
    def build(name: str):
        engine = make_engine(f"sqlite:///{tmp_path / name}")
        migrate.upgrade(engine)
        with session_factory(engine)() as s:
            catalog_service.ensure_default(s, user="test")
            summary = build_demo(s, scale=0.002, seed=11)
            s.commit()
            subjects = s.execute(select(Subject.code, Subject.name).order_by(Subject.code)).all()
            records = s.execute(
                select(Record.department_code, Record.source_id, Record.decision_no, Record.content_hash)
                .order_by(Record.department_code, Record.source_id)
            ).all()
            posts = s.execute(select(Post.title, Post.start_date, Post.end_date).order_by(Post.start_date, Post.title)).all()
        engine.dispose()
        return summary, subjects, records, posts

    a, b = build("a.db"), build("b.db")
    assert a[0].records == b[0].records
    assert a[1] == b[1] and a[2] == b[2] and a[3] == b[3]
    assert len(a[2]) == a[0].rows + sum(a[0].records_after.values())


# --- the command ---------------------------------------------------------------------------------


def test_command_refuses_a_database_with_subjects(app_env):
    from xinyong.cli import app
    from xinyong.core import db

    migrate.upgrade(db.get_engine())
    with db.session_scope() as s:
        catalog_service.ensure_default(s, user="test")
        s.add(Subject(kind="person", code=codes.make_ric("330106", clock.today().replace(year=1990), 11),
                      name="张三", region_code="330106"))
    runner = CliRunner()
    result = runner.invoke(app, ["demo", "--scale", "0.001"])
    assert result.exit_code == 2, result.output
    assert "--reset" in result.output
    result = runner.invoke(app, ["demo", "--scale", "0.001", "--if-empty"])
    assert result.exit_code == 0, result.output
    with db.session_scope() as s:
        assert s.scalar(select(func.count()).select_from(Subject)) == 1
