"""The Register page pages in the database: caption, page control, totals of the filtered set, values kept."""

from __future__ import annotations

import pytest

from tests.factories import sample_award
from vru_core.platform.auth import Actor, Role
from vru_core.register import examples, lifecycle

COMMISSIONER = Actor("pat-commissioner", Role.COMMISSIONER)
pytestmark = pytest.mark.store


def _caption(at) -> str:
    return next(c.value for c in at.caption if " awards, page " in c.value)


def _metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


@pytest.fixture
def register(engine, make_app):
    examples.load_examples(engine=engine, actor=COMMISSIONER)  # 40 EXAMPLE awards of every status
    at = make_app("app_pages/register.py", actor=COMMISSIONER)
    assert not at.exception
    return at


def test_pages_of_the_filtered_register_with_totals_of_all_that_match(register, engine):
    at = register
    assert _caption(at).startswith("40 of 40 awards, page 1 of 1")
    at.selectbox(key="reg_size").set_value(25).run()
    assert _caption(at).startswith("40 of 40 awards, page 1 of 2")
    assert len(at.dataframe[0].value) == 25
    at.number_input(key="reg_page").set_value(2).run()
    assert _caption(at).startswith("40 of 40 awards, page 2 of 2")
    assert len(at.dataframe[0].value) == 15
    assert _metric(at, "Awards shown") == "40"  # the figures count every match, not the page
    at.multiselect(key="reg_status").set_value(["proposed"]).run()  # a new filter starts at page 1
    shown = int(_metric(at, "Awards shown"))
    assert 0 < shown < 25 and _caption(at).startswith(f"{shown} of 40 awards, page 1 of 1")
    assert at.number_input(key="reg_page").value == 1
    assert set(at.dataframe[0].value["status"]) == {"proposed"}


def test_sort_choice_orders_the_rows_and_names_columns_in_words(register):
    at = register
    sort = at.selectbox(key="reg_sort")
    assert "Amount" in sort.options and "amount_pence" not in sort.options
    sort.set_value("amount").run()
    at.toggle(key="reg_desc").set_value(False).run()
    amounts = list(at.dataframe[0].value["amount"])
    assert amounts == sorted(amounts)


def test_values_are_kept_when_the_user_leaves_and_comes_back(register):
    at = register
    at.selectbox(key="reg_size").set_value(25).run()
    at.text_input(key="reg_text").input("EXAMPLE").run()
    at.selectbox(key="reg_sort").set_value("title").run()
    at.number_input(key="reg_page").set_value(2).run()
    at.switch_page("app_pages/due.py").run()
    assert not at.exception
    at.switch_page("app_pages/register.py").run()
    assert not at.exception
    assert at.text_input(key="reg_text").value == "EXAMPLE"
    assert at.selectbox(key="reg_sort").value == "title"
    assert at.selectbox(key="reg_size").value == 25
    assert at.number_input(key="reg_page").value == 2
    assert ", page 2 of 2" in _caption(at)


def test_a_write_by_someone_else_shows_on_the_next_run_and_a_page_past_the_end_shows_the_last(register, engine):
    at = register
    at.selectbox(key="reg_size").set_value(25).run()
    at.number_input(key="reg_page").set_value(2).run()
    award_id = lifecycle.create_award(
        engine=engine, actor=Actor("other", Role.COMMISSIONER), data=sample_award(engine, title="Written elsewhere")
    )
    at.run()
    assert _caption(at).startswith("41 of 41 awards, page 2 of 2")
    examples.remove_examples(engine=engine, actor=COMMISSIONER)  # 40 gone: page 2 no longer exists
    at.run()
    assert not at.exception
    assert _caption(at).startswith("1 of 1 awards, page 1 of 1")
    assert list(at.dataframe[0].value["title"]) == ["Written elsewhere"]
    assert award_id


def test_hostile_search_text_is_literal(register):
    at = register
    for text in ("%", "_", "'; DROP TABLE award; --", "Ünïcode ☃"):
        at.text_input(key="reg_text").input(text).run()
        assert not at.exception
        assert _caption(at).startswith("0 of 40 awards, page 1 of 1"), text
