"""A record's provenance (its batch, its last batch, its policy version) stays valid for good:
the tables it points into only grow, and the database refuses anything else."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.exc import DBAPIError

from tests import factories as f
from xinyong.catalog.models import PolicyVersion
from xinyong.records.ingest import import_source
from xinyong.records.models import ImportBatch, Record
from xinyong.records.readers import rows_from_dicts


@pytest.fixture
def imported(session):
    result = import_source(session, rows_from_dicts([f.penalty_row(1), f.person_penalty_row(2)]),
                           file_name="t.json", category="admin_penalty")
    session.commit()
    return result


def test_every_record_points_at_its_batch_and_policy_version(session, imported):
    rows = session.execute(select(Record.batch_id, Record.last_batch_id, Record.policy_version_id)).all()
    assert rows and all(r == (imported.batch_id, imported.batch_id, imported.policy_version_id) for r in rows)
    batches = set(session.scalars(select(ImportBatch.id)))
    versions = set(session.scalars(select(PolicyVersion.id)))
    assert {r.batch_id for r in rows} <= batches and {r.policy_version_id for r in rows} <= versions


@pytest.mark.parametrize("statement", [
    lambda: delete(ImportBatch),
    lambda: update(ImportBatch).values(id=ImportBatch.id + 1000),
    lambda: delete(PolicyVersion),
    lambda: update(PolicyVersion).values(id=PolicyVersion.id + 1000),
], ids=["delete batch", "renumber batch", "delete policy version", "renumber policy version"])
def test_batches_and_policy_versions_are_append_only(session, imported, statement):
    with pytest.raises(DBAPIError, match="append-only"):
        session.execute(statement())
        session.flush()
    session.rollback()
    assert session.scalar(select(ImportBatch.id)) == imported.batch_id
    assert session.scalar(select(Record.batch_id).limit(1)) == imported.batch_id


def test_a_batch_row_may_still_be_completed(session, imported):
    """The guard is on deleting and renumbering only: the importer fills in a batch's counts."""
    session.execute(update(ImportBatch).where(ImportBatch.id == imported.batch_id).values(rows_total=99))
    session.commit()
    assert session.get(ImportBatch, imported.batch_id).rows_total == 99
