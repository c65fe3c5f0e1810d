"""jobs: the daily runs (每日任务)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04 04:10:00
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('daily_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('job', sa.String(length=64), nullable=False),
    sa.Column('attempt', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('summary', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('changed', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('by', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_daily_runs')),
    sa.UniqueConstraint('day', 'job', 'attempt', name=op.f('uq_daily_runs_day_job_attempt'))
    )
    with op.batch_alter_table('daily_runs', schema=None) as batch_op:
        batch_op.create_index('ix_daily_runs_started_at', ['started_at'], unique=False)


def downgrade() -> None:
    op.drop_table('daily_runs')
