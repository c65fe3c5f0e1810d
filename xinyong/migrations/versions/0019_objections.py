"""redress: objections (异议), their steps and attachments

Revision ID: 0019
Revises: 0015
Create Date: 2026-12-04 04:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'objections',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('subject_id', sa.Integer(), nullable=False),
        sa.Column('record_id', sa.Integer(), nullable=True),
        sa.Column('entry_id', sa.Integer(), nullable=True),
        sa.Column('region_code', sa.String(length=6), nullable=False),
        sa.Column('department_code', sa.String(length=18), nullable=True),
        sa.Column('department_name', sa.String(length=200), nullable=True),
        sa.Column('grounds', sa.String(length=20), nullable=False),
        sa.Column('reasons', sa.Text(), nullable=False),
        sa.Column('new_facts', sa.Text(), nullable=True),
        sa.Column('filed_by', sa.String(length=100), nullable=False),
        sa.Column('on_behalf', sa.Boolean(), nullable=False),
        sa.Column('filed_on', sa.Date(), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('record_status_before', sa.String(length=20), nullable=True),
        sa.Column('accept_due', sa.Date(), nullable=False),
        sa.Column('accepted_on', sa.Date(), nullable=True),
        sa.Column('decide_due', sa.Date(), nullable=True),
        sa.Column('due_provisional', sa.Boolean(), nullable=False),
        sa.Column('sent_on', sa.Date(), nullable=True),
        sa.Column('decided_on', sa.Date(), nullable=True),
        sa.Column('decided_by', sa.String(length=100), nullable=True),
        sa.Column('outcome', sa.String(length=12), nullable=True),
        sa.Column('outcome_reasons', sa.Text(), nullable=True),
        sa.Column('closed_on', sa.Date(), nullable=True),
        sa.Column('earlier_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['subject_id'], ['subjects.id']),
        sa.ForeignKeyConstraint(['record_id'], ['records.id']),
        sa.ForeignKeyConstraint(['entry_id'], ['list_entries.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_objections_subject_id', 'objections', ['subject_id'])
    op.create_index('ix_objections_record_id', 'objections', ['record_id'])
    op.create_index('ix_objections_entry_id', 'objections', ['entry_id'])
    op.create_index('ix_objections_status_region', 'objections', ['status', 'region_code'])
    op.create_table(
        'objection_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('objection_id', sa.Integer(), nullable=False),
        sa.Column('action', sa.String(length=12), nullable=False),
        sa.Column('on', sa.Date(), nullable=False),
        sa.Column('by', sa.String(length=100), nullable=False),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['objection_id'], ['objections.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_objection_events_objection_id', 'objection_events', ['objection_id'])
    op.create_table(
        'objection_attachments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('objection_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=12), nullable=False),
        sa.Column('file_name', sa.String(length=255), nullable=False),
        sa.Column('media_type', sa.String(length=40), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('uploaded_by', sa.String(length=100), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['objection_id'], ['objections.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_objection_attachments_objection_id', 'objection_attachments', ['objection_id'])


def downgrade() -> None:
    op.drop_index('ix_objection_attachments_objection_id', table_name='objection_attachments')
    op.drop_table('objection_attachments')
    op.drop_index('ix_objection_events_objection_id', table_name='objection_events')
    op.drop_table('objection_events')
    for name in ('ix_objections_status_region', 'ix_objections_entry_id', 'ix_objections_record_id',
                 'ix_objections_subject_id'):
        op.drop_index(name, table_name='objections')
    op.drop_table('objections')
