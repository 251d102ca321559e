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


def test_scoring_page_draws_map_and_table(live_app, page, artifacts):
    page.set_viewport_size({"width": 1440, "height": 3200})
    page.goto(f"{live_app.url}/?t=15&w=crime_drug_trafficking_rate:0,crime_vwi_rate:2")
    page.get_by_role("heading", name="Ward need scores").wait_for()
    canvas = page.locator("#deckgl-wrapper canvas, canvas#deckgl-overlay").first
    canvas.wait_for(state="visible")
    table = page.locator('[data-testid="stDataFrame"]').first
    table.wait_for(state="visible")
    page.wait_for_timeout(2500)  # let deck.gl finish drawing the polygons
    map_png = page.locator('[data-testid="stDeckGlJsonChart"]').first.screenshot()
    assert _distinct_colours(map_png) > 20, "the map canvas looks blank"
    assert _distinct_colours(table.screenshot()) > 5, "the table looks empty"
    page.screenshot(path=str(artifacts / "need_scores.png"))
    assert page.get_by_text("Page not found").count() == 0
    # The slider reflects the URL and the URL keeps the profile.
    assert "t=15" in page.url and "crime_vwi_rate%3A2" in page.url.replace(":", "%3A")
