"""The account, user-admin and audit pages, driven through AppTest against a private store."""

import pytest
from streamlit.testing.v1 import AppTest

from tests.pages.conftest import visible
from ui.session import SESSION_KEY
from vru_core.platform import labels
from vru_core.platform.audit import record
from vru_core.platform.auth import Actor, Role
from vru_core.platform.config import REPO_ROOT
from vru_core.platform.db import session_scope
from vru_core.platform.sessions import Resumed, resume
from vru_core.platform.signin import FAILURE_MESSAGE
from vru_core.platform.users import create_user, list_users

GOOD = "correct horse battery"
APP = str(REPO_ROOT / "streamlit_app.py")


@pytest.fixture
def app(engine, monkeypatch):
    """An AppTest factory whose pages use this test's store."""
    if engine.dialect.name != "sqlite":
        pytest.skip("page behaviour does not depend on the backend")
    monkeypatch.setenv("VRU_DATABASE_URL", engine.url.render_as_string(hide_password=False))

    def start(page: str | None, actor: Actor | None = None) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=60)
        if actor is not None:
            at.session_state["actor"] = actor
        at.run()  # the entry script registers the pages this actor may open
        if page is not None:
            at.switch_page(page).run()
            assert not at.exception, at.exception
        return at

    yield start


@pytest.mark.parametrize(
    ("role", "sees_users", "sees_audit"),
    [
        (None, False, False),
        ("viewer", False, False),
        ("analyst", False, False),
        ("director", False, True),
        ("admin", True, True),
    ],
)
def test_admin_pages_appear_only_for_roles_that_may_use_them(app, role, sees_users, sees_audit):
    actor = Actor(f"test-{role}", Role(role)) if role else None
    at = app(None, actor)
    sidebar = " ".join(c.value for c in at.sidebar.caption)
    assert (f"`test-{role}` ({labels.role(role)})" in sidebar) if role else ("Not signed in" in sidebar)
    for page, allowed in (("app_pages/admin_users.py", sees_users), ("app_pages/audit.py", sees_audit)):
        if allowed:
            at.switch_page(page).run()
            assert not at.exception and not at.error
        else:
            with pytest.raises(ValueError, match="Could not find a navigation page"):
                at.switch_page(page)


@pytest.mark.parametrize("role", ["viewer", "analyst", "commissioner"])
def test_admin_pages_refuse_by_themselves_too(app, role):
    """Even if navigation let someone through, the page checks the role before showing anything."""
    for page in ("app_pages/admin_users.py", "app_pages/audit.py"):
        at = AppTest.from_file(str(REPO_ROOT / page), default_timeout=60)
        at.session_state["actor"] = Actor(f"test-{role}", Role(role))
        at.run()
        assert at.error and "Only administrators" in at.error[0].value
        assert not at.dataframe


def test_sign_in_shows_who_and_role_then_sign_out(app, engine, actors):
    create_user(engine=engine, actor=actors["admin"], username="ana", role="analyst", password=GOOD)
    at = app("app_pages/account.py")
    at.text_input(key="login_username").input("ana")
    at.text_input(key="login_password").input("wrong password!")
    at.button[0].click().run()
    assert at.error[0].value == FAILURE_MESSAGE
    at.text_input(key="login_password").input(GOOD)
    at.button[0].click().run()
    assert not at.exception
    assert at.session_state[SESSION_KEY]  # a session in the store, held by this tab until the cookie arrives
    assert any("`ana`" in m.value and "**Analyst**" in m.value for m in at.markdown)
    key = at.session_state[SESSION_KEY]
    assert resume(engine, key).actor == Actor("ana", Role.ANALYST)
    at.button(key="sign_out").click().run()
    assert SESSION_KEY not in at.session_state
    assert resume(engine, key) == Resumed(None, "signed_out")
    assert any("Not signed in" in c.value for c in at.sidebar.caption)


def test_deactivated_account_is_signed_out_at_next_click(app, engine, actors):
    create_user(engine=engine, actor=actors["admin"], username="gone", role="commissioner", password=GOOD)
    at = app("app_pages/account.py", Actor("gone", Role.COMMISSIONER))
    from vru_core.platform.users import deactivate

    deactivate(engine=engine, actor=actors["admin"], username="gone")
    at.run()
    assert "actor" not in at.session_state


