"""Accounts and roles: admins manage them here (pages and the command line), every change audited.

There is never a default password: the first admin is created from the shell
(`python -m vru_core.platform.users create-admin`), everyone else by an admin. An account without a password
can only sign in through single sign-on (see `vru_core.platform.signin.sign_in_sso`).
"""

from __future__ import annotations

import argparse
import getpass
import re
import sys

import pandas as pd
from sqlalchemy import Engine, func
from sqlmodel import Session, select

from vru_core.models import User
from vru_core.platform.audit import record, snapshot
from vru_core.platform.auth import (
    MIN_PASSWORD_LENGTH,
    Actor,
    Permission,
    Role,
    hash_password,
    require,
    shell_actor,
    verify_password,
)
from vru_core.platform.db import get_engine, session_scope, upgrade
from vru_core.platform.errors import DomainError, Invalid, NotFound, Problem, Refused
from vru_core.platform.locking import advance_version, write_lock
from vru_core.platform.passwords import common_password_problem
from vru_core.platform.sessions import end_all

ENTITY = "user"
USERS_LOCK = "users.write"
MAX_PASSWORD_LENGTH = 1024
USERNAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._@+-]{2,119}")


# Who a failed sign-in is recorded as: nobody is signed in yet.
ANONYMOUS = Actor("(not signed in)", Role.VIEWER)


def _invalid(text: str) -> Invalid:
    """A refused account change, from "field: message"."""
    field, _, message = text.partition(": ")
    return Invalid([Problem(None, field, message)])


def normalise_username(username: str) -> str:
    """Usernames (often e-mail addresses) compare without case or surrounding spaces."""
    return (username or "").strip().lower()


def check_username(username: str) -> str:
    name = normalise_username(username)
    if not USERNAME_PATTERN.fullmatch(name):
        raise _invalid(
            "username: use 3-120 characters: letters, digits and . _ @ + - (an e-mail address works), "
            "starting with a letter or digit"
        )
    return name


