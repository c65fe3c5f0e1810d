from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import xinyong.models  # noqa: F401
from xinyong.core.db import Base


def test_migrations_match_the_models(engine):
    """The schema the migrations build is the schema the models describe."""
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
