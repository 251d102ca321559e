"""Sign-in hardening: one message for every failure, throttling per account and per client, lockout an
administrator lifts, every failure in the audit log; the common-password rule."""

import datetime as dt

import pytest
from sqlmodel import Session, select

from vru_core.models import AuditEntry
from vru_core.models.common import utcnow
from vru_core.platform import passwords, throttle
from vru_core.platform.auth import Actor, Role
from vru_core.platform.errors import Invalid
from vru_core.platform.signin import FAILURE_MESSAGE, sign_in
from vru_core.platform.users import create_user, deactivate

GOOD = "correct horse battery"
ADMIN = Actor("boss", Role.ADMIN)


@pytest.fixture
def people(engine, actors):
    create_user(engine=engine, actor=actors["admin"], username="boss", role="admin", password=GOOD)
    create_user(engine=engine, actor=actors["admin"], username="ana", role="analyst", password=GOOD)
    create_user(engine=engine, actor=actors["admin"], username="gone", role="viewer", password=GOOD)
    create_user(engine=engine, actor=actors["admin"], username="sso@vru.test", role="viewer")
    deactivate(engine=engine, actor=actors["admin"], username="gone")
    return engine


def _failures(engine):
    with Session(engine) as session:
        rows = session.exec(select(AuditEntry).where(AuditEntry.action == "sign_in_failed").order_by(AuditEntry.id))
        return [e.after for e in rows]


@pytest.mark.parametrize(
    ("username", "password", "reason"),
    [
        ("nobody", GOOD, "no such account"),
        ("ana", "wrong password here", "wrong password"),
        ("gone", GOOD, "account inactive"),
        ("sso@vru.test", GOOD, "single sign-on only"),
        ("", "", "no such account"),
        ("ana\x00", GOOD, "no such account"),
    ],
    ids=["unknown", "wrong-password", "inactive", "sso-only", "blank", "nul"],
)
def test_every_failure_says_the_same_and_the_audit_log_says_why(people, username, password, reason):
    result = sign_in(people, username, password, client="10.0.0.9")
    assert (result.actor, result.started, result.message) == (None, None, FAILURE_MESSAGE)
    (entry,) = _failures(people)
    assert reason in entry["reason"] and entry["client"] == "10.0.0.9"


def test_success_is_audited_and_resets_the_accounts_count(people):
    for _ in range(4):
        sign_in(people, "ana", "wrong password here")
    assert sign_in(people, "ana", GOOD).actor == Actor("ana", Role.ANALYST)
    assert throttle.hold(people, [throttle.account_key("ana")]) is None
    for _ in range(4):  # counting starts again: four more failures still cause no delay
        sign_in(people, "ana", "wrong password here", client="a")
    assert sign_in(people, "ana", GOOD, client="b").actor is not None
    with Session(people) as session:
        assert session.exec(select(AuditEntry).where(AuditEntry.action == "sign_in")).all()


def test_after_five_failures_each_try_waits_twice_as_long(people):
    now = utcnow()
    for i in range(throttle.DELAY_AFTER):
        sign_in(people, "ana", "wrong password here", now=now + dt.timedelta(seconds=i))
    last = now + dt.timedelta(seconds=throttle.DELAY_AFTER - 1)
    # Within the delay even the right password is refused, with the same message, and not checked.
    held = sign_in(people, "ana", GOOD, now=last + dt.timedelta(milliseconds=500))
    assert held.actor is None and held.message == FAILURE_MESSAGE
    assert "delayed" in _failures(people)[-1]["reason"]
    assert sign_in(people, "ana", GOOD, now=last + dt.timedelta(seconds=1.1)).actor is not None
    assert [throttle.delay_after(n).total_seconds() for n in range(4, 9)] == [0, 1, 2, 4, 8]


