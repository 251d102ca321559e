"""Funding vs need arithmetic on a small hand-made register (every figure worked out by hand)."""

from __future__ import annotations

import pandas as pd
import pytest

from vru_core.register import funding_need
from vru_core.register.query import RegisterData, RegisterFilter, filter_register, totals


@pytest.fixture
def data() -> RegisterData:
    awards = pd.DataFrame(
        {
            "identifier": ["A", "B", "C", "D", "E"],
            "title": ["a", "b", "c", "d", "e"],
            "recipient": ["Org 1", "Org 1", "Org 2", "Org 3", "Org 2"],
            "recipient_org_id": ["X1", "X1", "X2", "X3", "X2"],
            "amount": [900.0, 400.0, 1000.0, 5000.0, 777.0],
            "paid": [0.0, 0.0, 100.0, 0.0, 0.0],
            "award_date": pd.to_datetime(["2025-05-01", "2025-06-01", "2025-07-01", "2025-08-01", "2025-09-01"]),
            "funding_stream": ["ylf", "vru", "vru", "ho", "ylf"],
            "priority_area": ["after_school", None, "after_school", None, None],
            "geography_level": ["ward", "ward", "borough", "london", "ward"],
            "status": ["active", "approved", "completed", "active", "proposed"],
            "is_example": [False, False, False, False, False],
        },
        index=pd.Index([1, 2, 3, 4, 5], name="id"),
    )
    objectives = pd.DataFrame({"award_id": [1, 1, 2, 3, 4, 5], "objective_number": [3, 5, 3, 4, 8, 3]})
    areas = pd.DataFrame(
        {
            "award_id": [1, 1, 1, 2, 3, 5],
            "area_code": ["W1", "W2", "W3", "W1", "B2", "W4"],
            "area_type": ["ward", "ward", "ward", "ward", "borough", "ward"],
            "borough_code": ["B1", "B1", "B2", "B1", "B2", "B2"],
            "amount": [None, None, None, 400.0, None, None],
        }
    )
    return RegisterData(awards=awards, objectives=objectives, areas=areas)


@pytest.fixture
def wards() -> pd.DataFrame:
    return pd.DataFrame(
        {"borough_code": ["B1", "B1", "B2", "B2"], "population": [1000, 1000, 3000, 1000]},
        index=pd.Index(["W1", "W2", "W3", "W4"], name="ward_code"),
    )


@pytest.fixture
def scores() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "ward_name": ["w1", "w2", "w3", "w4"],
            "borough_name": ["b1", "b1", "b2", "b2"],
            "score": [1.0, 4.0, 3.0, 2.0],
            "rank": [4, 1, 2, 3],
        },
        index=pd.Index(["W1", "W2", "W3", "W4"], name="ward_code"),
    )


def test_money_is_placed_on_wards(data, wards):
    committed = funding_need.committed(data)
    assert list(committed.awards.index) == [1, 2, 3, 4]  # the proposed award is not committed money
    money = funding_need.ward_money(committed, wards)
    # A: 900 over W1-W3 equally; B: its split (all 400) on W1; C: 1000 over B2 by population (3000:1000)
    assert money.loc["W1", "direct"] == pytest.approx(700)
    assert money.loc["W2", "direct"] == pytest.approx(300)
    assert money.loc["W3", "total"] == pytest.approx(300 + 750)
    assert money.loc["W4", "total"] == pytest.approx(250)
    assert money.loc["W3", "per_head"] == pytest.approx(1050 / 3000)
    assert funding_need.london_wide_total(committed) == 5000


def test_share_to_top_and_underfunded(data, wards, scores):
    joined = funding_need.need_and_money(scores, funding_need.ward_money(funding_need.committed(data), wards))
    assert list(joined.index) == ["W2", "W3", "W4", "W1"]
    share = funding_need.share_to_top(joined, 2)
    assert share["money_top"] == pytest.approx(300 + 1050)
    assert share["money_placed"] == pytest.approx(2300)
    assert share["share"] == pytest.approx(1350 / 2300) and share["even_share"] == 0.5
    low = funding_need.underfunded(joined, top_n=3, per_head_below=0.3)
    assert list(low.index) == ["W4"]  # £0.25 a head


