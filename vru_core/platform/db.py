"""The store: SQLite (WAL, foreign keys on) by default, PostgreSQL when VRU_DATABASE_URL names one.

Who may change what, at the level of SQL:
- SQLite has no roles, so the app's connections carry an authorizer that refuses any statement that
  would change or remove an audit entry, or the guards around it (UPDATE / DELETE of audit_log, DROP
  or ALTER of the table, DROP of its triggers, writable_schema). The triggers of migrations 0005 and
  0006 refuse the same at the table (and REPLACE / upserts on an existing id). Only migrations run
  with the guard lifted (`owner_connection`).
- PostgreSQL: the app connects as a role that owns nothing (vru_core.platform.roles); the owner's
  connection (VRU_MIGRATION_DATABASE_URL) runs the migrations.

A store that cannot take writes (read-only file or transaction, full disk) refuses them with
`StoreReadOnly`, and `store_status` tells the pages so they can say it to readers too.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, Executable, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, create_engine

from vru_core.platform.config import REPO_ROOT, get_settings
from vru_core.platform.errors import StoreReadOnly

SQLITE_BUSY_TIMEOUT_MS = 30_000
AUDIT_TABLE = "audit_log"
OWNER = "vru_owner"  # key in a pooled connection's info: the audit guard is lifted (migrations only)
RECENT_FAILURE_SECONDS = 300


# ---- the SQLite audit guard ------------------------------------------------------------------------


def _audit_guard(info: dict) -> Any:
    """An sqlite3 authorizer: statements that could rewrite history are refused when prepared."""

    def authorize(action: int, arg1: str | None, arg2: str | None, _db: str | None, _source: str | None) -> int:
        if info.get(OWNER):
            return sqlite3.SQLITE_OK
        if action in (sqlite3.SQLITE_DELETE, sqlite3.SQLITE_UPDATE, sqlite3.SQLITE_DROP_TABLE) and arg1 == AUDIT_TABLE:
            return sqlite3.SQLITE_DENY
        # (trigger, table) for dropped triggers; (database, table) for ALTER TABLE
        schema_change = (sqlite3.SQLITE_DROP_TRIGGER, sqlite3.SQLITE_DROP_TEMP_TRIGGER, sqlite3.SQLITE_ALTER_TABLE)
        if action in schema_change and arg2 == AUDIT_TABLE:
            return sqlite3.SQLITE_DENY
        if action == sqlite3.SQLITE_PRAGMA and (arg1 or "").lower() == "writable_schema" and arg2 is not None:
            return sqlite3.SQLITE_DENY
        return sqlite3.SQLITE_OK

    return authorize


# ---- engines -----------------------------------------------------------------------------------------


def _sqlite_path(url: str) -> Path | None:
    if not url.startswith("sqlite:///") or url in ("sqlite:///:memory:",):
        return None
    return Path(url.removeprefix("sqlite:///").split("?", 1)[0])


def file_is_read_only(path: Path) -> bool:
    """No write permission on the file (even for root, who could write anyway) or on its folder."""
    if not path.exists():
        return False
    if not stat.S_IMODE(path.stat().st_mode) & 0o222:
        return True
    return not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK))


def get_engine(url: str | None = None) -> Engine:
    """One engine per store; SQLite gets the pragmas that make concurrent writers safe, and the audit guard.

    A SQLite file without write permission is opened read-only: every page reads, every write is refused.
    """
    settings = get_settings()
    url = url or settings.database_url
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    path = _sqlite_path(url)
    if path is None:
        engine = create_engine(url, poolclass=StaticPool, connect_args={"check_same_thread": False})
    else:
        connect_args: dict[str, Any] = {"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
        if file_is_read_only(path):
            url = f"sqlite:///file:{path}?mode=ro&uri=true"
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args=connect_args)

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_conn, connection_record):
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()
        dbapi_conn.set_authorizer(_audit_guard(connection_record.info))

    return engine


@contextmanager
def owner_connection(engine: Engine) -> Iterator[Connection]:
    """A transaction with the SQLite audit guard lifted: for migrations (and tests of the triggers) only."""
    with engine.begin() as connection:
        connection.info[OWNER] = True
        try:
            yield connection
        finally:
            connection.info.pop(OWNER, None)


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migration (what `alembic upgrade head` does).

    When VRU_MIGRATION_DATABASE_URL names a separate owner for the app's store, the migrations run as
    that owner and then re-grant the app role what it needs (migrations/env.py)."""
    settings = get_settings()
    owner_url = settings.migration_database_url
    if owner_url != settings.database_url and _same_url(engine, settings.database_url):
        owner = get_engine(owner_url)
        try:
            _migrate(owner)
        finally:
            owner.dispose()
        return
    _migrate(engine)


