"""Accounts: created and changed only by admins, audited, never with a weak or default password."""

import subprocess
import sys

import pytest
from sqlmodel import Session, select

from vru_core.models import AuditEntry, User
from vru_core.platform.auth import Actor, PermissionDenied, Role
from vru_core.platform.errors import DomainError, Stale
from vru_core.platform.signin import sign_in_sso
from vru_core.platform.users import (
    authenticate,
    count_active_admins,
    create_user,
    deactivate,
    list_users,
    reactivate,
    set_password,
    set_role,
)

GOOD = "correct horse battery"


@pytest.fixture
def admin(engine, actors):
    create_user(engine=engine, actor=actors["admin"], username="root@vru.test", role="admin", password=GOOD)
    return Actor("root@vru.test", Role.ADMIN)


def test_created_user_signs_in_with_role_and_is_audited(engine, admin):
    create_user(engine=engine, actor=admin, username="  Ada@VRU.test ", role="analyst", password=GOOD)
    assert authenticate(engine, "ada@vru.test", GOOD) == Actor("ada@vru.test", Role.ANALYST)
    assert authenticate(engine, "ADA@vru.test", GOOD) == Actor("ada@vru.test", Role.ANALYST)
    assert authenticate(engine, "ada@vru.test", GOOD + "x") is None
    with Session(engine) as session:
        stored = session.exec(select(User).where(User.username == "ada@vru.test")).one()
        entry = session.exec(
            select(AuditEntry).where(AuditEntry.entity_type == "user", AuditEntry.entity_id == "ada@vru.test")
        ).one()
    assert stored.password_hash.startswith("$argon2") and GOOD not in stored.password_hash
    assert entry.actor == "root@vru.test" and entry.action == "create" and entry.after["role"] == "analyst"
    assert "password_hash" not in entry.after and GOOD not in str(entry.after)


@pytest.mark.parametrize(
    ("username", "password", "role", "message"),
    [
        ("bob", "short", "viewer", "password: needs at least 10 characters"),
        ("bob", "", "viewer", "password: needs at least 10 characters"),
        ("bobby.tables", "Bobby.Tables", "viewer", "password: must not be the username"),
        ("bob", "x" * 1025, "viewer", "password: 1024 characters at most"),
        ("b", GOOD, "viewer", "username: use 3-120 characters"),
        ("bob smith", GOOD, "viewer", "username: use 3-120 characters"),
        ("<script>", GOOD, "viewer", "username: use 3-120 characters"),
        ("bob", GOOD, "superuser", "role: 'superuser' is not one of"),
        ("root@vru.test", GOOD, "viewer", "username: 'root@vru.test' already exists"),
    ],
)
def test_bad_accounts_are_refused_and_nothing_is_stored(engine, admin, username, password, role, message):
    before = list_users(engine)
    with pytest.raises(DomainError, match=message):
        create_user(engine=engine, actor=admin, username=username, role=role, password=password)
    assert list_users(engine).equals(before)


def test_sso_only_account_has_no_local_password(engine, admin):
    create_user(engine=engine, actor=admin, username="sso@vru.test", role="commissioner")
    assert authenticate(engine, "sso@vru.test", "") is None
    assert authenticate(engine, "sso@vru.test", "anything at all") is None
    assert _sso(engine, "SSO@vru.test") == Actor("sso@vru.test", Role.COMMISSIONER)


def _sso(engine, email):
    import time

    claims = {"iss": "https://idp.test", "sub": str(email), "iat": time.time(), "email": email, "email_verified": True}
    return sign_in_sso(engine, claims, ["https://idp.test"]).actor


@pytest.mark.parametrize("email", ["stranger@vru.test", "", None])
def test_sso_refuses_unknown_identities(engine, admin, email):
    assert _sso(engine, email) is None


def test_deactivated_accounts_cannot_sign_in_until_reactivated(engine, admin):
    create_user(engine=engine, actor=admin, username="cara", role="commissioner", password=GOOD)
    deactivate(engine=engine, actor=admin, username="cara")
    assert authenticate(engine, "cara", GOOD) is None
    assert _sso(engine, "cara") is None
    with pytest.raises(DomainError, match="already inactive"):
        deactivate(engine=engine, actor=admin, username="cara")
    reactivate(engine=engine, actor=admin, username="cara")
    assert authenticate(engine, "cara", GOOD) == Actor("cara", Role.COMMISSIONER)


