"""Imports every package's tables so that ``Base.metadata`` knows them all (Alembic, tests)."""

from xinyong.catalog import models as catalog_models  # noqa: F401
from xinyong.records import models as records_models  # noqa: F401
from xinyong.subjects import models as subjects_models  # noqa: F401
