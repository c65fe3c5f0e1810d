"""redress: self-corrections for leniency (从轻、减轻、免于惩戒), why a check's measure was
softened, and a repair sent to the record's source department for verification

Revision ID: 0031
Revises: 0021
Create Date: 2026-12-04 07:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0031'
down_revision = '0036'
branch_labels = None
depends_on = None

REPAIR_COLUMNS = ('sent_on', 'sent_due', 'dept_answer', 'dept_reasons', 'dept_answered_on', 'dept_answered_by')


def upgrade() -> None:
    op.create_table(
        'self_corrections',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('record_id', sa.Integer(), nullable=False),
        sa.Column('subject_id', sa.Integer(), nullable=False),
        sa.Column('region_code', sa.String(length=6), nullable=False),
        sa.Column('department_code', sa.String(length=18), nullable=True),
        sa.Column('kind', sa.String(length=30), nullable=False),
        sa.Column('corrected_on', sa.Date(), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('recorded_by', sa.String(length=100), nullable=False),
        sa.Column('recorded_as', sa.String(length=12), nullable=False),
        sa.Column('recorded_at', sa.DateTime(), nullable=False),
        sa.Column('evidence_name', sa.String(length=255), nullable=True),
        sa.Column('evidence_type', sa.String(length=40), nullable=True),
        sa.Column('evidence_size', sa.Integer(), nullable=True),
        sa.Column('evidence_sha256', sa.String(length=64), nullable=True),
        sa.Column('revoked_on', sa.Date(), nullable=True),
        sa.Column('revoked_by', sa.String(length=100), nullable=True),
        sa.Column('revoke_reasons', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['record_id'], ['records.id']),
        sa.ForeignKeyConstraint(['subject_id'], ['subjects.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_self_corrections_record_id', 'self_corrections', ['record_id'])
    op.create_index('ix_self_corrections_subject_id', 'self_corrections', ['subject_id'])
    with op.batch_alter_table('check_hits', schema=None) as batch_op:
        batch_op.add_column(sa.Column('leniency', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('waived', sa.Boolean(), server_default='0', nullable=False))
    with op.batch_alter_table('repairs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sent_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('sent_due', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('dept_answer', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('dept_reasons', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('dept_answered_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('dept_answered_by', sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('repairs', schema=None) as batch_op:
        for name in reversed(REPAIR_COLUMNS):
            batch_op.drop_column(name)
    with op.batch_alter_table('check_hits', schema=None) as batch_op:
        batch_op.drop_column('waived')
        batch_op.drop_column('leniency')
    op.drop_index('ix_self_corrections_subject_id', table_name='self_corrections')
    op.drop_index('ix_self_corrections_record_id', table_name='self_corrections')
    op.drop_table('self_corrections')
