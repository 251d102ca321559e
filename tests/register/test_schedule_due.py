"""Payment schedules (instalments, the hold for a monitoring return) and the due and overdue list."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tests.factories import approve, sample_award
from vru_core.platform.auth import Actor, Role
from vru_core.platform.backup import table_checksums
from vru_core.platform.errors import Invalid, Refused, Stale
from vru_core.register import due, lifecycle, money, schedule

pytestmark = pytest.mark.store
C = Actor("sched-commissioner", Role.COMMISSIONER)
TODAY = dt.date(2026, 11, 15)


def _award(engine, *, start="2026-05-01", end="2027-03-31", amount="45000", approved=True) -> int:
    data = sample_award(engine, title="Scheduled", amount_awarded=amount, planned_start=start, planned_end=end)
    award_id = lifecycle.create_award(engine=engine, actor=C, data=data)
    if approved:
        approve(engine, award_id)
    return award_id


def _schedule(engine, award_id, rows, version=0) -> int:
    instalments = [{"due_on": d, "amount": a, "return_period": r} for d, a, r in rows]
    return schedule.set_schedule(engine=engine, actor=C, award_id=award_id, version=version, instalments=instalments)


def _pay(engine, award_id, amount) -> None:
    money.add_payment(engine=engine, actor=C, award_id=award_id, data={"paid_on": "2026-06-01", "amount": amount})


def _return(engine, award_id, period) -> None:
    data = {"period": period, "rag": "green", "people_reached": "10", "under_25_reached": "5"}
    money.add_return(engine=engine, actor=C, award_id=award_id, data=data)


THREE = [("2026-06-01", "15000", None), ("2026-10-01", "15000", "2026-Q3"), ("2027-01-15", "15000", "2026-Q4")]


def test_payments_fill_instalments_in_due_order(engine):
    award_id = _award(engine)
    _schedule(engine, award_id, THREE)
    _pay(engine, award_id, "10000")
    view = schedule.schedule_view(engine, award_id, today=TODAY)
    assert [(line.status, line.paid) for line in view.lines] == [
        ("overdue", Decimal("10000.00")),  # due 1 June, £5,000 of it still to pay
        ("overdue", Decimal("0.00")),
        ("scheduled", Decimal("0.00")),
    ]
    assert view.lines[1].waiting_for_return and view.unscheduled == Decimal("0.00")


def test_an_instalment_tied_to_a_return_waits_for_it(engine):
    award_id = _award(engine)
    _schedule(engine, award_id, THREE)
    _pay(engine, award_id, "15000")
    before = table_checksums(engine)
    with pytest.raises(Invalid) as err:
        _pay(engine, award_id, "0.01")
    assert err.value.problems[0].field == "amount"
    assert "once the 2026-Q3 monitoring return is received; £0.00 can be paid now" in str(err.value)
    assert table_checksums(engine) == before
    _return(engine, award_id, "2026-Q3")
    _pay(engine, award_id, "15000")  # now instalment 2 can be paid, but not a penny into instalment 3
    with pytest.raises(Invalid, match="2026-Q4"):
        _pay(engine, award_id, "0.01")


@pytest.mark.parametrize(
    ("rows", "problems"),
    [
        ([("2026-06-01", "30000", None), ("2026-07-01", "15000.01", None)], {(None, "amount")}),
        ([("2026-13-01", "45k", "Q3")], {(1, "due_on"), (1, "amount"), (1, "return_period")}),
        ([("2026-06-01", "100", None), ("", "0", "2026-Q5")], {(2, "due_on"), (2, "amount"), (2, "return_period")}),
    ],
    ids=["more-than-the-award", "every-field-of-a-row", "second-row"],
)
def test_a_bad_schedule_names_each_row_and_field(engine, rows, problems):
    award_id = _award(engine)
    before = table_checksums(engine)
    with pytest.raises(Invalid) as err:
        _schedule(engine, award_id, rows)
    assert {(p.row, p.field) for p in err.value.problems} == problems
    assert table_checksums(engine) == before


def test_a_schedule_is_replaced_from_the_version_seen(engine):
    award_id = _award(engine)
    version = _schedule(engine, award_id, THREE)
    assert _schedule(engine, award_id, THREE[:1], version=version) == version + 1
    with pytest.raises(Stale):
        _schedule(engine, award_id, THREE, version=version)  # a colleague replaced it since
    with pytest.raises(Stale):
        _schedule(engine, _award(engine), THREE, version=3)  # there was never one at version 3
    withdrawn = _award(engine, approved=False)
    lifecycle.transition_award(engine=engine, actor=C, award_id=withdrawn, version=1, to_status="withdrawn")
    with pytest.raises(Refused, match="closed"):
        _schedule(engine, withdrawn, THREE)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2026-05-01", "2026-09-30", [("2026-Q2", "2026-06-30"), ("2026-Q3", "2026-09-30")]),
        ("2026-12-31", "2027-01-01", [("2026-Q4", "2026-12-31"), ("2027-Q1", "2027-03-31")]),
        ("2026-02-01", "2026-02-28", [("2026-Q1", "2026-03-31")]),
    ],
)
def test_quarters_an_award_runs_in(start, end, expected):
    got = due.quarters(dt.date.fromisoformat(start), dt.date.fromisoformat(end))
    assert [(p, d.isoformat()) for p, d in got] == expected


def test_the_due_list_names_late_returns_payments_due_and_endings(engine, monkeypatch):
    monkeypatch.setenv("VRU_RETURN_DUE_DAYS", "30")
    running = _award(engine, start="2026-05-01", end="2026-12-10")
    _schedule(engine, running, [("2026-06-01", "20000", None), ("2026-12-01", "25000", "2026-Q3")])
    _pay(engine, running, "20000")
    _return(engine, running, "2026-Q2")  # Q2's return is in; Q3's (due 30 Oct) is late; Q4's is not due yet
    _award(engine, approved=False)  # proposed: nothing is due on it
    listed = due.due_list(engine, today=TODAY, within_days=30)
    items = [(i.kind, i.what, i.due_on.isoformat(), i.overdue) for i in listed.items if i.award_id == running]
    assert items == [
        ("return", "2026-Q3 monitoring return", "2026-10-30", True),
        ("payment", "instalment 2: £25,000.00 to pay, waiting for the 2026-Q3 return", "2026-12-01", False),
        ("ending", "ends; plan the final return and close", "2026-12-10", False),
    ]
    assert listed.counts == {
        "return_overdue": 1,
        "return_due": 0,
        "payment_overdue": 0,
        "payment_due": 1,
        "ending_overdue": 0,
        "ending_due": 1,
    }
    later = due.due_list(engine, today=dt.date(2027, 2, 1), within_days=0)
    assert {(i.kind, i.overdue) for i in later.items if i.award_id == running} == {
        ("return", True),
        ("payment", True),
        ("ending", True),
    }
    assert [i.what for i in later.items if i.kind == "return" and i.award_id == running] == [
        "2026-Q3 monitoring return",
        "2026-Q4 monitoring return",
    ]


def test_a_monthly_return_counts_for_its_quarter(engine):
    award_id = _award(engine, start="2026-07-01", end="2026-09-30")
    _return(engine, award_id, "2026-08")
    listed = due.due_list(engine, today=dt.date(2026, 12, 1), within_days=0)
    assert not [i for i in listed.items if i.kind == "return" and i.award_id == award_id]
