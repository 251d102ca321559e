"""Trends and measures pages: they render real figures and react to their controls (Sensitivity: its own file)."""

import json

from vru_core.needs import sources
from vru_core.needs.measures import load_measure_frame
from vru_core.platform.auth import Actor, Role


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


def test_analyst_adds_a_measure_through_the_page(make_app, engine):
    at = make_app("app_pages/measures.py", actor=Actor("ana", Role.ANALYST))
    at.text_input(key="m_code").input("pas_feel_safe")
    at.text_input(key="m_label").input("% who feel safe (example upload)")
    at.text_input(key="m_unit").input("% of respondents")
    at.selectbox(key="m_direction").set_value("low_is_worse")
    at.selectbox(key="m_geography").set_value("borough")
    at.text_input(key="m_source").input("Test upload")
    at.text_input(key="m_publisher").input("Test")
    at.text_input(key="m_period").input("2025/26")
    at.file_uploader(key="m_file").set_value(
        ("feel_safe.csv", b"area_code,value\nE09000007,71.5\nE09000999,60\n", "text/csv")
    )
    at.button[0].click().run()
    assert not at.exception
    assert any("Nothing was saved" in e.value for e in at.error)
    assert "E09000999" in at.dataframe[-1].value["problem"].str.cat()
    assert "pas_feel_safe" not in load_measure_frame(engine).measures.index

    at.file_uploader(key="m_file").set_value(("feel_safe.csv", b"area_code,value\nE09000007,71.5\n", "text/csv"))
    at.button[0].click().run()
    assert not at.exception
    assert any("Added" in s.value for s in at.success)
    assert "pas_feel_safe" in load_measure_frame(engine).measures.index