def test_admin_adds_user_and_changes_role_through_the_page(app, engine, actors):
    admin = Actor("boss", Role.ADMIN)
    create_user(engine=engine, actor=actors["admin"], username="boss", role="admin", password=GOOD)
    at = app("app_pages/admin_users.py", admin)
    at.text_input(key="new_username").input("New.Person@vru.test")
    at.selectbox(key="new_role").select("commissioner")
    at.text_input(key="new_password").input(GOOD)
    at.text_input(key="new_password2").input(GOOD)
    at.button[0].click().run()
    assert not at.exception
    assert "Added new.person@vru.test as Commissioning officer" in visible(at.success[0].value)
    at.selectbox(key="change_username").select("new.person@vru.test")
    at.radio(key="change_action").set_value("Role")
    at.selectbox(key="change_role").select("viewer")
    at.button[1].click().run()
    assert not at.exception and not at.error
    assert list_users(engine).set_index("username").at["new.person@vru.test", "role"] == "viewer"


def test_admin_page_refuses_a_stale_change_with_what_changed(app, engine, actors):
    create_user(engine=engine, actor=actors["admin"], username="boss", role="admin", password=GOOD)
    create_user(engine=engine, actor=actors["admin"], username="target", role="viewer", password=GOOD)
    at = app("app_pages/admin_users.py", Actor("boss", Role.ADMIN))
    # A colleague changes the account after this screen was drawn.
    from vru_core.platform.users import set_role

    set_role(engine=engine, actor=Actor("colleague", Role.ADMIN), username="target", role="director")
    at.selectbox(key="change_username").select("target")
    at.selectbox(key="change_role").select("analyst")
    at.button[1].click().run()
    message = visible(at.error[0].value)
    assert "changed by colleague" in message and "'Viewer (read only)' -> 'Director'" in message
    assert list_users(engine).set_index("username").at["target", "role"] == "director"


def test_audit_page_filters_and_exports_escaped_csv(app, engine):
    with session_scope(engine) as session:
        record(
            session,
            actor=Actor("a1", Role.ADMIN),
            action="create",
            entity_type="award",
            entity_id=7,
            before={"amount_awarded": 40000},
            after={"amount_awarded": 45000},
            note='=HYPERLINK("http://x","y")',
        )
        record(
            session,
            actor=Actor("c2", Role.COMMISSIONER),
            action="update",
            entity_type="award",
            entity_id=8,
            note="<script>alert(1)</script>",
        )
    at = app("app_pages/audit.py", Actor("dir", Role.DIRECTOR))
    at.selectbox(key="audit_actor").select("c2").run()
    assert not at.exception
    shown = at.dataframe[0].value
    assert shown["actor"].tolist() == ["c2"] and shown["note"].tolist() == ["<script>alert(1)</script>"]
    at.selectbox(key="audit_actor").set_value(None)
    at.text_input(key="audit_entity_id").input("7").run()
    shown = at.dataframe[0].value
    assert shown["entity_id"].tolist() == ["7"]
    # Words, not the store's codes (the CSV keeps the codes).
    assert (shown["entity_type"].tolist(), shown["action"].tolist()) == (["Award"], ["Created"])
    assert shown["changes"].tolist() == ["Amount awarded: 40000 -> 45000"]
    csv = at.get("download_button")[0]
    assert csv is not None
    assert not any("<script>" in m.value for m in at.markdown)


ISSUER = "https://idp.vru.test"
AUTH = {"client_id": "x", "client_secret": "y", "server_metadata_url": f"{ISSUER}/.well-known/openid-configuration"}


def _claims(email, **overrides):
    import time

    return {
        "is_logged_in": True,
        "email": email,
        "email_verified": True,
        "iss": ISSUER,
        "sub": email,
        "iat": int(time.time()),
        **overrides,
    }


