"""Who may do what. Every service write calls `require` first, so hiding a button is never the only guard."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine
from sqlmodel import select

from vru_core.models import User
from vru_core.platform.db import session_scope


class Role(StrEnum):
    ADMIN = "admin"
    COMMISSIONER = "commissioner"
    ANALYST = "analyst"
    DIRECTOR = "director"
    VIEWER = "viewer"


class Permission(StrEnum):
    MEASURES_WRITE = "measures.write"
    PROFILES_WRITE = "profiles.write"
    REGISTER_WRITE = "register.write"
    FRAMEWORK_WRITE = "framework.write"
    INDICATORS_WRITE = "indicators.write"
    USERS_WRITE = "users.write"
    AUDIT_READ = "audit.read"


GRANTS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.COMMISSIONER: frozenset({Permission.REGISTER_WRITE}),
    Role.ANALYST: frozenset({Permission.MEASURES_WRITE, Permission.PROFILES_WRITE, Permission.INDICATORS_WRITE}),
    Role.DIRECTOR: frozenset({Permission.AUDIT_READ}),
    Role.VIEWER: frozenset(),
}


@dataclass(frozen=True)
class Actor:
    """The person (or system job) on whose behalf a service function runs."""

    username: str
    role: Role

    def can(self, permission: Permission) -> bool:
        return permission in GRANTS[self.role]


# The bundled-data loader and command-line tools run by whoever has shell access to the store.
SYSTEM = Actor("system", Role.ADMIN)


class PermissionDenied(Exception):
    """Raised by service functions when the actor's role does not allow the write."""


def require(actor: Actor | None, permission: Permission) -> Actor:
    if actor is None:
        raise PermissionDenied(f"Sign in to do this ({permission.value}).")
    if not actor.can(permission):
        raise PermissionDenied(
            f"{actor.username} ({actor.role.value}) may not do this: it needs the {permission.value} permission."
        )
    return actor


_hasher = PasswordHasher()
MIN_PASSWORD_LENGTH = 10


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"Passwords need at least {MIN_PASSWORD_LENGTH} characters.")
    return _hasher.hash(password)


def verify_sign_in(engine: Engine, username: str, password: str) -> tuple[Actor | None, str]:
    """Check a local account: (actor, "") or (None, why). The why is for the audit log, never for the screen."""
    with session_scope(engine) as session:
        user = session.exec(select(User).where(User.username == (username or "").strip().lower())).first()
        if user is None or not user.active or not user.password_hash:
            _hasher.hash(password or "x" * MIN_PASSWORD_LENGTH)  # same cost either way
            if user is None:
                return None, "no such account"
            return None, "account inactive" if not user.active else "single sign-on only: no local password"
        try:
            _hasher.verify(user.password_hash, password)
        except (VerificationError, InvalidHashError):
            return None, "wrong password"
        return Actor(user.username, Role(user.role)), ""


def authenticate(engine: Engine, username: str, password: str) -> Actor | None:
    """Check a local account; None for any failure, so callers cannot tell which part was wrong."""
    return verify_sign_in(engine, username, password)[0]
