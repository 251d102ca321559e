"""budgets: budget lines per funding stream and financial year, their overrides, variations, payment schedules

Revision ID: 0012
Revises: 0008
Create Date: 2026-12-02 02:00:00

All new tables: existing awards have no schedule and no variations, and no stream has a budget until an
administrator sets one (see README, Budgets and controls).
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision = '0012'
down_revision = '0008'
branch_labels = None
depends_on = None


def _who() -> list[sa.Column]:
    return [
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        'budget_line',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('funding_stream_code', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('allocated_pence', sa.BigInteger(), nullable=False),
        sa.Column('note', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('is_example', sa.Boolean(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        *_who(),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('updated_by', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(['funding_stream_code'], ['funding_stream.code']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('funding_stream_code', 'year', name='uq_budget_line_stream_year'),
    )
    op.create_index('ix_budget_line_funding_stream_code', 'budget_line', ['funding_stream_code'])
    op.create_index('ix_budget_line_year', 'budget_line', ['year'])
    op.create_index('ix_budget_line_is_example', 'budget_line', ['is_example'])
    op.create_table(
        'budget_override',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('funding_stream_code', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('award_id', sa.Integer(), nullable=True),
        sa.Column('over_by_pence', sa.BigInteger(), nullable=False),
        sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        *_who(),
        sa.ForeignKeyConstraint(['award_id'], ['award.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_budget_override_funding_stream_code', 'budget_override', ['funding_stream_code'])
    op.create_index('ix_budget_override_year', 'budget_override', ['year'])
    op.create_index('ix_budget_override_award_id', 'budget_override', ['award_id'])
    op.create_table(
        'award_variation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('award_id', sa.Integer(), nullable=False),
        sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column('from_version', sa.Integer(), nullable=False),
        sa.Column('changes', sa.JSON(), nullable=False),
        sa.Column('data', sa.JSON(), nullable=False),
        sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('proposed_by', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('proposed_at', sa.DateTime(), nullable=False),
        sa.Column('decided_by', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.Column('decision_note', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['award_id'], ['award.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_award_variation_award_id', 'award_variation', ['award_id'])
    op.create_index('ix_award_variation_status', 'award_variation', ['status'])
    op.create_table(
        'payment_schedule',
        sa.Column('award_id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('updated_by', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(['award_id'], ['award.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('award_id'),
    )
    op.create_table(
        'instalment',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('award_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('amount_pence', sa.BigInteger(), nullable=False),
        sa.Column('return_period', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.ForeignKeyConstraint(['award_id'], ['award.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_instalment_award_id', 'instalment', ['award_id'])
    op.create_index('ix_instalment_due_on', 'instalment', ['due_on'])


def downgrade() -> None:
    for table in ('instalment', 'payment_schedule', 'award_variation', 'budget_override', 'budget_line'):
        op.drop_table(table)
