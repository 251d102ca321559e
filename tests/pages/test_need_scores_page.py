"""The need scores page in AppTest: it renders, reacts to sliders and keeps the view in the URL."""

import json

import pytest
from streamlit.testing.v1 import AppTest

from vru_core.auth import Actor, Role
from vru_core.config import REPO_ROOT
from vru_core.profiles import get_profile

PAGE = "pages/need_scores.py"


@pytest.fixture
def app(engine, monkeypatch):
    """The whole app (entry + navigation) on a private copy of the loaded store."""
    monkeypatch.setenv("VRU_DATABASE_URL", str(engine.url.render_as_string(hide_password=False)))
    at = AppTest.from_file(str(REPO_ROOT / "streamlit_app.py"), default_timeout=60)
    at.run()
    assert not at.exception
    return at


def _ranked_codes(at) -> list[str]:
    table = at.dataframe(key="ranked_table") if hasattr(at, "dataframe") else None
    frame = table.value if table is not None else at.dataframe[0].value
    return frame["ward_code"].tolist()


def test_page_renders_table_map_and_method(app):
    at = app
    assert at.title[0].value == "Ward need scores"
    deck = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    layer_ids = [layer["id"] for layer in deck["layers"]]
    assert layer_ids == ["wards", "boroughs"]
    assert len(deck["layers"][0]["data"]["features"]) == 704
    assert "mapProvider" not in deck or deck.get("mapProvider") in (None, "")
    codes = _ranked_codes(at)
    assert len(codes) == 704
    assert any("not an index" in c.value for c in at.caption)


def test_moving_a_weight_slider_changes_ranking_and_query_params(app):
    at = app
    before = _ranked_codes(at)
    at.slider(key="w_crime_vwi_rate").set_value(5.0).run()
    at.slider(key="threshold").set_value(15.0).run()
    assert not at.exception
    after = _ranked_codes(at)
    assert after != before
    assert at.query_params["t"] == ["15"] or at.query_params["t"] == "15"
    assert "crime_vwi_rate:5" in str(at.query_params["w"])


def test_query_params_reproduce_the_view(engine, monkeypatch):
    monkeypatch.setenv("VRU_DATABASE_URL", str(engine.url.render_as_string(hide_password=False)))
    at = AppTest.from_file(str(REPO_ROOT / "streamlit_app.py"), default_timeout=60)
    at.query_params["t"] = "20"
    at.query_params["w"] = "crime_drug_trafficking_rate:0,imd_rank:2"
    at.query_params["b"] = "Hackney"
    at.run()
    assert not at.exception
    assert at.slider(key="threshold").value == 20.0
    assert at.slider(key="w_crime_drug_trafficking_rate").value == 0.0
    assert at.slider(key="w_imd_rank").value == 2.0
    shown = at.dataframe[0].value
    assert set(shown["ward_code"]).issubset(set(shown["ward_code"])) and len(shown) < 704


def test_selecting_a_ward_explains_it(app):
    at = app
    codes = _ranked_codes(at)
    at.selectbox(key="ward").set_value(codes[3]).run()
    assert not at.exception
    detail = at.dataframe[1].value
    assert {"label", "value", "threshold_value", "percentile", "flagged", "geography"} <= set(detail.columns)
    assert "borough" in set(detail["geography"])


def test_analyst_saves_a_profile(app, engine):
    at = app
    at.session_state["actor"] = Actor("ana", Role.ANALYST)
    at.run()
    at.slider(key="threshold").set_value(15.0).run()
    at.text_input(key="save_name").input("2026/27 commissioning round")
    at.button[-1].click()  # the form's submit button is the last button on the page
    at.run()
    assert not at.exception
    saved = get_profile(engine, "2026/27 commissioning round")
    assert saved is not None and saved.threshold_pct == 15.0
