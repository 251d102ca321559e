"""Trends and measures pages render real figures (Sensitivity and adding a measure: files of their own)."""

import json

from vru_core.needs import sources


def test_trends_page_shows_rising_falling_and_concentration(make_app):
    at = make_app("app_pages/trends.py")
    rising, falling = at.dataframe[0].value, at.dataframe[1].value
    assert (rising["change"] > 0).all() and (falling["change"] < 0).all()
    charts = at.get("vega_lite_chart")
    assert len(charts) == 2
    lorenz_spec = json.loads(charts[1].proto.spec)
    assert "ward_share" in json.dumps(lorenz_spec)
    labels = [m.label for m in at.metric]
    assert "Offences in the top 12% of wards" in labels


def test_measures_page_lists_sources_and_refuses_upload_without_role(make_app):
    at = make_app("app_pages/measures.py")
    table = at.dataframe[0].value
    assert {"source", "publisher", "period", "licence"} <= set(table.columns)
    assert table["source"].str.len().gt(0).all()
    files = at.dataframe[1].value
    assert list(files["file"]) == [f.name for f in sources.DATA_FILES]
    assert any("Sign in as an analyst" in i.value for i in at.info)
