"""Controls at approval: separation of duties, approval limits per role, and variations after approval."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.factories import approve, sample_award
from tests.register.conftest import csv_text
from vru_core.platform.auth import Actor, Role
from vru_core.platform.backup import table_checksums
from vru_core.platform.config import get_settings
from vru_core.platform.errors import Invalid, Refused, Stale
from vru_core.register import budget, controls, importer, lifecycle, variation
from vru_core.register.reads import award_detail

pytestmark = pytest.mark.store
CREATOR = Actor("ctl-creator", Role.COMMISSIONER)
PROPOSER = Actor("ctl-proposer", Role.COMMISSIONER)
SECOND = Actor("ctl-second", Role.COMMISSIONER)
ADMIN = Actor("ctl-admin", Role.ADMIN)


def _award(engine, amount: str = "45000", actor: Actor = CREATOR) -> int:
    data = sample_award(engine, title="Controlled", amount_awarded=amount)
    return lifecycle.create_award(engine=engine, actor=actor, data=data)


def _approved(engine, amount: str = "45000") -> int:
    award_id = _award(engine, amount)
    approve(engine, award_id, actor=SECOND)
    return award_id


# (case, amount, approver, environment, words of the refusal or None when it is approved)
APPROVALS = [
    ("creator-approves-own", "45000", CREATOR, {}, "created award"),
    ("admin-creator-approves-own", "45000", "admin-creator", {}, "created award"),
    ("second-commissioner", "45000", SECOND, {}, None),
    ("above-default-commissioner-limit", "250000.01", SECOND, {}, "may approve up to £250,000.00"),
    ("at-default-commissioner-limit", "250000.00", SECOND, {}, None),
    ("admin-has-no-limit-by-default", "5000000", ADMIN, {}, None),
    ("lowered-limit", "45000.01", SECOND, {"VRU_APPROVAL_LIMIT_COMMISSIONER": "45000"}, "up to £45,000.00"),
    ("admin-limit-set", "100001", ADMIN, {"VRU_APPROVAL_LIMIT_ADMIN": "100000"}, "an administrator may approve"),
]


@pytest.mark.parametrize(("case", "amount", "approver", "env", "words"), APPROVALS, ids=[a[0] for a in APPROVALS])
def test_who_may_approve(engine, monkeypatch, case, amount, approver, env, words):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    creator = ADMIN if approver == "admin-creator" else CREATOR
    approver = ADMIN if approver == "admin-creator" else approver
    award_id = _award(engine, amount, actor=creator)
    before = table_checksums(engine)
    if words is None:
        approve(engine, award_id, actor=approver)
        assert award_detail(engine, award_id).status == "approved"
        return
    with pytest.raises(Refused) as err:
        approve(engine, award_id, actor=approver)
    assert words in str(err.value)
    assert table_checksums(engine) == before


def test_an_assessor_cannot_approve(engine, monkeypatch):
    award_id = _award(engine)
    monkeypatch.setattr(controls, "assessors_of", lambda session, award: {SECOND.username})
    with pytest.raises(Refused, match="assessed the application"):
        approve(engine, award_id, actor=SECOND)
    approve(engine, award_id, actor=ADMIN)


def test_an_award_entered_in_the_register_has_no_assessors(engine):
    from sqlmodel import Session

    with Session(engine) as session:
        assert controls.assessors_of(session, _award(engine)) == set()


@pytest.mark.parametrize("raw", ["lots", "-5", "NaN", "1e999999"])
def test_an_unreadable_limit_is_named(monkeypatch, raw):
    monkeypatch.setenv("VRU_APPROVAL_LIMIT_COMMISSIONER", raw)
    with pytest.raises(Invalid, match="VRU_APPROVAL_LIMIT_COMMISSIONER"):
        get_settings()


def test_blank_or_none_means_no_limit(monkeypatch):
    monkeypatch.setenv("VRU_APPROVAL_LIMIT_COMMISSIONER", "none")
    monkeypatch.setenv("VRU_APPROVAL_LIMIT_ADMIN", "1,000,000")
    assert get_settings().approval_limits == {"commissioner": None, "admin": Decimal("1000000")}


# ---- variations --------------------------------------------------------------------------------------


def _form(engine, award_id: int, **changes) -> dict:
    return {**award_detail(engine, award_id).form_data(), **changes}


def _propose(engine, award_id: int, actor: Actor = PROPOSER, **changes) -> int:
    version = award_detail(engine, award_id).version
    data = _form(engine, award_id, **changes)
    return variation.propose_variation(
        engine=engine, actor=actor, award_id=award_id, version=version, data=data, reason="More young people"
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("amount_awarded", "50000"),
        ("planned_end", "2027-06-30"),
        ("award_date", "2026-04-02"),
        ("funding_stream", "mopac_safer_schools"),
        ("area_amounts", "15000;15000;15000"),
    ],
)
def test_after_approval_amount_dates_stream_and_areas_are_variations_not_edits(engine, field, value):
    award_id = _approved(engine)
    detail = award_detail(engine, award_id)
    before = table_checksums(engine)
    with pytest.raises(Invalid) as err:
        lifecycle.update_award(
            engine=engine,
            actor=SECOND,
            award_id=award_id,
            version=detail.version,
            data=_form(engine, award_id, **{field: value}),
        )
    assert [p.field for p in err.value.problems] == [field] and "variation" in str(err.value)
    assert table_checksums(engine) == before
    # The same change in an import row is refused on its row.
    row = {**_form(engine, award_id, **{field: value}), "identifier": detail.identifier, "status": ""}
    row = {k: (";".join(map(str, v)) if isinstance(v, list) else v) for k, v in row.items()}
    with pytest.raises(Invalid) as err:
        importer.import_csv(engine=engine, actor=SECOND, content=csv_text([row]))
    assert [(p.row, p.field) for p in err.value.problems] == [(2, field)]
    assert table_checksums(engine) == before


def test_after_approval_other_fields_are_still_edited_directly(engine):
    award_id = _approved(engine)
    version = award_detail(engine, award_id).version
    lifecycle.update_award(
        engine=engine, actor=SECOND, award_id=award_id, version=version, data=_form(engine, award_id, title="Renamed")
    )
    assert award_detail(engine, award_id).title == "Renamed"


def test_a_variation_needs_its_own_approval_by_someone_else(engine):
    award_id = _approved(engine)
    variation_id = _propose(engine, award_id, amount_awarded="50000", planned_end="2027-06-30")
    detail = award_detail(engine, award_id)
    assert (detail.amount_awarded, str(detail.planned_end)) == (Decimal("45000"), "2027-03-31")  # not yet
    (listed,) = variation.variations_of(engine, award_id)
    assert listed.status == "proposed" and "amount: 45000.00 -> 50000.00" in listed.changes
    assert "end: 2027-03-31 -> 2027-06-30" in listed.changes
    for who, words in [(PROPOSER, "proposed this variation"), (CREATOR, "created award")]:
        with pytest.raises(Refused, match=words):
            variation.decide_variation(engine=engine, actor=who, variation_id=variation_id, version=1, approve=True)
    with pytest.raises(Refused, match="already waiting"):
        _propose(engine, award_id, amount_awarded="46000")
    variation.decide_variation(engine=engine, actor=SECOND, variation_id=variation_id, version=1, approve=True)
    after = award_detail(engine, award_id)
    assert (after.amount_awarded, str(after.planned_end)) == (Decimal("50000"), "2027-06-30")
    assert after.version == detail.version + 1
    (decided,) = variation.variations_of(engine, award_id)
    assert (decided.status, decided.decided_by) == ("approved", SECOND.username)
    with pytest.raises(Stale):  # deciding again from the version already decided
        variation.decide_variation(engine=engine, actor=ADMIN, variation_id=variation_id, version=1, approve=True)


def test_a_variation_of_an_award_changed_since_is_stale(engine):
    award_id = _approved(engine)
    variation_id = _propose(engine, award_id, amount_awarded="44000")
    version = award_detail(engine, award_id).version
    lifecycle.update_award(
        engine=engine, actor=SECOND, award_id=award_id, version=version, data=_form(engine, award_id, title="Renamed")
    )
    with pytest.raises(Stale):
        variation.decide_variation(engine=engine, actor=SECOND, variation_id=variation_id, version=1, approve=True)
    assert award_detail(engine, award_id).amount_awarded == Decimal("45000")


def test_a_rejected_variation_leaves_the_award(engine):
    award_id = _approved(engine)
    variation_id = _propose(engine, award_id, amount_awarded="60000")
    variation.decide_variation(
        engine=engine, actor=PROPOSER, variation_id=variation_id, version=1, approve=False, note="Withdrawn"
    )
    assert award_detail(engine, award_id).amount_awarded == Decimal("45000")
    assert variation.variations_of(engine, award_id)[0].status == "rejected"


def test_a_variation_is_held_to_the_budget_and_the_approver_limit(engine, monkeypatch):
    budget.set_budget(
        engine=engine,
        actor=ADMIN,
        data={"funding_stream": "young_londoners_fund", "year": "2026", "allocated": "50000"},
    )
    award_id = _approved(engine)
    variation_id = _propose(engine, award_id, amount_awarded="50000.01")
    with pytest.raises(Invalid, match=r"over by £0\.01"):
        variation.decide_variation(engine=engine, actor=SECOND, variation_id=variation_id, version=1, approve=True)
    monkeypatch.setenv("VRU_APPROVAL_LIMIT_COMMISSIONER", "50000")
    with pytest.raises(Refused, match="Approval limit"):
        variation.decide_variation(
            engine=engine, actor=SECOND, variation_id=variation_id, version=1, approve=True, override_reason="x"
        )
    variation.decide_variation(
        engine=engine, actor=ADMIN, variation_id=variation_id, version=1, approve=True, override_reason="Agreed uplift"
    )
    assert award_detail(engine, award_id).amount_awarded == Decimal("50000.01")


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({}, "amount_awarded", "a variation changes at least one of"),
        ({"title": "Sneaky rename", "amount_awarded": "40000"}, "title", "not part of a variation"),
        ({"amount_awarded": "45000.001"}, "amount_awarded", "decimal places"),
    ],
)
def test_what_is_not_a_variation(engine, changes, field, words):
    award_id = _approved(engine)
    before = table_checksums(engine)
    with pytest.raises(Invalid) as err:
        _propose(engine, award_id, **changes)
    assert field in {p.field for p in err.value.problems} and words in str(err.value)
    assert table_checksums(engine) == before


def test_a_proposed_award_is_edited_not_varied(engine):
    award_id = _award(engine)
    with pytest.raises(Refused, match="edited directly"):
        _propose(engine, award_id, amount_awarded="40000")
