"""redress: credit repair (信用修复), its steps and attachments

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-04 05:30:00
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    op.create_table(
        'repairs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('subject_id', sa.Integer(), nullable=False),
        sa.Column('record_id', sa.Integer(), nullable=False),
        sa.Column('region_code', sa.String(length=6), nullable=False),
        sa.Column('department_code', sa.String(length=18), nullable=True),
        sa.Column('department_name', sa.String(length=200), nullable=True),
        sa.Column('category_code', sa.String(length=50), nullable=False),
        sa.Column('severity', sa.String(length=20), nullable=True),
        sa.Column('reasons', sa.Text(), nullable=False),
        sa.Column('filed_by', sa.String(length=100), nullable=False),
        sa.Column('on_behalf', sa.Boolean(), nullable=False),
        sa.Column('filed_on', sa.Date(), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('conditions', JSON, nullable=False),
        sa.Column('commitment_text', sa.Text(), nullable=False),
        sa.Column('commitment_signed_on', sa.Date(), nullable=False),
        sa.Column('commitment_id', sa.Integer(), nullable=True),
        sa.Column('accept_due', sa.Date(), nullable=False),
        sa.Column('accepted_on', sa.Date(), nullable=True),
        sa.Column('decide_due', sa.Date(), nullable=True),
        sa.Column('due_provisional', sa.Boolean(), nullable=False),
        sa.Column('decided_on', sa.Date(), nullable=True),
        sa.Column('decided_by', sa.String(length=100), nullable=True),
        sa.Column('outcome_reasons', sa.Text(), nullable=True),
        sa.Column('record_status_before', sa.String(length=20), nullable=True),
        sa.Column('ended_entries', JSON, nullable=False),
        sa.Column('revoked_on', sa.Date(), nullable=True),
        sa.Column('revoked_by', sa.String(length=100), nullable=True),
        sa.Column('revoke_reasons', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['subject_id'], ['subjects.id']),
        sa.ForeignKeyConstraint(['record_id'], ['records.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_repairs_subject_id', 'repairs', ['subject_id'])
    op.create_index('ix_repairs_record_id', 'repairs', ['record_id'])
    op.create_index('ix_repairs_status_region', 'repairs', ['status', 'region_code'])
    op.create_table(
        'repair_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('repair_id', sa.Integer(), nullable=False),
        sa.Column('action', sa.String(length=12), nullable=False),
        sa.Column('on', sa.Date(), nullable=False),
        sa.Column('by', sa.String(length=100), nullable=False),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['repair_id'], ['repairs.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_repair_events_repair_id', 'repair_events', ['repair_id'])
    op.create_table(
        'repair_attachments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('repair_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=12), nullable=False),
        sa.Column('file_name', sa.String(length=255), nullable=False),
        sa.Column('media_type', sa.String(length=40), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('uploaded_by', sa.String(length=100), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['repair_id'], ['repairs.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_repair_attachments_repair_id', 'repair_attachments', ['repair_id'])


def downgrade() -> None:
    op.drop_index('ix_repair_attachments_repair_id', table_name='repair_attachments')
    op.drop_table('repair_attachments')
    op.drop_index('ix_repair_events_repair_id', table_name='repair_events')
    op.drop_table('repair_events')
    op.drop_index('ix_repairs_status_region', table_name='repairs')
    op.drop_index('ix_repairs_record_id', table_name='repairs')
    op.drop_index('ix_repairs_subject_id', table_name='repairs')
    op.drop_table('repairs')
