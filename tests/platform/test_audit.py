"""The audit log: append-only in the database itself, readable with filters, exported safely."""

import datetime as dt

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import delete, text, update
from sqlalchemy.exc import DBAPIError

from vru_core.models import AuditEntry
from vru_core.platform.audit import AuditFilter, log_csv, log_facets, query_log, record
from vru_core.platform.auth import Actor, PermissionDenied, Role
from vru_core.platform.config import REPO_ROOT
from vru_core.platform.db import owner_connection, session_scope

ADMIN = Actor("a-admin", Role.ADMIN)
REFUSED = "append-only|not authorized"  # the table's triggers, or (SQLite) the app connection's guard before them
COMMISSIONER = Actor("c-comm", Role.COMMISSIONER)


def _seed(engine) -> None:
    with session_scope(engine) as session:
        record(session, actor=ADMIN, action="create", entity_type="user", entity_id="bob", after={"role": "viewer"})
        record(session, actor=COMMISSIONER, action="create", entity_type="award", entity_id=1, after={"title": "A"})
        record(session, actor=COMMISSIONER, action="update", entity_type="award", entity_id=1, note="=1+1")


def _count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM audit_log")).scalar_one()


@pytest.mark.store
@pytest.mark.parametrize(
    "statement",
    [
        update(AuditEntry).values(note="rewritten"),
        update(AuditEntry).where(AuditEntry.action == "update").values(actor="someone-else"),
        delete(AuditEntry),
        delete(AuditEntry).where(AuditEntry.entity_type == "award"),
        text("UPDATE audit_log SET after = NULL"),
        text("DELETE FROM audit_log"),
    ],
    ids=["update-all", "update-one", "delete-all", "delete-some", "raw-update", "raw-delete"],
)
def test_database_refuses_to_change_or_delete_entries(engine, statement):
    _seed(engine)
    before = query_log(engine=engine, actor=ADMIN)
    with pytest.raises(DBAPIError, match=REFUSED), session_scope(engine) as session:
        session.execute(statement)
    assert query_log(engine=engine, actor=ADMIN).equals(before)


@pytest.mark.store
def test_postgresql_also_refuses_truncate(engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL only")
    _seed(engine)
    n = _count(engine)
    with pytest.raises(DBAPIError, match=REFUSED), engine.begin() as conn:
        conn.execute(text("TRUNCATE audit_log"))
    assert _count(engine) == n


@pytest.mark.store
def test_guard_goes_away_on_downgrade_and_returns_on_upgrade(engine):
    cfg = Config(str(REPO_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(REPO_ROOT / "migrations"))
    _seed(engine)
    with owner_connection(engine) as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0005-1")
    with owner_connection(engine) as conn:
        conn.execute(text("UPDATE audit_log SET note = 'allowed without the guard'"))
    with owner_connection(engine) as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    with pytest.raises(DBAPIError, match=REFUSED), engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log"))


DAY = dt.timedelta(days=1)


@pytest.mark.parametrize(
    ("where", "expected_ids"),
    [  # each filter is made from the UTC day the entries were written (so a run crossing midnight holds)
        (lambda today: AuditFilter(), ["1", "1", "bob"]),
        (lambda today: AuditFilter(entity_type="award"), ["1", "1"]),
        (lambda today: AuditFilter(actor="a-admin"), ["bob"]),
        (lambda today: AuditFilter(action="update"), ["1"]),
        (lambda today: AuditFilter(entity_id="bob"), ["bob"]),
        (lambda today: AuditFilter(entity_type="award", action="create"), ["1"]),
        (lambda today: AuditFilter(since=today - DAY), ["1", "1", "bob"]),
        (lambda today: AuditFilter(until=today - DAY), []),
        (lambda today: AuditFilter(since=today + DAY), []),
        (lambda today: AuditFilter(since=today, until=today), ["1", "1", "bob"]),
    ],
)
def test_filters(engine, where, expected_ids):
    if engine.dialect.name != "sqlite":
        pytest.skip("filter logic is backend-neutral SQL; the store tests above cover PostgreSQL")
    _seed(engine)
    written = query_log(engine=engine, actor=Actor("d", Role.DIRECTOR))["at"].max()
    log = query_log(engine=engine, actor=Actor("d", Role.DIRECTOR), where=where(written.date()))
    assert sorted(log["entity_id"]) == expected_ids
    assert log["id"].is_monotonic_decreasing


@pytest.mark.parametrize("role", ["commissioner", "analyst", "viewer"])
def test_only_admins_and_directors_read_the_log(engine, role):
    with pytest.raises(PermissionDenied):
        query_log(engine=engine, actor=Actor("x", Role(role)))
    with pytest.raises(PermissionDenied):
        query_log(engine=engine, actor=None)


def test_facets_and_csv_export_neutralise_formulas(engine):
    _seed(engine)
    facets = log_facets(engine)
    assert facets["actor"] == ["a-admin", "c-comm"] and facets["entity_type"] == ["award", "user"]
    csv = log_csv(query_log(engine=engine, actor=ADMIN)).decode("utf-8-sig")
    assert "'=1+1" in csv and ",=1+1" not in csv
