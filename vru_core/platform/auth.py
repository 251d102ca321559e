"""Who may do what. Every service write calls `require` first, so hiding a button is never the only guard."""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from vru_core.platform import labels
from vru_core.platform.errors import Invalid, PermissionDenied, Problem


class Role(StrEnum):
    ADMIN = "admin"
    COMMISSIONER = "commissioner"
    ANALYST = "analyst"
    DIRECTOR = "director"
    VIEWER = "viewer"
    ASSESSOR = "assessor"  # scores funding-round applications (vru_core.rounds.assessment)


class Permission(StrEnum):
    MEASURES_WRITE = "measures.write"
    PROFILES_WRITE = "profiles.write"
    REGISTER_WRITE = "register.write"
    FRAMEWORK_WRITE = "framework.write"
    INDICATORS_WRITE = "indicators.write"
    USERS_WRITE = "users.write"
    AUDIT_READ = "audit.read"
    ASSESS = "rounds.assess"
    BUDGET_WRITE = "budget.write"  # budget lines and over-commitment overrides (admins)


GRANTS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.COMMISSIONER: frozenset({Permission.REGISTER_WRITE}),
    Role.ANALYST: frozenset({Permission.MEASURES_WRITE, Permission.PROFILES_WRITE, Permission.INDICATORS_WRITE}),
    Role.DIRECTOR: frozenset({Permission.AUDIT_READ}),
    Role.VIEWER: frozenset(),
    Role.ASSESSOR: frozenset({Permission.ASSESS}),
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


def shell_actor() -> Actor:
    """Whoever can run commands against the store is trusted as an admin; the log names their login."""
    try:
        login = getpass.getuser()
    except Exception:  # no login name in some containers
        login = "unknown"
    return Actor(f"shell:{login}", Role.ADMIN)


def require(actor: Actor | None, permission: Permission) -> Actor:
    if actor is None:
        raise PermissionDenied(f"Sign in to do this ({permission.value}).")
    if not actor.can(permission):
        raise PermissionDenied(
            f"{actor.username} ({labels.role(actor.role)}) may not do this: it needs the {permission.value} permission "
            f"({labels.permission(permission.value)})."
        )
    return actor


_hasher = PasswordHasher()
MIN_PASSWORD_LENGTH = 10


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid([Problem(None, "password", f"needs at least {MIN_PASSWORD_LENGTH} characters")])
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str | None) -> bool:
    """Constant cost whether or not there is a hash, so a caller cannot tell an unknown user by timing."""
    if not password_hash:
        _hasher.hash(password or "x" * MIN_PASSWORD_LENGTH)
        return False
    try:
        return _hasher.verify(password_hash, password or "")
    except (VerificationError, InvalidHashError):
        return False
