"""A commissioner signs in, records an award through the browser form, and finds it in the register."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from sqlmodel import Session

from vru_core.auth import hash_password
from vru_core.config import REPO_ROOT
from vru_core.db import get_engine, upgrade
from vru_core.load import load_bundled
from vru_core.models import User

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"
PASSWORD = "correct horse battery"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    """The real app, headless, on a fresh store holding one commissioner account."""
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian chromium is not installed")
    data_dir = tmp_path_factory.mktemp("browser-app")
    engine = get_engine(f"sqlite:///{data_dir / 'vru.sqlite3'}")
    upgrade(engine)
    load_bundled(engine)
    with Session(engine) as session:
        session.add(
            User(username="pat", display_name="Pat", role="commissioner", password_hash=hash_password(PASSWORD))
        )
        session.commit()
    engine.dispose()
    port = _free_port()
    env = {**os.environ, "VRU_DATA_DIR": str(data_dir)}
    env.pop("VRU_DATABASE_URL", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.headless", "true",
         "--server.address", "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false"],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).status == 200:
                break
        except OSError:
            time.sleep(0.5)
    else:
        server.terminate()
        pytest.fail("the app did not answer /_stcore/health within 90 s")
    yield url
    server.terminate()
    server.wait(timeout=20)


@pytest.fixture
def page(app_url):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"],
        )  # fmt: skip
        context = browser.new_context(viewport={"width": 1400, "height": 2200})
        tab = context.new_page()
        tab.set_default_timeout(60_000)
        yield tab
        browser.close()


def _sidebar(page, name: str) -> None:
    """Move between pages inside the app (a fresh URL would start a new, signed-out session)."""
    page.get_by_test_id("stSidebarNav").get_by_text(name, exact=True).click()


def _pick(page, label: str, text: str, option: str) -> None:
    box = page.get_by_label(label, exact=True)
    box.click()
    box.fill(text)
    page.get_by_role("option", name=option).first.click()
    page.keyboard.press("Escape")


def test_commissioner_records_an_award_and_finds_it_in_the_register(page, app_url, artifacts):
    page.goto(app_url)  # the entry page first: it sets up st.navigation
    _sidebar(page, "Sign in")
    page.get_by_label("Username", exact=True).fill("pat")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Signed in as").wait_for()

    _sidebar(page, "New award")
    page.get_by_role("heading", name="New award").wait_for()
    title = "Browser-recorded youth mentoring"
    page.get_by_label("Title", exact=True).fill(title)
    page.get_by_label("Amount awarded (£)", exact=True).fill("45000")
    page.get_by_label("360Giving organisation identifier", exact=True).fill("GB-CHC-1123456")
    page.get_by_label("Organisation name", exact=True).fill("Hackney Young Futures")
    page.get_by_label("Charity number", exact=True).fill("1123456")
    _pick(page, "Objectives (one or more of the eight)", "leading", "3. Young people leading change")
    _pick(page, "Wards (type a ward or borough name to search; used when Geography is Wards)", "Hackney", "Hackney")
    page.get_by_role("button", name="Save award (as proposed)").click()
    page.get_by_role("heading", name=title).wait_for()
    page.get_by_test_id("stMetric").filter(has_text="Awarded").get_by_text("£45,000.00").wait_for()
    page.screenshot(path=str(artifacts / "register-award-saved.png"), full_page=True)

    _sidebar(page, "Register")
    page.get_by_role("heading", name="Commissioning register").wait_for()
    page.get_by_label("Search title, recipient or identifier", exact=True).fill("Browser-recorded")
    page.keyboard.press("Enter")
    metric = page.get_by_test_id("stMetric").filter(has_text="Awards").first
    metric.get_by_text("1", exact=True).wait_for()
    page.get_by_test_id("stMetric").filter(has_text="Awarded").get_by_text("£45,000").wait_for()
    page.get_by_test_id("stDataFrame").get_by_text(title).wait_for(
        state="attached"
    )  # the grid draws on a canvas; its accessible cells hold the text
    page.screenshot(path=str(artifacts / "register-browser.png"), full_page=True)
