"""disclosure: the credit reports issued (number, verification code, SHA-256 of the PDF)

Revision ID: 0022
Revises: 0020
Create Date: 2026-12-04 05:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0022'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('credit_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('requester', sa.String(length=100), nullable=False),
    sa.Column('requester_role', sa.String(length=20), nullable=True),
    sa.Column('purpose', sa.String(length=200), nullable=False),
    sa.Column('masked', sa.Boolean(), nullable=False),
    sa.Column('issued_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['subject_id'], ['subjects.id'], name=op.f('fk_credit_reports_subject_id_subjects')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_reports')),
    sa.UniqueConstraint('number', name=op.f('uq_credit_reports_number'))
    )
    op.create_index(op.f('ix_credit_reports_sha256'), 'credit_reports', ['sha256'], unique=False)
    op.create_index(op.f('ix_credit_reports_subject_id'), 'credit_reports', ['subject_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_credit_reports_subject_id'), table_name='credit_reports')
    op.drop_index(op.f('ix_credit_reports_sha256'), table_name='credit_reports')
    op.drop_table('credit_reports')
