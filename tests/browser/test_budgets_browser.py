"""An administrator sets a stream's budget in the browser and sees it committed; the due list and the
register's counts show an overdue instalment and a late monitoring return. Screenshots: budgets.png,
due.png, register_counts.png under test-artifacts/."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import Session

from tests.browser.conftest import sidebar_link
from tests.factories import approve, sample_award
from vru_core.models import FundingStream, User
from vru_core.platform.auth import Actor, Role, hash_password
from vru_core.platform.db import get_engine
from vru_core.register import budget, lifecycle, schedule

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"
STREAM = "young_londoners_fund"


@pytest.fixture(scope="module")
def store(own_live_app) -> dict:
    """An admin account, and an approved award this financial year with an instalment five days overdue."""
    engine = get_engine(own_live_app.database_url)
    with Session(engine) as session:
        session.add(User(username="ada-admin", role="admin", password_hash=hash_password(PASSWORD)))
        session.commit()
        stream_name = session.get(FundingStream, STREAM).name
    today = dt.date.today()
    start = max(dt.date(budget.financial_year(today), 4, 1), today - dt.timedelta(days=200))
    data = sample_award(
        engine,
        title="Browser budget check: youth mentoring",
        amount_awarded="45000",
        award_date=start.isoformat(),
        planned_start=start.isoformat(),
        planned_end=(today + dt.timedelta(days=20)).isoformat(),
    )
    award_id = lifecycle.create_award(engine=engine, actor=Actor("pat-commissioner", Role.COMMISSIONER), data=data)
    approve(engine, award_id)
    due_on = (today - dt.timedelta(days=5)).isoformat()
    schedule.set_schedule(
        engine=engine,
        actor=Actor("pat-commissioner", Role.COMMISSIONER),
        award_id=award_id,
        version=0,
        instalments=[{"due_on": due_on, "amount": "15000"}, {"due_on": data["planned_end"], "amount": "30000"}],
    )
    engine.dispose()
    return {"award_id": award_id, "stream_name": stream_name, "year": budget.year_label(budget.financial_year(start))}


def _sidebar(page, name: str) -> None:
    """Move between pages inside the app (its own sidebar page links)."""
    sidebar_link(page, name).click()


def test_budgets_and_the_due_list_in_a_browser(page, own_live_app, store, artifacts):
    page.goto(own_live_app.url)
    _sidebar(page, "Sign in")
    page.get_by_label("Username", exact=True).fill("ada-admin")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Signed in as").wait_for()

    _sidebar(page, "Budgets")
    page.get_by_role("heading", name="Budgets").wait_for()
    box = page.get_by_label("Funding stream", exact=True)
    box.click()
    box.fill("Young")
    page.get_by_role("option", name=store["stream_name"]).first.click()
    year = page.get_by_label("Financial year", exact=True).last
    year.fill(store["year"])
    page.get_by_label("Allocated (£)", exact=True).fill("100000")
    page.get_by_role("button", name="Save budget").click()
    remaining = page.get_by_test_id("stMetric").filter(has_text=f"Remaining ({store['year']})")
    remaining.get_by_text("£55,000.00").wait_for()
    committed = page.get_by_test_id("stMetric").filter(has_text=f"Committed ({store['year']})")
    assert "£45,000.00" in committed.inner_text()
    page.get_by_test_id("stDataFrame").first.get_by_text(store["stream_name"]).first.wait_for(state="attached")
    page.wait_for_timeout(1500)  # the grid paints its canvas after its cells exist
    page.screenshot(path=str(artifacts / "budgets.png"), full_page=True)

    _sidebar(page, "Due and overdue")
    page.get_by_role("heading", name="Due and overdue").wait_for()
    overdue = page.get_by_test_id("stMetric").filter(has_text="Payments overdue")
    overdue.get_by_text("1", exact=True).wait_for()
    grid = page.get_by_test_id("stDataFrame")
    grid.get_by_text("instalment 1: £15,000.00 to pay").wait_for(state="attached")
    page.wait_for_timeout(1500)
    page.screenshot(path=str(artifacts / "due.png"), full_page=True)

    _sidebar(page, "Register")
    page.get_by_role("heading", name="Commissioning register").wait_for()
    link = page.get_by_text("Due and overdue:", exact=False)
    link.wait_for()
    assert "payment(s) due (1 overdue)" in link.inner_text()
    page.get_by_test_id("stMetric").filter(has_text="Committed (awarded)").get_by_text("£45,000").wait_for()
    page.wait_for_timeout(1500)
    page.screenshot(path=str(artifacts / "register_counts.png"), full_page=False)
