"""Stores for tests: a migrated, loaded template per backend, copied fresh for each test that writes."""

from __future__ import annotations

import atexit
import os
import shutil
import sqlite3
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from vru_core.needs.load import load_bundled
from vru_core.platform.auth import Actor, Role
from vru_core.platform.db import get_engine, upgrade

# Tests never read or write the developer's data folder (var/ or VRU_DATA_DIR): a full org-id.guide list
# an administrator installed there would change which identifiers validate.
_DATA_DIR = tempfile.mkdtemp(prefix="vru-test-data-")
atexit.register(shutil.rmtree, _DATA_DIR, ignore_errors=True)
os.environ["VRU_DATA_DIR"] = _DATA_DIR

POSTGRES_URL = os.environ.get("VRU_TEST_POSTGRES_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def _pg_url(database: str) -> str:
    return POSTGRES_URL.rsplit("/", 1)[0] + "/" + database


APP_ROLE = "vru_app"  # the role the app connects as on PostgreSQL: owns nothing (vru_core.platform.roles)


def _pg_admin(sql: str) -> None:
    admin = get_engine(POSTGRES_URL).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(sql))
    admin.dispose()


def _ensure_app_role() -> None:
    """The throwaway cluster's app role (parallel workers may race to create it: one wins, all go on)."""
    from sqlalchemy.exc import DBAPIError

    from vru_core.platform.roles import create_app_role

    admin = get_engine(POSTGRES_URL).execution_options(isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            create_app_role(conn, APP_ROLE)
    except DBAPIError as exc:
        if "already exists" not in str(exc) and "duplicate key" not in str(exc):
            raise
    finally:
        admin.dispose()


def as_app_role(url: str) -> str:
    """The same PostgreSQL database, connected as the app's role instead of the owner."""
    scheme, rest = url.split("://", 1)
    return f"{scheme}://{APP_ROLE}@{rest.split('@', 1)[1]}"


@contextmanager
def _loaded_template(backend: str, workdir: Path) -> Iterator[tuple[str, str]]:
    """(backend, url) of a store migrated and loaded with the real bundled data."""
    if backend == "sqlite":
        url = f"sqlite:///{workdir / 'vru.sqlite3'}"
    else:
        _ensure_app_role()  # before the migrations, which grant it what the app needs
        name = f"vru_tmpl_{uuid.uuid4().hex[:8]}"
        _pg_admin(f"CREATE DATABASE {name}")
        url = _pg_url(name)
    engine = get_engine(url)
    upgrade(engine)
    load_bundled(engine)
    engine.dispose()
    yield backend, url
    if backend == "postgresql":
        _pg_admin(f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]} WITH (FORCE)")


def pytest_report_header() -> str:
    from tests.register import schema360

    return f"360Giving schema: {schema360.in_use().label} (official 1.4.3 files: {schema360.ENV} or ../shared/data)"


def pytest_collection_modifyitems(items) -> None:
    """Mark every case that runs on PostgreSQL, so `-m "not postgres"` gives the fast SQLite-only loop."""
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and "postgresql" in callspec.params.values():
            item.add_marker(pytest.mark.postgres)


@pytest.fixture(scope="session", params=BACKENDS)
def template(request, tmp_path_factory) -> Iterator[tuple[str, str]]:
    """The loaded template of each backend, built once per run."""
    with _loaded_template(request.param, tmp_path_factory.mktemp("template")) as built:
        yield built


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Iterator[tuple[str, str]]:
    """The SQLite template alone: for things that only run on the default store (the live app)."""
    with _loaded_template("sqlite", tmp_path_factory.mktemp("sqlite_template")) as built:
        yield built


@contextmanager
def _copy_of(template: tuple[str, str], workdir: Path) -> Iterator[Engine]:
    """A fresh store copied from the loaded template (nobody else ever connects to the template)."""
    backend, url = template
    if backend == "sqlite":
        copy = workdir / f"vru-{uuid.uuid4().hex[:8]}.sqlite3"
        src, dst = sqlite3.connect(url.removeprefix("sqlite:///")), sqlite3.connect(copy)
        src.backup(dst)
        src.close()
        dst.close()
        engine = get_engine(f"sqlite:///{copy}")
        yield engine
        engine.dispose()
    else:
        name = f"vru_t_{uuid.uuid4().hex[:8]}"
        _pg_admin(f"CREATE DATABASE {name} TEMPLATE {url.rsplit('/', 1)[1]}")
        engine = get_engine(_pg_url(name))
        yield engine
        engine.dispose()
        _pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(scope="session")
def loaded_engine(template, tmp_path_factory) -> Engine:
    """A loaded store shared by the tests that only read."""
    with _copy_of(template, tmp_path_factory.mktemp("shared")) as engine:
        yield engine


@pytest.fixture
def engine(template, tmp_path) -> Engine:
    """A private copy of the loaded store: for tests that write."""
    with _copy_of(template, tmp_path) as engine:
        yield engine


@pytest.fixture
def app_engine(engine) -> Iterator[Engine]:
    """The test's store as the app connects to it: on PostgreSQL as the app role (owns no table, holds only
    grants); on SQLite the same engine (its connections carry the audit guard)."""
    if engine.dialect.name == "sqlite":
        yield engine
        return
    app = get_engine(as_app_role(engine.url.render_as_string(hide_password=False)))
    yield app
    app.dispose()


@pytest.fixture
def actors() -> dict[str, Actor]:
    return {role.value: Actor(f"test-{role.value}", role) for role in Role}


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
