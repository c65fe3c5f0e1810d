"""The grades a run gives are the grades the checks trigger on, and a change is pushed.

A run of a system that feeds the checks writes the grade (by its name) of every subject it grades
the first time, and of every subject whose grade it changes, into ``subject_grades`` with origin
"evaluation"; that grade beats one loaded from a file whatever its date; a subject no run graded
keeps the loaded grade. A changed grade is a ``grade_changed`` message to the departments that
watch the subject. On SQLite and PostgreSQL; fixed cut-off dates."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from tests.evaluation.test_runs import record, subject
from tests.supervision.helpers import gov as body
from xinyong.accounts.models import Department
from xinyong.accounts.principal import cli_principal
from xinyong.checks import service as checks
from xinyong.evaluation import service
from xinyong.evaluation.models import GradeChange
from xinyong.lists import service as lists
from xinyong.lists.models import SubjectGrade
from xinyong.push.models import PushMessage, PushSubscription

from .helpers import AS_OF


def _poor_government(session):
    gov = body(session, "测试县人民政府", "330106")
    made = [record(session, gov, "judicial_judgment") for _ in range(3)]
    made += [record(session, gov, "refusal_to_perform_judgment") for _ in range(2)]
    made += [record(session, gov, "admin_penalty") for _ in range(3)]  # 依法行政 at nought: under 600
    return gov, made


def test_a_run_grade_beats_the_loaded_one_and_the_checks_trigger_on_it(session):
    gov, _ = _poor_government(session)
    other = subject(session, "gov_body", "另一县人民政府", cipher=None)
    never = subject(session, "enterprise", "未评价有限公司", cipher=None)
    for s in (gov, never):  # a later loaded grade still loses to an evaluation grade
        session.add(SubjectGrade(subject_id=s.id, grade="优秀", graded_on=date(2026, 12, 1), source="文件",
                                 created_by="t"))
    session.flush()
    service.run_evaluation(session, "government", as_of=AS_OF, user="test")
    grades = lists.grade_of(session, [gov.id, other.id, never.id])
    assert grades == {gov.id: "较差", other.id: "良好", never.id: "优秀"}
    rows = session.scalars(select(SubjectGrade).where(SubjectGrade.origin == "evaluation")).all()
    assert {(r.subject_id, r.grade, r.graded_on) for r in rows} == {(gov.id, "较差", AS_OF), (other.id, "良好", AS_OF)}
    r = checks.check_one(session, scenario="project_approval", code=gov.code, purpose="测试核查",
                         who=cli_principal("t"))
    assert ("gov_policy_limits", "grade") in {(h.measure.code, h.via) for h in r.hits}


def test_only_changes_are_written_again_and_pushed_to_watchers(session):
    gov, made = _poor_government(session)
    steady = subject(session, "gov_body", "平稳县人民政府", cipher=None)
    dept = Department(code="113301000025000099", name="测试发展改革局", region_code="330100", categories=[])
    session.add(dept)
    session.flush()
    session.add_all([PushSubscription(department_code=dept.code, subject_id=s.id, created_by="t")
                     for s in (gov, steady)])
    session.flush()
    service.run_evaluation(session, "government", as_of=AS_OF, user="test")
    assert session.scalar(select(func.count()).select_from(PushMessage)) == 0  # a first grade is no change
    for r in made:
        r.status = "repaired"  # repaired records do not count: the grade rises
    session.flush()
    second = service.run_evaluation(session, "government", as_of=AS_OF, user="test")
    assert second.grade_changes == 1
    [change] = session.scalars(select(GradeChange).where(GradeChange.run_id == second.run_id)).all()
    assert (change.subject_id, change.from_grade, change.to_grade) == (gov.id, "poor", "good")
    rows = session.scalars(select(SubjectGrade).where(SubjectGrade.origin == "evaluation")
                           .order_by(SubjectGrade.id)).all()
    assert [(r.subject_id, r.grade) for r in rows][-1] == (gov.id, "良好")
    assert len(rows) == 3  # two first grades, one change; the steady body is not written again
    assert lists.grade_of(session, [gov.id]) == {gov.id: "良好"}
    [msg] = session.scalars(select(PushMessage)).all()
    assert (msg.department_code, msg.subject_id, msg.event) == (dept.code, gov.id, "grade_changed")
    payload = msg.payload if isinstance(msg.payload, dict) else __import__("json").loads(msg.payload)
    assert (payload["grade"], payload["previous_grade"]) == ("良好", "较差")
    service.run_evaluation(session, "government", as_of=AS_OF, user="test")  # nothing changes: nothing pushed
    assert session.scalar(select(func.count()).select_from(PushMessage)) == 1


def test_a_system_that_does_not_feed_the_checks_writes_no_grades(session, monkeypatch):
    gov, _ = _poor_government(session)
    real = service.system_of

    def not_feeding(session, code):
        vid, system = real(session, code)
        return vid, system.model_copy(update={"feeds_checks": False})

    monkeypatch.setattr(service, "system_of", not_feeding)
    service.run_evaluation(session, "government", as_of=AS_OF, user="test")
    assert lists.grade_of(session, [gov.id]) == {}
