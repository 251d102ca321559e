"""A live app and Debian's chromium for the few flows worth checking in a real browser."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from vru_core.platform.config import REPO_ROOT

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass
class LiveApp:
    url: str
    data_dir: Path
    database_url: str


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`streamlit run app.py` (the app with its session routes) on a free port, stopped by `stop()`."""

    def __init__(self, env: dict, log_path: Path):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self._log = open(log_path, "w")  # noqa: SIM115 (closed in stop)
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "app.py",
                "--server.headless",
                "true",
                "--server.address",
                "127.0.0.1",
                "--server.port",
                str(self.port),
            ],
            cwd=REPO_ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.proc.kill()
                pytest.fail(f"streamlit did not start: {log_path.read_text()[-2000:]}")
            time.sleep(0.5)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self._log.close()


def server_env(**settings: str) -> dict:
    env = {**os.environ, **settings}
    if "VRU_DATABASE_URL" not in settings:
        env.pop("VRU_DATABASE_URL", None)
    return env


@contextmanager
def _serve(sqlite_template, data_dir: Path) -> Iterator[LiveApp]:
    """The app on a SQLite copy of the loaded template (skips the first-start load)."""
    _backend, url = sqlite_template
    src, dst = sqlite3.connect(url.removeprefix("sqlite:///")), sqlite3.connect(data_dir / "vru.sqlite3")
    src.backup(dst)
    src.close()
    dst.close()
    server = Server(server_env(VRU_DATA_DIR=str(data_dir)), data_dir / "streamlit.log")
    try:
        yield LiveApp(url=server.url, data_dir=data_dir, database_url=f"sqlite:///{data_dir / 'vru.sqlite3'}")
    finally:
        server.stop()


@pytest.fixture(scope="session")
def live_app(sqlite_template, tmp_path_factory) -> Iterator[LiveApp]:
    """The app shared by the browser tests that leave the register as the others expect it."""
    with _serve(sqlite_template, tmp_path_factory.mktemp("live")) as app:
        yield app


@pytest.fixture(scope="module")
def own_live_app(sqlite_template, tmp_path_factory) -> Iterator[LiveApp]:
    """An app on a store of its own, for a test module that fills the register with records of its own."""
    with _serve(sqlite_template, tmp_path_factory.mktemp("own_live")) as app:
        yield app


def sidebar_link(page, name: str):
    """A page link of the app's own navigation (sidebar page links; a link keeps the session's state)."""
    return page.get_by_test_id("stSidebar").get_by_role("link", name=name, exact=True)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: ./run test installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 1100})
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield page
    context.close()
