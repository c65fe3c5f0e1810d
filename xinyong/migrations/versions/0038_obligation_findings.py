"""obligations: findings the daily run proposes (arrears, overdue debt, agreements past due) and
the credit office confirms into records or refuses

Revision ID: 0038
Revises: 0034
Create Date: 2026-12-04 09:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0038'
down_revision = '0034'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('obl_findings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('row_id', sa.Integer(), nullable=False),
    sa.Column('body_id', sa.Integer(), nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('category', sa.String(length=60), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('amount', sa.Numeric(precision=16, scale=2), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('proposed_on', sa.Date(), nullable=False),
    sa.Column('decided_by', sa.String(length=100), nullable=True),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('record_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['body_id'], ['subjects.id'], ),
    sa.ForeignKeyConstraint(['record_id'], ['records.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_obl_findings_row', 'obl_findings', ['kind', 'row_id'], unique=True)
    op.create_index('ix_obl_findings_region_status', 'obl_findings', ['region_code', 'status'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_obl_findings_region_status', table_name='obl_findings')
    op.drop_index('ix_obl_findings_row', table_name='obl_findings')
    op.drop_table('obl_findings')
