"""Rule 4: the audit log is append-only for real, on both stores.

No SQL the app's own connection can run changes or removes an entry: on SQLite its connections carry
an authorizer in front of the table's triggers; on PostgreSQL the app connects as a role that owns
neither the table nor its triggers, so it cannot disable them, drop them, truncate or re-grant.
Restores and failed sign-ins are audited too.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from tests.conftest import APP_ROLE
from vru_core.models import AuditEntry
from vru_core.platform.audit import record
from vru_core.platform.auth import Actor, Role
from vru_core.platform.backup import table_checksums
from vru_core.platform.db import owner_connection, session_scope
from vru_core.platform.users import authenticate, create_user, deactivate

pytestmark = pytest.mark.store
ADMIN = Actor("audit-admin", Role.ADMIN)
ROW = "(1, '2020-01-01 00:00:00', 'forger', 'create', 'award', '1', 'forged')"
COLUMNS = "(id, at, actor, action, entity_type, entity_id, note)"


@dataclass(frozen=True)
class Tamper:
    id: str
    sql: tuple[str, ...]  # run in one transaction, in order
    stores: tuple[str, ...] = ("sqlite", "postgresql")


TAMPERING = [
    Tamper("update-every-entry", ("UPDATE audit_log SET note = 'rewritten'",)),
    Tamper("update-one-actor", ("UPDATE audit_log SET actor = 'someone-else' WHERE id = 1",)),
    Tamper("delete-every-entry", ("DELETE FROM audit_log",)),
    Tamper("delete-one", ("DELETE FROM audit_log WHERE id = 1",)),
    Tamper("insert-an-existing-id", (f"INSERT INTO audit_log {COLUMNS} VALUES {ROW}",)),
    Tamper(
        "upsert-on-an-existing-id",
        (f"INSERT INTO audit_log {COLUMNS} VALUES {ROW} ON CONFLICT (id) DO UPDATE SET note = 'forged'",),
    ),
    Tamper("drop-the-table", ("DROP TABLE audit_log",)),
    Tamper("rename-the-table", ("ALTER TABLE audit_log RENAME TO audit_log_old",)),
    # SQLite: REPLACE deletes the old row without firing DELETE triggers; the guard and a BEFORE INSERT trigger stop it
    Tamper("replace-into", (f"REPLACE INTO audit_log {COLUMNS} VALUES {ROW}",), ("sqlite",)),
    Tamper("insert-or-replace", (f"INSERT OR REPLACE INTO audit_log {COLUMNS} VALUES {ROW}",), ("sqlite",)),
    Tamper("drop-update-trigger", ("DROP TRIGGER audit_log_no_update", "UPDATE audit_log SET note = 'x'"), ("sqlite",)),
    Tamper("drop-delete-trigger", ("DROP TRIGGER audit_log_no_delete", "DELETE FROM audit_log"), ("sqlite",)),
    Tamper("drop-replace-trigger", ("DROP TRIGGER audit_log_no_replace",), ("sqlite",)),
    Tamper("writable-schema", ("PRAGMA writable_schema = ON",), ("sqlite",)),
    # PostgreSQL: what only an owner (or superuser) may do
    Tamper("truncate", ("TRUNCATE audit_log",), ("postgresql",)),
    Tamper("disable-all-triggers", ("ALTER TABLE audit_log DISABLE TRIGGER ALL",), ("postgresql",)),
    Tamper("disable-the-guard", ("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change",), ("postgresql",)),
    Tamper("drop-the-guard", ("DROP TRIGGER audit_log_no_change ON audit_log",), ("postgresql",)),
    Tamper(
        "replace-the-guard-function",
        (
            "CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql "
            "AS $$ BEGIN RETURN NEW; END $$",
        ),
        ("postgresql",),
    ),
    Tamper("skip-triggers-as-replica", ("SET session_replication_role = replica",), ("postgresql",)),
    Tamper(  # PostgreSQL only warns "no privileges were granted"; the UPDATE after it then fails
        "grant-itself-update",
        (f"GRANT UPDATE, DELETE ON audit_log TO {APP_ROLE}", "UPDATE audit_log SET note = 'x'"),
        ("postgresql",),
    ),
    Tamper("take-ownership", (f"ALTER TABLE audit_log OWNER TO {APP_ROLE}",), ("postgresql",)),
    Tamper("move-the-sequence", ("SELECT setval('audit_log_id_seq', 1, false)",), ("postgresql",)),
]


def _seed(engine) -> None:
    with session_scope(engine) as session:
        for i in range(3):
            record(session, actor=ADMIN, action="create", entity_type="award", entity_id=i, after={"title": f"A{i}"})


@pytest.mark.parametrize("tamper", TAMPERING, ids=[t.id for t in TAMPERING])
def test_the_apps_own_connection_cannot_change_or_remove_an_entry(engine, app_engine, tamper):
    if engine.dialect.name not in tamper.stores:
        pytest.skip(f"{tamper.id} is {'/'.join(tamper.stores)} SQL")
    _seed(app_engine)  # the app role may append...
    before = table_checksums(engine)
    with pytest.raises(DBAPIError), app_engine.begin() as conn:
        for statement in tamper.sql:
            conn.execute(text(statement))
    assert table_checksums(engine) == before  # ...and nothing else: every entry exactly as it was
    with session_scope(app_engine) as session:  # and it still appends afterwards
        record(session, actor=ADMIN, action="update", entity_type="award", entity_id=1)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_log SET note = 'x'",
        "DELETE FROM audit_log WHERE id = 1",
        f"INSERT INTO audit_log {COLUMNS} VALUES {ROW}",
        f"INSERT INTO audit_log {COLUMNS} VALUES {ROW} ON CONFLICT (id) DO UPDATE SET note = 'forged'",
    ],
    ids=["update", "delete", "existing-id", "upsert"],
)
def test_the_table_itself_refuses_even_the_owner(engine, statement):
    """Behind the app's guard (SQLite) and role (PostgreSQL), the triggers and key refuse the owner too."""
    _seed(engine)
    before = table_checksums(engine)
    with pytest.raises(DBAPIError), owner_connection(engine) as conn:
        conn.execute(text(statement))
    assert table_checksums(engine) == before


