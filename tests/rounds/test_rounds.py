"""Rounds: every field checked at once; criteria, weights and the scoring profile frozen when a round opens."""

from __future__ import annotations

import pytest

from tests.rounds.helpers import STAFF, open_round, round_data
from vru_core.needs.profiles import save_profile
from vru_core.needs.scoring import Profile
from vru_core.platform.auth import Actor, Role
from vru_core.platform.backup import table_checksums
from vru_core.platform.errors import Invalid, Refused, Stale
from vru_core.rounds import rounds

ANALYST = Actor("round-analyst", Role.ANALYST)


@pytest.mark.parametrize(
    ("changes", "field", "says"),
    [
        ({"financial_year": "2026/28"}, "financial_year", "April to March"),
        ({"financial_year": "26"}, "financial_year", "not a financial year"),
        ({"budget": "100k"}, "budget", "not a plain amount"),
        ({"closes_on": "2026-04-01"}, "closes_on", "before it starts"),
        ({"decision_on": "2026-06-01"}, "decision_on", "before it starts"),
        ({"eligible_boroughs": "E09999999"}, "eligible_boroughs", "unknown London borough"),
        ({"objectives": "9"}, "objectives", "unknown objective"),
        ({"priority_areas": "space_travel"}, "priority_areas", "unknown priority area"),
        ({"weights": {"need": "50"}}, "weights", "add up to 120"),
        ({"weights": {"value": "-5"}}, "weight_value", "whole-number weight"),
        ({"profile_name": "No such profile"}, "profile_name", "no saved scoring profile"),
        ({"code": "has space"}, "code", "letters, digits"),
        ({"funding_stream": "lottery"}, "funding_stream", "not one of"),
        ({"moderation_gap": "9"}, "moderation_gap", "0 to 5"),
    ],
)
def test_a_bad_field_is_named_and_nothing_is_saved(engine, changes, field, says):
    before = table_checksums(engine)
    with pytest.raises(Invalid) as err:
        rounds.create_round(engine=engine, actor=STAFF, data=round_data(**changes))
    assert any(p.field == field and says in p.message for p in err.value.problems), err.value.problems
    assert table_checksums(engine) == before


def test_every_problem_is_reported_at_once(engine):
    with pytest.raises(Invalid) as err:
        rounds.create_round(engine=engine, actor=STAFF, data=round_data(title="", budget="-1", objectives=""))
    assert {"title", "budget", "objectives"} <= {p.field for p in err.value.problems}


def test_the_five_published_criteria_carry_their_weights(engine):
    weights = {"need": "40", "community": "15", "partnership": "15", "evidence": "15", "value": "15"}
    round_id = rounds.create_round(engine=engine, actor=STAFF, data=round_data(weights=weights))
    shown = rounds.get_round(engine, round_id)
    assert {c["code"]: c["weight"] for c in shown["criteria"]} == {k: int(v) for k, v in weights.items()}
    assert [c["code"] for c in shown["criteria"] if c["computed"]] == ["need"]
    assert shown["financial_year"] == "2026/27" and str(shown["budget"]) == "100000.00"


def test_opening_freezes_criteria_weights_and_profile(engine):
    profile = Profile(threshold_pct=20.0, weights={"crime_vwi_rate": 3.0})
    save_profile(engine=engine, actor=ANALYST, name="After-school need", profile=profile)
    round_id = rounds.create_round(engine=engine, actor=STAFF, data=round_data(profile_name="After-school need"))
    version = rounds.update_round(
        engine=engine, actor=STAFF, round_id=round_id, version=1, data=round_data(profile_name="After-school need")
    )
    rounds.open_round(engine=engine, actor=STAFF, round_id=round_id, version=version)
    frozen = rounds.get_round(engine, round_id)
    assert frozen["status"] == "open" and frozen["profile_settings"] == profile.to_dict()

    # the analyst changes the saved profile afterwards: the round keeps what was frozen
    save_profile(
        engine=engine, actor=ANALYST, name="After-school need", profile=Profile(threshold_pct=5.0), expected_version=1
    )
    assert rounds.get_round(engine, round_id)["profile_settings"] == profile.to_dict()

    before = table_checksums(engine)
    heavier = {"need": "60", "community": "10", "partnership": "10", "evidence": "10", "value": "10"}
    with pytest.raises(Refused, match="frozen"):
        rounds.update_round(
            engine=engine, actor=STAFF, round_id=round_id, version=version + 1, data=round_data(weights=heavier)
        )
    with pytest.raises(Refused, match="frozen"):
        rounds.open_round(engine=engine, actor=STAFF, round_id=round_id, version=version + 1)
    assert table_checksums(engine) == before
    assert rounds.get_round(engine, round_id)["criteria"] == frozen["criteria"]


def test_two_editors_of_one_draft_the_second_is_told(engine):
    round_id = rounds.create_round(engine=engine, actor=STAFF, data=round_data())
    rounds.update_round(engine=engine, actor=STAFF, round_id=round_id, version=1, data=round_data(title="First"))
    with pytest.raises(Stale, match="changed after you opened it"):
        rounds.update_round(engine=engine, actor=STAFF, round_id=round_id, version=1, data=round_data(title="Second"))
    assert rounds.get_round(engine, round_id)["title"] == "First"


def test_a_code_is_used_once(engine):
    rounds.create_round(engine=engine, actor=STAFF, data=round_data())
    with pytest.raises(Invalid, match="already exists"):
        rounds.create_round(engine=engine, actor=STAFF, data=round_data())


def test_close_only_an_open_round_and_drafts_are_not_published(engine):
    draft = rounds.create_round(engine=engine, actor=STAFF, data=round_data(code="DRAFT-1"))
    with pytest.raises(Refused, match="only an open round"):
        rounds.close_round(engine=engine, actor=STAFF, round_id=draft, version=1)
    opened = open_round(engine)
    rounds.close_round(engine=engine, actor=STAFF, round_id=opened, version=2)
    published = [r["code"] for r in rounds.list_rounds(engine, published_only=True)]
    assert published == ["YLF-2026-R1"]