def test_against_need_is_the_whole_pipeline_in_one_call(data, wards, scores):
    result = funding_need.against_need(data, wards, scores, 2)
    assert list(result.committed.awards.index) == [1, 2, 3, 4]
    assert list(result.joined.index) == ["W2", "W3", "W4", "W1"]
    assert (result.money_top, result.money_placed) == pytest.approx((300 + 1050, 2300))
    assert result.share == pytest.approx(1350 / 2300) and result.even_share == 0.5
    assert result.london_wide == 5000
    assert list(result.underfunded(0.3).index) == []  # only the top 2: W2 £0.30 and W3 £0.35 a head
    assert result.totals_by("funding_stream").set_index("funding_stream")["money"].to_dict() == pytest.approx(
        {"ylf": 900, "vru": 1400, "ho": 5000}
    )


def test_against_need_can_leave_example_awards_out(data, wards, scores):
    flagged = data.awards.assign(is_example=[True, False, False, False, False])  # award A (£900 on W1-W3)
    result = funding_need.against_need(
        RegisterData(flagged, data.objectives, data.areas), wards, scores, 2, include_examples=False
    )
    assert list(result.committed.awards.index) == [2, 3, 4]
    assert result.money_placed == pytest.approx(2300 - 900)
    assert result.money_top == pytest.approx(1050 - 300)  # W2 loses its £300, W3 keeps only the borough award


@pytest.mark.parametrize(
    ("dimension", "expected"),
    [
        ("objective", {3: 450 + 400, 5: 450, 4: 1000, 8: 5000}),
        ("funding_stream", {"ylf": 900, "vru": 1400, "ho": 5000}),
        ("priority_area", {"after_school": 1900, "none": 5400}),
        ("borough", {"B1": 600 + 400, "B2": 300 + 1000, "London-wide": 5000}),
    ],
)
def test_totals_add_up(data, dimension, expected):
    out = funding_need.totals_by(funding_need.committed(data), dimension)
    assert dict(zip(out[dimension], out["money"], strict=True)) == pytest.approx(expected)
    assert out["money"].sum() == pytest.approx(7300)


@pytest.mark.parametrize(
    ("flt", "ids"),
    [
        (RegisterFilter(), [1, 2, 3, 4, 5]),
        (RegisterFilter(funding_streams=("vru",)), [2, 3]),
        (RegisterFilter(objectives=(3,)), [1, 2, 5]),
        (RegisterFilter(boroughs=("B2",)), [1, 3, 5]),  # a ward-level award counts in its wards' borough
        (RegisterFilter(wards=("W1",)), [1, 2]),
        (RegisterFilter(statuses=("active", "completed")), [1, 3, 4]),
        (RegisterFilter(priority_areas=("after_school",)), [1, 3]),
        (
            RegisterFilter(date_from=pd.Timestamp("2025-06-01").date(), date_to=pd.Timestamp("2025-07-01").date()),
            [2, 3],
        ),
        (RegisterFilter(text="org 2"), [3, 5]),
        (RegisterFilter(funding_streams=("ylf",), objectives=(3,), statuses=("active",)), [1]),
    ],
)
def test_filters(data, flt, ids):
    assert list(filter_register(data, flt).index) == ids


@pytest.mark.parametrize(
    ("stream", "expected"),
    [  # vru: B approved 400 + C completed 1000; ylf: A active 900 committed, E proposed 777 not awarded
        ("vru", {"awards": 2, "committed": 1400.0, "committed_awards": 2, "proposed": 0.0, "proposed_awards": 0}),
        ("ylf", {"awards": 2, "committed": 900.0, "committed_awards": 1, "proposed": 777.0, "proposed_awards": 1}),
    ],
)
def test_totals_say_what_they_count(data, stream, expected):
    t = totals(filter_register(data, RegisterFilter(funding_streams=(stream,))))
    assert {k: t[k] for k in expected} == expected


def test_the_page_and_the_overview_give_the_same_share_on_the_real_store(engine, actors):
    """Funding vs need (for_profile) and the director's overview (need_share) answer the same question alike."""
    from vru_core.framework.register_indicators import default_need_inputs, need_share, top_need_count
    from vru_core.needs.measures import load_measure_frame
    from vru_core.register import examples
    from vru_core.register.query import load_register

    examples.load_examples(engine=engine, actor=actors["commissioner"])
    register = load_register(engine)
    scores, wards = default_need_inputs(engine)
    top_n = top_need_count(scores)
    result = funding_need.for_profile(register, load_measure_frame(engine), None, top_n)
    overview = need_share(register, scores, wards, top_n)
    assert result.money_placed > 0 and 0 < result.share < 1
    assert result.share * 100 == pytest.approx(overview.share)
    assert result.london_wide == pytest.approx(overview.london_wide)