def check_password(password: str, username: str) -> None:
    """The policy: long enough to resist guessing, not the username, not a commonly used password."""
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise _invalid(f"password: needs at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise _invalid(f"password: {MAX_PASSWORD_LENGTH} characters at most")
    if password.strip().lower() == normalise_username(username):
        raise _invalid("password: must not be the username")
    problem = common_password_problem(password)
    if problem:
        raise _invalid(f"password: {problem}")


def check_display_name(display_name: str | None) -> str:
    name = " ".join((display_name or "").split())
    if "\x00" in name or len(name) > 200:
        raise _invalid("display_name: at most 200 characters, and no NUL characters")
    return name


def check_role(role: str | Role) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise _invalid(f"role: {role!r} is not one of {', '.join(r.value for r in Role)}") from None


def _public(user: User) -> dict:
    """What the audit log and screens may see of an account (never the hash)."""
    shown = snapshot(user, "username", "display_name", "role", "active")
    return {**shown, "local_password": user.password_hash is not None, "version": user.version}


def _load(session: Session, username: str) -> User:
    user = session.exec(select(User).where(User.username == normalise_username(username))).first()
    if user is None:
        raise NotFound(f"username: no account {normalise_username(username)!r}")
    return user


def _other_active_admins(session: Session, user: User) -> int:
    return session.exec(
        select(func.count()).select_from(User).where(User.role == Role.ADMIN.value, User.active, User.id != user.id)
    ).one()


def create_user(
    *,
    engine: Engine,
    actor: Actor,
    username: str,
    role: str | Role,
    password: str | None = None,
    display_name: str = "",
) -> int:
    """Add an account. Without a password it can only sign in through single sign-on."""
    require(actor, Permission.USERS_WRITE)
    name = check_username(username)
    role = check_role(role)
    if password is not None:
        check_password(password, name)
    password_hash = hash_password(password) if password is not None else None
    display_name = check_display_name(display_name)
    with session_scope(engine) as session:
        write_lock(session, USERS_LOCK)  # two admins adding the same name: the second is told, not a crash
        if session.exec(select(User.id).where(User.username == name)).first() is not None:
            raise _invalid(f"username: {name!r} already exists")
        user = User(username=name, display_name=display_name, role=role.value, password_hash=password_hash)
        session.add(user)
        session.flush()
        record(session, actor=actor, action="create", entity_type=ENTITY, entity_id=name, after=_public(user))
        return int(user.id or 0)


def _change(engine: Engine, actor: Actor, username: str, expected_version: int | None, action: str, apply) -> int:
    """Load, version-check, apply, audit: the shape every account edit shares."""
    require(actor, Permission.USERS_WRITE)
    with session_scope(engine) as session:
        write_lock(session, USERS_LOCK)  # "the last active admin" is checked across accounts: one change at a time
        user = _load(session, username)
        before = _public(user)  # as the editor saw it: the refusal message compares against this
        version = advance_version(session, user, expected_version, entity_type=ENTITY, entity_id=user.username)
        apply(session, user)
        session.add(user)
        after = _public(user)
        record(
            session, actor=actor, action=action, entity_type=ENTITY, entity_id=user.username, before=before, after=after
        )
        return version


def set_role(
    *, engine: Engine, actor: Actor, username: str, role: str | Role, expected_version: int | None = None
) -> int:
    """Change an account's role; the last active admin cannot be demoted."""
    require(actor, Permission.USERS_WRITE)
    new_role = check_role(role)

    def apply(session: Session, user: User) -> None:
        demoting = user.role == Role.ADMIN.value and new_role != Role.ADMIN and user.active
        if demoting and _other_active_admins(session, user) == 0:
            raise _invalid(f"role: {user.username} is the last active admin; make someone else admin first")
        if user.role != new_role.value:
            end_all(session, user.username, "role_changed")  # every signed-in browser of theirs, at its next click
        user.role = new_role.value

    return _change(engine, actor, username, expected_version, "set_role", apply)


def set_password(
    *, engine: Engine, actor: Actor, username: str, password: str, expected_version: int | None = None
) -> int:
    """Set (or reset) a local password; the audit entry says it changed, never what to."""
    require(actor, Permission.USERS_WRITE)
    check_password(password, username)
    password_hash = hash_password(password)

    def apply(session: Session, user: User) -> None:
        user.password_hash = password_hash
        end_all(session, user.username, "password_reset")

    return _change(engine, actor, username, expected_version, "set_password", apply)


def deactivate(*, engine: Engine, actor: Actor, username: str, expected_version: int | None = None) -> int:
    """Stop an account signing in (it stays, so the audit log keeps naming a real person)."""
    require(actor, Permission.USERS_WRITE)

    def apply(session: Session, user: User) -> None:
        if not user.active:
            raise _invalid(f"username: {user.username} is already inactive")
        if user.role == Role.ADMIN.value and _other_active_admins(session, user) == 0:
            raise _invalid(f"username: {user.username} is the last active admin and cannot be deactivated")
        user.active = False
        end_all(session, user.username, "deactivated")

    return _change(engine, actor, username, expected_version, "deactivate", apply)


def reactivate(*, engine: Engine, actor: Actor, username: str, expected_version: int | None = None) -> int:
    require(actor, Permission.USERS_WRITE)

    def apply(session: Session, user: User) -> None:
        if user.active:
            raise _invalid(f"username: {user.username} is already active")
        user.active = True

    return _change(engine, actor, username, expected_version, "reactivate", apply)


USER_COLUMNS = ["username", "display_name", "role", "active", "local_password", "created_at", "version"]


def list_users(engine: Engine) -> pd.DataFrame:
    with session_scope(engine) as session:
        rows = session.exec(select(User).order_by(User.username)).all()
        return pd.DataFrame([{**_public(u), "created_at": u.created_at} for u in rows], columns=USER_COLUMNS)


def count_active_admins(engine: Engine) -> int:
    with session_scope(engine) as session:
        return session.exec(
            select(func.count()).select_from(User).where(User.role == Role.ADMIN.value, User.active)
        ).one()


def verify_sign_in(engine: Engine, username: str, password: str) -> tuple[Actor | None, str]:
    """Check a local account: (actor, "") or (None, why). The why is for the audit log, never for the screen.
    The same cost whether or not the account exists (verify_password hashes anyway)."""
    name = normalise_username(username)
    with session_scope(engine) as session:
        user = session.exec(select(User).where(User.username == name)).first()
        usable = user is not None and user.active
        ok = verify_password(user.password_hash if user is not None and usable else None, password)
    if ok and user is not None:
        return Actor(user.username, Role(user.role)), ""
    if user is None:
        return None, "no such account"
    if not user.active:
        return None, "account inactive"
    if not user.password_hash:
        return None, "single sign-on only: no local password"
    return None, "wrong password"


def authenticate(engine: Engine, username: str, password: str) -> Actor | None:
    """Check a local account; None for any failure, so callers cannot tell which part was wrong.

    Every failure is written to the audit log (who was tried and why it failed), for the administrator.
    The app signs in through vru_core.platform.signin.sign_in, which adds the throttle and a session."""
    actor, reason = verify_sign_in(engine, username, password)
    if actor is None:
        _record_failed_sign_in(engine, normalise_username(username), reason)
    return actor


def _record_failed_sign_in(engine: Engine, name: str, reason: str, extra: dict | None = None) -> None:
    tried = name.replace("\x00", "")[:120] or "(blank)"
    try:
        with session_scope(engine) as session:
            record(
                session,
                actor=ANONYMOUS,
                action="sign_in_failed",
                entity_type="sign_in",
                entity_id=tried,
                after={"username": tried, "reason": reason, **(extra or {})},
            )
    except DomainError:  # a read-only store cannot record it; the sign-in is refused all the same
        pass


def refresh_actor(engine: Engine, actor: Actor | None) -> Actor | None:
    """The signed-in actor as the store sees them now: a demotion or deactivation applies at the next click.

    Actors with no account row (the loader's system actor, command-line jobs) are returned unchanged.
    """
    if actor is None:
        return None
    with session_scope(engine) as session:
        user = session.exec(select(User).where(User.username == actor.username)).first()
        if user is None:
            return actor
        return Actor(user.username, Role(user.role)) if user.active else None


# ---- command line ---------------------------------------------------------------------------------


def _read_password(args: argparse.Namespace, username: str) -> str:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass(f"Password for {username}: ")
        if getpass.getpass("Same password again: ") != password:
            raise _invalid("password: the two entries differ")
    check_password(password, username)
    return password


def _create_admin(engine: Engine, args: argparse.Namespace) -> str:
    if count_active_admins(engine) and not args.force:
        raise Refused("an active admin already exists: add users from the app, or pass --force")
    username = check_username(args.username or input("Admin username: "))
    password = _read_password(args, username)
    actor = shell_actor()
    existing = list_users(engine).set_index("username")
    if username not in existing.index:
        create_user(
            engine=engine,
            actor=actor,
            username=username,
            role=Role.ADMIN,
            password=password,
            display_name=args.display_name,
        )
        return f"Created admin {username}."
    if not args.force:
        raise _invalid(f"username: {username!r} already exists (pass --force to make it an admin again)")
    # Recovery for a locked-out administrator: promote, reset the password, reactivate.
    set_role(engine=engine, actor=actor, username=username, role=Role.ADMIN)
    set_password(engine=engine, actor=actor, username=username, password=password)
    if not existing.at[username, "active"]:
        reactivate(engine=engine, actor=actor, username=username)
    return f"{username} is an active admin again with the new password."


def _add_user(engine: Engine, args: argparse.Namespace) -> str:
    username = check_username(args.username)
    password = None if args.sso else _read_password(args, username)
    create_user(
        engine=engine,
        actor=shell_actor(),
        username=username,
        role=args.role,
        password=password,
        display_name=args.display_name,
    )
    how = "single sign-on only" if password is None else "local password"
    return f"Created {args.role} {username} ({how})."


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m vru_core.platform.users", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    admin = commands.add_parser("create-admin", help="create the first admin (asks for the password twice)")
    admin.add_argument("--username")
    admin.add_argument("--display-name", default="")
    admin.add_argument("--password-stdin", action="store_true", help="read the password from the first stdin line")
    admin.add_argument("--force", action="store_true", help="even if an active admin exists (recovery)")
    add = commands.add_parser("add-user", help="add an account with a role")
    add.add_argument("--username", required=True)
    add.add_argument("--role", required=True, choices=[r.value for r in Role])
    add.add_argument("--display-name", default="")
    secret = add.add_mutually_exclusive_group()
    secret.add_argument("--password-stdin", action="store_true", help="read the password from the first stdin line")
    secret.add_argument("--sso", action="store_true", help="no local password: single sign-on only")
    commands.add_parser("list", help="list accounts and roles")
    args = parser.parse_args(argv)

    engine = get_engine()
    upgrade(engine)
    try:
        if args.command == "list":
            table = list_users(engine)
            print(table.drop(columns=["created_at"]).to_string(index=False) if len(table) else "No accounts yet.")
            return 0
        print(_create_admin(engine, args) if args.command == "create-admin" else _add_user(engine, args))
        return 0
    except DomainError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
