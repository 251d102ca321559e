"""trust: a version on every edited record; the audit log refuses a rewrite by REPLACE or upsert

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-10 10:00:00

Every record a person edits carries a version, so a save names the version its editor saw
(vru_core.platform.locking): objectives, priority areas, funding streams, payments, monitoring
returns and entered indicator values join awards, indicators, RAG settings, profiles and accounts.

SQLite: `INSERT OR REPLACE` / `REPLACE` on an existing audit id deletes the old entry without firing
the DELETE trigger (unless recursive_triggers is on); a BEFORE INSERT trigger that refuses an existing
id closes that door (and an upsert's DO UPDATE meets the UPDATE trigger). PostgreSQL refuses a
duplicate id by its primary key and an upsert by the row trigger of 0005; what the app's own role may
do there is set by grants (vru_core.platform.roles), not by this file.
"""

import sqlalchemy as sa
from alembic import op


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

VERSIONED = ("objective", "priority_area", "funding_stream", "payment", "monitoring_return", "indicator_value")
MESSAGE = "audit_log is append-only: entries cannot be changed or deleted"


def upgrade() -> None:
    for table in VERSIONED:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE TRIGGER audit_log_no_replace BEFORE INSERT ON audit_log "
            "WHEN EXISTS (SELECT 1 FROM audit_log WHERE id = NEW.id) "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_replace")
        # SQLite >= 3.35 drops a column in place; a batch copy would trip over the foreign keys into these tables.
        for table in VERSIONED:
            op.execute(f"ALTER TABLE {table} DROP COLUMN version")
        return
    for table in VERSIONED:
        op.drop_column(table, "version")
