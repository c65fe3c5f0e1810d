"""records: an index on (category_code, department_code, display_until) for the portal's 双公示
department list (each department of a category found by a skip through the index and one shown
row of it looked up, not every shown record of the category read)

Revision ID: 0040
Revises: 0039
Create Date: 2026-12-04 12:00:00
"""
from alembic import op

revision = '0040'
down_revision = '0039'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_records_category_department', 'records', ['category_code', 'department_code', 'display_until'],
                    unique=False)


def downgrade() -> None:
    op.drop_index('ix_records_category_department', table_name='records')
