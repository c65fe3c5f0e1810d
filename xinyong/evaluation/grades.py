"""The grades a run gives, where the checks and the push read them.

``evaluation`` sits below ``lists``, ``checks`` and ``push`` in DESIGN.md's order, so it writes
through theirs: a run of a system that feeds the checks (``feeds_checks`` in the policy) writes,
set-based, a ``subject_grades`` row (origin "evaluation") for every subject it grades for the
first time and for every subject whose grade it changed; the grade in force is then the latest
evaluation grade, and a grade loaded from a file only where no run graded the subject
(:func:`xinyong.lists.models.newest_grade`). The grade is written by its name (优秀, 较差), the
name the measures' grade triggers use. Then the push tells the watching departments of each
change (``grade_changed``).
"""

from __future__ import annotations

from sqlalchemy import Date, String, case, exists, literal, or_, select
from sqlalchemy.orm import Session

from xinyong.catalog.indicators import IndicatorSystem
from xinyong.evaluation.models import EvaluationRun, EvaluationScore, GradeChange
from xinyong.lists.models import SubjectGrade
from xinyong.lists.service import record_evaluation_grades
from xinyong.push.events import on_grades


def feed_checks(session: Session, run: EvaluationRun, system: IndicatorSystem, user: str) -> int:
    """Write the run's new and changed grades as the grades in force and push the changes;
    returns the push messages written (0 for a system that does not feed the checks)."""
    if not system.feeds_checks:
        return 0
    s = EvaluationScore
    name = case({g.code: g.name for g in system.grades}, value=s.grade, else_=s.grade)
    graded_before = exists().where(SubjectGrade.subject_id == s.subject_id, SubjectGrade.origin == "evaluation")
    changed = exists().where(GradeChange.run_id == run.id, GradeChange.subject_id == s.subject_id)
    rows = (
        select(s.subject_id, name.label("grade"), s.score, literal(run.as_of, Date).label("graded_on"),
               literal(f"评价批次 {run.id}（{system.name} {system.version}）"[:200], String).label("source"),
               literal(user[:100], String).label("created_by"))
        .where(s.run_id == run.id, or_(changed, ~graded_before))
        .subquery("run_grades")
    )
    after = record_evaluation_grades(session, rows)
    return on_grades(session, after)
