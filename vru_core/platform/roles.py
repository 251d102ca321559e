"""PostgreSQL's two roles: the owner runs migrations and owns every table and trigger; the app owns nothing.

    python -m vru_core.platform.roles [--app-role vru_app]   create the app role if missing, grant it

Run with VRU_MIGRATION_DATABASE_URL (or VRU_DATABASE_URL) naming the owner; the app role's password is
read from VRU_DATABASE_URL when that names the app role. The app role may SELECT, INSERT, UPDATE and
DELETE the app's tables, but on `audit_log` only SELECT and INSERT; it never owns a table, so it cannot
ALTER TABLE ... DISABLE TRIGGER, DROP a trigger, TRUNCATE, or re-grant itself anything. Every
migration re-applies the grants (migrations/env.py), so a new table is covered at once.
"""

from __future__ import annotations

import argparse
import re
import sys

from sqlalchemy import Connection, text
from sqlalchemy.engine import make_url

from vru_core.platform.config import get_settings
from vru_core.platform.db import AUDIT_TABLE, get_engine

ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def _quoted(role: str) -> str:
    if not ROLE_NAME.match(role):
        raise ValueError(f"{role!r} is not a plain role name (lower-case letters, digits, _)")
    return f'"{role}"'


def role_exists(connection: Connection, role: str) -> bool:
    return bool(connection.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first())


def _may_grant(connection: Connection) -> bool:
    """Only the tables' owner (or a superuser) grants; the app role running an already-applied upgrade does not."""
    return bool(
        connection.execute(
            text(
                "SELECT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) "
                "OR current_user = (SELECT tableowner FROM pg_tables WHERE schemaname = current_schema() "
                "AND tablename = :t)"
            ),
            {"t": AUDIT_TABLE},
        ).scalar()
    )


def grant_app_role(connection: Connection, role: str) -> bool:
    """Give the app role exactly what the app needs on the current schema. Idempotent; True if granted."""
    if connection.dialect.name != "postgresql" or not role_exists(connection, role):
        return False
    if connection.execute(text("SELECT to_regclass(:t)"), {"t": AUDIT_TABLE}).scalar() is None:
        return False  # not the app's database (or not migrated yet): nothing to grant on
    if not _may_grant(connection):
        return False
    if connection.execute(text("SELECT current_setting('transaction_read_only')")).scalar() == "on":
        return False  # a read-only store: nothing can change, so nothing needs granting
    name = _quoted(role)
    owner = connection.execute(text("SELECT current_user")).scalar()
    if owner == role:
        raise ValueError(f"the app role {role} must not be the role that owns the tables")
    for statement in (
        f"GRANT USAGE ON SCHEMA public TO {name}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {name}",
        f"REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {AUDIT_TABLE} FROM {name}",
        f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON alembic_version FROM {name}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {name}",
    ):
        connection.execute(text(statement))
    return True


def create_app_role(connection: Connection, role: str, password: str | None = None) -> None:
    """The app's login role, with no power beyond its grants (needs CREATEROLE or a superuser)."""
    name = _quoted(role)
    if not role_exists(connection, role):
        connection.execute(text(f"CREATE ROLE {name} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT"))
    if password:
        connection.execute(text(f"ALTER ROLE {name} PASSWORD :p"), {"p": password})
    grant_app_role(connection, role)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m vru_core.platform.roles", description=__doc__.splitlines()[0])
    parser.add_argument("--app-role", help="default: VRU_APP_DB_ROLE, the user in VRU_DATABASE_URL, or vru_app")
    args = parser.parse_args(argv)
    settings = get_settings()
    if not settings.migration_database_url.startswith("postgresql"):
        print("SQLite has no roles: the app's connections carry the audit guard instead. Nothing to do.")
        return 0
    role = args.app_role or settings.app_db_role
    app_url = make_url(settings.database_url)
    password = app_url.password if app_url.username == role else None
    engine = get_engine(settings.migration_database_url)
    try:
        with engine.begin() as connection:
            create_app_role(connection, role, None if password is None else str(password))
    except Exception as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    print(f"App role {role} ready: DML on the app's tables, SELECT and INSERT only on {AUDIT_TABLE}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
