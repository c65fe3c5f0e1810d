"""real-time push: subscriptions, webhook endpoints, the outbox

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 09:00:00
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('push_subscriptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('department_code', sa.String(length=18), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['department_code'], ['departments.code'], name=op.f('fk_push_subscriptions_department_code_departments')),
    sa.ForeignKeyConstraint(['subject_id'], ['subjects.id'], name=op.f('fk_push_subscriptions_subject_id_subjects')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_push_subscriptions')),
    sa.UniqueConstraint('department_code', 'subject_id', name=op.f('uq_push_subscriptions_department_code_subject_id'))
    )
    with op.batch_alter_table('push_subscriptions', schema=None) as batch_op:
        batch_op.create_index('ix_push_subscriptions_subject_id', ['subject_id'], unique=False)

    op.create_table('push_endpoints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('department_code', sa.String(length=18), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('secret_cipher', sa.Text(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('updated_by', sa.String(length=100), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['department_code'], ['departments.code'], name=op.f('fk_push_endpoints_department_code_departments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_push_endpoints')),
    sa.UniqueConstraint('department_code', name=op.f('uq_push_endpoints_department_code'))
    )

    op.create_table('push_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('department_code', sa.String(length=18), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('event', sa.String(length=20), nullable=False),
    sa.Column('ref_id', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=40), nullable=False),
    sa.Column('payload', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('delivered_at', sa.DateTime(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('acked_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['subject_id'], ['subjects.id'], name=op.f('fk_push_messages_subject_id_subjects')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_push_messages')),
    sa.UniqueConstraint('department_code', 'origin', name=op.f('uq_push_messages_department_code_origin'))
    )
    with op.batch_alter_table('push_messages', schema=None) as batch_op:
        batch_op.create_index('ix_push_messages_created_at', ['created_at'], unique=False)
        batch_op.create_index('ix_push_messages_delivery', ['delivered_at', 'next_attempt_at'], unique=False)
        batch_op.create_index('ix_push_messages_department_id', ['department_code', 'id'], unique=False)


def downgrade() -> None:
    for name in ('push_messages', 'push_endpoints', 'push_subscriptions'):
        op.drop_table(name)
