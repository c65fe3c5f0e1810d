"""rectifications: 限期整改 tasks and their events

Revision ID: 0033
Revises: 0021
Create Date: 2026-12-04 07:40:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0033'
down_revision = '0030'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('rectifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('body_id', sa.Integer(), nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('category_code', sa.String(length=50), nullable=False),
    sa.Column('act_date', sa.Date(), nullable=False),
    sa.Column('opened_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('explanation', sa.Text(), nullable=True),
    sa.Column('explained_on', sa.Date(), nullable=True),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('closed_by', sa.String(length=100), nullable=True),
    sa.Column('escalated_on', sa.Date(), nullable=True),
    sa.Column('escalated_to_id', sa.Integer(), nullable=True),
    sa.Column('escalated_region', sa.String(length=6), nullable=True),
    sa.Column('persons_done', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['body_id'], ['subjects.id'], name=op.f('fk_rectifications_body_id_subjects')),
    sa.ForeignKeyConstraint(['escalated_to_id'], ['subjects.id'], name=op.f('fk_rectifications_escalated_to_id_subjects')),
    sa.ForeignKeyConstraint(['record_id'], ['records.id'], name=op.f('fk_rectifications_record_id_records')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rectifications')),
    sa.UniqueConstraint('record_id', name=op.f('uq_rectifications_record_id'))
    )
    op.create_index('ix_rectifications_body_id', 'rectifications', ['body_id'], unique=False)
    op.create_index('ix_rectifications_region_status', 'rectifications', ['region_code', 'status'], unique=False)
    op.create_index('ix_rectifications_status_due', 'rectifications', ['status', 'due_on'], unique=False)
    op.create_table('rectification_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rectification_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('by', sa.String(length=100), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('evidence', sa.Text(), nullable=True),
    sa.Column('count', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['rectification_id'], ['rectifications.id'],
                            name=op.f('fk_rectification_events_rectification_id_rectifications')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rectification_events'))
    )
    op.create_index('ix_rectification_events_rect', 'rectification_events', ['rectification_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_rectification_events_rect', table_name='rectification_events')
    op.drop_table('rectification_events')
    op.drop_index('ix_rectifications_status_due', table_name='rectifications')
    op.drop_index('ix_rectifications_region_status', table_name='rectifications')
    op.drop_index('ix_rectifications_body_id', table_name='rectifications')
    op.drop_table('rectifications')