def test_twenty_failures_lock_the_account_until_the_period_ends_or_an_admin_lifts_it(people, monkeypatch):
    monkeypatch.setenv("VRU_SIGN_IN_LOCKOUT_MINUTES", "10")
    now = utcnow()
    t = now
    for _ in range(throttle.LOCK_AFTER):
        t += throttle.delay_after(throttle.LOCK_AFTER) + dt.timedelta(seconds=1)  # wait out each delay
        sign_in(people, "ana", "wrong password here", client=f"c{t.second}", now=t)
    (hold,) = [h for h in throttle.holds(people, now=t) if h.key == throttle.account_key("ana")]
    assert hold.kind == "locked" and hold.until == t + dt.timedelta(minutes=10)
    assert sign_in(people, "ana", GOOD, client="fresh", now=t + dt.timedelta(minutes=9)).actor is None
    assert sign_in(people, "ana", GOOD, client="fresh", now=t + dt.timedelta(minutes=11)).actor is not None
    # Locked again, then lifted by an administrator.
    for _ in range(throttle.LOCK_AFTER):
        t += dt.timedelta(minutes=5)
        sign_in(people, "ana", "wrong password here", client="x", now=t)
    assert sign_in(people, "ana", GOOD, client="fresh", now=t + dt.timedelta(seconds=30)).actor is None
    throttle.lift(engine=people, actor=ADMIN, key=throttle.account_key("ana"))
    assert sign_in(people, "ana", GOOD, client="fresh", now=t + dt.timedelta(seconds=31)).actor is not None
    with Session(people) as session:
        lifted = session.exec(select(AuditEntry).where(AuditEntry.action == "lift")).one()
    assert lifted.actor == "boss" and lifted.entity_id == "account:ana"


def test_one_client_trying_many_accounts_is_throttled_and_others_are_not(people):
    now = utcnow()
    for i in range(throttle.LOCK_AFTER):
        sign_in(people, f"guess{i}", "password guess 1", client="203.0.113.7", now=now + dt.timedelta(minutes=i * 3))
    t = now + dt.timedelta(minutes=throttle.LOCK_AFTER * 3)
    assert sign_in(people, "ana", GOOD, client="203.0.113.7", now=t).actor is None  # the guessing client
    assert sign_in(people, "ana", GOOD, client="198.51.100.1", now=t).actor is not None  # anyone else


def test_failures_long_ago_are_forgotten(people):
    now = utcnow()
    for i in range(throttle.DELAY_AFTER + 2):
        sign_in(people, "ana", "wrong password here", now=now + dt.timedelta(minutes=i))
    later = now + throttle.FORGET_AFTER + dt.timedelta(minutes=10)
    assert throttle.hold(people, [throttle.account_key("ana")], now=later) is None
    sign_in(people, "ana", "wrong password here", now=later)
    assert _count(people, "account:ana") == 1


def _count(engine, key):
    from vru_core.models import SignInThrottle

    with Session(engine) as session:
        return session.get(SignInThrottle, key).failures


@pytest.mark.parametrize(
    ("password", "refused"),
    [
        ("password123", "most commonly used"),
        ("QWERTYUIOP", "most commonly used"),
        ("  1234567890 ", "most commonly used"),
        ("Password2024!", "commonly used password ('password')"),
        ("!!dragon!!2024", "commonly used password ('dragon')"),
        ("aaaaaaaaaaaa", "repeats"),
        ("abababababab", "repeats"),
        ("correct horse battery", None),
        ("Tr0ub4dor&3x-but-longer", None),
        ("vru-hub is for london", None),
    ],
)
def test_common_passwords_are_refused_as_well_as_short_ones(engine, actors, password, refused):
    problem = passwords.common_password_problem(password)
    assert (refused in problem) if refused else problem == ""
    if refused:
        with pytest.raises(Invalid, match="password: .*" + refused.split("(")[0].strip()):
            create_user(engine=engine, actor=actors["admin"], username="newbie", role="viewer", password=password)
    with pytest.raises(Invalid, match="at least 10 characters"):
        create_user(engine=engine, actor=actors["admin"], username="newbie", role="viewer", password="short1")


def test_the_bundled_list_is_the_one_built_from_zxcvbn():
    pytest.importorskip("zxcvbn")
    assert passwords.LIST_FILE.read_text(encoding="utf-8") == passwords.build(passwords.zxcvbn_words())
    assert len(passwords.common_passwords()) >= 29_000
