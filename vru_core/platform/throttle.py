"""Sign-in throttling per account and per client address, in the store so every app server counts together.

After ``DELAY_AFTER`` failures in a row a key must wait before its next try, twice as long after each further
failure (1 s, 2 s, 4 s … never more than the lockout period); after ``LOCK_AFTER`` it is locked for
``VRU_SIGN_IN_LOCKOUT_MINUTES`` (and again at each further failure). A key's count starts again after
``FORGET_AFTER`` with no failure, or (for an account) at its next successful sign-in. An administrator
can lift any of them at once (`lift`, on the Users and roles page); that is audited.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine, delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from vru_core.models import SignInThrottle
from vru_core.models.common import utcnow
from vru_core.platform.audit import record
from vru_core.platform.auth import Actor, Permission, require
from vru_core.platform.config import get_settings
from vru_core.platform.db import session_scope
from vru_core.platform.errors import NotFound

DELAY_AFTER = 5
LOCK_AFTER = 20
FORGET_AFTER = dt.timedelta(hours=24)
ENTITY = "sign_in_throttle"


def account_key(username: str) -> str:
    return f"account:{username}"[:200]


def client_key(client: str) -> str:
    return f"client:{client or 'unknown'}"[:200]


def lockout_period() -> dt.timedelta:
    return dt.timedelta(minutes=get_settings().sign_in_lockout_minutes)


def delay_after(failures: int) -> dt.timedelta:
    """How long a key waits after its latest failure: nothing before DELAY_AFTER, then 1 s doubling."""
    if failures < DELAY_AFTER:
        return dt.timedelta(0)
    return min(dt.timedelta(seconds=2 ** min(failures - DELAY_AFTER, 30)), lockout_period())


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


@dataclass(frozen=True)
class Hold:
    key: str
    kind: str  # "locked" or "delayed"
    until: dt.datetime
    failures: int


def _current(row: SignInThrottle, now: dt.datetime) -> int:
    """The row's failure count, or 0 once FORGET_AFTER has passed since its latest failure."""
    if now - _aware(row.last_failure_at) > FORGET_AFTER and not _locked(row, now):
        return 0
    return row.failures


def _locked(row: SignInThrottle, now: dt.datetime) -> bool:
    return row.locked_until is not None and now < _aware(row.locked_until)


def _hold(row: SignInThrottle, now: dt.datetime) -> Hold | None:
    if _locked(row, now):
        assert row.locked_until is not None
        return Hold(row.key, "locked", _aware(row.locked_until), row.failures)
    failures = _current(row, now)
    until = _aware(row.last_failure_at) + delay_after(failures)
    if failures >= DELAY_AFTER and now < until:
        return Hold(row.key, "delayed", until, failures)
    return None


def hold(engine: Engine, keys: list[str], now: dt.datetime | None = None) -> Hold | None:
    """The first of these keys that may not try now (locked, or still within its delay), else None."""
    now = now or utcnow()
    with session_scope(engine) as session:
        rows = session.exec(select(SignInThrottle).where(SignInThrottle.key.in_(keys))).all()  # type: ignore[attr-defined]
    holds = [h for h in (_hold(r, now) for r in rows) if h is not None]
    return max(holds, key=lambda h: h.until) if holds else None


def _fail_one(session: Session, key: str, now: dt.datetime) -> int:
    row = session.get(SignInThrottle, key, with_for_update=True)
    if row is None:
        session.add(SignInThrottle(key=key, failures=1, last_failure_at=now))
        session.flush()
        return 1
    failures = _current(row, now) + 1
    locked_until = now + lockout_period() if failures >= LOCK_AFTER else row.locked_until
    # Relative to what is stored, so two servers counting the same key at once both count.
    session.execute(
        update(SignInThrottle)
        .where(col(SignInThrottle.key) == key)
        .values(
            failures=SignInThrottle.failures + 1 if failures > 1 else 1,
            last_failure_at=now,
            locked_until=locked_until,
        )
    )
    return failures


def fail(engine: Engine, keys: list[str], now: dt.datetime | None = None) -> dict[str, int]:
    """Count one failure against each key; returns each key's count now."""
    now = now or utcnow()
    counts = {}
    for key in keys:
        for attempt in range(3):
            try:
                with session_scope(engine) as session:
                    counts[key] = _fail_one(session, key, now)
                break
            except IntegrityError:  # another server inserted the same key first: count on top of theirs
                if attempt == 2:
                    raise
    return counts


def clear(session: Session, key: str) -> None:
    """A successful sign-in starts the account's count again (the client's is left to time out)."""
    session.execute(delete(SignInThrottle).where(SignInThrottle.key == key))  # type: ignore[arg-type]


def holds(engine: Engine, now: dt.datetime | None = None) -> list[Hold]:
    """Every key locked out or waiting, for the administrators' page."""
    now = now or utcnow()
    with session_scope(engine) as session:
        rows = session.exec(select(SignInThrottle).order_by(SignInThrottle.key)).all()
    return [h for h in (_hold(r, now) for r in rows) if h is not None]


def lift(*, engine: Engine, actor: Actor, key: str) -> None:
    """An administrator lets an account or client try again at once (its failure count goes back to 0)."""
    require(actor, Permission.USERS_WRITE)
    with session_scope(engine) as session:
        row = session.get(SignInThrottle, key)
        if row is None:
            raise NotFound(f"Nothing is paused for {key}: the pause ran out or was lifted already")
        before = {"failures": row.failures, "locked_until": row.locked_until}
        session.delete(row)
        record(session, actor=actor, action="lift", entity_type=ENTITY, entity_id=key, before=before)