def test_the_app_role_owns_nothing_and_may_only_append_to_the_log(engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("roles are PostgreSQL's")
    with engine.connect() as conn:
        owned = conn.execute(text("SELECT tablename FROM pg_tables WHERE tableowner = :r"), {"r": APP_ROLE}).all()
        rights = conn.execute(
            text(
                "SELECT privilege_type FROM information_schema.role_table_grants "
                "WHERE grantee = :r AND table_name = 'audit_log' ORDER BY 1"
            ),
            {"r": APP_ROLE},
        ).scalars()
        flags = conn.execute(
            text("SELECT rolsuper, rolcreaterole, rolcreatedb, rolbypassrls FROM pg_roles WHERE rolname = :r"),
            {"r": APP_ROLE},
        ).one()
    assert owned == []
    assert list(rights) == ["INSERT", "SELECT"]
    assert not any(flags)


# ---- what else is audited ----------------------------------------------------------------------------

GOOD = "correct horse battery"
SIGN_INS = [
    ("unknown-account", "nobody@vru.test", GOOD, "no such account"),
    ("wrong-password", "ada@vru.test", "not the password", "wrong password"),
    ("inactive-account", "old@vru.test", GOOD, "account inactive"),
    ("single-sign-on-only", "sso@vru.test", "anything at all", "single sign-on only: no local password"),
    ("blank", "", "", "no such account"),
]


@pytest.mark.parametrize(("case", "username", "password", "reason"), SIGN_INS, ids=[c[0] for c in SIGN_INS])
def test_a_failed_sign_in_is_audited_with_who_was_tried_and_why(app_engine, case, username, password, reason):
    create_user(engine=app_engine, actor=ADMIN, username="ada@vru.test", role="analyst", password=GOOD)
    create_user(engine=app_engine, actor=ADMIN, username="old@vru.test", role="analyst", password=GOOD)
    deactivate(engine=app_engine, actor=ADMIN, username="old@vru.test")
    create_user(engine=app_engine, actor=ADMIN, username="sso@vru.test", role="analyst")
    assert authenticate(app_engine, username, password) is None
    with app_engine.connect() as conn:
        entry = conn.execute(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert (entry.action, entry.entity_type, entry.actor) == ("sign_in_failed", "sign_in", "(not signed in)")
    assert entry.after == {"username": username.strip().lower() or "(blank)", "reason": reason}
    assert password not in str(entry.after) or not password


def test_a_successful_sign_in_writes_nothing(app_engine):
    create_user(engine=app_engine, actor=ADMIN, username="ada@vru.test", role="analyst", password=GOOD)
    before = table_checksums(app_engine)
    assert authenticate(app_engine, "Ada@VRU.test", GOOD) == Actor("ada@vru.test", Role.ANALYST)
    assert table_checksums(app_engine) == before


def test_the_readme_states_how_many_ways_were_tried():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert f"tries {len(TAMPERING)} ways to change or remove an entry" in readme
