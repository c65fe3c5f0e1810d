"""The redress deadlines are policy data (redress.yaml), each with its basis: the rules use the
counts they are given, the default folder's otherwise, and the services the active policy's."""

from __future__ import annotations

from datetime import date

from xinyong.catalog import service as catalog_service
from xinyong.catalog.schemas import RedressPolicy
from xinyong.redress import deadlines
from xinyong.redress import repair_rules as repair
from xinyong.redress import rules as objection


def test_default_counts_and_their_basis():
    d = deadlines.default()
    assert (d.objection_accept.days, d.objection_decide.days, d.objection_at_most.days) == (2, 5, 20)
    assert (d.repair_accept.days, d.repair_decide.days, d.repair_sent.days) == (3, 10, 5)
    assert "第三十一条" in d.objection_decide.basis and "第三十一条" in d.objection_at_most.basis
    assert "信用中国" in d.repair_decide.basis


def test_rules_use_the_counts_given():
    other = deadlines.default().model_copy(update={
        "objection_accept": deadlines.default().objection_accept.model_copy(update={"days": 1}),
        "repair_decide": deadlines.default().repair_decide.model_copy(update={"days": 3}),
    })
    day = date(2026, 3, 2)  # a Monday
    assert objection.accept_due(day).due == date(2026, 3, 4)
    assert objection.accept_due(day, other).due == date(2026, 3, 3)
    assert repair.decide_due(day).due == date(2026, 3, 16)
    assert repair.decide_due(day, other).due == date(2026, 3, 5)


def test_a_policy_without_redress_yaml_falls_back(session):
    _, policy = catalog_service.active_version(session)
    assert deadlines.of(policy) == policy.redress.deadlines == deadlines.active(session)
    bare = policy.model_copy(update={"redress": RedressPolicy()})
    assert deadlines.of(bare) == deadlines.default()
