"""Decisions: fund / reserve / decline with reasons; a funded application becomes a proposed award carrying
its assessment and need evidence; funding never passes the round's budget line."""

from __future__ import annotations

import re

import pytest
from sqlmodel import Session

from tests.rounds.helpers import ASSESSOR_A, ASSESSOR_B, NEWHAM, STAFF, apply, open_round, scores
from vru_core.models import Application
from vru_core.platform.auth import Actor, Role
from vru_core.platform.backup import table_checksums
from vru_core.platform.errors import Invalid, Refused, Stale
from vru_core.register import controls, lifecycle, need_evidence
from vru_core.register.reads import award_detail
from vru_core.rounds import assessment, award_ids, decisions, rounds

APPROVER = Actor("second-commissioner", Role.COMMISSIONER)


@pytest.fixture
def closed(engine):
    round_id = open_round(engine)  # budget line £100,000
    first = apply(engine, round_id, amount_requested="60000")
    second = apply(
        engine,
        round_id,
        amount_requested="50000",
        applicant_org_id="GB-CHC-1099999",
        applicant_name="Newham Play",
        charity_number="1099999",
        borough=NEWHAM,
    )
    for actor in (ASSESSOR_A, ASSESSOR_B):
        assessment.save_assessment(engine=engine, actor=actor, application_id=first, scores=scores(4))
    rounds.close_round(engine=engine, actor=STAFF, round_id=round_id, version=2)
    return engine, round_id, first, second


def _application(engine, application_id) -> Application:
    with Session(engine) as session:
        return session.get(Application, application_id)


def test_a_funded_application_becomes_a_proposed_award_with_its_evidence(closed):
    engine, _, first, _ = closed
    award_id = decisions.decide(
        engine=engine,
        actor=STAFF,
        application_id=first,
        version=1,
        decision="fund",
        reason="Highest need and strong partnership",
    )
    detail = award_detail(engine, award_id)
    assert detail.status == "proposed" and detail.amount_awarded == 60000
    assert detail.recipient_org_id == "GB-CHC-1123456" and detail.funding_stream == "young_londoners_fund"
    application = _application(engine, first)
    assert application.award_id == award_id and application.decision == "fund"
    frozen = need_evidence.frozen_evidence(engine, award_id)
    assert frozen["need_figure"] == application.need_figure and frozen["wards"] == application.need_evidence["wards"]
    with Session(engine) as session:
        assert controls.assessors_of(session, award_id) == {"assessor-a", "assessor-b"}
    origin = decisions.award_origin(engine, award_id)
    assert origin["round"] == "YLF-2026-R1" and origin["rank"] == 1 and origin["points"]["community"] == 4.0
    assert award_ids(engine, "YLF-2026-R1") == [award_id]
    # separation of duties: an assessor of its application cannot approve the award
    with pytest.raises(Refused, match="assessed the application"):
        lifecycle.transition_award(
            engine=engine, actor=Actor("assessor-a", Role.ADMIN), award_id=award_id, version=1, to_status="approved"
        )
    # approval keeps the round's evidence rather than computing another
    lifecycle.transition_award(engine=engine, actor=APPROVER, award_id=award_id, version=1, to_status="approved")
    assert need_evidence.frozen_evidence(engine, award_id)["source"].startswith("funding round YLF-2026-R1")


