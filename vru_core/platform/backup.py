"""Back up and restore the store, and fingerprint its tables.

    python -m vru_core.platform.backup [--out FILE]          a consistent copy of the configured store
    python -m vru_core.platform.backup restore FILE [--yes]  put a copy back (refuses to overwrite without --yes);
                                                     keeps a copy of the store it replaces, audits the restore
    python -m vru_core.platform.backup checksums             one line per table: rows and a content hash

SQLite is copied with its online backup API (safe while the app is running); PostgreSQL with
`pg_dump --format=custom` and restored with `pg_restore --clean` (stop the app first). Restoring
runs the migrations afterwards, so an older backup comes back at the current schema. Every restore is
written to the restored store's audit log: the file and its SHA-256, who ran it, and how many audit
entries the replaced store held (they are in the copy kept beside the backups).
"""

from __future__ import annotations

import argparse
import datetime as dt
import decimal
import glob
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, MetaData, inspect, select, text
from sqlalchemy.exc import DBAPIError

from vru_core.platform.audit import record
from vru_core.platform.auth import shell_actor
from vru_core.platform.config import get_settings
from vru_core.platform.db import file_is_read_only, get_engine, session_scope, upgrade
from vru_core.platform.errors import Refused

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"


class BackupError(Refused):
    """A backup or restore that could not be done; the message says why and what to do."""


# ---- checksums --------------------------------------------------------------------------------------


def _normal(value: Any) -> Any:
    if value is None or isinstance(value, (str, int)):
        return value
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True, default=str)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (bytes, memoryview)):
        return bytes(value).hex()
    if isinstance(value, float):
        return repr(value)
    return value


def table_checksums(engine: Engine) -> dict[str, str]:
    """`{table: "rows:sha256-prefix"}` over every table in the store, read in primary-key order.

    Two calls give equal results exactly when no row anywhere was added, removed or changed: the
    bad-input tests use it to prove a refused import left the store untouched, and backups to prove
    a restore brought everything back.
    """
    metadata = MetaData()
    metadata.reflect(engine)
    sums: dict[str, str] = {}
    with engine.connect() as conn:
        for name in sorted(metadata.tables):
            table = metadata.tables[name]
            order = list(table.primary_key.columns) or list(table.columns)
            digest = hashlib.sha256()
            count = 0
            for row in conn.execute(select(table).order_by(*order)):
                digest.update(repr(tuple(_normal(v) for v in row)).encode())
                digest.update(b"\n")
                count += 1
            sums[name] = f"{count}:{digest.hexdigest()[:16]}"
    return sums


# ---- PostgreSQL tools -----------------------------------------------------------------------------


