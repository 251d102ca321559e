"""One funding round in a real browser, from opening to two awards: a commissioner drafts and opens the round,
the public page shows its frozen criteria, applications arrive as a CSV, an assessor scores one (another
assessor's scores and a declared conflict are recorded through the services), the round closes and the panel
funds two applications, which appear in the register as proposed awards."""

from __future__ import annotations

import csv
import io

import pytest
from sqlmodel import Session, select

from tests.browser.test_register_browser import _pick, _sidebar
from tests.rounds.helpers import ASSESSOR_B, NEWHAM, application_data, scores
from vru_core.models import User
from vru_core.platform.auth import hash_password
from vru_core.platform.db import get_engine
from vru_core.rounds import applications, assessment, award_ids, rounds

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"
CODE = "YLF-2026-BR"


def _account(engine, username: str, role: str) -> str:
    with Session(engine) as session:
        if session.exec(select(User).where(User.username == username)).first() is None:
            session.add(User(username=username, role=role, password_hash=hash_password(PASSWORD)))
            session.commit()
    return username


def _sign_in(page, base: str, username: str) -> None:
    page.goto(base)
    _sidebar(page, "Sign in")
    page.get_by_label("Username", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Signed in as").wait_for()


def _applications_csv(engine) -> bytes:
    rows = [
        application_data(engine, reference="BR-001", project_title="After-school sport club", amount_requested="60000"),
        application_data(
            engine,
            reference="BR-002",
            project_title="Homework and mentoring evenings",
            amount_requested="45000",
            applicant_org_id="GB-CHC-1099999",
            applicant_name="Newham Play",
            charity_number="1099999",
            borough=NEWHAM,
        ),
        application_data(
            engine,
            reference="BR-003",
            project_title="Weekend arts sessions",
            amount_requested="30000",
            applicant_org_id="GB-CHC-1088888",
            applicant_name="Hackney Arts Collective",
            charity_number="1088888",
            n=1,
        ),
    ]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(applications.COLUMNS), extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def _shot(page, artifacts, name: str) -> None:
    page.wait_for_timeout(1200)  # grids paint their canvas after their cells exist
    page.screenshot(path=str(artifacts / f"rounds-{name}.png"), full_page=True)


def test_a_round_from_opening_to_two_awards(browser, live_app, artifacts, tmp_path):
    engine = get_engine(live_app.database_url)
    commissioner = _account(engine, "pat-rounds", "commissioner")
    assessor = _account(engine, "ash-assessor", "assessor")
    staff = browser.new_context(viewport={"width": 1600, "height": 1800})
    page = staff.new_page()
    page.set_default_timeout(60_000)
    _sign_in(page, live_app.url, commissioner)

    # 1. draft the round on the form, then open it (criteria frozen)
    _sidebar(page, "Manage rounds")
    page.get_by_role("heading", name="Funding rounds").wait_for()
    page.get_by_label("Code (in the address; never changes)").fill(CODE)
    page.get_by_label("Title", exact=True).fill("Young Londoners Fund: after-school round")
    page.get_by_label("Budget line (£)").fill("120000")
    _pick(page, "Objectives it funds", "Prioritising", "5. Prioritising wellbeing and achievement in schools")
    page.get_by_label("Need where the work happens").fill("40")
    page.get_by_label("Value for money").fill("5")
    _shot(page, artifacts, "1-new-round-form")
    page.get_by_role("button", name="Save round").click()
    page.get_by_role("button", name="Open the round (freeze the criteria)").click()
    page.get_by_text("Criteria and weights are frozen").wait_for()
    _shot(page, artifacts, "2-round-opened")
    (opened,) = [r for r in rounds.list_rounds(engine) if r["code"] == CODE]
    assert opened["status"] == "open" and [c["weight"] for c in opened["criteria"]] == [40, 20, 20, 15, 5]

    # 2. the public page, signed out, in another browser
    public = browser.new_context(viewport={"width": 1600, "height": 1800}).new_page()
    public.goto(f"{live_app.url}/round?round={CODE}")
    public.get_by_text("Frozen when the round opened").wait_for()
    public.get_by_test_id("stDataFrame").get_by_text("VCS–local authority partnership").wait_for(state="attached")
    _shot(public, artifacts, "3-public-round-page")

    # 3. applications arrive as a CSV: checked whole, then imported
    _sidebar(page, "Applications and panel")
    page.get_by_role("heading", name="Applications and panel").wait_for()
    page.get_by_text("Upload applications (CSV, all or nothing)").click()
    upload = tmp_path / "applications.csv"
    upload.write_bytes(_applications_csv(engine))
    page.locator("input[type=file]").set_input_files(str(upload))
    page.get_by_text("3 rows, all valid").wait_for()
    page.get_by_role("button", name="Import the applications").click()
    page.get_by_text("3 application(s)").wait_for()
    listed = applications.list_applications(engine, opened["id"])
    assert [a.reference for a in listed] == ["BR-001", "BR-002", "BR-003"] and all(a.need_evidence for a in listed)

    # 4. an assessor scores BR-001 in the browser; a colleague's scores and a conflict go through the services
    judge = browser.new_context(viewport={"width": 1600, "height": 1800}).new_page()
    judge.set_default_timeout(60_000)
    _sign_in(judge, live_app.url, assessor)
    _sidebar(judge, "Assess applications")
    judge.get_by_role("heading", name="After-school sport club").wait_for()
    for label, mark in (
        ("Strength of community activity (20%)", "4"),
        ("VCS–local authority partnership (20%)", "5"),
        ("Fit to the evidence (15%)", "4"),
        ("Value for money (5%)", "3"),
    ):
        judge.get_by_role("spinbutton", name=label, exact=True).fill(mark)
        judge.get_by_label(f"Why: {label.rsplit(' (', 1)[0]}").fill("Clear local partnership and track record")
    judge.get_by_role("button", name="Save my scores").click()
    judge.get_by_text("Your scores for BR-001 are saved.").wait_for()
    _shot(judge, artifacts, "4-assessor-scores")
    saved = assessment.my_assessment(engine, listed[0].id, assessor)
    assert saved is not None and saved.scores["partnership"]["score"] == 5
    assessment.declare_conflict(engine=engine, actor=ASSESSOR_B, round_id=opened["id"], org_id="GB-CHC-1088888")
    for a, mark in zip(listed[:2], (2, 4), strict=True):
        assessment.save_assessment(engine=engine, actor=ASSESSOR_B, application_id=a.id, scores=scores(mark))
    assessment.save_assessment(engine=engine, actor=_actor(assessor), application_id=listed[1].id, scores=scores(4))
    assessment.save_assessment(engine=engine, actor=_actor(assessor), application_id=listed[2].id, scores=scores(3))

    # 5. close the round; the panel funds two, within the budget line
    _sidebar(page, "Manage rounds")
    page.get_by_role("button", name="Close to applications").click()
    page.get_by_text("Closed to applications").wait_for()
    _sidebar(page, "Applications and panel")
    page.get_by_role("heading", name="Decisions").wait_for()
    for reference, reason in (("BR-001", "Highest weighted score"), ("BR-002", "Strong partnership in Newham")):
        _choose(page, reference)
        page.get_by_label("Reason (recorded with the decision)").fill(reason)
        page.get_by_role("button", name="Record the decision").click()
        page.get_by_text(f"Recorded for {reference}.").wait_for()
    _shot(page, artifacts, "5-panel-paper-two-funded")
    made = award_ids(engine, CODE)
    assert len(made) == 2

    # 6. both are proposed awards in the register
    _sidebar(page, "Register")
    page.get_by_role("heading", name="Commissioning register").wait_for()
    page.get_by_test_id("stDataFrame").first.get_by_text("Homework and mentoring evenings").wait_for(state="attached")
    _shot(page, artifacts, "6-register-two-proposed-awards")
    engine.dispose()


def _actor(username: str):
    from vru_core.platform.auth import Actor, Role

    return Actor(username, Role.ASSESSOR)


def _choose(page, reference: str) -> None:
    box = page.get_by_label("Application", exact=True)
    box.click()
    page.get_by_role("option").filter(has_text=reference).first.click()
