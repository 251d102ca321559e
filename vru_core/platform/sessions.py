"""Signed-in sessions kept in the store, so a reload, a new tab or a second app server keeps the user signed in.

A session is a row of ``web_session``. The browser holds a cookie whose value is a random key signed with
itsdangerous (the store keeps only the key's SHA-256, so a copy of the database signs nobody in). Every
request checks the row again: it ends when the user signs out, after ``VRU_SESSION_IDLE_MINUTES`` without
use, after ``VRU_SESSION_LIFETIME_HOURS`` whatever happens, and as soon as the account's role, password or
active flag differs from what it was at sign-in, or the account is gone (compared through a stamp, so a
change made anywhere, even straight in SQL, ends it). The signing secret is ``VRU_SESSION_SECRET`` or,
when that is blank, a random one created once in the store: every app server on the store shares it.

Signing in happens inside the app (a Streamlit run), which cannot set an HttpOnly cookie itself: it gets a
one-time handoff token (two minutes, one use) and sends the browser to ``/session/start``, whose route
swaps the token for the cookie and a fresh key (see ``ui/routes.py``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import Engine, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from vru_core.models import AppMeta, User, WebSession
from vru_core.models.common import utcnow
from vru_core.platform.auth import Actor, Role
from vru_core.platform.config import get_settings
from vru_core.platform.db import session_scope

COOKIE_NAME = "vru_session"
SECRET_KEY = "session_secret"
COOKIE_SALT = "vru-hub.session-cookie"
HANDOFF_SECONDS = 120
TOUCH_SECONDS = 60  # last use is written at most once a minute per session
SSO_FRESH_SECONDS = 600  # a single-sign-on identity starts a session only within this long of its issue

# Why a session ended, as the Account page says it.
END_REASONS = {
    "signed_out": "you signed out",
    "signed_out_everywhere": "you signed out of every session",
    "idle": "it was not used for {idle}",
    "expired": "it reached its maximum length of {lifetime}",
    "account_changed": "your account was changed (role, password or access)",
    "password_reset": "your password was reset",
    "role_changed": "your role was changed",
    "deactivated": "your account was deactivated",
    "account_missing": "the account no longer exists",
}


@dataclass(frozen=True)
class Started:
    key: str  # the raw session key, kept server-side for this browser tab until the cookie replaces it
    handoff: str  # one-time token for /session/start


@dataclass(frozen=True)
class Resumed:
    actor: Actor | None
    ended: str | None = None  # why the session this browser presented is no longer valid (END_REASONS key)
    method: str | None = None


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def account_stamp(user: User) -> str:
    """What must not change under a live session: any difference ends every session of the account."""
    return _digest(f"{user.role}|{bool(user.active)}|{user.password_hash or ''}")


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def idle_limit() -> dt.timedelta:
    return dt.timedelta(minutes=get_settings().session_idle_minutes)


def lifetime() -> dt.timedelta:
    return dt.timedelta(hours=get_settings().session_lifetime_hours)


def describe_end(reason: str) -> str:
    text = END_REASONS.get(reason, "it ended")
    return text.format(idle=span(idle_limit()), lifetime=span(lifetime()))


def span(delta: dt.timedelta) -> str:
    minutes = round(delta.total_seconds() / 60)
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


# ---- the signing secret ---------------------------------------------------------------------------

_secrets: dict[str, str] = {}


def signing_secret(engine: Engine) -> str:
    """VRU_SESSION_SECRET, else the store's own (created once; two servers starting together agree on it)."""
    configured = get_settings().session_secret
    if configured:
        return configured
    url = engine.url.render_as_string(hide_password=False)
    if url not in _secrets:
        with session_scope(engine) as session:
            row = session.get(AppMeta, SECRET_KEY)
        if row is None:
            try:
                with session_scope(engine) as session:
                    session.add(AppMeta(key=SECRET_KEY, value=secrets.token_urlsafe(48)))
            except IntegrityError:  # another server created it first: use theirs
                pass
            with session_scope(engine) as session:
                row = session.get(AppMeta, SECRET_KEY)
        assert row is not None
        _secrets[url] = row.value
    return _secrets[url]


def _serializer(engine: Engine) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(signing_secret(engine), salt=COOKIE_SALT)


def cookie_value(engine: Engine, key: str) -> str:
    return _serializer(engine).dumps(key)


def key_from_cookie(engine: Engine, value: str | None) -> str | None:
    """The session key inside a cookie, or None if it is missing, forged, or older than the lifetime."""
    if not value:
        return None
    try:
        key = _serializer(engine).loads(value, max_age=int(lifetime().total_seconds()))
    except BadSignature:  # SignatureExpired is a BadSignature too
        return None
    return key if isinstance(key, str) else None


# ---- starting, resuming and ending ----------------------------------------------------------------


