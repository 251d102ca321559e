"""Alembic environment: runs on the connection vru_core.platform.db.upgrade hands over, or on the configured URL."""

from alembic import context
from sqlmodel import SQLModel

import vru_core.models  # noqa: F401  (registers every table on SQLModel.metadata)
from vru_core.platform.db import get_engine

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


connection = context.config.attributes.get("connection")
if connection is not None:
    run_migrations(connection)
else:
    with get_engine().begin() as conn:
        run_migrations(conn)
