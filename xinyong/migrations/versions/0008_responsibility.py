"""subjects: designations — who is a body's legal representative, principal or financial head, when;
records: record_persons — the persons a record's decision names (直接责任人员)

A measure that reaches the persons who answer for a body reached them by words in their post's
title (a court's 书记员 matched 书记) and on the day of the check (a principal who took the post
after the breach was reached, the one who held it was not). Who answers for a body is now a
registered fact with its dates, one row per person, body, role and period; and the directly
responsible persons are those the decision names, indexed by the keyed hash of their numbers.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 17:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'designations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('body_id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('role', sa.String(length=20), nullable=False),
        sa.Column('start_date', sa.Date(), nullable=False),
        sa.Column('end_date', sa.Date(), nullable=True),
        sa.Column('basis', sa.String(length=200), nullable=True),
        sa.Column('created_by', sa.String(length=100), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['body_id'], ['subjects.id'], name=op.f('fk_designations_body_id_subjects')),
        sa.ForeignKeyConstraint(['person_id'], ['subjects.id'], name=op.f('fk_designations_person_id_subjects')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_designations')),
    )
    op.create_index('ix_designations_person_id', 'designations', ['person_id'], unique=False)
    op.create_index('ix_designations_body_role', 'designations', ['body_id', 'role'], unique=False)
    op.create_table(
        'record_persons',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('record_id', sa.Integer(), nullable=False),
        sa.Column('fact', sa.String(length=50), nullable=False),
        sa.Column('person_key', sa.String(length=64), nullable=False),
        sa.Column('person_masked', sa.String(length=18), nullable=False),
        sa.ForeignKeyConstraint(['record_id'], ['records.id'], name=op.f('fk_record_persons_record_id_records')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_record_persons')),
    )
    op.create_index('ix_record_persons_person_key', 'record_persons', ['person_key'], unique=False)
    op.create_index('ix_record_persons_record_id', 'record_persons', ['record_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_record_persons_record_id', table_name='record_persons')
    op.drop_index('ix_record_persons_person_key', table_name='record_persons')
    op.drop_table('record_persons')
    op.drop_index('ix_designations_body_role', table_name='designations')
    op.drop_index('ix_designations_person_id', table_name='designations')
    op.drop_table('designations')
