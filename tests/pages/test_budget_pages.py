"""Budgets, the due list, the register's counts and the award page's schedule and variations, through AppTest."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tests.factories import approve, sample_award
from tests.pages.conftest import visible
from vru_core.platform.auth import Actor, Role
from vru_core.platform.backup import table_checksums
from vru_core.register import budget, budget_reads, lifecycle, money, schedule, variation
from vru_core.register.reads import award_detail

pytestmark = pytest.mark.store
CREATOR = Actor("page-creator", Role.COMMISSIONER)
SECOND = Actor("page-second", Role.COMMISSIONER)
ADMIN = Actor("page-admin", Role.ADMIN)
THIS_YEAR = budget.financial_year(dt.date.today())


def _approved(engine, **changes) -> int:
    award_id = lifecycle.create_award(engine=engine, actor=CREATOR, data=sample_award(engine, title="Paged", **changes))
    approve(engine, award_id, actor=SECOND)
    return award_id


def _this_year_award(engine, amount="45000") -> int:
    start = dt.date(THIS_YEAR, 4, 1)
    return _approved(
        engine,
        amount_awarded=amount,
        award_date=start.isoformat(),
        planned_start=start.isoformat(),
        planned_end=dt.date(THIS_YEAR + 1, 3, 31).isoformat(),
    )


def lookups_name(engine, code: str) -> str:
    from sqlmodel import Session

    from vru_core.models import FundingStream

    with Session(engine) as session:
        return session.get(FundingStream, code).name


def _award_page(make_app, actor, award_id):
    at = make_app("app_pages/award.py", actor=actor)
    at.query_params["id"] = str(award_id)
    at.run()
    assert not at.exception
    return at


def test_budgets_page_shows_each_line_and_what_it_counts(engine, make_app):
    budget.set_budget(
        engine=engine,
        actor=ADMIN,
        data={"funding_stream": "young_londoners_fund", "year": str(THIS_YEAR), "allocated": "100000"},
    )
    award_id = _this_year_award(engine)
    money.add_payment(engine=engine, actor=CREATOR, award_id=award_id, data={"paid_on": "2026-06-01", "amount": "0.5"})
    at = make_app("app_pages/budgets.py", actor=Actor("page-viewer", Role.VIEWER))
    label = budget.year_label(THIS_YEAR)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics[f"Allocated ({label})"] == "£100,000.00"
    assert metrics[f"Committed ({label})"] == "£45,000.00" and metrics[f"Paid ({label})"] == "£0.50"
    assert metrics[f"Remaining ({label})"] == "£55,000.00"
    (table,) = [d.value for d in at.dataframe if "funding_stream" in d.value.columns]
    row = table[table["year"] == label].iloc[0]
    stream_name = lookups_name(engine, "young_londoners_fund")
    assert (row["funding_stream"], row["budget_set"], row["remaining"]) == (stream_name, "yes", 55000.0)
    assert not list(at.get("form"))  # a viewer sees no budget form
    assert at.query_params["year"] == label


def test_an_administrator_sets_a_budget_on_the_page_problems_beside_fields(engine, make_app):
    at = make_app("app_pages/budgets.py", actor=ADMIN)
    at.text_input(key="budget_year_in").input("2026/28")
    at.text_input(key="budget_amount").input("45k")
    before = table_checksums(engine)
    at.button(key="budget_save").click().run()
    assert not at.exception
    errors = " ".join(visible(e.value) for e in at.error)
    assert "not a financial year" in errors and "not a plain amount" in errors
    assert table_checksums(engine) == before
    at.text_input(key="budget_year_in").input(budget.year_label(THIS_YEAR))
    at.text_input(key="budget_amount").input("6800000")
    at.text_input(key="budget_note").input("=VRU core budget")
    at.button(key="budget_save").click().run()
    assert not at.exception and not at.error
    lines = [b for b in budget_reads.budget_lines(engine, year=THIS_YEAR) if b.budget_set]
    assert [(b.stream, b.allocated, b.note) for b in lines] == [
        (at.selectbox(key="budget_stream").value, Decimal("6800000.00"), "=VRU core budget")
    ]


def test_due_page_and_register_counts(engine, make_app):
    today = dt.date.today()
    start = today - dt.timedelta(days=200)
    award_id = _approved(
        engine,
        award_date=start.isoformat(),
        planned_start=start.isoformat(),
        planned_end=(today + dt.timedelta(days=10)).isoformat(),
    )
    instalments = [{"due_on": (today - dt.timedelta(days=5)).isoformat(), "amount": "1000"}]
    schedule.set_schedule(engine=engine, actor=CREATOR, award_id=award_id, version=0, instalments=instalments)
    at = make_app("app_pages/due.py")
    metrics = {m.label: m.value for m in at.metric}
    assert int(metrics["Returns late"]) >= 1 and metrics["Payments overdue"] == "1" and metrics["Ending soon"] == "1"
    table = at.dataframe[0].value
    assert set(table["kind"]) == {"Monitoring return", "Payment instalment", "Award ending"}
    assert f"/award?id={award_id}" in set(table["open"])
    at.switch_page("app_pages/register.py").run()
    assert not at.exception
    (link,) = [p for p in at.get("page_link") if "Due and overdue" in p.proto.label and "late" in p.proto.label]
    assert (
        f"{metrics['Returns late']} monitoring return(s) late, 1 payment(s) due (1 overdue), 1 award(s)"
        in link.proto.label
    )
    committed = {m.label: m.value for m in at.metric}
    assert committed["Committed (awarded)"] == "£45,000" and committed["Proposed (not awarded)"] == "£0"


def test_a_variation_proposed_and_approved_on_the_award_page(engine, make_app):
    award_id = _approved(engine)
    at = _award_page(make_app, CREATOR, award_id)
    at.text_input(key=f"var_amount_{award_id}").input("50000")
    at.button(key=f"var_propose_{award_id}").click().run()
    assert any("required" in visible(e.value) for e in at.error)  # no reason given
    at.text_area(key=f"var_reason_{award_id}").input("Second cohort")
    at.button(key=f"var_propose_{award_id}").click().run()
    assert not at.exception
    assert award_detail(engine, award_id).amount_awarded == Decimal("45000")  # only proposed
    at.button(key=f"var_approve_{variation.variations_of(engine, award_id)[0].id}").click().run()
    assert any("Separation of duties" in visible(e.value) for e in at.error)  # the proposer

    other = _award_page(make_app, ADMIN, award_id)
    (waiting,) = [v for v in variation.variations_of(engine, award_id) if v.status == "proposed"]
    other.button(key=f"var_approve_{waiting.id}").click().run()
    assert not other.exception and not other.error
    assert award_detail(engine, award_id).amount_awarded == Decimal("50000")
    listed = next(d.value for d in other.dataframe if "changes" in d.value.columns)
    assert listed.iloc[0]["status"] == "approved" and "45000.00 -> 50000.00" in listed.iloc[0]["changes"]


def test_the_schedule_tab_saves_instalments(engine, make_app):
    award_id = _approved(engine)
    at = _award_page(make_app, CREATOR, award_id)
    at.session_state[f"schedule_editor_{award_id}_0"] = {
        "edited_rows": {},
        "added_rows": [
            {"due_on": "2026-06-01", "amount": "20000", "return_period": ""},
            {"due_on": "2026-12-01", "amount": "25000", "return_period": "2026-Q3"},
        ],
        "deleted_rows": [],
    }
    at.button(key=f"schedule_save_{award_id}").click().run()
    assert not at.exception and not at.error
    view = schedule.schedule_view(engine, award_id)
    assert [(x.amount, x.return_period) for x in view.lines] == [
        (Decimal("20000.00"), None),
        (Decimal("25000.00"), "2026-Q3"),
    ]
