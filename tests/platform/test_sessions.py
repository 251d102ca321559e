"""Sessions in the store: the cookie, the one-time handoff, and every way a session ends (on both stores)."""

import datetime as dt

import pytest
from sqlalchemy import text

from vru_core.models.common import utcnow
from vru_core.platform import sessions
from vru_core.platform.auth import Actor, Role
from vru_core.platform.db import get_engine
from vru_core.platform.signin import sign_in, sign_out
from vru_core.platform.users import create_user, deactivate, set_password, set_role

GOOD = "correct horse battery"
ADMIN = Actor("boss", Role.ADMIN)


@pytest.fixture
def people(engine, actors):
    for name, role in (("boss", "admin"), ("ana", "analyst"), ("cyd", "commissioner")):
        create_user(engine=engine, actor=actors["admin"], username=name, role=role, password=GOOD)
    return engine


def _signed_in(engine, name="ana", now=None):
    result = sign_in(engine, name, GOOD, client="127.0.0.1", now=now)
    assert result.actor is not None and result.started is not None
    return result.started


def test_the_handoff_gives_one_cookie_once_and_the_cookie_signs_in(people):
    started = _signed_in(people)
    assert sessions.resume(people, started.key).actor == Actor("ana", Role.ANALYST)
    cookie = sessions.redeem(people, started.handoff)
    assert cookie and started.key not in cookie  # a fresh key: the sign-in run's key is not the cookie's
    assert sessions.redeem(people, started.handoff) is None  # one use only
    key = sessions.key_from_cookie(people, cookie)
    assert sessions.resume(people, key).actor == Actor("ana", Role.ANALYST)
    assert sessions.resume(people, started.key).actor is None  # replaced by the cookie's key


@pytest.mark.parametrize(
    "tamper",
    [
        lambda c: c[:-2] + ("AA" if not c.endswith("AA") else "BB"),  # signature broken
        lambda c: "x" + c,  # payload changed
        lambda c: "",
        lambda c: "not.a.cookie",
    ],
    ids=["signature", "payload", "empty", "garbage"],
)
def test_a_forged_cookie_signs_nobody_in(people, tamper):
    cookie = sessions.redeem(people, _signed_in(people).handoff)
    assert sessions.key_from_cookie(people, tamper(cookie)) is None


def test_a_cookie_signed_with_another_secret_is_refused(people, monkeypatch):
    cookie = sessions.redeem(people, _signed_in(people).handoff)
    monkeypatch.setenv("VRU_SESSION_SECRET", "another secret entirely, set by an operator")
    assert sessions.key_from_cookie(people, cookie) is None


def test_the_handoff_expires_after_two_minutes(people):
    now = utcnow()
    started = _signed_in(people, now=now)
    late = now + dt.timedelta(seconds=sessions.HANDOFF_SECONDS + 1)
    assert sessions.redeem(people, started.handoff, now=late) is None
    assert sessions.redeem(people, "made-up token") is None and sessions.redeem(people, None) is None


def test_a_second_server_on_the_same_store_accepts_the_cookie(people):
    """A second process: its own engine, no secret cached; the secret and the session come from the store."""
    cookie = sessions.redeem(people, _signed_in(people).handoff)
    other = get_engine(people.url.render_as_string(hide_password=False))
    sessions._secrets.clear()
    try:
        key = sessions.key_from_cookie(other, cookie)
        assert sessions.resume(other, key).actor == Actor("ana", Role.ANALYST)
        sign_out(other, key)
        assert sessions.resume(people, key) == sessions.Resumed(None, "signed_out")
    finally:
        other.dispose()


def _sql(engine, statement, **params):
    with engine.begin() as conn:
        conn.execute(text(statement), params)


