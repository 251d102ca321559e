"""The overview built from the real bundled data and the seeded framework."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import inspect

from vru_core.framework import seed
from vru_core.framework.indicators import build_overview, values_export
from vru_core.framework.strategy import AIMS, OBJECTIVES
from vru_core.framework.summary import summary_html
from vru_core.platform.config import REPO_ROOT


@pytest.fixture(scope="module")
def overview(loaded_engine):
    return build_overview(loaded_engine)


def test_one_card_per_objective_and_aim(overview):
    assert overview.objectives["number"].tolist() == [n for n, *_ in OBJECTIVES]
    assert overview.aims["code"].tolist() == [c for c, *_ in AIMS]
    assert set(overview.indicators.index) == {i["code"] for i in seed.INDICATORS}


def test_computed_baseline_is_the_first_full_window_and_target_follows(overview):
    a = overview.assessments["vwi_12m"]
    london = a.values[a.values["area_code"] == "london"].sort_values("period")
    assert a.baseline == london["value"].iloc[0] and a.baseline_period == london["period"].iloc[0]
    assert a.target == pytest.approx(a.baseline * 0.9)
    assert a.latest == london["value"].iloc[-1] and a.previous == london["value"].iloc[-2]


@pytest.mark.parametrize(
    ("code", "period", "value"),
    [
        ("knife_injury_victims", "2018-03", 2222.0),
        ("knife_injury_victims", "2019-03", 1877.0),
        ("adult_reoffending_rate", "2019-03", 27.0),
        ("youth_good_opinion_police", "2018-12", 50.0),
        ("homicide_concentration", "2019-03", 52.0),
    ],
)
def test_the_strategys_own_figures_are_seeded_with_their_source(overview, code, period, value):
    values = overview.assessments[code].values.set_index("period")
    assert values.loc[period, "value"] == value
    assert "Strategy" in values.loc[period, "source"] or "Youth Voice" in values.loc[period, "source"]


def test_objective_rating_is_the_worst_of_its_indicators(overview):
    severity = {"on_track": 0, "at_risk": 1, "off_track": 2}
    for obj in overview.objectives.itertuples():
        mine = overview.indicators[overview.indicators["objective_number"] == obj.number]
        rated = [s for s in mine["status"] if s in severity]
        expected = max(rated, key=severity.get) if rated else "not_rated"
        assert obj.status == expected, obj.number
        assert obj.n_indicators == len(mine)


def test_home_office_measures_are_seeded_and_await_values(overview):
    ho = overview.indicators[overview.indicators["home_office"].astype(bool)]
    assert len(ho) == 3 and set(ho["status"]) == {"not_rated"}


def test_summary_is_one_printable_page_with_every_objective(overview):
    html = summary_html(overview)
    assert "@page" in html and "A4 landscape" in html
    for title in overview.objectives["title"]:
        assert title.replace("'", "&#x27;") in html
    assert "How ratings are set" in html


def test_values_export_has_every_indicator_with_values(overview):
    export = values_export(overview)
    assert {"indicator_code", "period", "area_code", "value", "source"} <= set(export.columns)
    with_values = {c for c, a in overview.assessments.items() if len(a.values)}
    assert set(export["indicator_code"]) == with_values


def test_migration_0004_downgrades_and_upgrades(tmp_path):
    from vru_core.platform.db import get_engine, owner_connection

    engine = get_engine(f"sqlite:///{tmp_path / 'm.sqlite3'}")
    cfg = Config(str(REPO_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(REPO_ROOT / "migrations"))
    with owner_connection(engine) as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
        command.downgrade(cfg, "0004-1")
    assert not {"indicator", "indicator_value", "rag_settings"} & set(inspect(engine).get_table_names())
    with owner_connection(engine) as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    assert {"indicator", "indicator_value", "rag_settings"} <= set(inspect(engine).get_table_names())
    engine.dispose()
