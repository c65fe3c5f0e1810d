"""accounts: the deciding authorities a department may report for

A reporter's rows name a deciding authority (处罚机关, 许可机关) and carry a reporting
department; both were taken from the row, so a reporter could publish under another body's name.
They now come from the reporter's account: its department, and the authorities the credit office
registered for it (a bureau reporting for its sub-offices, 委托 enforcement). Each entry is
``{"code": USCC, "name": registered name}``; empty means the department reports only its own
decisions.

Revision ID: 0013
Revises: 0007
Create Date: 2026-12-02 17:20:00
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0013'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('departments') as batch:
        batch.add_column(sa.Column(
            'authorities', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'),
            nullable=False, server_default='[]'))


def downgrade() -> None:
    with op.batch_alter_table('departments') as batch:
        batch.drop_column('authorities')
