"""The demo prints subjects to try a check on: each gets the outcome it is printed for."""

from __future__ import annotations

from datetime import date

from xinyong.accounts.principal import cli_principal
from xinyong.catalog import service as catalog_service
from xinyong.checks import service as checks
from xinyong.core import clock
from xinyong.demo.generator import build_demo
from xinyong.demo.samples import sample_subjects

DAY = date(2026, 6, 15)


def test_every_printed_sample_gets_its_outcome(session):
    with clock.frozen_today(DAY):
        catalog_service.ensure_default(session, user="demo")
        build_demo(session, scale=0.005, seed=7)
        session.flush()
        samples = {s.outcome: s for s in sample_subjects(session)}
        assert len(samples) == 5, sorted(samples)

        def outcome(sample, scenario: str) -> str:
            return checks.check_one(session, scenario=scenario, code=sample.code, purpose="演示核查",
                                    who=cli_principal()).check.outcome_kind

        clean, black, red, servant, possible = samples.values()
        assert len(clean.code) == len(black.code) == len(servant.code) == 18
        assert outcome(clean, "awards") == "clean"
        assert outcome(black, "government_procurement") in ("mandatory", "reference")
        assert outcome(red, "awards") == "reward"
        assert outcome(servant, "awards") in ("mandatory", "reference")
        assert possible.code == "" and possible.birth_date and possible.name
