"""Append-only change log. `record` joins the caller's transaction, so a change and its entry land together."""

from __future__ import annotations

import datetime as dt
import decimal
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import pandas as pd
from sqlalchemy import Engine
from sqlmodel import Session, select

from vru_core.models import AuditEntry
from vru_core.platform.auth import Actor, Permission, require
from vru_core.platform.csvsafe import safe_csv


def jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [jsonable(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def record(
    session: Session,
    *,
    actor: Actor,
    action: str,
    entity_type: str,
    entity_id: str | int,
    before: dict | None = None,
    after: dict | None = None,
    note: str = "",
) -> AuditEntry:
    entry = AuditEntry(
        actor=actor.username,
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        before=jsonable(before) if before is not None else None,
        after=jsonable(after) if after is not None else None,
        note=note,
    )
    session.add(entry)
    return entry


class _Stored(Protocol):
    @property
    def id(self) -> int | None: ...


R = TypeVar("R", bound=_Stored)


def record_created(
    session: Session, row: R, *, actor: Actor, entity_type: str, after: Callable[[R], dict], note: str = ""
) -> int:
    """Insert `row` with its "create" entry; returns its id. Flushed first, so the entry names the id the
    store gave it and `after(row)` sees the row as it was stored."""
    session.add(row)
    session.flush()
    if row.id is None:
        raise RuntimeError(f"the store gave the new {entity_type} no id")
    record(
        session, actor=actor, action="create", entity_type=entity_type, entity_id=row.id, after=after(row), note=note
    )
    return row.id


def snapshot(row: object, *columns: str) -> dict:
    """The named columns of a row, in that order: what an entry's before and after keep of it."""
    return {column: getattr(row, column) for column in columns}


def record_save(
    session: Session,
    *,
    actor: Actor,
    entity_type: str,
    entity_id: str | int,
    before: dict | None,
    after: dict,
) -> AuditEntry:
    """The entry for a save that creates or updates: "create" when there was no row (`before` is None),
    otherwise "update" with the row's values before."""
    action = "create" if before is None else "update"
    return record(
        session, actor=actor, action=action, entity_type=entity_type, entity_id=entity_id, before=before, after=after
    )


def record_many(session: Session, *, actor: Actor, entries: list[dict]) -> None:
    """Bulk form of `record` for imports (one INSERT per batch instead of one ORM object per change).

    Each entry has the keyword arguments of `record` except session and actor."""
    if not entries:
        return
    from sqlalchemy import insert

    from vru_core.models.common import utcnow

    now = utcnow()
    session.execute(
        insert(AuditEntry.__table__),
        [
            {
                "at": now,
                "actor": actor.username,
                "action": e["action"],
                "entity_type": e["entity_type"],
                "entity_id": str(e["entity_id"]),
                "before": jsonable(e["before"]) if e.get("before") is not None else None,
                "after": jsonable(e["after"]) if e.get("after") is not None else None,
                "note": e.get("note", ""),
            }
            for e in entries
        ],
    )


# ---- reading the log (admins and directors) ---------------------------------------------------------

AUDIT_COLUMNS = ["id", "at", "actor", "action", "entity_type", "entity_id", "note", "before", "after"]


@dataclass(frozen=True)
class AuditFilter:
    """Every field optional; text fields match exactly, dates are inclusive UTC days."""

    entity_type: str | None = None
    actor: str | None = None
    action: str | None = None
    entity_id: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None


def _as_json(value: Any) -> str:
    return "" if value is None else json.dumps(value, sort_keys=True, ensure_ascii=False)


def query_log(*, engine: Engine, actor: Actor, where: AuditFilter = AuditFilter(), limit: int = 10_000) -> pd.DataFrame:
    """Newest first. Reading the log needs the audit.read permission (admins and directors)."""
    require(actor, Permission.AUDIT_READ)
    statement = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    for column, wanted in (
        (AuditEntry.entity_type, where.entity_type),
        (AuditEntry.actor, where.actor),
        (AuditEntry.action, where.action),
        (AuditEntry.entity_id, where.entity_id),
    ):
        if wanted:
            statement = statement.where(column == wanted.strip())
    if where.since:
        statement = statement.where(AuditEntry.at >= dt.datetime.combine(where.since, dt.time(), dt.UTC))
    if where.until:
        end = dt.datetime.combine(where.until + dt.timedelta(days=1), dt.time(), dt.UTC)
        statement = statement.where(AuditEntry.at < end)
    with Session(engine) as session:
        rows = session.exec(statement).all()
        records = [
            {
                "id": e.id,
                "at": e.at,
                "actor": e.actor,
                "action": e.action,
                "entity_type": e.entity_type,
                "entity_id": e.entity_id,
                "note": e.note,
                "before": _as_json(e.before),
                "after": _as_json(e.after),
            }
            for e in rows
        ]
    return pd.DataFrame(records, columns=AUDIT_COLUMNS)


def log_facets(engine: Engine) -> dict[str, list[str]]:
    """The distinct values the filters offer."""
    with Session(engine) as session:
        return {
            name: sorted(v for v in session.exec(select(column).distinct()).all() if v)
            for name, column in (
                ("entity_type", AuditEntry.entity_type),
                ("actor", AuditEntry.actor),
                ("action", AuditEntry.action),
            )
        }


def log_csv(frame: pd.DataFrame) -> bytes:
    """The filtered log as CSV, formula-like text neutralised (notes and values come from users)."""
    return safe_csv(frame)
