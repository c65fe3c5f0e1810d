"""subject_grades.origin: grades written by evaluation runs beat grades loaded from a file

Revision ID: 0036
Revises: 0021
Create Date: 2026-12-04 07:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0036'
down_revision = '0032'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('subject_grades') as batch:
        batch.add_column(sa.Column('origin', sa.String(length=20), server_default='file', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('subject_grades') as batch:
        batch.drop_column('origin')
