"""In chromium: the award page's Impact tab and the need scores' rank bands, saved as screenshots to look at."""

from __future__ import annotations

import pytest

from tests.browser.test_need_scores_browser import _distinct_colours
from tests.impact.conftest import make_award
from vru_core.platform.auth import Actor, Role
from vru_core.platform.db import get_engine

pytestmark = pytest.mark.browser


@pytest.fixture
def award_id(live_app) -> int:
    engine = get_engine(live_app.database_url)
    try:
        return make_award(engine, Actor("browser-test", Role.COMMISSIONER))
    finally:
        engine.dispose()


def test_impact_tab_draws_the_chart(page, live_app, award_id, artifacts):
    page.set_viewport_size({"width": 1440, "height": 1900})
    page.goto(f"{live_app.url}/award?id={award_id}")
    page.get_by_role("tab", name="Impact").click()
    page.get_by_text("Change against the comparison").wait_for(timeout=180_000)
    page.locator("[data-testid='stVegaLiteChart'] canvas, [data-testid='stVegaLiteChart'] svg").first.wait_for()
    page.get_by_text("Regression to the mean.").wait_for()
    page.wait_for_timeout(1500)
    page.screenshot(path=str(artifacts / "impact_tab.png"), full_page=True)


def test_need_scores_show_rank_bands(page, live_app, artifacts):
    page.set_viewport_size({"width": 1440, "height": 2200})
    page.goto(live_app.url)
    page.get_by_role("heading", name="Ward need scores").wait_for()
    page.get_by_text("rank band crosses the top-").wait_for(timeout=120_000)  # the map's legend
    drawn = page.locator('[data-vru-map-ready="1"] canvas').first  # the canvas map component, once drawn
    drawn.wait_for(state="visible")
    page.wait_for_timeout(500)
    map_png = drawn.screenshot()
    assert _distinct_colours(map_png) > 20, "the map canvas looks blank"
    page.screenshot(path=str(artifacts / "need_scores_uncertainty.png"), full_page=True)
