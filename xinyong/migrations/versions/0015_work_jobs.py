"""core: the job queue (work_jobs)

Uploaded files are imported by a worker process instead of inside the web request
(xinyong.core.work): each upload is a job, queued → running → done / failed, with its
progress, its result (the import report) and, when it failed, the message its owner reads.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 04:20:00
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    op.create_table(
        'work_jobs',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('kind', sa.String(50), nullable=False),
        sa.Column('payload', _JSON, nullable=False),
        sa.Column('state', sa.String(10), nullable=False),
        sa.Column('done', sa.Integer(), nullable=False),
        sa.Column('total', sa.Integer(), nullable=True),
        sa.Column('result', _JSON, nullable=True),
        sa.Column('error', sa.Text(), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('created_by', sa.String(100), nullable=False),
        sa.Column('region_code', sa.String(12), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('worker', sa.String(100), nullable=True),
    )
    op.create_index('ix_work_jobs_state', 'work_jobs', ['state'])


def downgrade() -> None:
    op.drop_index('ix_work_jobs_state', table_name='work_jobs')
    op.drop_table('work_jobs')
