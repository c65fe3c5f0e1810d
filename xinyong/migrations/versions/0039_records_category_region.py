"""records: an index on (category_code, region_code, display_until) for the portal's 双公示
listings, their counts and timeliness filtered by region (a region's records read through the
index, not every shown record of the category)

Revision ID: 0039
Revises: 0038
Create Date: 2026-12-04 11:20:00
"""
from alembic import op

revision = '0039'
down_revision = '0038'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_records_category_region', 'records', ['category_code', 'region_code', 'display_until'],
                    unique=False)


def downgrade() -> None:
    op.drop_index('ix_records_category_region', table_name='records')
