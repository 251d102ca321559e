"""Sessions in a real browser: reload, new tab and deep links keep the user signed in; a password reset in
another browser ends the session; two app servers on one PostgreSQL share sessions and changes."""

from __future__ import annotations

import time

import pytest
from sqlmodel import Session, select

from tests.browser.conftest import Server, server_env, sidebar_link
from vru_core.models import User
from vru_core.platform.auth import hash_password
from vru_core.platform.db import get_engine
from vru_core.platform.sessions import COOKIE_NAME

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"


def _account(database_url: str, username: str, role: str) -> str:
    engine = get_engine(database_url)
    with Session(engine) as session:
        user = session.exec(select(User).where(User.username == username)).first()
        if user is None:
            session.add(User(username=username, role=role, password_hash=hash_password(PASSWORD)))
        else:  # an earlier test may have reset it
            user.password_hash, user.role, user.active = hash_password(PASSWORD), role, True
            session.add(user)
        session.commit()
    engine.dispose()
    return username


def sign_in(page, base: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/account")
    page.get_by_label("Username", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    deadline = time.monotonic() + 30
    while not [c for c in page.context.cookies() if c["name"] == COOKIE_NAME]:
        assert time.monotonic() < deadline, "no session cookie arrived"
        page.wait_for_timeout(200)
    signed_in_as(page, username)


def signed_in_as(page, username: str) -> None:
    page.get_by_test_id("stSidebar").get_by_text(f"Signed in: {username}").wait_for()


def signed_out(page) -> None:
    page.get_by_test_id("stSidebar").get_by_text("Not signed in: read only").wait_for()


def test_reload_new_tab_and_deep_link_keep_the_user_signed_in(page, live_app, artifacts):
    admin = _account(live_app.database_url, "root-browser", "admin")
    sign_in(page, live_app.url, admin)
    (cookie,) = [c for c in page.context.cookies() if c["name"] == COOKIE_NAME]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and cookie["path"] == "/"
    assert 11 * 3600 < cookie["expires"] - time.time() <= 12 * 3600  # the default 12-hour lifetime
    assert COOKIE_NAME not in page.evaluate("document.cookie")  # out of reach of scripts
    page.screenshot(path=str(artifacts / "account-signed-in.png"), full_page=True)

    page.reload()
    signed_in_as(page, admin)
    tab = page.context.new_page()
    tab.goto(f"{live_app.url}/users")  # a deep link to an admin-only page, typed into a new tab
    tab.get_by_role("heading", name="Users and roles").wait_for()
    signed_in_as(tab, admin)
    tab.locator('[data-test-script-state="notRunning"]').wait_for(state="attached")
    tab.get_by_text("Sign-in pauses and lockouts").wait_for()
    tab.wait_for_timeout(1000)  # the select boxes draw after the run
    tab.screenshot(path=str(artifacts / "users-and-roles.png"), full_page=True)

    sidebar_link(page, "Account").click()
    page.get_by_role("button", name="Sign out").click()
    signed_out(page)
    assert not [c for c in page.context.cookies() if c["name"] == COOKIE_NAME]
    sidebar_link(tab, "Register").click()  # the other tab's next request
    signed_out(tab)
    tab.close()


def test_a_password_reset_ends_the_session_in_another_browser(browser, live_app, artifacts):
    analyst = _account(live_app.database_url, "ana-browser", "analyst")
    admin = _account(live_app.database_url, "boss-browser", "admin")
    theirs, ours = browser.new_context(), browser.new_context()
    try:
        them, us = theirs.new_page(), ours.new_page()
        sign_in(them, live_app.url, analyst)
        sign_in(us, live_app.url, admin)
        us.goto(f"{live_app.url}/users")
        us.get_by_role("heading", name="Change an account").wait_for()
        box = us.get_by_label("Account", exact=True)
        box.click()
        us.keyboard.type(analyst)  # the list only draws the options in view: filter to the one we want
        us.get_by_role("option", name=analyst, exact=True).click()
        us.get_by_text("Reset password", exact=True).click()
        us.get_by_label("New password", exact=True).fill("a brand new pass phrase")
        us.get_by_label("New password again", exact=True).fill("a brand new pass phrase")
        us.get_by_role("button", name="Apply").click()
        us.get_by_text(f"Reset password applied to {analyst}").wait_for()

        sidebar_link(them, "Register").click()
        signed_out(them)
        them.reload()  # the cookie is still there, but names an ended session
        signed_out(them)
        sidebar_link(them, "Sign in").click()
        them.get_by_text("Your session ended because your password was reset").wait_for()
        them.screenshot(path=str(artifacts / "account-session-ended.png"), full_page=True)
    finally:
        theirs.close()
        ours.close()


def test_two_app_servers_on_one_postgresql_share_sessions_and_changes(browser, engine, tmp_path, artifacts):
    if engine.dialect.name != "postgresql":
        pytest.skip("two servers share one store on PostgreSQL")
    url = engine.url.render_as_string(hide_password=False)
    admin = _account(url, "two-servers", "admin")
    env = server_env(VRU_DATABASE_URL=url, VRU_DATA_DIR=str(tmp_path))
    first, second = Server(env, tmp_path / "first.log"), Server(env, tmp_path / "second.log")
    context = browser.new_context(viewport={"width": 1440, "height": 1400})
    try:
        a = context.new_page()
        a.set_default_timeout(60_000)
        sign_in(a, first.url, admin)
        b = context.new_page()  # same host, other port: the browser sends the same cookie
        b.set_default_timeout(60_000)
        b.goto(f"{second.url}/framework_admin")
        b.get_by_role("heading", name="Framework settings").wait_for()
        signed_in_as(b, admin)

        a.goto(f"{first.url}/framework")  # the first server caches the overview
        a.get_by_text("Open objective 8").wait_for()
        b.get_by_role("tab", name="Objectives").click()
        title = b.locator('input[aria-label="Title"][value^="Supporting individuals"]')
        title.fill("Supporting individuals (renamed on the second server)")
        b.get_by_role("button", name="Save objective").click()
        b.get_by_text("Objective saved.").wait_for()
        sidebar_link(a, "Strategy overview").click()  # the first server's next rerun
        a.get_by_text("renamed on the second server").first.wait_for()
        a.screenshot(path=str(artifacts / "two-servers-first.png"), full_page=True)

        sidebar_link(b, "Account").click()
        b.get_by_role("button", name="Sign out").click()  # signing out on the second server …
        signed_out(b)
        sidebar_link(a, "Register").click()  # … ends the session on the first at its next request
        signed_out(a)
    finally:
        context.close()
        first.stop()
        second.stop()
