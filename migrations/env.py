"""Alembic environment: runs on the connection vru_core.platform.db.upgrade hands over, or on the owner's URL.

After the migrations, on PostgreSQL, the app's role is granted what it needs on every table (and on
audit_log only SELECT and INSERT): see vru_core.platform.roles."""

from alembic import context
from sqlmodel import SQLModel

import vru_core.models  # noqa: F401  (registers every table on SQLModel.metadata)
from vru_core.platform.config import get_settings
from vru_core.platform.db import get_engine, owner_connection
from vru_core.platform.roles import grant_app_role

target_metadata = SQLModel.metadata


def run_migrations(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    grant_app_role(connection, get_settings().app_db_role)


connection = context.config.attributes.get("connection")
if connection is not None:
    run_migrations(connection)
else:
    engine = get_engine(get_settings().migration_database_url)
    with owner_connection(engine) as conn:
        run_migrations(conn)
    engine.dispose()