def _same_url(engine: Engine, url: str) -> bool:
    return engine.url.render_as_string(hide_password=False) == make_url(url).render_as_string(hide_password=False)


def _migrate(engine: Engine) -> None:
    cfg = Config(str(REPO_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(REPO_ROOT / "migrations"))
    with owner_connection(engine) as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")


# ---- writes that the store itself refuses ---------------------------------------------------------

_recent_failures: dict[str, tuple[float, str]] = {}

READ_ONLY_MESSAGE = (
    "The store is read-only just now, so nothing was saved. Every page can still be read; "
    "ask the administrator to make the store writable again, then save your change."
)
FULL_MESSAGE = (
    "The store's disk is full, so nothing was saved. Every page can still be read; "
    "ask the administrator to free space, then save your change."
)


def store_refusal(exc: BaseException) -> StoreReadOnly | None:
    """The refusal for a write the store could not take (read-only, disk full), or None for anything else."""
    orig = getattr(exc, "orig", exc)
    name = str(getattr(orig, "sqlite_errorname", "") or "")
    state = str(getattr(orig, "sqlstate", "") or "")
    said = str(orig).lower()
    if name.startswith("SQLITE_READONLY") or "readonly database" in said or state == "25006":
        return StoreReadOnly(READ_ONLY_MESSAGE)
    if name == "SQLITE_FULL" or "disk is full" in said or state in ("53100", "53200"):
        return StoreReadOnly(FULL_MESSAGE)
    return None


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One transaction: commit when the block ends, roll everything back if it raises.

    A write the store refuses (read-only, full disk) comes out as StoreReadOnly, with what to do."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except DBAPIError as exc:
            session.rollback()
            refusal = store_refusal(exc)
            if refusal is None:
                raise
            _recent_failures[str(engine.url)] = (time.monotonic(), refusal.message)
            raise refusal from exc
        except BaseException:
            session.rollback()
            raise


# ---- telling readers --------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoreStatus:
    writable: bool
    reason: str = ""


def store_status(engine: Engine) -> StoreStatus:
    """Can the store take writes now? Read-only file or transaction, a (nearly) full disk, or a write
    refused for one of those in the last few minutes all say no, with the reason to show."""
    failed = _recent_failures.get(str(engine.url))
    if failed and time.monotonic() - failed[0] < RECENT_FAILURE_SECONDS:
        return StoreStatus(False, failed[1])
    min_free = get_settings().min_free_mb * 1024 * 1024
    if engine.dialect.name == "sqlite":
        path = _sqlite_path(str(engine.url).replace("sqlite:///file:", "sqlite:///"))
        if path is None:
            return StoreStatus(True)
        if "mode=ro" in str(engine.url) or file_is_read_only(path):
            return StoreStatus(False, READ_ONLY_MESSAGE)
        if path.exists() and shutil.disk_usage(path.parent).free < min_free:
            return StoreStatus(False, FULL_MESSAGE)
        with engine.connect() as conn:
            pages, limit = (conn.exec_driver_sql(f"PRAGMA {p}").scalar() for p in ("page_count", "max_page_count"))
        if pages is not None and limit is not None and pages >= limit:
            return StoreStatus(False, FULL_MESSAGE)
        return StoreStatus(True)
    with engine.connect() as conn:
        read_only, standby = conn.execute(
            text("SELECT current_setting('transaction_read_only') = 'on', pg_is_in_recovery()")
        ).one()
    if read_only or standby:
        return StoreStatus(False, READ_ONLY_MESSAGE)
    return StoreStatus(True)


def forget_failures(engine: Engine) -> None:
    """After the administrator has fixed the store (and in tests)."""
    _recent_failures.pop(str(engine.url), None)


def read_frame(bind: Engine | Connection, query: Executable, columns: Sequence[str]) -> pd.DataFrame:
    """The rows of a select as a DataFrame with these column names (in the select's order)."""
    if isinstance(bind, Engine):
        with bind.connect() as conn:
            return read_frame(conn, query, columns)
    return pd.DataFrame([tuple(row) for row in bind.execute(query).all()], columns=list(columns))
