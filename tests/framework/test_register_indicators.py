"""Register-derived indicators: the arithmetic on small hand-made registers, then against the real store."""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util

import pandas as pd
import pytest

from vru_core.framework.register_indicators import (
    RegisterData,
    by_objective,
    by_priority_area,
    load_register,
    money_awarded,
    need_share,
    period_month,
    reached,
    register_installed,
    returns_rag_shares,
    ward_money,
)


def _register(awards, objectives=(), areas=(), returns=()) -> RegisterData:
    aw = pd.DataFrame(
        awards, columns=["id", "amount", "award_date", "status", "priority_area_code", "funding_stream_code", "title"]
    )
    aw["award_date"] = pd.to_datetime(aw["award_date"])
    ret = pd.DataFrame(returns, columns=["award_id", "period", "rag", "people_reached", "under_25_reached"])
    ret["month"] = ret["period"].map(period_month)
    return RegisterData(
        awards=aw,
        objectives=pd.DataFrame(objectives, columns=["award_id", "objective_number"]),
        areas=pd.DataFrame(areas, columns=["award_id", "area_code", "area_type", "amount"]),
        returns=ret,
    )


SMALL = _register(
    awards=[
        (1, 45000.0, "2026-01-10", "active", "after_school", "young_londoners_fund", "Mentoring"),
        (2, 10000.0, "2026-03-02", "approved", "supporting_parents", "vru_core_budget", "Parents"),
        (3, 99000.0, "2026-03-05", "proposed", "after_school", "vru_core_budget", "Not yet"),
        (4, 20000.0, "2026-02-01", "withdrawn", "after_school", "vru_core_budget", "Withdrawn"),
        (5, 6000.0, "2026-02-15", "completed", None, "vru_core_budget", "London-wide"),
    ],
    objectives=[(1, 3), (1, 5), (2, 2), (3, 3), (4, 3), (5, 8)],
    areas=[
        (1, "W1", "ward", None),
        (1, "W2", "ward", None),
        (1, "W3", "ward", 5000.0),
        (2, "E09000022", "borough", None),
    ],
    returns=[
        (1, "2026-Q1", "green", 120, 100),
        (2, "2026-Q1", "amber", 30, 5),
        (1, "2026-Q2", "red", 80, 70),
        (3, "2026-Q2", "green", 10, 10),
    ],
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


def test_money_splits_between_areas_as_recorded_or_equally():
    money = ward_money(SMALL, SMALL.committed).set_index(["award_id", "area_code"])["amount"]
    assert money[(1, "W3")] == 5000.0
    assert money[(1, "W1")] == money[(1, "W2")] == 20000.0  # the rest, shared equally
    assert money[(2, "E09000022")] == 10000.0
    assert money[(5, "london")] == 6000.0
    assert money.sum() == 45000.0 + 10000.0 + 6000.0  # proposed and withdrawn awards are not committed


def test_need_share_answers_the_directors_question():
    ns = need_share(SMALL, top_wards={"W1", "W3", "W9"})
    assert ns.total == 61000.0
    assert ns.top_need == 25000.0
    assert ns.other_wards == 20000.0
    assert ns.borough_or_london == 16000.0
    assert ns.share == pytest.approx(25000.0 / 61000.0 * 100)


def test_money_and_awards_per_objective_and_priority_area():
    obj = by_objective(SMALL)
    assert obj.loc[3, "money"] == 45000.0 and obj.loc[3, "awards"] == 1 and obj.loc[3, "active_awards"] == 1
    assert obj.loc[2, "money"] == 10000.0 and obj.loc[2, "active_awards"] == 0
    assert obj.loc[1, "money"] == 0.0 and list(obj.index) == list(range(1, 9))
    pa = by_priority_area(SMALL)
    assert pa.loc["after_school", "money"] == 45000.0 and pa.loc["after_school", "awards"] == 1


def test_money_awarded_is_cumulative_by_month():
    series = money_awarded(SMALL).set_index("period")["value"]
    assert series.to_dict() == {"2026-01": 45000.0, "2026-02": 51000.0, "2026-03": 61000.0}
    assert money_awarded(SMALL, objective=2).set_index("period")["value"].to_dict() == {"2026-03": 10000.0}


def test_people_reached_and_returns_rag():
    people = reached(SMALL, "people_reached").set_index("period")["value"].to_dict()
    assert people == {"2026-03": 150.0, "2026-06": 90.0}
    u25_obj3 = reached(SMALL, "under_25_reached", objective=3).set_index("period")["value"].to_dict()
    assert u25_obj3 == {"2026-03": 100.0, "2026-06": 80.0}
    shares = returns_rag_shares(SMALL).set_index("period")
    assert shares.loc["2026-03", ["red", "amber", "green"]].tolist() == [0.0, 50.0, 50.0]
    assert shares.loc["2026-06", "returns"] == 2


def test_without_a_register_every_figure_is_empty(loaded_engine):
    if register_installed(loaded_engine):
        pytest.skip("the register is installed in this store")
    data = load_register(loaded_engine)
    assert data.awards.empty and by_objective(data)["money"].sum() == 0


def _or0(x) -> float:
    return 0.0 if pd.isna(x) else float(x)


REGISTER_MISSING = importlib.util.find_spec("vru_core.models.register") is None


@pytest.mark.skipif(
    REGISTER_MISSING, reason="the register (vru_core.models.register, migration 0003) is not merged yet"
)
def test_register_derived_indicators_change_when_an_award_is_added(engine, actors):
    from sqlmodel import select

    from vru_core.db import session_scope
    from vru_core.framework.indicators import build_overview
    from vru_core.framework.register_indicators import top_need_wards

    reg = importlib.import_module("vru_core.models.register")
    Award, AwardArea, AwardObjective, Organisation = reg.Award, reg.AwardArea, reg.AwardObjective, reg.Organisation
    before = build_overview(engine)
    top = sorted(top_need_wards(engine))[0]
    with session_scope(engine) as s:
        org = s.exec(select(Organisation)).first()
        if org is None:
            org = Organisation(org_id="GB-CHC-1234567", name="Test charity")
            s.add(org)
            s.flush()
        award = Award(
            identifier="360G-LondonVRU-TEST-1",
            title="Youth mentoring",
            organisation_id=org.id,
            amount_pence=4_500_000,
            award_date=dt.date(2026, 4, 1),
            planned_start=dt.date(2026, 5, 1),
            planned_end=dt.date(2027, 4, 30),
            funding_stream_code="young_londoners_fund",
            priority_area_code="after_school",
            status="active",
        )
        s.add(award)
        s.flush()
        s.add(AwardObjective(award_id=award.id, objective_number=3))
        s.add(AwardArea(award_id=award.id, area_code=top, area_type="ward"))
    after = build_overview(engine)
    o_before = before.objectives.set_index("number").loc[3]
    o_after = after.objectives.set_index("number").loc[3]
    assert o_after["money"] == o_before["money"] + 45000.0
    assert o_after["active_awards"] == o_before["active_awards"] + 1
    assert (
        after.indicators.loc["money_awarded", "latest"]
        == _or0(before.indicators.loc["money_awarded", "latest"]) + 45000
    )
    assert after.indicators.loc["money_top_need_share", "latest"] > _or0(
        before.indicators.loc["money_top_need_share", "latest"]
    )