ENDINGS = {
    "sign-out": (lambda e, key: sign_out(e, key), "signed_out"),
    "password reset": (
        lambda e, key: set_password(engine=e, actor=ADMIN, username="ana", password="a new pass phrase"),
        "password_reset",
    ),
    "role change": (lambda e, key: set_role(engine=e, actor=ADMIN, username="ana", role="viewer"), "role_changed"),
    "deactivation": (lambda e, key: deactivate(engine=e, actor=ADMIN, username="ana"), "deactivated"),
    "account deleted in SQL": (
        lambda e, key: _sql(e, "DELETE FROM app_user WHERE username = 'ana'"),
        "account_missing",
    ),
    "role changed in SQL": (
        lambda e, key: _sql(e, "UPDATE app_user SET role = 'admin' WHERE username = 'ana'"),
        "account_changed",
    ),
    "password changed in SQL": (
        lambda e, key: _sql(e, "UPDATE app_user SET password_hash = 'x' WHERE username = 'ana'"),
        "account_changed",
    ),
    "deactivated in SQL": (
        lambda e, key: _sql(e, "UPDATE app_user SET active = false WHERE username = 'ana'"),
        "deactivated",
    ),
}


@pytest.mark.parametrize("ending", list(ENDINGS))
def test_every_session_of_the_account_ends_at_its_next_request(people, ending):
    change, reason = ENDINGS[ending]
    first, second = _signed_in(people), _signed_in(people)  # two browsers
    cookie_key = sessions.key_from_cookie(people, sessions.redeem(people, second.handoff))
    other = _signed_in(people, "cyd")
    change(people, first.key)
    if ending == "sign-out":  # signing out ends this browser's session only
        assert sessions.resume(people, first.key) == sessions.Resumed(None, reason)
        assert sessions.resume(people, cookie_key).actor == Actor("ana", Role.ANALYST)
    else:
        for key in (first.key, cookie_key):
            assert sessions.resume(people, key) == sessions.Resumed(None, reason)
            assert sessions.resume(people, key) == sessions.Resumed(None, reason)  # and it stays ended
    assert sessions.resume(people, other.key).actor == Actor("cyd", Role.COMMISSIONER)


def test_sign_out_everywhere_ends_the_other_browsers_too(people):
    first, second = _signed_in(people), _signed_in(people)
    sign_out(people, first.key, everywhere=True)
    assert sessions.resume(people, second.key) == sessions.Resumed(None, "signed_out_everywhere")


def test_idle_timeout_and_lifetime_come_from_the_settings(people, monkeypatch):
    monkeypatch.setenv("VRU_SESSION_IDLE_MINUTES", "15")
    monkeypatch.setenv("VRU_SESSION_LIFETIME_HOURS", "2")
    now = utcnow()
    idle = _signed_in(people, now=now)
    assert sessions.resume(people, idle.key, now=now + dt.timedelta(minutes=14)).actor is not None
    assert sessions.resume(people, idle.key, now=now + dt.timedelta(minutes=28)).actor is not None  # used at 14
    assert sessions.resume(people, idle.key, now=now + dt.timedelta(minutes=44)) == sessions.Resumed(None, "idle")
    busy = _signed_in(people, now=now)
    for minute in range(10, 120, 10):  # used every 10 minutes: never idle, but the lifetime still ends it
        assert sessions.resume(people, busy.key, now=now + dt.timedelta(minutes=minute)).actor is not None
    assert sessions.resume(people, busy.key, now=now + dt.timedelta(minutes=121)) == sessions.Resumed(None, "expired")


@pytest.mark.parametrize(("name", "value"), [("VRU_SESSION_IDLE_MINUTES", "ten"), ("VRU_SESSION_LIFETIME_HOURS", "0")])
def test_a_bad_session_setting_names_itself(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=name):
        sessions.lifetime() if "LIFETIME" in name else sessions.idle_limit()


def test_the_store_never_holds_a_usable_key(people):
    started = _signed_in(people)
    with people.connect() as conn:
        stored = [tuple(r) for r in conn.execute(text("SELECT * FROM web_session"))]
    assert stored and not any(started.key in str(v) or started.handoff in str(v) for row in stored for v in row)