@pytest.mark.parametrize(
    ("claims", "expected", "why"),
    [
        (_claims("SSO.User@vru.test"), "commissioner", None),
        (_claims("stranger@vru.test"), None, "no active account"),
        (_claims("inactive@vru.test"), None, "no active account"),
        (_claims("sso.user@vru.test", email_verified=False), None, "not verified"),
        (_claims("sso.user@vru.test", email_verified="false"), None, "not verified"),
        (_claims("sso.user@vru.test", iss="https://evil.example"), None, "not the configured identity provider"),
        (_claims("sso.user@vru.test", iat=1_000_000_000), None, "not recent"),
    ],
    ids=["known", "unknown", "inactive", "unverified", "unverified-text", "other-issuer", "old-token"],
)
def test_single_sign_on_maps_known_verified_emails_from_the_issuer_to_their_role(
    app, engine, actors, claims, expected, why
):
    from vru_core.platform.users import deactivate

    create_user(engine=engine, actor=actors["admin"], username="sso.user@vru.test", role="commissioner")
    create_user(engine=engine, actor=actors["admin"], username="inactive@vru.test", role="analyst")
    deactivate(engine=engine, actor=actors["admin"], username="inactive@vru.test")
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = AUTH
    at.user = claims
    at.run()
    at.switch_page("app_pages/account.py").run()
    assert not at.exception
    if expected:
        assert resume(engine, at.session_state[SESSION_KEY]).actor == Actor("sso.user@vru.test", Role(expected))
        assert any("`sso.user@vru.test`" in m.value for m in at.markdown)
    else:
        assert SESSION_KEY not in at.session_state
        assert why in at.warning[0].value
    # The same identity token never starts a second session (after sign-out, sign in with single sign-on again).
    again = AppTest.from_file(APP, default_timeout=60)
    again.secrets["auth"] = AUTH
    again.user = claims
    again.run()
    assert SESSION_KEY not in again.session_state


def test_single_sign_on_button_only_when_configured(app):
    at = app("app_pages/account.py")
    assert not [b for b in at.button if b.key == "sso_login"]
    configured = AppTest.from_file(APP, default_timeout=60)
    configured.secrets["auth"] = AUTH
    configured.run()
    configured.switch_page("app_pages/account.py").run()
    assert [b for b in configured.button if b.key == "sso_login"]


def test_admin_sees_a_locked_out_account_and_lifts_it_on_the_page(app, engine, actors):
    from vru_core.platform import throttle
    from vru_core.platform.signin import sign_in

    create_user(engine=engine, actor=actors["admin"], username="boss", role="admin", password=GOOD)
    create_user(engine=engine, actor=actors["admin"], username="locked", role="analyst", password=GOOD)
    for _ in range(throttle.LOCK_AFTER):
        throttle.fail(engine, [throttle.account_key("locked")])
    assert sign_in(engine, "locked", GOOD).message == FAILURE_MESSAGE  # even the right password
    at = app("app_pages/admin_users.py", Actor("boss", Role.ADMIN))
    (table,) = [d for d in at.dataframe if "Account or computer" in d.value.columns]
    shown = table.value.set_index("Account or computer")
    assert shown.at["Account locked", "State"] == "Locked out"
    assert (
        shown.at["Account locked", "Failed sign-ins"] == throttle.LOCK_AFTER
    )  # a try during the lockout is refused unchecked
    at.selectbox(key="lift_key").select(throttle.account_key("locked"))
    other_admin_lifted = app("app_pages/admin_users.py", Actor("boss", Role.ADMIN))
    at.button(key="FormSubmitter:lift_lockout-Lift the pause").click().run()
    assert not at.exception and "Account locked may sign in again." in visible(at.success[0].value)
    assert not [d for d in at.dataframe if "Account or computer" in d.value.columns]
    assert sign_in(engine, "locked", GOOD).actor == Actor("locked", Role.ANALYST)
    from vru_core.platform.audit import query_log

    log = query_log(engine=engine, actor=actors["admin"])
    assert ((log["action"] == "lift") & (log["actor"] == "boss")).any()
    # a second administrator who still sees the old list is told, not shown a traceback
    other_admin_lifted.button(key="FormSubmitter:lift_lockout-Lift the pause").click().run()
    assert not other_admin_lifted.exception
