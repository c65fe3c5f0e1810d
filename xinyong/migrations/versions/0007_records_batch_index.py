"""records: an index on the batch that made each record's current version

The import hooks — the list refresh for the batch's records, the push of the batch's new and
changed records — read the records their batch added or changed. Without an index they read every
shown record of the batch's categories: on PostgreSQL at 1,000,000 records a batch of a few rows
spent 0.3 s (cold) scanning 200,000 index entries for one rule, and the cost grew with the table,
not with the batch. Batch ids only grow, so the index is appended to at its right-hand end.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 00:40:00
"""
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_records_batch_id', 'records', ['batch_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_records_batch_id', table_name='records')
