"""The overview's cards and tables as text, on the real store's overview."""

import pandas as pd
import pytest

from vru_core.framework import rag
from vru_core.framework.cards import headline_indicator, indicators_table, rating_counts
from vru_core.framework.indicators import build_overview, format_value
from vru_core.framework.register_indicators import by_priority_area, priority_area_table
from vru_core.register import examples


@pytest.fixture(scope="module")
def overview(loaded_engine):
    return build_overview(loaded_engine)


@pytest.mark.parametrize(
    ("counts", "text"),
    [
        ({"on_track": 2, "at_risk": 1, "off_track": 0, "not_rated": 3}, "2 on track · 1 at risk · 3 not yet rated"),
        ({"on_track": 0, "at_risk": 0, "off_track": 1, "not_rated": 0}, "1 off track"),
        ({"on_track": 0, "at_risk": 0, "off_track": 0, "not_rated": 0}, "no indicators"),
    ],
)
def test_rating_counts(counts, text):
    assert rating_counts({f"n_{k}": v for k, v in counts.items()}) == text


def test_the_headline_indicator_is_the_first_rated_one_of_the_objective(overview):
    ind = overview.indicators
    for number in overview.objectives["number"]:
        mine = ind[ind["objective_number"] == number]
        head = headline_indicator(overview, int(number))
        if mine.empty:
            assert head is None
            continue
        rated = mine[mine["status"] != rag.Rag.NOT_RATED.value]
        assert head["code"] == (rated if len(rated) else mine).index[0]


def test_indicators_table_has_one_readable_row_per_indicator(overview):
    table = indicators_table(overview)
    assert list(table["Indicator"]) == list(overview.indicators["name"])
    first = overview.indicators.iloc[0]
    assert table.iloc[0]["Latest"] == format_value(first["latest"], first["unit"])
    assert not any("_" in c for c in table.columns)  # labels, never internal names


def test_priority_area_table_titles_and_sums_as_the_register_has_them(engine, actors):
    examples.load_examples(engine=engine, actor=actors["commissioner"])
    facts = build_overview(engine).register
    table = priority_area_table(facts)
    money = by_priority_area(facts)
    assert list(table.index) == list(money.index)
    pd.testing.assert_series_equal(table["money"], money["money"], check_names=False, check_index_type=False)
    titles = dict(
        zip(facts.register.awards["priority_area"], facts.register.awards["priority_area_title"], strict=True)
    )
    for code, row in table.iterrows():
        assert row["title"] == (titles.get(code) or "No priority area")
