"""audit log and identity numbers encrypted at rest

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 14:45:00
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

SEQ = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')

# audit_entries is append-only: UPDATE and DELETE are refused by triggers on both databases.
PG_APPEND_ONLY = [
    """CREATE OR REPLACE FUNCTION audit_entries_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_entries is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql""",
    """CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries
FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only()""",
    """CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries
FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only()""",
]
SQLITE_APPEND_ONLY = [
    """CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries
BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only: UPDATE refused'); END""",
    """CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries
BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only: DELETE refused'); END""",
]


def upgrade() -> None:
    op.create_table('audit_entries',
    sa.Column('seq', SEQ, autoincrement=False, nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('username', sa.String(length=100), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=True),
    sa.Column('via', sa.String(length=10), nullable=True),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('entity', sa.String(length=50), nullable=False),
    sa.Column('entity_id', sa.String(length=200), nullable=True),
    sa.Column('subject_id', sa.Integer(), nullable=True),
    sa.Column('purpose', sa.String(length=500), nullable=True),
    sa.Column('request_id', sa.String(length=128), nullable=True),
    sa.Column('ip', sa.String(length=45), nullable=True),
    sa.Column('before', JSON, nullable=True),
    sa.Column('after', JSON, nullable=True),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_audit_entries'))
    )
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.create_index('ix_audit_entries_action_at', ['action', 'at'], unique=False)
        batch_op.create_index('ix_audit_entries_at', ['at'], unique=False)
        batch_op.create_index('ix_audit_entries_subject_at', ['subject_id', 'at'], unique=False)
        batch_op.create_index('ix_audit_entries_username_at', ['username', 'at'], unique=False)

    op.create_table('audit_chain_head',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('seq', SEQ, nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_chain_head'))
    )
    op.execute("INSERT INTO audit_chain_head (id, seq, hash) VALUES (1, 0, '" + "0" * 64 + "')")

    dialect = op.get_bind().dialect.name
    for ddl in PG_APPEND_ONLY if dialect == 'postgresql' else SQLITE_APPEND_ONLY:
        op.execute(ddl)

    # Identity numbers at rest: subjects.code and legal_rep_code become keyed hashes (64 hex
    # digits), the numbers themselves move to *_cipher (SM4-GCM). SQLite does not enforce
    # VARCHAR lengths and cannot alter a column without rebuilding the table (which its foreign
    # keys forbid once records exist), so the widening is PostgreSQL's only.
    if dialect == 'postgresql':
        op.alter_column('subjects', 'code', existing_type=sa.String(length=18), type_=sa.String(length=64),
                        existing_nullable=False)
        op.alter_column('subjects', 'legal_rep_code', existing_type=sa.String(length=18),
                        type_=sa.String(length=64), existing_nullable=True)
    else:
        _sqlite_widen_codes()
    op.add_column('subjects', sa.Column('code_cipher', sa.String(length=120), nullable=True))
    op.add_column('subjects', sa.Column('legal_rep_cipher', sa.String(length=120), nullable=True))
    op.create_index('ix_subjects_legal_rep_code', 'subjects', ['legal_rep_code'], unique=False)
    _protect_existing_codes()


def _sqlite_widen_codes() -> None:
    """Declare the two columns VARCHAR(64) on SQLite too. SQLite ignores declared lengths, so
    only the text of the table's definition changes (the procedure SQLite's documentation gives
    for changes that leave the stored data as it is, "writable_schema"); rebuilding the table
    instead would break the foreign keys of posts and records."""
    bind = op.get_bind()
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    bind.exec_driver_sql(
        "UPDATE sqlite_master SET sql = replace(replace(sql, 'code VARCHAR(18) NOT NULL', 'code VARCHAR(64) NOT NULL'), "
        "'legal_rep_code VARCHAR(18)', 'legal_rep_code VARCHAR(64)') WHERE type = 'table' AND name = 'subjects'"
    )
    bind.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")
    sql = bind.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'subjects'").scalar()
    if 'code VARCHAR(64) NOT NULL' not in sql:  # pragma: no cover - a definition written otherwise
        raise RuntimeError("could not widen subjects.code on SQLite: " + sql)


def _protect_existing_codes() -> None:
    """Data migration: plain identity numbers already stored become keys and ciphertexts
    (xinyong.subjects.migration; needs the key ring, which `xinyong init` creates first)."""
    bind = op.get_bind()
    held = bind.execute(sa.text(
        "SELECT (SELECT count(*) FROM subjects) + (SELECT count(*) FROM records)")).scalar()
    if not held:  # a new database: nothing stored in plain
        return
    from xinyong.subjects.migration import protect_existing

    protect_existing(bind)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.execute('DROP TRIGGER IF EXISTS audit_entries_no_update' + (' ON audit_entries' if dialect == 'postgresql' else ''))
    op.execute('DROP TRIGGER IF EXISTS audit_entries_no_delete' + (' ON audit_entries' if dialect == 'postgresql' else ''))
    if dialect == 'postgresql':
        op.execute('DROP FUNCTION IF EXISTS audit_entries_append_only()')
    op.drop_index('ix_subjects_legal_rep_code', table_name='subjects')
    op.drop_column('subjects', 'legal_rep_cipher')
    op.drop_column('subjects', 'code_cipher')
    op.drop_table('audit_chain_head')
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_entries_username_at')
        batch_op.drop_index('ix_audit_entries_subject_at')
        batch_op.drop_index('ix_audit_entries_at')
        batch_op.drop_index('ix_audit_entries_action_at')
    op.drop_table('audit_entries')
