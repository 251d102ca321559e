"""AppTest: the award page's Impact tab, the impact by stream and objective page, the need scores' uncertainty."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from tests.impact.conftest import approve, make_award
from vru_core.impact.panel import load_panel

pytestmark = pytest.mark.parametrize("template", ["sqlite"], indirect=True)


def _award_page(make_app, award_id: int):
    """The award page opened from its shareable URL (?id=…), set once the page is current, on its Impact tab."""
    at = make_app("app_pages/award.py")
    at.query_params["id"] = str(award_id)
    at.run()
    assert not at.exception
    assert not any(m.label == "Change against the comparison" for m in at.metric)  # nothing estimated yet
    at.session_state["award_tab"] = "Impact"
    at.run()
    assert not at.exception
    return at


def _vega(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]


def test_impact_tab_shows_the_estimate_chart_and_caveats(make_app, engine, actors):
    award_id = make_award(engine, actors["commissioner"])
    at = _award_page(make_app, award_id)
    markdown = " ".join(m.value for m in at.markdown)
    assert "Regression to the mean" in markdown and "not proof" in markdown
    labels = [m.label for m in at.metric]
    assert "Change against the comparison" in labels and "90% interval" in labels and "p-value" in labels
    specs = _vega(at)
    assert any("synthetic comparison" in json.dumps(s) for s in specs)
    captions = [c.value for c in at.caption]
    assert any("funded wards" in c and "synthetic comparison" in c and "Source: MPS" in c for c in captions)
    period = next(c for c in captions if c.startswith("Before the start:"))
    months = load_panel("vwi").months  # the award runs Jan 2025 to Mar 2026, inside the data
    first = pd.Timestamp(months[0]).strftime("%b %Y")
    before = sum(m < "2025-01" for m in months)
    assert f"{first} to Dec 2024 ({before} months)" in period and "Jan 2025 to Mar 2026 (15 months)" in period
    assert "Source: MPS Ward Level Crime" in period and "Census 2021" in period
    at.toggle(key=f"impact_{award_id}_table").set_value(True).run()
    assert not at.exception
    assert any({"Funded wards", "Synthetic comparison"} <= set(d.value.columns) for d in at.dataframe)


def test_impact_tab_refuses_with_a_reason(make_app, engine, actors):
    award_id = make_award(engine, actors["commissioner"], start="2026-02-01", end="2026-12-31")
    at = _award_page(make_app, award_id)
    assert any("Cannot estimate yet" in i.value and "after the start" in i.value for i in at.info)


def test_impact_page_groups_a_stream(make_app, engine, actors):
    award_id = make_award(engine, actors["commissioner"])
    approve(engine, actors["commissioner"], award_id)
    at = make_app("app_pages/impact.py")
    assert at.title[0].value == "Impact by stream, objective and round"
    at.selectbox(key="impact_stream").set_value("young_londoners_fund").run()
    assert not at.exception
    assert any(m.label == "Change against the comparison" for m in at.metric)
    table = next(d.value for d in at.dataframe if "Award" in d.value.columns)
    assert table["Award"].tolist() == ["Impact test award"] and table["Start"].tolist() == ["Jan 2025"]
    assert any(c.value.startswith("Each award from its own start") and "Source: MPS" in c.value for c in at.caption)


def test_impact_page_offers_the_funding_rounds_that_have_opened(make_app):
    at = make_app("app_pages/impact.py")
    at.radio(key="impact_kind").set_value("round").run()
    assert not at.exception
    box = at.selectbox(key="impact_round")
    assert box.label == "Funding round (opened or decided)"
    assert all(":" in box.format_func(o) for o in box.options)  # code and title, never a draft


def test_need_scores_show_rank_bands_counts_and_a_classified_map(make_app):
    at = make_app()
    ranked = at.dataframe[0].value
    assert {"rank_band", "uncertain", "population"} <= set(ranked.columns)
    assert ranked["rank_band"].str.fullmatch(r"\d+ \(\d+–\d+\)").all()
    (component,) = at.get("bidi_component")
    drawn = json.loads(component.proto.json)
    uncertain = set(ranked.loc[ranked["uncertain"], "ward_code"])
    assert {drawn["geometry"]["wards"][i][0] for i in drawn["outlined"]} == uncertain  # outlined on the map
    used = {int(c) for c in drawn["classes"] if c != "-"}
    assert used and max(used) < len(drawn["palette"])  # every ward's class has a colour
    assert any({"Offences (count)", "Residents"} <= set(d.value.columns) for d in at.dataframe)
    at.selectbox(key="s_crime_vwi_rate").set_value("eb").run()
    assert not at.exception
    assert at.query_params["s"] == "crime_vwi_rate:eb"
