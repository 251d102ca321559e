"""Backups: a copy that restores to exactly the same tables, on SQLite and PostgreSQL."""

import subprocess
import sys

import pytest
from sqlalchemy import select

from vru_core.models import AuditEntry
from vru_core.platform.auth import Actor, Role
from vru_core.platform.backup import BackupError, backup, restore, table_checksums
from vru_core.platform.db import get_engine
from vru_core.platform.users import create_user, list_users

ADMIN = Actor("backup-admin", Role.ADMIN)


def _restored_as(engine, saved: dict) -> None:
    """Every table as backed up, and the audit log with exactly one entry more: the restore itself."""
    now = table_checksums(engine)
    assert {t: c for t, c in now.items() if t != "audit_log"} == {t: c for t, c in saved.items() if t != "audit_log"}
    assert int(now["audit_log"].split(":")[0]) == int(saved["audit_log"].split(":")[0]) + 1
    with engine.connect() as conn:
        action, entity_type, after = conn.execute(
            select(AuditEntry.action, AuditEntry.entity_type, AuditEntry.after).order_by(AuditEntry.id.desc())
        ).first()
    assert (action, entity_type) == ("restore", "store") and len(after["sha256"]) == 64


def _write_something(engine, username: str) -> None:
    """Rows in the tables people change: an account, an approved award with a payment, the audit log."""
    from tests.factories import approve, sample_award
    from vru_core.register import lifecycle, money

    create_user(engine=engine, actor=ADMIN, username=username, role="commissioner", display_name="Zoë £ “quotes”")
    award_id = lifecycle.create_award(
        engine=engine, actor=ADMIN, data=sample_award(engine, title=f"Award by {username}")
    )
    approve(engine, award_id)
    money.add_payment(engine=engine, actor=ADMIN, award_id=award_id, data={"paid_on": "2026-06-01", "amount": "99.5"})


@pytest.mark.store
def test_backup_then_restore_brings_back_exactly_the_backed_up_store(engine, tmp_path):
    _write_something(engine, "kept")
    saved = table_checksums(engine)
    copy = backup(engine, tmp_path / "copy.bak")
    _write_something(engine, "after-backup")
    assert table_checksums(engine) != saved
    with pytest.raises(BackupError, match="Pass --yes"):
        restore(engine, copy)
    assert "after-backup" in list_users(engine)["username"].tolist()
    restore(engine, copy, yes=True)
    _restored_as(engine, saved)
    assert list_users(engine)["username"].tolist() == ["kept"]
    assert {"award", "payment", "organisation"} <= {t for t, c in saved.items() if not c.startswith("0:")}
    _write_something(engine, "still-writable")  # the restored store works (and its audit guard is back)


@pytest.mark.store
def test_backup_never_overwrites_and_restore_checks_the_file(engine, tmp_path):
    existing = tmp_path / "exists.bak"
    existing.write_bytes(b"keep me")
    with pytest.raises(BackupError, match="already exists"):
        backup(engine, existing)
    assert existing.read_bytes() == b"keep me"
    before = table_checksums(engine)
    with pytest.raises(BackupError, match=r"is not an? "):
        restore(engine, existing, yes=True)
    with pytest.raises(BackupError, match="is not a file"):
        restore(engine, tmp_path / "missing.bak", yes=True)
    assert table_checksums(engine) == before


def test_restore_into_an_empty_store_needs_no_confirmation(engine, tmp_path):
    if engine.dialect.name != "sqlite":
        pytest.skip("an empty PostgreSQL database is the same path with pg_restore")
    copy = backup(engine, tmp_path / "copy.sqlite3")
    fresh = get_engine(f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    restore(fresh, copy)
    _restored_as(fresh, table_checksums(engine))
    fresh.dispose()


@pytest.mark.store
def test_command_line_round_trip(engine, tmp_path):
    _write_something(engine, "cli-user")
    saved = table_checksums(engine)
    env = {
        "VRU_DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "PATH": "/usr/bin:/bin",
        "VRU_DATA_DIR": str(tmp_path),
    }

    def cli(*args):
        return subprocess.run(
            [sys.executable, "-m", "vru_core.platform.backup", *args], capture_output=True, text=True, env=env
        )

    made = cli()  # default place: VRU_DATA_DIR/backups/
    assert made.returncode == 0, made.stderr
    (copy,) = (tmp_path / "backups").iterdir()
    _write_something(engine, "later")
    refused = cli("restore", str(copy))
    assert refused.returncode == 2 and "--yes" in refused.stderr
    engine.dispose()
    done = cli("restore", "--yes", str(copy))
    assert done.returncode == 0, done.stderr
    _restored_as(engine, saved)
    kept = [p for p in (tmp_path / "backups").iterdir() if "replaced-by-restore" in p.name]
    assert len(kept) == 1 and "kept in" in done.stdout  # the store it replaced (with "later") is not lost


def test_checksums_see_any_change(engine):
    first = table_checksums(engine)
    assert first == table_checksums(engine)
    assert {"ward", "borough", "audit_log", "app_user", "alembic_version"} <= set(first)
    create_user(engine=engine, actor=ADMIN, username="changer", role="viewer")
    changed = {t for t, c in table_checksums(engine).items() if c != first[t]}
    assert changed == {"app_user", "audit_log"}
