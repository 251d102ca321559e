"""Register writes: lifecycle, payments cap, optimistic locking, audit, permissions."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from vru_core.models import AuditEntry, Award, AwardArea, AwardObjective, MonitoringReturn, Payment
from vru_core.platform.errors import Invalid, PermissionDenied, Refused, Stale
from vru_core.register import examples, importer, lifecycle, money, reads
from vru_core.register.statuses import TRANSITIONS

pytestmark = pytest.mark.store


def _audit(engine, entity_type: str, entity_id) -> list[AuditEntry]:
    with Session(engine) as session:
        return list(
            session.exec(
                select(AuditEntry)
                .where(AuditEntry.entity_type == entity_type, AuditEntry.entity_id == str(entity_id))
                .order_by(AuditEntry.id)
            ).all()
        )


def _count(engine, model) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


@pytest.fixture
def award_id(engine, actors, award_data) -> int:
    return lifecycle.create_award(engine=engine, actor=actors["commissioner"], data=award_data)


def _force_status(engine, award_id: int, status: str) -> int:
    """Put an award straight into a status (test set-up only), returning its version."""
    with Session(engine) as session:
        award = session.get(Award, award_id)
        award.status = status
        session.add(award)
        session.commit()
        return award.version


def test_create_award_stores_links_and_audits(engine, award_id, award_data, ward_codes):
    detail = reads.award_detail(engine, award_id)
    assert detail.status == "proposed" and detail.version == 1
    assert detail.identifier.startswith("360G-LondonVRU-")
    assert detail.amount_awarded == Decimal("45000.00")
    assert detail.objectives == [3] and detail.areas == sorted(ward_codes)
    [entry] = _audit(engine, "award", award_id)
    assert entry.action == "create" and entry.actor == "test-commissioner"
    assert entry.before is None and entry.after["title"] == award_data["title"]


def test_invalid_award_writes_nothing(engine, actors, award_data):
    before = _count(engine, Award), _count(engine, AuditEntry)
    with pytest.raises(Invalid) as info:
        lifecycle.create_award(
            engine=engine, actor=actors["commissioner"], data={**award_data, "planned_end": "2026-01-01"}
        )
    assert [p.field for p in info.value.problems] == ["planned_end"]
    assert (_count(engine, Award), _count(engine, AuditEntry)) == before


ALL_PAIRS = [(a, b) for a in TRANSITIONS for b in TRANSITIONS if a != b]


@pytest.mark.parametrize(("current", "target"), ALL_PAIRS)
def test_transition_table(current, target):
    allowed = {
        ("proposed", "approved"),
        ("approved", "active"),
        ("active", "completed"),
        ("proposed", "withdrawn"),
        ("approved", "withdrawn"),
        ("active", "withdrawn"),
    }
    if (current, target) in allowed:
        lifecycle.check_transition(current, target)
    else:
        with pytest.raises(Refused):
            lifecycle.check_transition(current, target)


@pytest.mark.parametrize("current", ["completed", "withdrawn"])
def test_final_statuses_refuse_transitions_in_the_store(engine, actors, award_id, current):
    version = _force_status(engine, award_id, current)
    with pytest.raises(Refused, match="final"):
        lifecycle.transition_award(
            engine=engine, actor=actors["commissioner"], award_id=award_id, version=version, to_status="active"
        )
    assert reads.award_detail(engine, award_id).status == current


def test_withdraw_is_audited_with_before_and_after(engine, actors, award_id):
    lifecycle.transition_award(
        engine=engine, actor=actors["commissioner"], award_id=award_id, version=1, to_status="withdrawn"
    )
    entry = _audit(engine, "award", award_id)[-1]
    assert entry.action == "transition"
    assert entry.before["status"] == "proposed" and entry.after["status"] == "withdrawn"
    assert entry.note == "proposed -> withdrawn"


def test_stale_version_is_refused_and_says_who_changed_what(engine, actors, award_id, award_data):
    other = actors["admin"]
    lifecycle.update_award(
        engine=engine, actor=other, award_id=award_id, version=1, data={**award_data, "title": "Renamed"}
    )
    with pytest.raises(Stale) as info:
        lifecycle.update_award(
            engine=engine,
            actor=actors["commissioner"],
            award_id=award_id,
            version=1,
            data={**award_data, "amount_awarded": "50000"},
        )
    message = str(info.value)
    assert "test-admin" in message and "Title: " in message and "version 1" in message  # fields by their labels
    detail = reads.award_detail(engine, award_id)
    assert detail.title == "Renamed" and detail.amount_awarded == Decimal("45000.00")


def test_update_bumps_version_and_audits_the_change(engine, actors, award_id, award_data):
    new_version = lifecycle.update_award(
        engine=engine,
        actor=actors["commissioner"],
        award_id=award_id,
        version=1,
        data={**award_data, "amount_awarded": "50000", "area_amounts": "20000;20000;10000"},
    )
    assert new_version == 2
    entry = _audit(engine, "award", award_id)[-1]
    assert entry.action == "update"
    assert entry.before["amount_awarded"] == "45000.00" and entry.after["amount_awarded"] == "50000.00"
    with Session(engine) as session:
        split = session.exec(select(AwardArea.amount_pence).where(AwardArea.award_id == award_id)).all()
    assert sorted(split) == [1_000_000, 2_000_000, 2_000_000]


def test_payments_never_exceed_the_award(engine, actors, award_id):
    version = _force_status(engine, award_id, "active")
    assert version == 1
    c = actors["commissioner"]
    money.add_payment(engine=engine, actor=c, award_id=award_id, data={"paid_on": "2026-06-01", "amount": "30000"})
    with pytest.raises(Invalid, match="past the award"):
        money.add_payment(
            engine=engine, actor=c, award_id=award_id, data={"paid_on": "2026-07-01", "amount": "15000.01"}
        )
    money.add_payment(engine=engine, actor=c, award_id=award_id, data={"paid_on": "2026-07-01", "amount": "15000"})
    detail = reads.award_detail(engine, award_id)
    assert detail.paid == Decimal("45000.00") and detail.remaining == Decimal("0.00")
    assert _count(engine, Payment) == 2
    assert [e.action for e in _audit(engine, "payment", detail.payments[0].id)] == ["create"]


def test_a_proposed_award_takes_no_payment(engine, actors, award_id):
    with pytest.raises(Invalid, match="approve it first"):
        money.add_payment(
            engine=engine,
            actor=actors["commissioner"],
            award_id=award_id,
            data={"paid_on": "2026-06-01", "amount": "1"},
        )


def test_amount_cannot_drop_below_what_is_paid(engine, actors, award_id, award_data):
    """Once paid, the award is approved: its amount changes only by a variation, never below what is paid."""
    from vru_core.register import variation

    _force_status(engine, award_id, "active")
    c = actors["commissioner"]
    money.add_payment(engine=engine, actor=c, award_id=award_id, data={"paid_on": "2026-06-01", "amount": "30000"})
    lower = {**award_data, "amount_awarded": "20000"}
    with pytest.raises(Invalid, match="is a variation"):
        lifecycle.update_award(engine=engine, actor=c, award_id=award_id, version=1, data=lower)
    with pytest.raises(Invalid, match="already paid"):
        variation.propose_variation(engine=engine, actor=c, award_id=award_id, version=1, data=lower, reason="Less")


def test_payment_delete_is_audited(engine, actors, award_id):
    _force_status(engine, award_id, "active")
    c = actors["commissioner"]
    pid = money.add_payment(engine=engine, actor=c, award_id=award_id, data={"paid_on": "2026-06-01", "amount": "10"})
    money.delete_payment(engine=engine, actor=c, payment_id=pid, version=1, note="entered twice")
    assert [e.action for e in _audit(engine, "payment", pid)] == ["create", "delete"]
    assert _count(engine, Payment) == 0


def test_monitoring_return_rules_and_audit(engine, actors, award_id):
    c = actors["commissioner"]
    data = {"period": "2026-Q3", "rag": "Amber", "people_reached": "150", "under_25_reached": "120"}
    rid = money.add_return(engine=engine, actor=c, award_id=award_id, data=data)
    with pytest.raises(Invalid, match="already a return"):
        money.add_return(engine=engine, actor=c, award_id=award_id, data=data)
    with pytest.raises(Invalid) as info:
        money.add_return(
            engine=engine,
            actor=c,
            award_id=award_id,
            data={"period": "Q3", "rag": "purple", "people_reached": "10", "under_25_reached": "20"},
        )
    assert {p.field for p in info.value.problems} == {"period", "rag", "under_25_reached"}
    assert money.update_return(engine=engine, actor=c, return_id=rid, version=1, data={**data, "rag": "green"}) == 2
    with pytest.raises(Stale):
        money.delete_return(engine=engine, actor=c, return_id=rid, version=1)
    money.delete_return(engine=engine, actor=c, return_id=rid, version=2)
    assert [e.action for e in _audit(engine, "monitoring_return", rid)] == ["create", "update", "delete"]
    assert _count(engine, MonitoringReturn) == 0


def test_delete_award_only_before_commitment(engine, actors, award_id):
    c = actors["commissioner"]
    _force_status(engine, award_id, "approved")
    with pytest.raises(Refused, match="withdraw"):
        lifecycle.delete_award(engine=engine, actor=c, award_id=award_id, version=1)
    _force_status(engine, award_id, "proposed")
    lifecycle.delete_award(engine=engine, actor=c, award_id=award_id, version=1)
    assert _count(engine, Award) == 0 and _count(engine, AwardObjective) == 0 and _count(engine, AwardArea) == 0
    assert [e.action for e in _audit(engine, "award", award_id)] == ["create", "delete"]


def test_history_lists_award_payment_and_return_changes(engine, actors, award_id):
    c = actors["commissioner"]
    _force_status(engine, award_id, "active")
    money.add_payment(engine=engine, actor=c, award_id=award_id, data={"paid_on": "2026-06-01", "amount": "100"})
    money.add_return(engine=engine, actor=c, award_id=award_id, data={"period": "2026-Q3", "rag": "green"})
    history = reads.award_history(engine, award_id)
    assert [(h.what, h.action) for h in history] == [
        ("award", "create"),
        ("payment", "create"),
        ("monitoring_return", "create"),
    ]


# Every register write, called with arguments that would otherwise be accepted as far as `require`.
WRITES = {
    "create_award": lambda e, a, i: lifecycle.create_award(engine=e, actor=a, data={}),
    "update_award": lambda e, a, i: lifecycle.update_award(engine=e, actor=a, award_id=i, version=1, data={}),
    "transition_award": lambda e, a, i: lifecycle.transition_award(
        engine=e, actor=a, award_id=i, version=1, to_status="withdrawn"
    ),
    "delete_award": lambda e, a, i: lifecycle.delete_award(engine=e, actor=a, award_id=i, version=1),
    "add_payment": lambda e, a, i: money.add_payment(engine=e, actor=a, award_id=i, data={}),
    "delete_payment": lambda e, a, i: money.delete_payment(engine=e, actor=a, payment_id=1, version=1),
    "add_return": lambda e, a, i: money.add_return(engine=e, actor=a, award_id=i, data={}),
    "update_return": lambda e, a, i: money.update_return(engine=e, actor=a, return_id=1, version=1, data={}),
    "delete_return": lambda e, a, i: money.delete_return(engine=e, actor=a, return_id=1, version=1),
    "create_organisation": lambda e, a, i: lifecycle.create_organisation(engine=e, actor=a, data={}),
    "import_csv": lambda e, a, i: importer.import_csv(engine=e, actor=a, content="identifier\n"),
    "load_examples": lambda e, a, i: examples.load_examples(engine=e, actor=a),
    "remove_examples": lambda e, a, i: examples.remove_examples(engine=e, actor=a),
}


@pytest.mark.parametrize("role", ["viewer", "director", "analyst"])
@pytest.mark.parametrize("write", sorted(WRITES))
def test_only_register_writers_may_write(engine, actors, award_id, role, write):
    before = _count(engine, AuditEntry), _count(engine, Award)
    with pytest.raises(PermissionDenied, match=r"register\.write"):
        WRITES[write](engine, actors[role], award_id)
    assert (_count(engine, AuditEntry), _count(engine, Award)) == before


def test_signed_out_may_not_write(engine, award_data):
    with pytest.raises(PermissionDenied, match="Sign in"):
        lifecycle.create_award(engine=engine, actor=None, data=award_data)


def test_where_the_recipient_is_based_is_kept_and_updated_audited(engine, actors, award_data):
    """The forms give postcode and base: a new organisation keeps them, a later award for it can restate
    them (an audited organisation update) and a blank never erases them."""
    c = actors["commissioner"]
    first = lifecycle.create_award(
        engine=engine, actor=c, data={**award_data, "recipient_postcode": "E8 1AA", "recipient_location": "E09000012"}
    )
    detail = reads.award_detail(engine, first)
    assert (detail.recipient_postcode, detail.recipient_location) == ("E8 1AA", "E09000012")
    blank = {**award_data, "recipient_postcode": "", "recipient_location": ""}
    lifecycle.create_award(engine=engine, actor=c, data=blank)
    assert reads.award_detail(engine, first).recipient_postcode == "E8 1AA"
    form = reads.award_detail(engine, first).form_data()
    lifecycle.update_award(
        engine=engine, actor=c, award_id=first, version=1,
        data={**form, "recipient_location": "E05009367", "regrant_type": "FRG010"},
    )  # fmt: skip
    detail = reads.award_detail(engine, first)
    assert (detail.recipient_location, detail.regrant_type) == ("E05009367", "FRG010")
    org_updates = [e for e in _audit(engine, "organisation", 1) if e.action == "update"]
    moved = ({"location_code": "E09000012"}, {"location_code": "E05009367"})
    assert [(e.before, e.after) for e in org_updates] == [moved]
    history = reads.award_history(engine, first)
    assert history[-1].after["regrant_type"] == "FRG010" and "regrant_type" in history[-1].changed