def test_role_and_password_changes_take_effect(engine, admin):
    create_user(engine=engine, actor=admin, username="dev", role="viewer", password=GOOD)
    assert set_role(engine=engine, actor=admin, username="dev", role="analyst") == 2
    assert set_password(engine=engine, actor=admin, username="dev", password="a new long passphrase") == 3
    assert authenticate(engine, "dev", GOOD) is None
    assert authenticate(engine, "dev", "a new long passphrase") == Actor("dev", Role.ANALYST)
    with Session(engine) as session:
        actions = session.exec(
            select(AuditEntry.action)
            .where(AuditEntry.entity_type == "user", AuditEntry.entity_id == "dev")
            .order_by(AuditEntry.id)
        ).all()
        failed = session.exec(
            select(AuditEntry.after).where(AuditEntry.action == "sign_in_failed", AuditEntry.entity_id == "dev")
        ).all()
        texts = [str(e.before) + str(e.after) for e in session.exec(select(AuditEntry)).all()]
    assert actions == ["create", "set_role", "set_password"]
    assert [f["reason"] for f in failed] == ["wrong password"]  # the old password, tried after the reset
    assert not any("new long passphrase" in t or "$argon2" in t for t in texts)


def test_last_active_admin_cannot_be_demoted_or_deactivated(engine, admin):
    with pytest.raises(DomainError, match="last active admin"):
        set_role(engine=engine, actor=admin, username="root@vru.test", role="viewer")
    with pytest.raises(DomainError, match="last active admin"):
        deactivate(engine=engine, actor=admin, username="root@vru.test")
    create_user(engine=engine, actor=admin, username="second", role="admin", password=GOOD)
    deactivate(engine=engine, actor=admin, username="root@vru.test")
    assert count_active_admins(engine) == 1


def test_stale_role_change_is_refused_with_what_changed(engine, admin):
    create_user(engine=engine, actor=admin, username="eve", role="viewer", password=GOOD)
    other = Actor("other-admin", Role.ADMIN)
    set_role(engine=engine, actor=other, username="eve", role="commissioner", expected_version=1)
    with pytest.raises(Stale) as err:
        set_role(engine=engine, actor=admin, username="eve", role="analyst", expected_version=1)
    message = str(err.value)
    assert "changed by other-admin" in message
    assert "Role: 'Viewer (read only)' -> 'Commissioning officer'" in message
    assert "version 1" in message and "version 2" in message
    assert list_users(engine).set_index("username").at["eve", "role"] == "commissioner"


def _cli(tmp_path, *args, stdin=""):
    env = {"VRU_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}", "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [sys.executable, "-m", "vru_core.platform.users", *args], input=stdin, capture_output=True, text=True, env=env
    )


def test_command_line_first_admin_then_refuses_a_second(tmp_path):
    first = _cli(tmp_path, "create-admin", "--username", "Admin", "--password-stdin", stdin=GOOD + "\n")
    assert first.returncode == 0, first.stderr
    assert "Created admin admin" in first.stdout
    again = _cli(tmp_path, "create-admin", "--username", "other", "--password-stdin", stdin=GOOD + "\n")
    assert again.returncode == 2 and "an active admin already exists" in again.stderr
    weak = _cli(tmp_path, "add-user", "--username", "viewer1", "--role", "viewer", "--password-stdin", stdin="123\n")
    assert weak.returncode == 2 and "at least 10 characters" in weak.stderr
    added = _cli(tmp_path, "add-user", "--username", "viewer1", "--role", "viewer", "--sso")
    assert added.returncode == 0, added.stderr
    listing = _cli(tmp_path, "list")
    assert listing.returncode == 0
    lines = listing.stdout.splitlines()
    assert any(line.split()[:1] == ["admin"] and "admin" in line.split()[1:] for line in lines)
    assert any(line.split()[:1] == ["viewer1"] and "viewer" in line for line in lines)
    assert GOOD not in listing.stdout and "argon2" not in listing.stdout


def test_command_line_force_recovers_a_locked_out_admin(tmp_path):
    assert _cli(tmp_path, "create-admin", "--username", "admin", "--password-stdin", stdin=GOOD + "\n").returncode == 0
    reset = _cli(
        tmp_path, "create-admin", "--username", "admin", "--password-stdin", "--force", stdin="another pass 123\n"
    )
    assert reset.returncode == 0, reset.stderr
    from vru_core.platform.db import get_engine

    store = get_engine(f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    assert authenticate(store, "admin", "another pass 123") == Actor("admin", Role.ADMIN)
    assert authenticate(store, "admin", GOOD) is None
    store.dispose()


@pytest.mark.parametrize("role", ["commissioner", "analyst", "director", "viewer"])
def test_only_admins_manage_accounts(engine, admin, actors, role):
    with pytest.raises(PermissionDenied):
        create_user(engine=engine, actor=actors[role], username="mallory", role="admin", password=GOOD)
    with pytest.raises(PermissionDenied):
        set_role(engine=engine, actor=actors[role], username="root@vru.test", role="viewer")
    assert list_users(engine)["username"].tolist() == ["root@vru.test"]
