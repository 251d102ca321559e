"""The need criterion equals the scoring module's own figure for the same wards and the round's profile."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.rounds.helpers import HACKNEY, NEWHAM, STAFF, application_data, open_round, round_data, wards_of
from vru_core.models import Application, Ward
from vru_core.needs.measures import load_measure_frame
from vru_core.needs.profiles import save_profile
from vru_core.needs.scoring import Profile, score
from vru_core.platform.auth import Actor, Role
from vru_core.rounds import applications, rounds

PROFILES = [
    Profile(),
    Profile(threshold_pct=25.0, weights={"crime_vwi_rate": 3.0, "imd_rank": 0.0}),
    Profile(threshold_pct=5.0, overrides={"crime_weapons_rate": 30.0}),
]


def _expected(engine, profile: Profile, wards: list[str]) -> tuple[float, float]:
    table = score(load_measure_frame(engine), profile).table
    figure = float(table.loc[wards, "score"].mean())
    highest = float(table["score"].max())
    return figure, 5 * figure / highest


def _stored(engine, application_id: int) -> Application:
    from sqlmodel import Session

    with Session(engine) as session:
        return session.get(Application, application_id)


@pytest.mark.parametrize("profile", PROFILES, ids=["default", "weighted", "override"])
@pytest.mark.parametrize("level", ["ward", "borough", "london"])
def test_need_figure_equals_the_scoring_modules(engine, profile, level):
    save_profile(engine=engine, actor=Actor("need-analyst", Role.ANALYST), name="Round profile", profile=profile)
    round_id = open_round(engine, profile_name="Round profile", eligible_boroughs="")
    if level == "ward":
        wards = wards_of(engine, NEWHAM, 4)
        data = application_data(engine, areas=";".join(wards))
    elif level == "borough":
        data = application_data(engine, geography_level="borough", areas=f"{HACKNEY};{NEWHAM}")
        with engine.connect() as conn:
            wards = list(conn.execute(select(Ward.code).where(Ward.borough_code.in_([HACKNEY, NEWHAM]))).scalars())
    else:
        data = application_data(engine, geography_level="london", areas="")
        with engine.connect() as conn:
            wards = list(conn.execute(select(Ward.code)).scalars())
    application_id = applications.add_application(engine=engine, actor=STAFF, round_ref=round_id, data=data)
    stored = _stored(engine, application_id)
    figure, points = _expected(engine, profile, wards)
    assert stored.need_figure == pytest.approx(figure, abs=1e-12)
    assert stored.need_points == pytest.approx(points, abs=1e-12)
    evidence = {w["ward_code"]: w for w in stored.need_evidence["wards"]}
    assert set(evidence) == set(wards)
    table = score(load_measure_frame(engine), profile).table
    some = wards[0]
    assert evidence[some]["score"] == float(table.at[some, "score"]) and evidence[some]["rank"] == int(
        table.at[some, "rank"]
    )
    assert stored.need_evidence["profile"] == profile.to_dict()


def test_need_uses_the_profile_frozen_at_opening_not_todays(engine):
    analyst = Actor("need-analyst", Role.ANALYST)
    first = Profile(threshold_pct=30.0)
    save_profile(engine=engine, actor=analyst, name="Round profile", profile=first)
    round_id = rounds.create_round(engine=engine, actor=STAFF, data=round_data(profile_name="Round profile"))
    rounds.open_round(engine=engine, actor=STAFF, round_id=round_id, version=1)
    save_profile(
        engine=engine, actor=analyst, name="Round profile", profile=Profile(threshold_pct=2.0), expected_version=1
    )
    wards = wards_of(engine, HACKNEY, 3)
    application_id = applications.add_application(
        engine=engine, actor=STAFF, round_ref=round_id, data=application_data(engine, areas=";".join(wards))
    )
    assert _stored(engine, application_id).need_figure == pytest.approx(_expected(engine, first, wards)[0], abs=1e-12)
