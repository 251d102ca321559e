"""Register-derived indicators: the arithmetic on small hand-made registers, then against the real store."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.factories import approve, sample_award
from vru_core.framework.indicators import build_overview
from vru_core.framework.register_indicators import (
    RegisterFacts,
    by_objective,
    by_priority_area,
    default_need_inputs,
    money_awarded,
    need_share,
    period_month,
    priority_area_money,
    reached,
    returns_rag_shares,
    top_need_count,
)
from vru_core.register import lifecycle, money
from vru_core.register.query import RegisterData


def _facts(awards, objectives=(), areas=(), returns=()) -> RegisterFacts:
    aw = pd.DataFrame(
        awards, columns=["id", "amount", "award_date", "status", "priority_area", "geography_level"]
    ).set_index("id")
    aw["award_date"] = pd.to_datetime(aw["award_date"])
    aw["priority_area_title"] = aw["priority_area"]
    aw["is_example"] = False
    ret = pd.DataFrame(returns, columns=["award_id", "period", "rag", "people_reached", "under_25_reached"])
    ret["month"] = ret["period"].map(period_month)
    data = RegisterData(
        awards=aw,
        objectives=pd.DataFrame(objectives, columns=["award_id", "objective_number"]),
        areas=pd.DataFrame(areas, columns=["award_id", "area_code", "area_type", "borough_code", "amount"]),
    )
    return RegisterFacts(register=data, returns=ret)


SMALL = _facts(
    awards=[
        (1, 45000.0, "2026-01-10", "active", "after_school", "ward"),
        (2, 10000.0, "2026-03-02", "approved", "supporting_parents", "borough"),
        (3, 99000.0, "2026-03-05", "proposed", "after_school", "ward"),
        (4, 20000.0, "2026-02-01", "withdrawn", "after_school", "ward"),
        (5, 6000.0, "2026-02-15", "completed", None, "london"),
    ],
    objectives=[(1, 3), (1, 5), (2, 2), (3, 3), (4, 3), (5, 8)],
    areas=[
        (1, "W1", "ward", "B0", None),
        (1, "W2", "ward", "B0", None),
        (1, "W3", "ward", "B0", None),
        (2, "B1", "borough", "B1", None),
        (3, "W4", "ward", "B1", None),
    ],
    returns=[
        (1, "2026-Q1", "green", 120, 100),
        (2, "2026-Q1", "amber", 30, 5),
        (1, "2026-Q2", "red", 80, 70),
        (3, "2026-Q2", "green", 10, 10),
    ],
)
WARDS = pd.DataFrame(
    {"borough_code": ["B0", "B0", "B0", "B1", "B1"], "population": [100, 100, 100, 100, 300]},
    index=pd.Index(["W1", "W2", "W3", "W4", "W5"], name="ward_code"),
)
SCORES = pd.DataFrame(
    {"ward_name": list("abcde"), "borough_name": "x", "score": [4.0, 2.0, 1.0, 3.0, 5.0], "rank": [2, 4, 5, 3, 1]},
    index=WARDS.index,
)


@pytest.mark.parametrize(
    ("period", "month"),
    [
        ("2026-Q1", "2026-03"),
        ("2026Q3", "2026-09"),
        ("2026-q4", "2026-12"),
        ("2026-05", "2026-05"),
        ("2026-05-31", "2026-05"),
        ("spring", None),
        ("", None),
    ],
)
def test_return_periods_become_the_month_they_end(period, month):
    assert period_month(period) == month


def test_need_share_answers_the_directors_question_by_the_registers_rules():
    ns = need_share(SMALL.register, SCORES, WARDS, top_n=2)  # the top 2: W5 (rank 1) and W1 (rank 2)
    # award 1 (45,000 on W1-W3, equally); award 2 (10,000 on borough B1, by population: W4 2,500, W5 7,500);
    # award 5 (London-wide) sits on no ward; awards 3 (proposed) and 4 (withdrawn) are not committed.
    assert ns.money_placed == 55000.0
    assert ns.money_top == 7500.0 + 15000.0
    assert ns.share == pytest.approx(22500.0 / 55000.0 * 100)
    assert ns.london_wide == 6000.0
    assert ns.even_share == pytest.approx(2 / 5)


def test_top_need_is_the_top_tenth_of_scored_wards():
    scores = pd.DataFrame({"score": [1.0] * 704})
    assert top_need_count(scores) == 71


def test_money_and_awards_per_objective_and_priority_area():
    obj = by_objective(SMALL)
    # award 1 serves objectives 3 and 5: half of its money counts against each
    assert obj.loc[3, "money"] == 22500.0 and obj.loc[3, "awards"] == 1 and obj.loc[3, "active_awards"] == 1
    assert obj.loc[5, "money"] == 22500.0
    assert obj.loc[2, "money"] == 10000.0 and obj.loc[2, "active_awards"] == 0
    assert obj.loc[1, "money"] == 0.0 and list(obj.index) == list(range(1, 9))
    assert obj["money"].sum() == 61000.0  # adds up to the committed total
    pa = by_priority_area(SMALL)
    assert pa.loc["after_school", ["money", "awards", "active_awards"]].tolist() == [45000.0, 1, 1]
    assert pa.loc["none", "money"] == 6000.0


def test_priority_area_money_lists_the_given_areas_in_order_with_zeros():
    areas = {"supporting_parents": "Supporting parents", "after_school": "After school", "empty_area": "No awards yet"}
    table = priority_area_money(SMALL, areas)
    assert list(table.index) == list(areas) and list(table["title"]) == list(areas.values())
    assert table.loc["after_school", ["money", "awards", "active_awards"]].tolist() == [45000.0, 1, 1]
    assert table.loc["supporting_parents", ["money", "awards", "active_awards"]].tolist() == [10000.0, 1, 0]
    assert table.loc["empty_area", ["money", "awards", "active_awards"]].tolist() == [0.0, 0, 0]


def test_money_awarded_is_cumulative_by_month():
    series = money_awarded(SMALL).set_index("period")["value"]
    assert series.to_dict() == {"2026-01": 45000.0, "2026-02": 51000.0, "2026-03": 61000.0}
    assert money_awarded(SMALL, objective=3).set_index("period")["value"].to_dict() == {"2026-01": 22500.0}


def test_people_reached_and_returns_rag():
    people = reached(SMALL, "people_reached").set_index("period")["value"].to_dict()
    assert people == {"2026-03": 150.0, "2026-06": 90.0}
    u25_obj3 = reached(SMALL, "under_25_reached", objective=3).set_index("period")["value"].to_dict()
    assert u25_obj3 == {"2026-03": 100.0, "2026-06": 80.0}
    shares = returns_rag_shares(SMALL).set_index("period")
    assert shares.loc["2026-03", ["red", "amber", "green"]].tolist() == [0.0, 50.0, 50.0]
    assert shares.loc["2026-06", "returns"] == 2


def _or0(x) -> float:
    return 0.0 if pd.isna(x) else float(x)


def test_register_derived_indicators_change_when_an_award_is_added(engine, actors):
    """Through the register's own services: create, approve, start, report; the overview follows."""
    before = build_overview(engine)
    scores, _wards = default_need_inputs(engine)
    top = scores.sort_values("rank").index[:2].tolist()  # two of the highest-need wards
    commissioner = actors["commissioner"]
    award_id = lifecycle.create_award(
        engine=engine,
        actor=commissioner,
        data=sample_award(engine, title="Youth mentoring project", areas=";".join(top)),
    )
    proposed = build_overview(engine)  # a proposed award commits no money yet
    assert (
        proposed.objectives.set_index("number").loc[3, "money"] == before.objectives.set_index("number").loc[3, "money"]
    )
    version = approve(engine, award_id)
    lifecycle.transition_award(
        engine=engine, actor=commissioner, award_id=award_id, version=version, to_status="active"
    )
    money.add_return(
        engine=engine,
        actor=commissioner,
        award_id=award_id,
        data={"period": "2026-Q3", "rag": "amber", "people_reached": 120, "under_25_reached": 110},
    )
    after = build_overview(engine)
    o_before, o_after = before.objectives.set_index("number").loc[3], after.objectives.set_index("number").loc[3]
    assert o_after["money"] == o_before["money"] + 45000.0
    assert o_after["active_awards"] == o_before["active_awards"] + 1
    ind_b, ind_a = before.indicators, after.indicators
    assert ind_a.loc["money_awarded", "latest"] == _or0(ind_b.loc["money_awarded", "latest"]) + 45000
    assert ind_a.loc["money_top_need_share", "latest"] > _or0(ind_b.loc["money_top_need_share", "latest"])
    people = after.assessments["under25_reached_obj3"].values.set_index("period")["value"]
    assert (
        people["2026-09"]
        == _or0(before.assessments["under25_reached_obj3"].values.set_index("period")["value"].get("2026-09")) + 110
    )
