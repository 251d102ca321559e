"""The store: SQLite (WAL, foreign keys on) by default, PostgreSQL when VRU_DATABASE_URL names one."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import pandas as pd
from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, Executable, event
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, create_engine

from vru_core.platform.config import REPO_ROOT, get_settings

SQLITE_BUSY_TIMEOUT_MS = 30_000


def get_engine(url: str | None = None) -> Engine:
    """One engine per store; SQLite gets the pragmas that make concurrent writers safe."""
    settings = get_settings()
    url = url or settings.database_url
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    if url in ("sqlite://", "sqlite:///:memory:"):
        engine = create_engine(url, poolclass=StaticPool, connect_args={"check_same_thread": False})
    else:
        if url.startswith("sqlite:///"):
            from pathlib import Path

            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_conn, _record):
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    return engine


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migration (what `alembic upgrade head` does)."""
    cfg = Config(str(REPO_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(REPO_ROOT / "migrations"))
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One transaction: commit when the block ends, roll everything back if it raises."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def read_frame(bind: Engine | Connection, query: Executable, columns: Sequence[str]) -> pd.DataFrame:
    """The rows of a select as a DataFrame with these column names (in the select's order)."""
    if isinstance(bind, Engine):
        with bind.connect() as conn:
            return read_frame(conn, query, columns)
    return pd.DataFrame([tuple(row) for row in bind.execute(query).all()], columns=list(columns))
