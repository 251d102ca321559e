"""Adding a measure through the page: refusals by line, the table lists the new measure at once, labels not codes."""

from __future__ import annotations

import pytest

from tests.pages.conftest import visible
from vru_core.needs.measures import load_measure_frame
from vru_core.platform.auth import Actor, Role

PAGE = "app_pages/measures.py"
ANALYST = Actor("ana", Role.ANALYST)


def _fill(at, *, label: str = "% who feel safe (example upload)", geography: str = "borough", body: bytes) -> None:
    at.text_input(key="m_code").input("pas_feel_safe")
    at.text_input(key="m_label").input(label)
    at.text_input(key="m_unit").input("% of respondents")
    at.selectbox(key="m_direction").set_value("low_is_worse")
    at.selectbox(key="m_geography").set_value(geography)
    at.text_input(key="m_source").input("Test upload")
    at.text_input(key="m_publisher").input("Test")
    at.text_input(key="m_period").input("2025/26")
    at.file_uploader(key="m_file").set_value(("feel_safe.csv", body, "text/csv"))


def _submit(at):
    next(b for b in at.button if b.label == "Validate and add measure").click().run()
    assert not at.exception


def test_analyst_adds_a_measure_and_the_table_lists_it_at_once(make_app, engine):
    at = make_app(PAGE, actor=ANALYST)
    assert at.selectbox(key="m_family").format_func("perceptions") == "Public perceptions"
    assert at.number_input(key="m_weight").value == 0.0
    _fill(at, body=b"area_code,value\nE09000007,71.5\nE09000999,60\n")
    _submit(at)
    assert any("Nothing was saved" in e.value for e in at.error)
    assert "E09000999" in at.dataframe[-1].value["problem"].str.cat()
    assert "pas_feel_safe" not in load_measure_frame(engine).measures.index

    at.file_uploader(key="m_file").set_value(("feel_safe.csv", b"area_code,value\nE09000007,71.5\n", "text/csv"))
    _submit(at)
    assert [visible(s.value) for s in at.success] == [
        "Added “% who feel safe (example upload)” with 1 values. It is in the default profile at weight 0 "
        "(not counted): give it a weight on the Ward need scores page."
    ]
    table = at.dataframe[0].value.set_index("code")
    assert table.at["pas_feel_safe", "n_values"] == 1 and table.at["pas_feel_safe", "default_weight"] == 0
    assert (
        table.at["pas_feel_safe", "family"] == "Public perceptions"
        and table.at["pas_feel_safe", "origin"] == "uploaded"
    )
    assert at.text_input(key="m_code").value == ""  # an empty form for the next one
    assert load_measure_frame(engine).measures.at["pas_feel_safe", "default_weight"] == 0.0


def test_ward_code_file_with_a_chosen_weight(make_app, engine):
    at = make_app(PAGE, actor=ANALYST)
    _fill(at, geography="ward", body="ward_code,ward_name,value\nE05014053,Café,3\n".encode("utf-8-sig"))
    at.number_input(key="m_weight").set_value(1.5)
    _submit(at)
    assert any("counts with weight 1.5" in visible(s.value) for s in at.success)
    assert load_measure_frame(engine).values["pas_feel_safe"].dropna().to_dict() == {"E05014053": 3.0}


@pytest.mark.parametrize(
    ("body", "said"),
    [
        ("ward_code,ward_name,value\nE05014053,Café,3\n".encode("cp1252"), "save the spreadsheet as 'CSV UTF-8'"),
        (b"area_code,ward_code,value\nE05014053,E05014054,3\n", "differs from area_code"),
    ],
)
def test_a_file_the_page_cannot_take_is_a_message(make_app, engine, body, said):
    at = make_app(PAGE, actor=ANALYST)
    _fill(at, geography="ward", body=body)
    _submit(at)
    assert any("Nothing was saved" in e.value for e in at.error)
    assert said in at.dataframe[-1].value["problem"].str.cat()  # the problems table, by line
    assert "pas_feel_safe" not in load_measure_frame(engine).measures.index


def test_a_hostile_label_is_shown_as_typed(make_app, engine):
    hostile = "**Bold** [link](http://evil.example) <img src=x onerror=alert(1)> :red[x] $x$"
    at = make_app(PAGE, actor=ANALYST)
    _fill(at, label=hostile, body=b"area_code,value\nE09000007,71.5\n")
    _submit(at)
    (success,) = at.success
    assert f"Added “{hostile}”" in visible(success.value)
    assert "<img" not in success.value.replace("\\<img", "")  # every markup character escaped
    assert at.dataframe[0].value.set_index("code").at["pas_feel_safe", "label"] == hostile


def test_templates_are_offered_to_everyone(make_app):
    at = make_app(PAGE)
    buttons = list(at.get("download_button"))
    assert [b.proto.label for b in buttons] == ["Template: every ward", "Template: every borough"]
    assert any("Sign in as an analyst" in i.value for i in at.info)