def test_funding_past_the_budget_line_is_refused_and_leaves_nothing(closed):
    engine, _, first, second = closed
    decisions.decide(engine=engine, actor=STAFF, application_id=first, version=1, decision="fund", reason="Yes")
    before = table_checksums(engine)
    with pytest.raises(
        Invalid, match=re.escape("past its budget line of £100,000.00 (£60,000.00 funded, £40,000.00 left)")
    ):
        decisions.decide(engine=engine, actor=STAFF, application_id=second, version=1, decision="fund", reason="Yes")
    assert table_checksums(engine) == before
    award_id = decisions.decide(
        engine=engine,
        actor=STAFF,
        application_id=second,
        version=1,
        decision="fund",
        reason="Part-funded",
        amount="40000",
    )
    assert award_detail(engine, award_id).amount_awarded == 40000


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"decision": "maybe"}, "decision"),
        ({"reason": ""}, "reason"),
        ({"decision": "fund", "amount": "70000"}, "amount"),  # more than requested
        ({"decision": "fund", "amount": "0"}, "amount"),
    ],
)
def test_a_decision_needs_a_kind_a_reason_and_a_sane_amount(closed, changes, field):
    engine, _, first, _ = closed
    kwargs = {"decision": "reserve", "reason": "On the reserve list", **changes}
    before = table_checksums(engine)
    with pytest.raises(Invalid) as err:
        decisions.decide(engine=engine, actor=STAFF, application_id=first, version=1, **kwargs)
    assert field in {p.field for p in err.value.problems}
    assert table_checksums(engine) == before


def test_reserve_then_decline_then_stale_and_funded_is_final(closed):
    engine, _, first, second = closed
    decisions.decide(engine=engine, actor=STAFF, application_id=second, version=1, decision="reserve", reason="Reserve")
    with pytest.raises(Stale):
        decisions.decide(engine=engine, actor=STAFF, application_id=second, version=1, decision="decline", reason="No")
    decisions.decide(engine=engine, actor=STAFF, application_id=second, version=2, decision="decline", reason="No")
    assert _application(engine, second).decision_reason == "No"
    decisions.decide(engine=engine, actor=STAFF, application_id=first, version=1, decision="fund", reason="Yes")
    with pytest.raises(Refused, match="withdraw the award"):
        decisions.decide(engine=engine, actor=STAFF, application_id=first, version=2, decision="decline", reason="No")


def test_the_panel_decides_only_after_the_round_closes(engine):
    round_id = open_round(engine)
    application_id = apply(engine, round_id)
    with pytest.raises(Refused, match="once the round has closed"):
        decisions.decide(
            engine=engine, actor=STAFF, application_id=application_id, version=1, decision="fund", reason="Too early"
        )


def test_a_decision_refused_at_its_last_step_leaves_no_award(closed, monkeypatch):
    """The award, its need evidence and the decision are one transaction: a refusal at the last step
    (here, freezing the evidence) writes nothing at all."""
    engine, _, first, _ = closed
    before = table_checksums(engine)

    def refuse(*args, **kwargs):
        raise Stale("a colleague decided meanwhile")

    monkeypatch.setattr(decisions.need_evidence, "freeze", refuse)
    with pytest.raises(Stale):
        decisions.decide(engine=engine, actor=STAFF, application_id=first, version=1, decision="fund", reason="Yes")
    assert table_checksums(engine) == before
    assert award_ids(engine, "YLF-2026-R1") == []


def test_two_panel_members_funding_at_once_never_pass_the_budget_line(closed):
    """Each application fits the budget line alone (£60,000 + £50,000 > £100,000): at once, exactly one is funded,
    the other is refused, and no award is made for it."""
    import threading

    from vru_core.platform.db import get_engine

    engine, _, first, second = closed
    url = engine.url.render_as_string(hide_password=False)
    start, results = threading.Barrier(2), {}

    def fund(application_id: int) -> None:
        own = get_engine(url)
        start.wait()
        try:
            results[application_id] = decisions.decide(
                engine=own, actor=STAFF, application_id=application_id, version=1, decision="fund", reason="Both?"
            )
        except (Invalid, Stale) as exc:
            results[application_id] = exc
        finally:
            own.dispose()

    threads = [threading.Thread(target=fund, args=(i,)) for i in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    funded = [i for i, r in results.items() if isinstance(r, int)]
    refused = [r for r in results.values() if isinstance(r, Invalid)]
    assert len(funded) == 1 and len(refused) == 1 and "budget line" in str(refused[0])
    assert award_ids(engine, "YLF-2026-R1") == [results[funded[0]]]
    from vru_core.register.query import load_register

    assert len(load_register(engine).awards) == 1  # the refused one made no award
