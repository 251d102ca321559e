"""Optimistic locking: a save names the version the editor saw, and a newer one refuses it with what changed.

Every edited table carries an integer `version`. A service function loads the row, then calls
`advance_version(session, row, expected_version, ...)` before changing it: that is an atomic
compare-and-set (`UPDATE ... WHERE pk = ? AND version = ?`), so two saves racing from the same screen
cannot both pass, on SQLite or PostgreSQL. The refusal explains itself from the audit log: which fields
changed since the editor's version (before -> now) and who changed them last.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import inspect, text, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from vru_core.models import AuditEntry
from vru_core.platform.errors import Change, NotFound, Stale

# Never shown in a refusal message, whatever the table.
SECRET_FIELDS = frozenset({"password_hash", "password"})
# Bookkeeping that changes on every save and says nothing to the editor.
QUIET_FIELDS = frozenset({"version", "updated_at", "updated_by"})


def _comparable(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def _history(session: Session, entity_type: str, entity_id: str) -> list[AuditEntry]:
    return list(
        session.exec(
            select(AuditEntry)
            .where(AuditEntry.entity_type == entity_type, AuditEntry.entity_id == str(entity_id))
            .order_by(col(AuditEntry.id))
        ).all()
    )


def _version_of(snapshot: dict | None) -> int | None:
    value = (snapshot or {}).get("version")
    return value if isinstance(value, int) else None


def stale_error(session: Session, row: Any, expected_version: int, *, entity_type: str, entity_id: str) -> Stale:
    """Build the refusal: the state the editor saw is the `before` of the first audited save after their version."""
    current = row.version
    later = [e for e in _history(session, entity_type, entity_id) if (_version_of(e.after) or 0) > expected_version]
    changes: list[Change] = []
    if later:
        seen = later[0].before or {}
        # The row is the truth; fields only the audit snapshots carry (derived ones) come from the latest entry.
        now = {**(later[-1].after or {}), **row.model_dump()}
        for key, before in seen.items():
            if key in QUIET_FIELDS or key not in now:
                continue
            if _comparable(before) != _comparable(now[key]):
                shown = (before, now[key]) if key not in SECRET_FIELDS else ("(hidden)", "(changed)")
                changes.append(Change(key, *shown))
        secret_touched = any(k in SECRET_FIELDS for e in later for k in (e.after or {}))
        if secret_touched and not any(c.field in SECRET_FIELDS for c in changes):
            changes.append(Change("password", "(hidden)", "(changed)"))
    last = later[-1] if later else None
    return Stale(
        entity_type=entity_type,
        entity_id=str(entity_id),
        expected_version=expected_version,
        current_version=current,
        changes=changes,
        changed_by=last.actor if last else None,
        changed_at=last.at if last else None,
    )


def check_version(session: Session, row: Any, expected_version: int, *, entity_type: str, entity_id: str) -> None:
    """Refuse (Stale) when the row is no longer at the version the editor loaded."""
    if row.version != expected_version:
        raise stale_error(session, row, expected_version, entity_type=entity_type, entity_id=entity_id)


def advance_version(
    session: Session, row: Any, expected_version: int | None, *, entity_type: str, entity_id: str
) -> int:
    """Check, then atomically move the row from `expected_version` to the next; returns the new version.

    `expected_version=None` means "whatever is stored now" (command-line tools and first saves):
    the compare-and-set still stops a concurrent save from being lost in between.
    """
    expected = row.version if expected_version is None else int(expected_version)
    check_version(session, row, expected, entity_type=entity_type, entity_id=entity_id)
    model = type(row)
    keys = inspect(model).primary_key
    result: Any = session.execute(
        update(model)
        .where(*(column == getattr(row, column.key) for column in keys), model.version == expected)
        .values(version=expected + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # another transaction saved (or deleted) between our read and this write
        fresh = session.exec(
            select(model)
            .where(*(column == getattr(row, column.key) for column in keys))
            .execution_options(populate_existing=True)
        ).first()
        if fresh is None:
            raise gone(entity_type, entity_id, expected)
        raise stale_error(session, fresh, expected, entity_type=entity_type, entity_id=entity_id)
    set_committed_value(row, "version", expected + 1)
    return expected + 1


def claim(
    session: Session, model: Any, key: Any, expected_version: int | None, *, entity_type: str, entity_id: Any = None
) -> Any:
    """The start of every edit: load the row and move it atomically to the next version.

    Refuses with NotFound when there is no such record, Stale when it changed (or vanished) since the
    editor's `expected_version`. From here to the commit the row is the caller's: a racing save waits
    and is then refused, and on SQLite the store's writer lock is held, so later checks read the truth.
    """
    entity_id = key if entity_id is None else entity_id
    row = session.get(model, key)
    if row is None:
        if expected_version is not None:
            raise gone(entity_type, entity_id, expected_version)
        raise NotFound(f"No {entity_type.replace('_', ' ')} {entity_id}")
    advance_version(session, row, expected_version, entity_type=entity_type, entity_id=str(entity_id))
    return row


def write_lock(session: Session, key: str) -> None:
    """Hold a store-wide lock named `key` until the transaction ends.

    Use it before a read-then-insert that must not interleave with another writer, such as handing
    out the next award identifier. PostgreSQL takes a transaction-scoped advisory lock; SQLite has
    one writer at a time, so a no-op write is enough to claim it (waiting up to the busy timeout).
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": key})
    else:
        _claim_sqlite_writer(session)


def _claim_sqlite_writer(session: Session) -> None:
    """SQLite ignores SELECT ... FOR UPDATE. A write statement (even one that changes nothing) takes the
    store's single writer lock for the rest of the transaction, so every read after it is current and
    no one else can commit in between."""
    session.execute(text("UPDATE app_meta SET value = value WHERE 0 = 1"))


def lock_row(session: Session, model: Any, key: Any) -> Any:
    """Read the row with primary key `key` for a check-then-write that must not race (e.g. payments
    against the amount awarded): PostgreSQL locks the row (FOR UPDATE), SQLite takes its writer lock
    first. The row is read fresh; None if it does not exist."""
    if session.get_bind().dialect.name != "postgresql":
        _claim_sqlite_writer(session)
    (column,) = inspect(model).primary_key
    return session.exec(
        select(model).where(column == key).with_for_update().execution_options(populate_existing=True)
    ).first()


def lock_existing(session: Session, model: Any, key: Any, *, what: str) -> Any:
    """`lock_row`, refusing with NotFound ("No award with id 7") when there is no such row."""
    row = lock_row(session, model, key)
    if row is None:
        raise NotFound(f"No {what} with id {key}")
    return row


def gone(entity_type: str, entity_id: Any, expected_version: int | None) -> Stale:
    """The refusal when the record an editor opened has since been deleted."""
    return Stale(entity_type=entity_type, entity_id=str(entity_id), expected_version=expected_version)
