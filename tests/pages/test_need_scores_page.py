"""The need scores page in AppTest: it renders, reacts to sliders and keeps the view in the URL."""

import json

import pytest

from tests import raw
from vru_core.needs.profiles import get_profile, save_profile
from vru_core.needs.scoring import Profile
from vru_core.platform.auth import Actor, Role

PAGE = "app_pages/need_scores.py"


@pytest.fixture
def app(make_app):
    return make_app()


def _ranked_codes(at) -> list[str]:
    return at.dataframe[0].value["ward_code"].tolist()


def test_page_renders_table_map_and_method(app):
    at = app
    assert at.title[0].value == "Ward need scores"
    deck = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    layer_ids = [layer["id"] for layer in deck["layers"]]
    assert layer_ids == ["wards", "boroughs", "uncertain"]  # uncertain: rank bands crossing the top-N line
    assert len(deck["layers"][0]["data"]["features"]) == raw.n_wards()
    assert "mapProvider" not in deck or deck.get("mapProvider") in (None, "")
    codes = _ranked_codes(at)
    assert len(codes) == raw.n_wards()
    assert any("not an index" in c.value for c in at.caption)


def test_moving_a_weight_slider_changes_ranking_and_query_params(app):
    at = app
    before = _ranked_codes(at)
    at.slider(key="w_crime_vwi_rate").set_value(5.0).run()
    at.slider(key="threshold").set_value(15.0).run()
    assert not at.exception
    after = _ranked_codes(at)
    assert after != before
    assert at.query_params["t"] == "15"
    assert "crime_vwi_rate:5" in at.query_params["w"].split(",")


def test_query_params_reproduce_the_view(make_app):
    at = make_app(query={"t": "20", "w": "crime_drug_trafficking_rate:0,imd_rank:2", "b": "Hackney"})
    assert at.slider(key="threshold").value == 20.0
    assert at.slider(key="w_crime_drug_trafficking_rate").value == 0.0
    assert at.slider(key="w_imd_rank").value == 2.0
    shown = at.dataframe[0].value
    assert at.multiselect(key="boroughs").value == ["Hackney"]
    assert 10 < len(shown) < 40  # Hackney's wards only


def test_selecting_a_ward_explains_it(app):
    at = app
    codes = _ranked_codes(at)
    at.selectbox(key="ward").set_value(codes[3]).run()
    assert not at.exception
    detail = at.dataframe[1].value
    assert {"label", "value", "threshold_value", "percentile", "flagged", "geography"} <= set(detail.columns)
    assert "borough" in set(detail["geography"])


def test_analyst_saves_a_profile(make_app, engine):
    at = make_app(actor=Actor("ana", Role.ANALYST))
    at.slider(key="threshold").set_value(15.0).run()
    at.text_input(key="save_name").input("2026/27 commissioning round")
    at.button[-1].click()  # the form's submit button is the last button on the page
    at.run()
    assert not at.exception
    saved = get_profile(engine, "2026/27 commissioning round")
    assert saved is not None and saved.threshold_pct == 15.0


def test_a_saved_profile_loads_into_the_sliders(make_app, engine):
    save_profile(
        engine=engine,
        actor=Actor("ana", Role.ANALYST),
        name="Knife focus",
        profile=Profile(threshold_pct=20, weights={"crime_weapons_rate": 3.0}),
    )
    at = make_app()
    at.selectbox(key="profile_name").set_value("Knife focus").run()
    at.button(key="load_profile").click().run()
    assert not at.exception
    assert at.slider(key="threshold").value == 20.0
    assert at.slider(key="w_crime_weapons_rate").value == 3.0
    assert at.query_params["t"] == "20"
