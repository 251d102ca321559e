"""Admin edits to the framework: permission-checked, validated, audited, and visible in the overview."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from vru_core.framework.indicators import build_overview, load_thresholds
from vru_core.framework.rag import Thresholds
from vru_core.framework.structure import (
    save_funding_stream,
    thresholds_version,
    update_indicator,
    update_objective,
    update_priority_area,
    update_thresholds,
)
from vru_core.models import AuditEntry, Commitment, FundingStream, Indicator, Objective, ObjectiveAim
from vru_core.platform.auth import PermissionDenied
from vru_core.platform.errors import DomainError, Stale


def _last_audit(engine, entity_type: str) -> AuditEntry:
    with engine.connect() as conn:
        return conn.execute(
            select(AuditEntry).where(AuditEntry.entity_type == entity_type).order_by(AuditEntry.id.desc())
        ).first()


def test_admin_rewords_an_objective_and_its_commitments(engine, actors):
    update_objective(
        engine=engine,
        actor=actors["admin"],
        number=3,
        version=1,
        title="Young people leading change",
        tagline="New tagline",
        commitments=["First commitment", "", "Second commitment"],
        aims=["community_at_heart"],
    )
    with engine.connect() as conn:
        assert conn.execute(select(Objective.tagline).where(Objective.number == 3)).scalar_one() == "New tagline"
        texts = conn.execute(
            select(Commitment.text).where(Commitment.objective_number == 3).order_by(Commitment.position)
        ).scalars()
        assert list(texts) == ["First commitment", "Second commitment"]
        aims = conn.execute(select(ObjectiveAim.aim_code).where(ObjectiveAim.objective_number == 3)).scalars()
        assert list(aims) == ["community_at_heart"]
    entry = _last_audit(engine, "objective")
    assert entry.actor == actors["admin"].username
    assert len(entry.before["commitments"]) == 2 and entry.after["tagline"] == "New tagline"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"title": " "}, "title: cannot be empty"),
        ({"aims": ["no_such_aim"]}, "aims: unknown"),
        ({"aims": []}, "at least one aim"),
    ],
)
def test_bad_objective_edits_are_refused_and_nothing_changes(engine, actors, kwargs, message):
    args = {"version": 1, "title": "T", "tagline": "", "commitments": ["c"], "aims": ["reduce_violence"], **kwargs}
    with pytest.raises(DomainError, match=message):
        update_objective(engine=engine, actor=actors["admin"], number=1, **args)
    with engine.connect() as conn:
        assert conn.execute(select(Objective.title).where(Objective.number == 1)).scalar_one() != "T"


@pytest.mark.parametrize("role", ["viewer", "director", "commissioner", "analyst"])
def test_only_admins_change_the_framework(engine, actors, role):
    actor = actors[role]
    calls = [
        lambda: update_objective(
            engine=engine, actor=actor, number=1, version=1, title="x", tagline="", commitments=[], aims=[]
        ),
        lambda: update_priority_area(
            engine=engine, actor=actor, code="after_school", version=1, title="x", objective_number=5
        ),
        lambda: save_funding_stream(engine=engine, actor=actor, code="x", name="x", notes="", active=True),
        lambda: update_indicator(engine=engine, actor=actor, code="vwi_12m", version=1, changes={"target_value": 1}),
        lambda: update_thresholds(engine=engine, actor=actor, thresholds=Thresholds(), version=1),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied, match=r"framework\.write"):
            call()


def test_funding_stream_created_then_retired(engine, actors):
    version = save_funding_stream(
        engine=engine, actor=actors["admin"], code="home_office_2026", name="HO 2026", notes="", active=True
    )
    with pytest.raises(Stale, match="already exists"):  # a second "new" stream with the same code
        save_funding_stream(
            engine=engine, actor=actors["admin"], code="home_office_2026", name="HO", notes="", active=True
        )
    save_funding_stream(
        engine=engine,
        actor=actors["admin"],
        code="home_office_2026",
        name="HO 2026",
        notes="",
        active=False,
        version=version,
    )
    with engine.connect() as conn:
        assert (
            conn.execute(select(FundingStream.active).where(FundingStream.code == "home_office_2026")).scalar_one()
            is False
        )
    assert _last_audit(engine, "funding_stream").before == {
        "name": "HO 2026",
        "notes": "",
        "active": True,
        "version": 1,
    }


def test_priority_area_moves_to_another_objective(engine, actors):
    update_priority_area(
        engine=engine, actor=actors["admin"], code="after_school", version=1, title="After school", objective_number=3
    )
    with pytest.raises(DomainError, match="no objective 9"):
        update_priority_area(
            engine=engine, actor=actors["admin"], code="after_school", version=2, title="x", objective_number=9
        )
    with pytest.raises(Stale):
        update_priority_area(
            engine=engine, actor=actors["admin"], code="after_school", version=1, title="x", objective_number=4
        )
    assert _last_audit(engine, "priority_area").after == {"title": "After school", "objective_number": 3, "version": 2}


def test_a_new_target_changes_the_rating_and_a_stale_edit_is_refused(engine, actors):
    before = build_overview(engine).indicators.loc["vwi_12m"]
    # a target far below today's value: no longer reached
    update_indicator(
        engine=engine,
        actor=actors["admin"],
        code="vwi_12m",
        version=1,
        changes={"target_value": before["latest"] * 0.5, "target_change_pct": None},
    )
    after = build_overview(engine).indicators.loc["vwi_12m"]
    assert after["target"] == pytest.approx(before["latest"] * 0.5)
    assert before["status"] == "on_track"  # the seeded 10% fall is already reached in the bundled data
    expected = (before["latest"] - before["baseline"]) / (before["latest"] * 0.5 - before["baseline"])
    assert after["progress"] == pytest.approx(expected)
    assert after["status"] in ("at_risk", "off_track") and after["status"] != before["status"]
    with pytest.raises(Stale):
        update_indicator(engine=engine, actor=actors["admin"], code="vwi_12m", version=1, changes={"notes": "x"})
    with engine.connect() as conn:
        assert conn.execute(select(Indicator.version).where(Indicator.code == "vwi_12m")).scalar_one() == 2


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"baseline_period": "2024-13"}, "baseline_period"),
        ({"target_value": "lots"}, "target_value"),
        ({"direction": "sideways"}, "direction"),
        ({"kind": "computed"}, "kind"),
    ],
)
def test_bad_indicator_edits_are_refused(engine, actors, changes, field):
    with pytest.raises(DomainError, match=field):
        update_indicator(engine=engine, actor=actors["admin"], code="vwi_12m", version=1, changes=changes)


def test_thresholds_are_stored_and_used(engine, actors):
    version = thresholds_version(engine)
    update_thresholds(engine=engine, actor=actors["admin"], thresholds=Thresholds(0.9, 0.1, 5.0), version=version)
    assert load_thresholds(engine) == Thresholds(0.9, 0.1, 5.0)
    assert build_overview(engine).thresholds == Thresholds(0.9, 0.1, 5.0)
    with pytest.raises(Stale):
        update_thresholds(engine=engine, actor=actors["admin"], thresholds=Thresholds(), version=version)
    assert _last_audit(engine, "rag_settings").before["on_track_progress"] == 0.5


def test_form_text_is_trimmed_empty_numbers_clear_and_empty_text_stays_text(engine, actors):
    """The settings form sends every box as typed: " 42 " is 42, "" clears a number or period, "" text stays ""."""
    update_indicator(
        engine=engine,
        actor=actors["admin"],
        code="vwi_12m",
        version=1,
        changes={
            "target_value": " 42 ",
            "baseline_value": "",
            "target_period": "",
            "baseline_source": "",
            "target_note": " ",
        },
    )
    with engine.connect() as conn:
        row = conn.execute(select(Indicator).where(Indicator.code == "vwi_12m")).one()
    assert row.target_value == 42.0
    assert (row.baseline_value, row.target_period) == (None, None)
    assert (row.baseline_source, row.target_note) == ("", "")
