"""The store itself: pragmas, migrations up and down, on every backend."""

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import inspect, text
from sqlmodel import select

from vru_core.models import Objective
from vru_core.platform.config import REPO_ROOT
from vru_core.platform.db import get_engine, owner_connection, session_scope, upgrade


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path):
    engine = get_engine(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 30000


def test_migrations_go_down_and_up_again(engine):
    cfg = Config(str(REPO_ROOT / "alembic.ini"))
    with owner_connection(engine) as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade(engine)
    tables = set(inspect(engine).get_table_names())
    assert {"ward", "measure", "measure_value", "objective", "priority_area", "funding_stream"} <= tables


def test_strategy_structure_is_seeded(loaded_engine):
    with session_scope(loaded_engine) as session:
        titles = [o.title for o in session.exec(select(Objective).order_by(Objective.number))]
    assert len(titles) == 8
    assert titles[2] == "Young people leading change"


def test_session_scope_rolls_back_on_error(engine):
    with pytest.raises(RuntimeError), session_scope(engine) as session:
        session.add(Objective(number=99, title="Not kept"))
        session.flush()
        raise RuntimeError
    with session_scope(engine) as session:
        assert session.get(Objective, 99) is None
