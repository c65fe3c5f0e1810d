"""redress: complaints about government dishonesty (投诉举报) and their steps

Revision ID: 0030
Revises: 0021
Create Date: 2026-12-04 07:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0030'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'complaints',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('channel', sa.String(length=10), nullable=False),
        sa.Column('hotline_no', sa.String(length=40), nullable=True),
        sa.Column('tracking_hash', sa.String(length=64), nullable=False),
        sa.Column('anonymous', sa.Boolean(), nullable=False),
        sa.Column('complainant_name', sa.String(length=100), nullable=True),
        sa.Column('complainant_phone', sa.String(length=20), nullable=True),
        sa.Column('target_kind', sa.String(length=14), nullable=False),
        sa.Column('body_id', sa.Integer(), nullable=True),
        sa.Column('body_name', sa.String(length=200), nullable=False),
        sa.Column('official_id', sa.Integer(), nullable=True),
        sa.Column('official_name', sa.String(length=100), nullable=True),
        sa.Column('behaviour_code', sa.String(length=60), nullable=False),
        sa.Column('account', sa.Text(), nullable=False),
        sa.Column('occurred_on', sa.Date(), nullable=True),
        sa.Column('origin_region', sa.String(length=6), nullable=False),
        sa.Column('region_code', sa.String(length=6), nullable=False),
        sa.Column('department_code', sa.String(length=18), nullable=True),
        sa.Column('department_name', sa.String(length=200), nullable=True),
        sa.Column('filed_on', sa.Date(), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('reply_due', sa.Date(), nullable=True),
        sa.Column('due_provisional', sa.Boolean(), nullable=False),
        sa.Column('escalations', sa.Integer(), nullable=False),
        sa.Column('escalated_on', sa.Date(), nullable=True),
        sa.Column('replied_on', sa.Date(), nullable=True),
        sa.Column('replied_by', sa.String(length=100), nullable=True),
        sa.Column('finding', sa.String(length=16), nullable=True),
        sa.Column('reply', sa.Text(), nullable=True),
        sa.Column('rate_due', sa.Date(), nullable=True),
        sa.Column('rating', sa.String(length=14), nullable=True),
        sa.Column('rating_note', sa.Text(), nullable=True),
        sa.Column('rated_on', sa.Date(), nullable=True),
        sa.Column('closed_on', sa.Date(), nullable=True),
        sa.Column('record_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['body_id'], ['subjects.id']),
        sa.ForeignKeyConstraint(['official_id'], ['subjects.id']),
        sa.ForeignKeyConstraint(['record_id'], ['records.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('hotline_no'),
        sa.UniqueConstraint('tracking_hash'),
    )
    op.create_index('ix_complaints_body_id', 'complaints', ['body_id'])
    op.create_index('ix_complaints_reply_due', 'complaints', ['reply_due'])
    op.create_index('ix_complaints_status_region', 'complaints', ['status', 'region_code'])
    op.create_table(
        'complaint_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('complaint_id', sa.Integer(), nullable=False),
        sa.Column('action', sa.String(length=12), nullable=False),
        sa.Column('on', sa.Date(), nullable=False),
        sa.Column('by', sa.String(length=100), nullable=False),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['complaint_id'], ['complaints.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_complaint_events_complaint_id', 'complaint_events', ['complaint_id'])


def downgrade() -> None:
    op.drop_index('ix_complaint_events_complaint_id', table_name='complaint_events')
    op.drop_table('complaint_events')
    op.drop_index('ix_complaints_reply_due', table_name='complaints')
    op.drop_index('ix_complaints_body_id', table_name='complaints')
    op.drop_index('ix_complaints_status_region', table_name='complaints')
    op.drop_table('complaints')