def pg_tool(name: str) -> str:
    """pg_dump / pg_restore: on PATH, or in Debian's /usr/lib/postgresql/<version>/bin (newest first)."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(Path(p).parts[-3]), reverse=True
    )
    if not candidates:
        raise BackupError(f"{name} not found: install PostgreSQL's client tools (Debian: apt-get install postgresql)")
    return candidates[0]


def _pg_env(engine: Engine) -> dict[str, str]:
    """Connection details for libpq tools, the password in the environment rather than on the command line."""
    url = engine.url
    env = dict(os.environ)
    for key, value in (
        ("PGHOST", url.host),
        ("PGPORT", url.port),
        ("PGUSER", url.username),
        ("PGPASSWORD", url.password),
        ("PGDATABASE", url.database),
    ):
        if value is not None:
            env[key] = str(value)
    return env


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {done.stderr.strip() or done.stdout.strip()}")


# ---- backup and restore -------------------------------------------------------------------------


def default_backup_path(engine: Engine) -> Path:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    suffix = "sqlite3" if engine.dialect.name == "sqlite" else "pgdump"
    return get_settings().data_dir / "backups" / f"vru-{stamp}.{suffix}"


def pre_restore_path(engine: Engine) -> Path:
    path = default_backup_path(engine)
    return path.with_name(path.name.replace("vru-", "vru-replaced-by-restore-", 1))


def _sqlite_path(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite store cannot be backed up or restored")
    return Path(database.removeprefix("file:").split("?", 1)[0])


def backup(engine: Engine, out: Path | None = None) -> Path:
    """Write a consistent copy; returns where it went. Never overwrites an existing file."""
    out = Path(out) if out else default_backup_path(engine)
    if out.exists():
        raise BackupError(f"{out} already exists: choose another --out")
    out.parent.mkdir(parents=True, exist_ok=True)
    if engine.dialect.name == "sqlite":
        source = sqlite3.connect(_sqlite_path(engine))
        target = sqlite3.connect(out)
        try:
            with target:
                source.backup(target)  # one step: a snapshot even while others write
            target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, readable even when read-only
        finally:
            source.close()
            target.close()
    elif engine.dialect.name == "postgresql":
        partial = out.with_name(out.name + ".partial")
        try:
            _run(
                [pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={partial}"],
                _pg_env(engine),
            )
        except BackupError:
            partial.unlink(missing_ok=True)
            raise
        partial.rename(out)
    else:
        raise BackupError(f"no backup method for {engine.dialect.name}")
    return out


def _store_has_tables(engine: Engine) -> bool:
    return bool(inspect(engine).get_table_names())


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _audit_summary(engine: Engine) -> dict[str, Any]:
    """How much history the store about to be replaced holds (kept in the restore's audit entry)."""
    try:
        with engine.connect() as conn:
            n, last = conn.execute(text("SELECT count(*), max(id) FROM audit_log")).one()
    except DBAPIError:
        return {"audit_entries": None}
    return {"audit_entries": int(n), "last_audit_id": last}


def restore(engine: Engine, source: Path, *, yes: bool = False, keep_copy: Path | None = None) -> Path | None:
    """Replace the store's contents with a backup. Without `yes`, refuse if the store holds anything.

    `keep_copy`: first back the current store up there (the command line always does). The restore
    is audited in the restored store. Returns the kept copy, if any."""
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"{source} is not a file")
    with source.open("rb") as handle:
        magic = handle.read(16)
    dialect = engine.dialect.name
    if dialect == "sqlite" and not magic.startswith(SQLITE_MAGIC):
        raise BackupError(f"{source} is not an SQLite backup (the store is SQLite)")
    if dialect == "postgresql" and not magic.startswith(PG_DUMP_MAGIC):
        raise BackupError(f"{source} is not a pg_dump custom-format backup (the store is PostgreSQL)")
    has_data = _store_has_tables(engine)
    if has_data and not yes:
        raise BackupError("the store already holds data; restoring replaces all of it. Pass --yes to go ahead")
    if dialect == "sqlite" and file_is_read_only(_sqlite_path(engine)):
        raise BackupError(f"the store {_sqlite_path(engine)} is read-only: make it writable before restoring")
    replaced = _audit_summary(engine) if has_data else {"audit_entries": 0}
    kept = backup(engine, keep_copy) if (keep_copy is not None and has_data) else None
    checksum = _file_sha256(source)
    engine.dispose()
    if dialect == "sqlite":
        # immutable: the backup is only read, so a read-only file (or folder) restores as well as any other.
        backup_db = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
        try:
            if backup_db.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise BackupError(f"{source} is damaged (SQLite quick_check failed)")
            target = sqlite3.connect(_sqlite_path(engine), timeout=30)
            try:
                backup_db.backup(target)
                target.execute("PRAGMA journal_mode=WAL")
            finally:
                target.close()
        finally:
            backup_db.close()
    else:
        _run(
            [
                pg_tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                f"--dbname={engine.url.database}",
                str(source),
            ],
            _pg_env(engine),
        )
    upgrade(engine)
    with session_scope(engine) as session:
        record(
            session,
            actor=shell_actor(),
            action="restore",
            entity_type="store",
            entity_id=source.name,
            after={
                "file": str(source.resolve()),
                "sha256": checksum,
                "bytes": source.stat().st_size,
                "replaced": replaced,
                "copy_of_replaced_store": str(kept) if kept else None,
            },
            note="restored from a backup; entries after the backup was taken are in the replaced store's copy",
        )
    return kept


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m vru_core.platform.backup", description=__doc__.splitlines()[0])
    parser.add_argument("command", nargs="?", choices=["backup", "restore", "checksums"], default="backup")
    parser.add_argument("file", nargs="?", type=Path, help="the backup to restore")
    parser.add_argument("--out", type=Path, help="where to write the backup (default: VRU_DATA_DIR/backups/)")
    parser.add_argument("--yes", action="store_true", help="restore even though the store holds data")
    parser.add_argument("--keep-copy", type=Path, help="where to keep the replaced store (default: beside the backups)")
    args = parser.parse_intermixed_args(argv)
    engine = get_engine()
    try:
        if args.command == "restore":
            if args.file is None:
                parser.error("restore needs the backup FILE")
            kept = restore(engine, args.file, yes=args.yes, keep_copy=args.keep_copy or pre_restore_path(engine))
            print(f"Restored {args.file} into {engine.url.render_as_string(hide_password=True)}.")
            if kept:
                print(f"The store it replaced is kept in {kept}.")
        elif args.command == "checksums":
            for table, checksum in table_checksums(engine).items():
                print(f"{table}\t{checksum}")
        else:
            out = backup(engine, args.out)
            print(f"Backed up {engine.url.render_as_string(hide_password=True)} to {out}.")
        return 0
    except BackupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
