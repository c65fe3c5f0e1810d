"""disclosure: typical cases (典型案例) the credit office marks for the public portal

Revision ID: 0034
Revises: 0021
Create Date: 2026-12-04 07:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0034'
down_revision = '0031'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('portal_typical_cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('marked_by', sa.String(length=100), nullable=False),
    sa.Column('marked_at', sa.DateTime(), nullable=False),
    sa.Column('withdrawn_by', sa.String(length=100), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['record_id'], ['records.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('record_id')
    )


def downgrade() -> None:
    op.drop_table('portal_typical_cases')