def start(
    session: Session,
    user: User,
    *,
    method: str,
    client: str = "",
    sso_identity: str | None = None,
    now: dt.datetime | None = None,
) -> Started:
    """A new session for an account that has just proved who it is (joins the caller's transaction)."""
    now = now or utcnow()
    key, handoff = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    session.add(
        WebSession(
            key_hash=_digest(key),
            username=user.username,
            method=method,
            stamp=account_stamp(user),
            created_at=now,
            last_seen_at=now,
            expires_at=now + lifetime(),
            handoff_hash=_digest(handoff),
            handoff_expires_at=now + dt.timedelta(seconds=HANDOFF_SECONDS),
            sso_identity=sso_identity,
            client=client[:64],
        )
    )
    session.flush()
    return Started(key=key, handoff=handoff)


def redeem(engine: Engine, handoff: str | None, now: dt.datetime | None = None) -> str | None:
    """Swap a one-time handoff token for a cookie value, once, within two minutes; None otherwise.

    The session gets a fresh key here, so the key the sign-in run held stops working once the cookie exists.
    """
    if not handoff:
        return None
    now = now or utcnow()
    key = secrets.token_urlsafe(32)
    with session_scope(engine) as session:
        row = session.exec(select(WebSession).where(WebSession.handoff_hash == _digest(handoff))).first()
        if row is None or row.ended_at is not None or row.handoff_expires_at is None:
            return None
        if _aware(row.handoff_expires_at) < now:
            return None
        # Compare-and-set on the token itself: two requests racing with one token, only one wins.
        result: Any = session.execute(
            update(WebSession)
            .where(col(WebSession.id) == row.id, col(WebSession.handoff_hash) == _digest(handoff))
            .values(handoff_hash=None, handoff_expires_at=None, key_hash=_digest(key), last_seen_at=now)
        )
        won = result.rowcount
        if won != 1:
            return None
    return cookie_value(engine, key)


def _end(session: Session, row: WebSession, reason: str, now: dt.datetime) -> None:
    row.ended_at, row.end_reason, row.handoff_hash = now, reason, None
    session.add(row)


def resume(engine: Engine, key: str | None, now: dt.datetime | None = None) -> Resumed:
    """Who a session key signs in, checked against the store on every request; ends it when it should end."""
    if not key:
        return Resumed(None)
    now = now or utcnow()
    with session_scope(engine) as session:
        row = session.exec(select(WebSession).where(WebSession.key_hash == _digest(key))).first()
        if row is None:
            return Resumed(None, "signed_out")
        if row.ended_at is not None:
            return Resumed(None, row.end_reason or "signed_out")
        user = session.exec(select(User).where(User.username == row.username)).first()
        reason = None
        if now >= _aware(row.expires_at):
            reason = "expired"
        elif now - _aware(row.last_seen_at) >= idle_limit():
            reason = "idle"
        elif user is None:
            reason = "account_missing"
        elif not user.active:
            reason = "deactivated"
        elif row.stamp != account_stamp(user):
            reason = "account_changed"
        if reason is not None:
            _end(session, row, reason, now)
            return Resumed(None, reason)
        assert user is not None
        if (now - _aware(row.last_seen_at)).total_seconds() >= TOUCH_SECONDS:
            row.last_seen_at = now
            session.add(row)
        return Resumed(Actor(user.username, Role(user.role)), method=row.method)


def end(engine: Engine, key: str | None, reason: str = "signed_out", now: dt.datetime | None = None) -> str | None:
    """End one session (sign-out); returns whose it was."""
    if not key:
        return None
    with session_scope(engine) as session:
        row = session.exec(select(WebSession).where(WebSession.key_hash == _digest(key))).first()
        if row is None or row.ended_at is not None:
            return None
        _end(session, row, reason, now or utcnow())
        return row.username


def end_all(session: Session, username: str, reason: str, now: dt.datetime | None = None) -> int:
    """End every live session of an account, inside the caller's transaction; returns how many."""
    rows = session.exec(
        select(WebSession).where(WebSession.username == username, WebSession.ended_at.is_(None))  # type: ignore[union-attr]
    ).all()
    for row in rows:
        _end(session, row, reason, now or utcnow())
    return len(rows)


def sso_identity_used(session: Session, identity: str) -> bool:
    return session.exec(select(WebSession.id).where(WebSession.sso_identity == identity)).first() is not None


def live_sessions(engine: Engine, username: str, now: dt.datetime | None = None) -> list[dict]:
    """The account's sessions that are still valid (for "signed in on N browsers")."""
    now = now or utcnow()
    with session_scope(engine) as session:
        rows = session.exec(
            select(WebSession)
            .where(WebSession.username == username, WebSession.ended_at.is_(None))  # type: ignore[union-attr]
            .order_by(col(WebSession.created_at))
        ).all()
        return [
            {"started": _aware(r.created_at), "last_used": _aware(r.last_seen_at), "method": r.method}
            for r in rows
            if _aware(r.expires_at) > now and now - _aware(r.last_seen_at) < idle_limit()
        ]
