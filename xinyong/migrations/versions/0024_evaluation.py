"""evaluation: runs, scores with their explanations, grade changes

Each evaluation run names its indicator system and version, the policy version, the data
cut-off and the engine; every subject's score, grade, dimension scores and indicator
contributions are kept per run (history), and a grade that differs from the previous run's is
an event row.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-04 05:10:00
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    op.create_table(
        'evaluation_runs',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('system_code', sa.String(50), nullable=False),
        sa.Column('system_name', sa.String(200), nullable=False),
        sa.Column('system_version', sa.String(50), nullable=False),
        sa.Column('policy_version_id', sa.Integer(), sa.ForeignKey('policy_versions.id'), nullable=False),
        sa.Column('as_of', sa.Date(), nullable=False),
        sa.Column('engine', sa.String(10), nullable=False),
        sa.Column('status', sa.String(10), nullable=False),
        sa.Column('subjects', sa.Integer(), nullable=False),
        sa.Column('grade_changes', sa.Integer(), nullable=False),
        sa.Column('created_by', sa.String(100), nullable=False),
        sa.Column('started_at', sa.DateTime(), nullable=False),
        sa.Column('finished_at', sa.DateTime(), nullable=True),
        sa.Column('error', sa.String(1000), nullable=True),
    )
    op.create_index('ix_evaluation_runs_system', 'evaluation_runs', ['system_code', 'id'])
    op.create_table(
        'evaluation_scores',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('run_id', sa.Integer(), sa.ForeignKey('evaluation_runs.id'), nullable=False),
        sa.Column('subject_id', sa.Integer(), sa.ForeignKey('subjects.id'), nullable=False),
        sa.Column('score', sa.Float(), nullable=False),
        sa.Column('grade', sa.String(20), nullable=False),
        sa.Column('dimensions', _JSON, nullable=False),
        sa.Column('contributions', _JSON, nullable=False),
    )
    op.create_index('ix_evaluation_scores_run_subject', 'evaluation_scores', ['run_id', 'subject_id'], unique=True)
    op.create_index('ix_evaluation_scores_subject', 'evaluation_scores', ['subject_id', 'run_id'])
    op.create_table(
        'evaluation_grade_changes',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('run_id', sa.Integer(), sa.ForeignKey('evaluation_runs.id'), nullable=False),
        sa.Column('previous_run_id', sa.Integer(), sa.ForeignKey('evaluation_runs.id'), nullable=False),
        sa.Column('subject_id', sa.Integer(), sa.ForeignKey('subjects.id'), nullable=False),
        sa.Column('system_code', sa.String(50), nullable=False),
        sa.Column('from_grade', sa.String(20), nullable=False),
        sa.Column('to_grade', sa.String(20), nullable=False),
        sa.Column('from_score', sa.Float(), nullable=False),
        sa.Column('to_score', sa.Float(), nullable=False),
    )
    op.create_index('ix_evaluation_grade_changes_run', 'evaluation_grade_changes', ['run_id'])
    op.create_index('ix_evaluation_grade_changes_subject', 'evaluation_grade_changes', ['subject_id'])


def downgrade() -> None:
    op.drop_table('evaluation_grade_changes')
    op.drop_table('evaluation_scores')
    op.drop_table('evaluation_runs')
