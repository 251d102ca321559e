"""Signing in and out: throttling, the password check, the session, the audit log, in that order.

Every refusal, whatever its cause (unknown account, wrong password, inactive account, single-sign-on-only
account, a delay or lockout in force), gives the person the same ``FAILURE_MESSAGE``; the audit log
records the real cause for the administrators.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, select

from vru_core.models import User
from vru_core.models.common import utcnow
from vru_core.platform import sessions, throttle
from vru_core.platform.audit import record
from vru_core.platform.auth import Actor, Role
from vru_core.platform.db import session_scope
from vru_core.platform.errors import DomainError
from vru_core.platform.users import ANONYMOUS, verify_sign_in

FAILURE_MESSAGE = (
    "Sign-in failed. Check the username and password and try again. After repeated failures, signing in "
    "is paused for a while for that account and for this computer; an administrator can lift the pause."
)
SSO_REFUSED = "This single sign-on identity cannot sign in here"
ENTITY = "sign_in"


@dataclass(frozen=True)
class SignInResult:
    actor: Actor | None
    started: sessions.Started | None = None
    message: str = ""  # FAILURE_MESSAGE, or why a single-sign-on identity was refused


def _tried(username: str) -> str:
    return (username or "").strip().lower().replace("\x00", "")[:120] or "(blank)"


def _record_failure(session: Session, tried: str, reason: str, client: str, extra: dict | None = None) -> None:
    after = {"username": tried, "reason": reason, "client": client, **(extra or {})}
    record(session, actor=ANONYMOUS, action="sign_in_failed", entity_type=ENTITY, entity_id=tried, after=after)


def _audit_failure(engine: Engine, tried: str, reason: str, client: str, extra: dict | None = None) -> None:
    """In its own transaction; a read-only store cannot record it, and the sign-in is refused all the same."""
    try:
        with session_scope(engine) as session:
            _record_failure(session, tried, reason, client, extra)
    except DomainError:
        pass


def _record_sign_in(session: Session, actor: Actor, method: str, client: str) -> None:
    after = {"method": method, "client": client}
    record(session, actor=actor, action="sign_in", entity_type=ENTITY, entity_id=actor.username, after=after)


def sign_in(
    engine: Engine, username: str, password: str, *, client: str = "", now: dt.datetime | None = None
) -> SignInResult:
    """Check a local account under the throttle; on success a new session (with its one-time handoff)."""
    now = now or utcnow()
    tried = _tried(username)
    keys = [throttle.account_key(tried), throttle.client_key(client)]
    held = throttle.hold(engine, keys, now)
    if held is not None:
        why = f"{held.kind}: {held.key} ({held.failures} failures) until {held.until:%Y-%m-%d %H:%M:%S} UTC"
        _audit_failure(engine, tried, why, client)
        return SignInResult(None, message=FAILURE_MESSAGE)
    if any(ord(c) < 32 for c in (username or "") + (password or "")):  # never a real name; PostgreSQL refuses NUL
        actor, reason = None, "no such account (control characters in the username or password)"
    else:
        actor, reason = verify_sign_in(engine, tried, password)
    if actor is None:
        counts = throttle.fail(engine, keys, now)
        _audit_failure(engine, tried, reason, client, {"failures": max(counts.values())})
        return SignInResult(None, message=FAILURE_MESSAGE)
    with session_scope(engine) as session:
        user = session.exec(select(User).where(User.username == actor.username)).one()
        started = sessions.start(session, user, method="password", client=client, now=now)
        throttle.clear(session, throttle.account_key(actor.username))
        _record_sign_in(session, actor, "password", client)
    return SignInResult(actor, started)


def sso_identity(claims: Mapping[str, Any]) -> str:
    """One id token, one session: a digest of its issuer, subject and issue time."""
    raw = f"{claims.get('iss')}|{claims.get('sub')}|{claims.get('iat')}"
    return hashlib.sha256(raw.encode()).hexdigest()


def _verified(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def sso_check(claims: Mapping[str, Any], issuers: Iterable[str], now: dt.datetime | None = None) -> tuple[str, str]:
    """(e-mail, "") when an identity provider's claims may sign someone in, else ("", why not).

    The issuer must be one we trust, the e-mail address verified by it, and the token newly issued
    (a session starts only from a fresh sign-in, never from an old identity cookie)."""
    now = now or utcnow()
    trusted = {i.rstrip("/") for i in issuers if i}
    issuer = str(claims.get("iss") or "").rstrip("/")
    email = str(claims.get("email") or "").strip().lower()
    if not trusted:
        return "", "no trusted issuer is configured (VRU_SSO_ISSUER or [auth] server_metadata_url)"
    if issuer not in trusted:
        return "", f"issuer {issuer or '(none)'} is not the configured identity provider"
    if not email:
        return "", "the identity provider gave no e-mail address"
    if not _verified(claims.get("email_verified")):
        return "", "the identity provider has not verified this e-mail address"
    try:
        issued = dt.datetime.fromtimestamp(float(claims.get("iat")), dt.UTC)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "", "the identity token has no issue time"
    if abs((now - issued).total_seconds()) > sessions.SSO_FRESH_SECONDS:
        return "", "the single sign-on was not recent: sign in with single sign-on again"
    return email, ""


def sign_in_sso(
    engine: Engine,
    claims: Mapping[str, Any],
    issuers: Iterable[str],
    *,
    client: str = "",
    now: dt.datetime | None = None,
) -> SignInResult:
    """A session for a single-sign-on identity that maps to an active account (by e-mail), at most once per token."""
    now = now or utcnow()
    email, why = sso_check(claims, issuers, now)
    identity = sso_identity(claims)
    with session_scope(engine) as session:
        user = session.exec(select(User).where(User.username == email)).first() if email else None
        if not why and (user is None or not user.active):
            why = "no active account has this e-mail address"
        if not why and sessions.sso_identity_used(session, identity):
            why = "this sign-in was already used: sign in with single sign-on again"
        if why:
            _record_failure(session, _tried(email or str(claims.get("email") or "")), f"single sign-on: {why}", client)
            return SignInResult(None, message=f"{SSO_REFUSED}: {why}.")
        assert user is not None
        started = sessions.start(session, user, method="sso", client=client, sso_identity=identity, now=now)
        actor = Actor(user.username, Role(user.role))
        _record_sign_in(session, actor, "sso", client)
    return SignInResult(actor, started)


def sign_out(engine: Engine, key: str | None, *, everywhere: bool = False) -> str | None:
    """End this session (or every session of its account); audited. Returns whose it was."""
    resumed = sessions.resume(engine, key)
    username = sessions.end(engine, key, "signed_out_everywhere" if everywhere else "signed_out")
    if username is None or resumed.actor is None:
        return username
    with session_scope(engine) as session:
        ended = sessions.end_all(session, username, "signed_out_everywhere") if everywhere else 0
        record(
            session,
            actor=resumed.actor,
            action="sign_out",
            entity_type=ENTITY,
            entity_id=username,
            after={"other_sessions_ended": ended} if everywhere else None,
        )
    return username
