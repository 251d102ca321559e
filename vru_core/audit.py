"""Append-only change log. `record` joins the caller's transaction, so a change and its entry land together."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

from sqlmodel import Session

from vru_core.auth import Actor
from vru_core.models import AuditEntry


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
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
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
        note=note,
    )
    session.add(entry)
    return entry


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
                "before": _jsonable(e["before"]) if e.get("before") is not None else None,
                "after": _jsonable(e["after"]) if e.get("after") is not None else None,
                "note": e.get("note", ""),
            }
            for e in entries
        ],
    )
