"""commitments: the register of 信用承诺

Revision ID: 0021
Revises: 0025
Create Date: 2026-12-04 05:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0021'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('commitments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('matter', sa.String(length=200), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('liability', sa.Text(), nullable=True),
    sa.Column('service_area', sa.String(length=20), nullable=True),
    sa.Column('list_kind', sa.String(length=20), nullable=True),
    sa.Column('list_item', sa.String(length=200), nullable=True),
    sa.Column('accepting_unit', sa.String(length=200), nullable=False),
    sa.Column('accepting_code', sa.String(length=18), nullable=False),
    sa.Column('disclosure', sa.String(length=10), nullable=False),
    sa.Column('made_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('status_on', sa.Date(), nullable=True),
    sa.Column('status_reason', sa.Text(), nullable=True),
    sa.Column('evidence', sa.Text(), nullable=True),
    sa.Column('breach_record_id', sa.Integer(), nullable=True),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['breach_record_id'], ['records.id'], name=op.f('fk_commitments_breach_record_id_records')),
    sa.ForeignKeyConstraint(['subject_id'], ['subjects.id'], name=op.f('fk_commitments_subject_id_subjects')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_commitments')),
    sa.UniqueConstraint('code', name=op.f('uq_commitments_code'))
    )
    op.create_index('ix_commitments_region_status', 'commitments', ['region_code', 'status'], unique=False)
    op.create_index('ix_commitments_status_due', 'commitments', ['status', 'due_on'], unique=False)
    op.create_index('ix_commitments_subject_id', 'commitments', ['subject_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_commitments_subject_id', table_name='commitments')
    op.drop_index('ix_commitments_status_due', table_name='commitments')
    op.drop_index('ix_commitments_region_status', table_name='commitments')
    op.drop_table('commitments')
