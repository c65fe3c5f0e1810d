"""supervision: the supervision inputs of government bodies (supervision_inputs)

Superior inspections and assessment results, NPC suggestions and CPPCC proposals with their
handling, judicial suggestions with their replies, public appraisal scores and third-party
ratings (国发〔2016〕76号 三; 浙政办发〔2017〕75号 政务 二(二); 温政办〔2017〕71号 四(二)), one row per
body and document, in one table (xinyong.supervision.models).

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-04 05:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'supervision_inputs',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('kind', sa.String(20), nullable=False),
        sa.Column('body_id', sa.Integer(), sa.ForeignKey('subjects.id'), nullable=False),
        sa.Column('region_code', sa.String(6), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('natural_key', sa.String(400), nullable=False),
        sa.Column('category', sa.String(20), nullable=True),
        sa.Column('source', sa.String(200), nullable=True),
        sa.Column('ref_no', sa.String(100), nullable=True),
        sa.Column('title', sa.String(200), nullable=True),
        sa.Column('issued_on', sa.Date(), nullable=True),
        sa.Column('deadline', sa.Date(), nullable=True),
        sa.Column('done_on', sa.Date(), nullable=True),
        sa.Column('on_time', sa.Boolean(), nullable=True),
        sa.Column('adopted', sa.Boolean(), nullable=True),
        sa.Column('satisfied', sa.Boolean(), nullable=True),
        sa.Column('score', sa.Float(), nullable=True),
        sa.Column('result', sa.String(50), nullable=True),
        sa.Column('note', sa.String(1000), nullable=True),
        sa.Column('created_by', sa.String(100), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.UniqueConstraint('kind', 'body_id', 'natural_key', name='uq_supervision_inputs_key'),
    )
    op.create_index('ix_supervision_inputs_region_year', 'supervision_inputs', ['region_code', 'year'])
    op.create_index('ix_supervision_inputs_kind_deadline', 'supervision_inputs', ['kind', 'deadline'])
    op.create_index('ix_supervision_inputs_body_id', 'supervision_inputs', ['body_id'])


def downgrade() -> None:
    op.drop_index('ix_supervision_inputs_body_id', table_name='supervision_inputs')
    op.drop_index('ix_supervision_inputs_kind_deadline', table_name='supervision_inputs')
    op.drop_index('ix_supervision_inputs_region_year', table_name='supervision_inputs')
    op.drop_table('supervision_inputs')
