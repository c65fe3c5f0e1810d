"""lists and checks: list entries, checks, feedback

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 14:45:00
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('check_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scenario_code', sa.String(length=60), nullable=False),
    sa.Column('purpose', sa.String(length=500), nullable=False),
    sa.Column('username', sa.String(length=100), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=True),
    sa.Column('department_code', sa.String(length=18), nullable=True),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('file_name', sa.String(length=500), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.Column('stage', sa.String(length=100), nullable=True),
    sa.Column('hits', sa.Integer(), nullable=False),
    sa.Column('possible', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('result_path', sa.String(length=500), nullable=True),
    sa.Column('policy_version_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['policy_version_id'], ['policy_versions.id'], name=op.f('fk_check_batches_policy_version_id_policy_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_check_batches'))
    )
    op.create_table('subject_grades',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('grade', sa.String(length=20), nullable=False),
    sa.Column('score', sa.Numeric(precision=8, scale=2), nullable=True),
    sa.Column('graded_on', sa.Date(), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['subject_id'], ['subjects.id'], name=op.f('fk_subject_grades_subject_id_subjects')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subject_grades'))
    )
    with op.batch_alter_table('subject_grades', schema=None) as batch_op:
        batch_op.create_index('ix_subject_grades_subject_graded', ['subject_id', 'graded_on'], unique=False)

    op.create_table('check_candidates',
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('row_no', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('code_key', sa.String(length=64), nullable=True),
    sa.Column('code_shown', sa.String(length=40), nullable=True),
    sa.Column('code_ok', sa.Boolean(), nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=True),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['check_batches.id'], name=op.f('fk_check_candidates_batch_id_check_batches')),
    sa.PrimaryKeyConstraint('batch_id', 'row_no', name=op.f('pk_check_candidates'))
    )
    with op.batch_alter_table('check_candidates', schema=None) as batch_op:
        batch_op.create_index('ix_check_candidates_code_key', ['code_key'], unique=False)

    op.create_table('checks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=True),
    sa.Column('row_no', sa.Integer(), nullable=True),
    sa.Column('scenario_code', sa.String(length=60), nullable=False),
    sa.Column('purpose', sa.String(length=500), nullable=False),
    sa.Column('username', sa.String(length=100), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=True),
    sa.Column('department_code', sa.String(length=18), nullable=True),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('policy_version_id', sa.Integer(), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=True),
    sa.Column('candidate_name', sa.String(length=200), nullable=True),
    sa.Column('code_key', sa.String(length=64), nullable=True),
    sa.Column('match', sa.String(length=10), nullable=False),
    sa.Column('outcome_kind', sa.String(length=10), nullable=False),
    sa.Column('outcome', sa.String(length=200), nullable=False),
    sa.Column('hit_count', sa.Integer(), nullable=False),
    sa.Column('mandatory_count', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('feedback_action', sa.String(length=12), nullable=True),
    sa.Column('feedback_note', sa.Text(), nullable=True),
    sa.Column('feedback_by', sa.String(length=100), nullable=True),
    sa.Column('feedback_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['check_batches.id'], name=op.f('fk_checks_batch_id_check_batches')),
    sa.ForeignKeyConstraint(['policy_version_id'], ['policy_versions.id'], name=op.f('fk_checks_policy_version_id_policy_versions')),
    sa.ForeignKeyConstraint(['subject_id'], ['subjects.id'], name=op.f('fk_checks_subject_id_subjects')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checks'))
    )
    with op.batch_alter_table('checks', schema=None) as batch_op:
        batch_op.create_index('ix_checks_batch_row', ['batch_id', 'row_no'], unique=False)
        batch_op.create_index('ix_checks_created_at', ['created_at'], unique=False)
        batch_op.create_index('ix_checks_subject_id', ['subject_id'], unique=False)

    op.create_table('check_hits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('check_id', sa.Integer(), nullable=False),
    sa.Column('measure_code', sa.String(length=60), nullable=False),
    sa.Column('measure_type', sa.String(length=10), nullable=False),
    sa.Column('mandatory', sa.Boolean(), nullable=False),
    sa.Column('via', sa.String(length=12), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=True),
    sa.Column('target_subject_id', sa.Integer(), nullable=True),
    sa.Column('role', sa.String(length=24), nullable=True),
    sa.Column('applied', sa.Boolean(), nullable=True),
    sa.ForeignKeyConstraint(['check_id'], ['checks.id'], name=op.f('fk_check_hits_check_id_checks')),
    sa.ForeignKeyConstraint(['target_subject_id'], ['subjects.id'], name=op.f('fk_check_hits_target_subject_id_subjects')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_check_hits'))
    )
    with op.batch_alter_table('check_hits', schema=None) as batch_op:
        batch_op.create_index('ix_check_hits_check_id', ['check_id'], unique=False)

    op.create_table('list_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('list_kind', sa.String(length=12), nullable=False),
    sa.Column('basis', sa.String(length=10), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=True),
    sa.Column('behaviour_code', sa.String(length=60), nullable=True),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('decision_no', sa.String(length=200), nullable=True),
    sa.Column('decided_by', sa.String(length=200), nullable=True),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('notified_on', sa.Date(), nullable=True),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('listed_until', sa.Date(), nullable=True),
    sa.Column('statement', sa.Text(), nullable=True),
    sa.Column('statement_on', sa.Date(), nullable=True),
    sa.Column('statement_result', sa.String(length=10), nullable=True),
    sa.Column('removed_on', sa.Date(), nullable=True),
    sa.Column('removal_reason', sa.String(length=20), nullable=True),
    sa.Column('removal_decision_no', sa.String(length=200), nullable=True),
    sa.Column('policy_version_id', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['policy_version_id'], ['policy_versions.id'], name=op.f('fk_list_entries_policy_version_id_policy_versions')),
    sa.ForeignKeyConstraint(['record_id'], ['records.id'], name=op.f('fk_list_entries_record_id_records')),
    sa.ForeignKeyConstraint(['subject_id'], ['subjects.id'], name=op.f('fk_list_entries_subject_id_subjects')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_list_entries'))
    )
    with op.batch_alter_table('list_entries', schema=None) as batch_op:
        batch_op.create_index('ix_list_entries_kind_status_region', ['list_kind', 'status', 'region_code'], unique=False)
        batch_op.create_index('ix_list_entries_record_id', ['record_id'], unique=False)
        batch_op.create_index('ix_list_entries_subject_status', ['subject_id', 'status'], unique=False)

    op.create_table('list_entry_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('by', sa.String(length=100), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.Column('decision_no', sa.String(length=200), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['list_entries.id'], name=op.f('fk_list_entry_events_entry_id_list_entries')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_list_entry_events'))
    )
    with op.batch_alter_table('list_entry_events', schema=None) as batch_op:
        batch_op.create_index('ix_list_entry_events_entry_id', ['entry_id'], unique=False)


def downgrade() -> None:
    for name in ('list_entry_events', 'list_entries', 'check_hits', 'checks', 'check_candidates',
                 'subject_grades', 'check_batches'):
        op.drop_table(name)
