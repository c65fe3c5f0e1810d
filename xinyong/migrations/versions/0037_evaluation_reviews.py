"""evaluation reviews: the model review report of a run

Per run: distributions per indicator and dimension, grade shares per region, stability against
the previous run (PSI), and where outcomes are known, discrimination (AUC, KS) of the expert
score beside a fitted WOE + logistic regression model.

Revision ID: 0037
Revises: 0021
Create Date: 2026-12-04 07:20:00
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0037'
down_revision = '0035'
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    op.create_table(
        'evaluation_reviews',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('run_id', sa.Integer(), sa.ForeignKey('evaluation_runs.id'), nullable=False),
        sa.Column('previous_run_id', sa.Integer(), sa.ForeignKey('evaluation_runs.id'), nullable=True),
        sa.Column('outcome_until', sa.Date(), nullable=False),
        sa.Column('subjects', sa.Integer(), nullable=False),
        sa.Column('outcomes', sa.Integer(), nullable=False),
        sa.Column('psi', sa.Float(), nullable=True),
        sa.Column('auc', sa.Float(), nullable=True),
        sa.Column('ks', sa.Float(), nullable=True),
        sa.Column('fitted_auc', sa.Float(), nullable=True),
        sa.Column('fitted_ks', sa.Float(), nullable=True),
        sa.Column('report', _JSON, nullable=False),
        sa.Column('created_by', sa.String(100), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
    )
    op.create_index('ix_evaluation_reviews_run', 'evaluation_reviews', ['run_id'], unique=True)


def downgrade() -> None:
    op.drop_index('ix_evaluation_reviews_run', table_name='evaluation_reviews')
    op.drop_table('evaluation_reviews')
