"""The director's overview and an objective in a real browser (Debian chromium), screenshots saved for review."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def live_app(tmp_path_factory):
    """The app served headless on a free port, with its own fresh store."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed")
    named = re.findall(r'st\.Page\(\s*"([^"]+)"', (ROOT / "streamlit_app.py").read_text(encoding="utf-8"))
    missing = [p for p in named if not (ROOT / p).exists()]
    if missing:
        pytest.skip(f"streamlit_app.py names pages not in this branch yet: {missing}")
    port = _free_port()
    data_dir = tmp_path_factory.mktemp("live")
    env = {k: v for k, v in os.environ.items() if k != "VRU_DATABASE_URL"}
    env["VRU_DATA_DIR"] = str(data_dir)
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.headless", "true",
         "--server.address", "127.0.0.1", "--server.port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).status == 200:
                    break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("the app did not answer /_stcore/health within 60 s")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def test_overview_screenshot(live_app, browser, artifacts):
    page = browser.new_page(viewport={"width": 1500, "height": 2600})
    # The first session after a server start cannot resolve a deep link before st.navigation has run
    # once (Streamlit shows "Page not found" and runs the main page), so open the main page first.
    page.goto(live_app, timeout=120_000)
    page.get_by_text("Strategy overview").first.wait_for(timeout=120_000)
    page.goto(f"{live_app}/performance", timeout=120_000)
    page.get_by_text("Performance against the strategy").wait_for(timeout=120_000)
    page.get_by_text("Open objective 8").wait_for(timeout=120_000)
    page.wait_for_timeout(2500)  # let the small Vega charts draw
    assert page.get_by_text("Page not found").count() == 0
    for n in range(1, 9):
        assert page.get_by_text(f"Open objective {n}").count() == 1
    assert page.locator(".vega-embed").count() >= 3
    page.screenshot(path=str(artifacts / "framework_overview.png"), full_page=True)
    page.close()


def test_objective_drill_down_screenshot(live_app, browser, artifacts):
    page = browser.new_page(viewport={"width": 1500, "height": 2200})
    page.goto(f"{live_app}/objective?objective=1", timeout=120_000)
    page.get_by_text("Objective 1: Supporting individuals").wait_for(timeout=120_000)
    page.get_by_text("Awards funding this objective").wait_for(timeout=60_000)
    page.wait_for_timeout(2500)
    assert page.locator(".vega-embed").count() >= 2
    page.screenshot(path=str(artifacts / "framework_objective_1.png"), full_page=True)
    page.close()


def test_board_summary_prints_on_one_a4_page(loaded_engine, browser, artifacts, tmp_path):
    from vru_core.framework.indicators import build_overview
    from vru_core.framework.summary import summary_html

    path = tmp_path / "summary.html"
    path.write_text(summary_html(build_overview(loaded_engine)), encoding="utf-8")
    page = browser.new_page()
    page.goto(path.as_uri())
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    (artifacts / "framework_summary.pdf").write_bytes(pdf)
    page.screenshot(path=str(artifacts / "framework_summary.png"), full_page=True)
    page.close()
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1
