"""A commissioner signs in, records an award through the browser form, and finds it in the register."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from tests.browser.conftest import sidebar_link
from vru_core.models import User
from vru_core.platform.auth import hash_password
from vru_core.platform.db import get_engine

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"


@pytest.fixture
def commissioner(live_app) -> str:
    """A commissioner account in the live app's store (created the way an administrator's tool does)."""
    engine = get_engine(live_app.database_url)
    username = "pat-browser"
    with Session(engine) as session:
        if session.exec(select(User).where(User.username == username)).first() is None:
            session.add(User(username=username, role="commissioner", password_hash=hash_password(PASSWORD)))
            session.commit()
    engine.dispose()
    return username


def _sidebar(page, name: str) -> None:
    """Move between pages inside the app."""
    sidebar_link(page, name).click()


def _pick(page, label: str, text: str, option: str) -> None:
    box = page.get_by_label(label, exact=True)
    box.click()
    box.fill(text)
    page.get_by_role("option", name=option).first.click()
    page.keyboard.press("Escape")


def test_commissioner_records_an_award_and_finds_it_in_the_register(page, live_app, commissioner, artifacts):
    page.goto(live_app.url)
    _sidebar(page, "Sign in")
    page.get_by_label("Username", exact=True).fill(commissioner)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Signed in as").wait_for()

    _sidebar(page, "New award")
    page.get_by_role("heading", name="New award").wait_for()
    title = "Browser-recorded youth mentoring"
    page.get_by_label("Title", exact=True).fill(title)
    page.get_by_label("Amount awarded (£)", exact=True).fill("45000")
    page.get_by_label("360Giving organisation identifier", exact=True).fill("GB-CHC-1123456")
    page.get_by_label("Organisation name", exact=True).fill("Hackney Young Futures")
    page.get_by_label("Charity number", exact=True).fill("1123456")
    _pick(page, "Objectives (one or more of the eight)", "leading", "3. Young people leading change")
    _pick(page, "Wards (type a ward or borough name to search; used when Geography is Wards)", "Hackney", "Hackney")
    page.get_by_label("Recipient's postcode", exact=True).fill("E8 1AA")
    page.screenshot(path=str(artifacts / "register-new-award-form.png"), full_page=True)
    page.get_by_role("button", name="Save award (as proposed)").click()
    page.get_by_role("heading", name=title).wait_for()
    page.get_by_test_id("stMetric").filter(has_text="Awarded").get_by_text("£45,000.00").wait_for()
    page.screenshot(path=str(artifacts / "register-award-saved.png"), full_page=True)

    _sidebar(page, "Register")
    page.get_by_role("heading", name="Commissioning register").wait_for()
    page.get_by_label("Search title, recipient or identifier", exact=True).fill("Browser-recorded")
    page.keyboard.press("Enter")
    metric = page.get_by_test_id("stMetric").filter(has_text="Awards").first
    metric.get_by_text("1", exact=True).wait_for()
    page.get_by_test_id("stMetric").filter(has_text="Awarded").get_by_text("£45,000").wait_for()
    page.get_by_test_id("stDataFrame").get_by_text(title).wait_for(
        state="attached"
    )  # the grid draws on a canvas; its accessible cells hold the text
    page.screenshot(path=str(artifacts / "register-browser.png"), full_page=True)


def test_open_data_page_downloads_a_spreadsheet_with_text_typed_as_text(page, live_app, commissioner, artifacts):
    """A committed award with a formula-like title: the XLSX the browser downloads holds it as a string cell."""
    import io

    from openpyxl import load_workbook

    from tests.factories import approve, sample_award
    from vru_core.platform.auth import Actor, Role
    from vru_core.register.lifecycle import create_award

    engine = get_engine(live_app.database_url)
    actor = Actor(commissioner, Role.COMMISSIONER)
    award_id = create_award(engine=engine, actor=actor, data=sample_award(engine, title="=Open data check"))
    approve(engine, award_id)
    engine.dispose()
    page.goto(live_app.url + "/export")
    page.get_by_role("heading", name="Open data export (360Giving)").wait_for()
    page.get_by_text("360Giving's quality checks on this file").wait_for()
    notice = "1 grant(s) do not have Data Source information"  # VRU_DATA_SOURCE_URL is not set here
    page.get_by_test_id("stDataFrame").get_by_text(notice).wait_for(state="attached")
    page.wait_for_timeout(1500)  # the grid paints its canvas after its cells exist
    page.screenshot(path=str(artifacts / "register-open-data.png"), full_page=True)
    with page.expect_download() as info:
        page.get_by_role("button", name="Download 360Giving spreadsheet (XLSX)").click()
    sheet = load_workbook(io.BytesIO(info.value.path().read_bytes()))["grants"]
    titles = [(row[1].value, row[1].data_type) for row in sheet.iter_rows(min_row=2)]
    assert ("=Open data check", "s") in titles
