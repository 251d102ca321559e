"""aware timestamps: budgets' and rounds' date-times as `timestamp with time zone`, like every other table

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 15:00:00

Migrations 0012 and 0013 wrote these columns as plain `sa.DateTime()` while the models (and every earlier
migration) use SQLModel's UTCDateTime, which is `timestamp with time zone` on PostgreSQL. On a server whose
time zone is not UTC that read a saved time back shifted by the zone's offset. PostgreSQL only: SQLite
stores both the same way. The cast reads each stored time in the session's time zone, which is the zone
PostgreSQL wrote it in, so existing rows keep the instant they meant.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

COLUMNS = [
    ("budget_line", "created_at", False),
    ("budget_line", "updated_at", False),
    ("budget_override", "created_at", False),
    ("award_variation", "proposed_at", False),
    ("award_variation", "decided_at", True),
    ("payment_schedule", "updated_at", False),
    ("funding_round", "opened_at", True),
    ("funding_round", "created_at", False),
    ("funding_round", "updated_at", False),
    ("round_assessor", "assigned_at", False),
    ("application", "decided_at", True),
    ("application", "created_at", False),
    ("assessment", "updated_at", False),
    ("conflict_of_interest", "declared_at", False),
]


def _retype(old: sa.types.TypeEngine, new: sa.types.TypeEngine) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column, nullable in COLUMNS:
        op.alter_column(table, column, type_=new, existing_type=old, existing_nullable=nullable)


def upgrade() -> None:
    _retype(sa.DateTime(), sqlmodel.sql.sqltypes.UTCDateTime())


def downgrade() -> None:
    _retype(sqlmodel.sql.sqltypes.UTCDateTime(), sa.DateTime())
