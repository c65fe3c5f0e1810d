"""disclosure: authorized queries (authorization codes) and OpenID Connect logins

Revision ID: 0035
Revises: 0021
Create Date: 2026-12-04 07:30:00
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0035'
down_revision = '0033'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('authorization_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=8), nullable=False),
    sa.Column('recipient', sa.String(length=100), nullable=False),
    sa.Column('purpose', sa.String(length=200), nullable=False),
    sa.Column('scope', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('max_reads', sa.Integer(), nullable=False),
    sa.Column('reads_used', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_read_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['subject_id'], ['subjects.id'], name=op.f('fk_authorization_codes_subject_id_subjects')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_authorization_codes_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_authorization_codes')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_authorization_codes_code_hash'))
    )
    op.create_index('ix_authorization_codes_subject_id', 'authorization_codes', ['subject_id'], unique=False)
    op.create_table('oidc_logins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('state_hash', sa.String(length=64), nullable=False),
    sa.Column('nonce', sa.String(length=64), nullable=False),
    sa.Column('code_verifier', sa.String(length=128), nullable=False),
    sa.Column('next_url', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_oidc_logins')),
    sa.UniqueConstraint('state_hash', name=op.f('uq_oidc_logins_state_hash'))
    )


def downgrade() -> None:
    op.drop_table('oidc_logins')
    op.drop_index('ix_authorization_codes_subject_id', table_name='authorization_codes')
    op.drop_table('authorization_codes')
