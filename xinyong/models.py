"""Imports every package's tables so that ``Base.metadata`` knows them all (Alembic, tests)."""

from xinyong.accounts import models as accounts_models  # noqa: F401
from xinyong.audit import models as audit_models  # noqa: F401
from xinyong.catalog import models as catalog_models  # noqa: F401
from xinyong.checks import models as checks_models  # noqa: F401
from xinyong.commitments import models as commitments_models  # noqa: F401
from xinyong.commitments.obligations import models as obligations_models  # noqa: F401
from xinyong.core import work as core_work  # noqa: F401
from xinyong.disclosure import authorization_models as disclosure_authorization_models  # noqa: F401
from xinyong.disclosure import models as disclosure_models  # noqa: F401
from xinyong.disclosure import portal_models as disclosure_portal_models  # noqa: F401
from xinyong.evaluation import models as evaluation_models  # noqa: F401
from xinyong.evaluation import review_models as evaluation_review_models  # noqa: F401
from xinyong.jobs import models as jobs_models  # noqa: F401
from xinyong.lists import models as lists_models  # noqa: F401
from xinyong.push import models as push_models  # noqa: F401
from xinyong.records import models as records_models  # noqa: F401
from xinyong.redress import models as redress_models  # noqa: F401
from xinyong.subjects import models as subjects_models  # noqa: F401
from xinyong.supervision import models as supervision_models  # noqa: F401
