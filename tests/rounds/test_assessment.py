"""Assessment: who may score, conflicts of interest refuse scoring, versions, and the moderation list."""

from __future__ import annotations

import pytest

from tests.rounds.helpers import ASSESSOR_A, ASSESSOR_B, NEWHAM, STAFF, apply, open_round, scores
from vru_core.platform.auth import SYSTEM, Actor, Role
from vru_core.platform.backup import table_checksums
from vru_core.platform.errors import Invalid, PermissionDenied, Refused, Stale
from vru_core.platform.users import create_user
from vru_core.rounds import assessment, decisions, rounds

PANEL = Actor("panel-commissioner", Role.COMMISSIONER)


@pytest.fixture
def application(engine):
    round_id = open_round(engine)
    return engine, round_id, apply(engine, round_id)


def test_an_assessor_scores_every_criterion_but_need(application):
    engine, round_id, application_id = application
    version = assessment.save_assessment(
        engine=engine, actor=ASSESSOR_A, application_id=application_id, scores=scores()
    )
    assert version == 1
    frame = assessment.scores_frame(engine, round_id)
    assert sorted(frame["criterion"]) == ["community", "evidence", "partnership", "value"]


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({**scores(), "community": {"score": "6", "comment": "x"}}, "score_community"),
        ({**scores(), "value": {"score": "", "comment": "x"}}, "score_value"),
        ({**scores(), "evidence": {"score": "3", "comment": ""}}, "comment_evidence"),
        ({**scores(), "need": {"score": "5", "comment": "typed need"}}, "score_need"),  # need is computed
    ],
)
def test_bad_scores_are_refused_beside_their_criterion(application, given, field):
    engine, _, application_id = application
    before = table_checksums(engine)
    with pytest.raises(Invalid) as err:
        assessment.save_assessment(engine=engine, actor=ASSESSOR_A, application_id=application_id, scores=given)
    assert field in {p.field for p in err.value.problems}
    assert table_checksums(engine) == before


def test_commissioners_assess_only_rounds_they_are_assigned_to(application):
    engine, round_id, application_id = application
    with pytest.raises(PermissionDenied, match="not assigned"):
        assessment.save_assessment(engine=engine, actor=PANEL, application_id=application_id, scores=scores())
    create_user(engine=engine, actor=SYSTEM, username=PANEL.username, role="commissioner", password="a long passphrase")
    rounds.assign_assessor(engine=engine, actor=STAFF, round_id=round_id, username=PANEL.username)
    assessment.save_assessment(engine=engine, actor=PANEL, application_id=application_id, scores=scores())
    with pytest.raises(PermissionDenied, match=r"rounds\.assess"):
        assessment.save_assessment(
            engine=engine, actor=Actor("an-analyst", Role.ANALYST), application_id=application_id, scores=scores()
        )


def test_a_conflicted_assessor_cannot_score_that_organisation(application):
    engine, round_id, application_id = application
    other = apply(
        engine,
        round_id,
        applicant_org_id="GB-CHC-1099999",
        applicant_name="Newham Play",
        charity_number="1099999",
        borough=NEWHAM,
    )
    assessment.save_assessment(engine=engine, actor=ASSESSOR_A, application_id=application_id, scores=scores())
    withdrawn = assessment.declare_conflict(
        engine=engine, actor=ASSESSOR_A, round_id=round_id, org_id="GB-CHC-1123456", note="I am a trustee"
    )
    assert withdrawn == 1  # the score given before the declaration is withdrawn
    assert assessment.scores_frame(engine, round_id).empty
    before = table_checksums(engine)
    with pytest.raises(Refused, match="conflict of interest"):
        assessment.save_assessment(engine=engine, actor=ASSESSOR_A, application_id=application_id, scores=scores())
    assert table_checksums(engine) == before
    assessment.save_assessment(engine=engine, actor=ASSESSOR_A, application_id=other, scores=scores())  # others: fine
    assessment.save_assessment(engine=engine, actor=ASSESSOR_B, application_id=application_id, scores=scores())
    with pytest.raises(Invalid, match="already declared"):
        assessment.declare_conflict(engine=engine, actor=ASSESSOR_A, round_id=round_id, org_id="GB-CHC-1123456")


def test_a_second_save_names_the_version_it_opened(application):
    engine, _, application_id = application
    assessment.save_assessment(engine=engine, actor=ASSESSOR_A, application_id=application_id, scores=scores())
    with pytest.raises(Stale, match="already scored"):
        assessment.save_assessment(engine=engine, actor=ASSESSOR_A, application_id=application_id, scores=scores(4))
    assert (
        assessment.save_assessment(
            engine=engine, actor=ASSESSOR_A, application_id=application_id, scores=scores(4), version=1
        )
        == 2
    )
    with pytest.raises(Stale, match="changed after you opened it"):
        assessment.save_assessment(
            engine=engine, actor=ASSESSOR_A, application_id=application_id, scores=scores(5), version=1
        )


@pytest.mark.parametrize(
    ("gap", "a", "b", "listed"), [(2, 1, 4, True), (2, 2, 4, False), (0, 3, 4, True), (3, 1, 4, False)]
)
def test_moderation_lists_disagreements_wider_than_the_gap(engine, gap, a, b, listed):
    round_id = open_round(engine, moderation_gap=str(gap))
    application_id = apply(engine, round_id)
    assessment.save_assessment(engine=engine, actor=ASSESSOR_A, application_id=application_id, scores=scores(a))
    assessment.save_assessment(engine=engine, actor=ASSESSOR_B, application_id=application_id, scores=scores(b))
    table = assessment.moderation(engine, round_id)
    assert list(table["criterion"]) == (["Strength of community activity"] if listed else [])
    if listed:
        assert table.iloc[0]["gap"] == b - a and f"assessor-a: {a}" in table.iloc[0]["scores"]


def test_scores_close_once_the_panel_decides(application):
    engine, round_id, application_id = application
    rounds.close_round(engine=engine, actor=STAFF, round_id=round_id, version=2)
    decisions.decide(
        engine=engine,
        actor=STAFF,
        application_id=application_id,
        version=1,
        decision="decline",
        reason="Outside the evidence",
    )
    with pytest.raises(Refused, match="scores are closed"):
        assessment.save_assessment(engine=engine, actor=ASSESSOR_A, application_id=application_id, scores=scores())
