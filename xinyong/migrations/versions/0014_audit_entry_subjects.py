"""audit: the subjects each audit entry concerns beyond its own subject column

An inbox view or a batch check concerns several subjects; ``audit_entry_subjects`` names them,
one row per (entry, subject), so that a subject's 谁查询了我 view finds every entry that read,
checked or revealed it with an index probe, not a scan of the entries' JSON. Append-only, like
``audit_entries``: UPDATE and DELETE are refused by triggers on both databases.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 04:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

SEQ = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')

PG_APPEND_ONLY = [
    """CREATE OR REPLACE FUNCTION audit_entry_subjects_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_entry_subjects is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql""",
    """CREATE TRIGGER audit_entry_subjects_no_update BEFORE UPDATE ON audit_entry_subjects
FOR EACH ROW EXECUTE FUNCTION audit_entry_subjects_append_only()""",
    """CREATE TRIGGER audit_entry_subjects_no_delete BEFORE DELETE ON audit_entry_subjects
FOR EACH ROW EXECUTE FUNCTION audit_entry_subjects_append_only()""",
]
SQLITE_APPEND_ONLY = [
    """CREATE TRIGGER audit_entry_subjects_no_update BEFORE UPDATE ON audit_entry_subjects
BEGIN SELECT RAISE(ABORT, 'audit_entry_subjects is append-only: UPDATE refused'); END""",
    """CREATE TRIGGER audit_entry_subjects_no_delete BEFORE DELETE ON audit_entry_subjects
BEGIN SELECT RAISE(ABORT, 'audit_entry_subjects is append-only: DELETE refused'); END""",
]


def upgrade() -> None:
    op.create_table('audit_entry_subjects',
    sa.Column('seq', SEQ, autoincrement=False, nullable=False),
    sa.Column('subject_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.ForeignKeyConstraint(['seq'], ['audit_entries.seq'], name=op.f('fk_audit_entry_subjects_seq_audit_entries')),
    sa.PrimaryKeyConstraint('seq', 'subject_id', name=op.f('pk_audit_entry_subjects'))
    )
    op.create_index('ix_audit_entry_subjects_subject_seq', 'audit_entry_subjects', ['subject_id', 'seq'], unique=False)
    dialect = op.get_bind().dialect.name
    for sql in PG_APPEND_ONLY if dialect == 'postgresql' else SQLITE_APPEND_ONLY:
        op.execute(sql)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    on = ' ON audit_entry_subjects' if dialect == 'postgresql' else ''
    op.execute('DROP TRIGGER IF EXISTS audit_entry_subjects_no_update' + on)
    op.execute('DROP TRIGGER IF EXISTS audit_entry_subjects_no_delete' + on)
    if dialect == 'postgresql':
        op.execute('DROP FUNCTION IF EXISTS audit_entry_subjects_append_only()')
    op.drop_index('ix_audit_entry_subjects_subject_seq', table_name='audit_entry_subjects')
    op.drop_table('audit_entry_subjects')
