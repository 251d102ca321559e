"""The analyst's first look, in a real browser: the map draws, the table fills, the URL keeps the view."""

import pytest

pytestmark = pytest.mark.browser


def _distinct_colours(png: bytes) -> int:
    """How many distinct colours a screenshot holds (a blank canvas has one or two)."""
    import io

    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB").resize((200, 150))
    return len(set(image.get_flattened_data()))


def test_analyst_walks_through_sensitivity_trends_and_sources(live_app, page, artifacts):
    page.set_viewport_size({"width": 1440, "height": 2200})
    # The first request of this server goes straight to a page other than the default one: the app's own
    # navigation must still be there (not Streamlit's old pages/ folder navigation).
    for path, heading, drawn, shot in [
        ("sensitivity", "Sensitivity", "stDataFrame", "sensitivity.png"),
        ("trends", "Trends and concentration", "stVegaLiteChart", "trends.png"),
        ("measures", "Measures and sources", "stDataFrame", "measures.png"),
    ]:
        page.goto(f"{live_app.url}/{path}")
        page.get_by_role("heading", name=heading).wait_for()
        page.locator(f'[data-testid="{drawn}"]').first.wait_for(state="visible")
        nav = page.get_by_test_id("stSidebar").inner_text()
        assert "Ward need scores" in nav and "common" not in nav
        page.wait_for_timeout(1500)
        assert page.locator('[data-testid="stException"]').count() == 0, f"{path} raised"
        page.screenshot(path=str(artifacts / shot))


def _map(page):
    """The need scores map component's drawn canvas (it sits in a shadow root: Playwright's CSS pierces it)."""
    return page.locator('[data-vru-map-ready="1"] canvas').first


def _threshold_shown(page) -> str:
    return page.get_by_test_id("stSidebar").get_by_test_id("stSliderThumbValue").first.inner_text()


def _wait_idle(page) -> None:
    page.wait_for_function(
        "() => document.querySelector('[data-testid=\"stApp\"]')?.dataset.testScriptState === 'notRunning'"
        " && !document.querySelector('[data-stale=\"true\"]')"
    )


def test_scoring_page_draws_map_and_table(live_app, page, artifacts):
    page.set_viewport_size({"width": 1440, "height": 3200})
    page.goto(f"{live_app.url}/?t=15&p=2&w=crime_vwi_rate:2,imd_rank:1")
    page.get_by_role("heading", name="Ward need scores").wait_for()
    canvas = _map(page)
    canvas.wait_for(state="visible")
    table = page.locator('[data-testid="stDataFrame"]').first
    table.wait_for(state="visible")
    _wait_idle(page)
    page.wait_for_timeout(500)
    assert _distinct_colours(canvas.screenshot()) > 5, "the map canvas looks blank"
    assert _distinct_colours(table.screenshot()) > 5, "the table looks empty"
    page.screenshot(path=str(artifacts / "need_scores.png"))
    assert page.get_by_text("Page not found").count() == 0
    assert page.locator('[data-testid="stException"]').count() == 0
    assert "t=15" in page.url and "crime_vwi_rate%3A2" in page.url.replace(":", "%3A")


def test_map_hover_names_ward_and_borough_and_a_click_selects_it(live_app, page, artifacts):
    page.set_viewport_size({"width": 1440, "height": 2400})
    page.goto(f"{live_app.url}/")
    canvas = _map(page)
    canvas.wait_for(state="visible")
    _wait_idle(page)
    box = canvas.bounding_box()
    x, y = box["x"] + box["width"] * 0.55, box["y"] + box["height"] * 0.5  # central London: always a ward
    page.mouse.move(x, y)
    tip = page.locator(".vru-tip")
    tip.wait_for(state="visible")
    ward_name, borough = tip.inner_text().splitlines()[:2]
    assert ward_name and borough and "Need score" in tip.inner_text()
    page.locator('[data-testid="stMain"]').screenshot(path=str(artifacts / "need_scores_hover.png"))
    page.mouse.click(x, y)
    page.wait_for_function("() => new URLSearchParams(location.search).has('ward')")
    _wait_idle(page)
    detail = page.get_by_test_id("stMarkdownContainer").filter(has_text=f"{ward_name}, {borough}: score")
    detail.first.wait_for(state="visible")  # the ward detail now explains the clicked ward


def test_the_view_survives_other_pages_a_reload_and_a_new_tab(live_app, page, browser):
    """Issue 11 rule 1 in the browser: leave by the sidebar, come back, reload, open the address in a new tab."""
    from tests.browser.conftest import sidebar_link

    page.set_viewport_size({"width": 1440, "height": 2000})
    page.goto(f"{live_app.url}/")
    _map(page).wait_for(state="visible")
    _wait_idle(page)
    threshold = page.get_by_role("slider", name="Threshold")
    threshold.focus()
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    page.wait_for_function("() => new URLSearchParams(location.search).get('t') === '15'")
    page.get_by_role("textbox", name="Search ward name").fill("ham")
    page.keyboard.press("Enter")
    page.wait_for_function("() => new URLSearchParams(location.search).get('q') === 'ham'")
    _wait_idle(page)
    address = page.url
    for other in ("Sensitivity", "Register"):
        sidebar_link(page, other).click()
        page.wait_for_function("() => !location.search.includes('t=15')")
        _wait_idle(page)
        sidebar_link(page, "Ward need scores").click()
        page.wait_for_function("() => new URLSearchParams(location.search).get('t') === '15'")
        _wait_idle(page)
        assert page.url == address
        assert _threshold_shown(page) == "15%"
        assert page.get_by_role("textbox", name="Search ward name").input_value() == "ham"
    page.reload()
    _map(page).wait_for(state="visible")
    _wait_idle(page)
    assert _threshold_shown(page) == "15%"
    other_tab = page.context.new_page()
    other_tab.goto(address)
    _map(other_tab).wait_for(state="visible")
    _wait_idle(other_tab)
    assert _threshold_shown(other_tab) == "15%"
    other_tab.close()
