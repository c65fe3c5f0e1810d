"""The registry of daily jobs, emptied for a test that registers jobs of its own (and restored)."""

from __future__ import annotations

import pytest

from xinyong.core import daily
from xinyong.jobs import service


@pytest.fixture
def own_jobs():
    """Only the jobs the test registers run; the platform's own come back afterwards."""
    service.load_jobs()  # the capabilities are imported (and registered) before the registry is emptied
    saved = dict(daily._jobs)
    daily._jobs.clear()
    yield daily
    daily._jobs.clear()
    daily._jobs.update(saved)
