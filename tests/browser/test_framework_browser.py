"""The director's overview and an objective in a real browser (Debian chromium), screenshots saved for review.

Uses the live app and browser fixtures of tests/browser/conftest.py.
"""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser


def test_overview_screenshot(live_app, browser, artifacts):
    page = browser.new_page(viewport={"width": 1500, "height": 2600})
    page.goto(f"{live_app.url}/framework", timeout=120_000)
    page.get_by_role("heading", name="Performance against the strategy").wait_for(timeout=120_000)
    page.get_by_text("Open objective 8").wait_for(timeout=120_000)
    page.locator(".vega-embed >> visible=true").nth(2).wait_for(timeout=60_000)  # the small trend charts
    page.wait_for_timeout(1500)  # let them finish drawing
    assert page.get_by_text("Page not found").count() == 0
    for n in range(1, 9):
        assert page.get_by_text(f"Open objective {n}").count() == 1
    assert page.locator(".vega-embed").count() >= 3
    page.screenshot(path=str(artifacts / "framework_overview.png"), full_page=True)
    page.close()


def test_objective_drill_down_screenshot(live_app, browser, artifacts):
    page = browser.new_page(viewport={"width": 1500, "height": 2200})
    page.goto(f"{live_app.url}/objective?objective=1", timeout=120_000)
    page.get_by_role("heading", name="Objective 1: Supporting individuals").wait_for(timeout=120_000)
    page.get_by_text("Awards funding this objective").wait_for(timeout=60_000)
    page.locator(".vega-embed >> visible=true").nth(1).wait_for(timeout=60_000)
    page.wait_for_timeout(1500)
    assert page.locator(".vega-embed >> visible=true").count() >= 2
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
