"""Optimistic locking: a stale save is refused with what changed, even when two saves race."""

import pytest
from sqlmodel import Session, select

from vru_core.models import User
from vru_core.platform.audit import record
from vru_core.platform.auth import Actor, Role
from vru_core.platform.errors import Stale
from vru_core.platform.locking import advance_version
from vru_core.platform.users import _public, create_user

ADMIN = Actor("lock-admin", Role.ADMIN)


def _edit(session: Session, actor: Actor, expected: int | None, **changes) -> int:
    user = session.exec(select(User).where(User.username == "target")).one()
    before = _public(user)
    version = advance_version(session, user, expected, entity_type="user", entity_id="target")
    for key, value in changes.items():
        setattr(user, key, value)
    session.add(user)
    record(
        session,
        actor=actor,
        action="update",
        entity_type="user",
        entity_id="target",
        before=before,
        after=_public(user),
    )
    return version


@pytest.fixture
def target(engine):
    create_user(engine=engine, actor=ADMIN, username="target", role="viewer", display_name="Tess")
    return engine


@pytest.mark.store
def test_racing_saves_from_the_same_version_cannot_both_win(target):
    """Both editors loaded version 1; the one that commits second is refused, and nothing it sent is stored."""
    engine = target
    with Session(engine) as first, Session(engine) as second:
        first.exec(select(User).where(User.username == "target")).one()
        second.exec(select(User).where(User.username == "target")).one()  # loaded before `first` commits
        assert _edit(first, Actor("alice", Role.ADMIN), 1, role="analyst", display_name="Tess A.") == 2
        first.commit()
        with pytest.raises(Stale) as err:
            _edit(second, Actor("bob", Role.ADMIN), 1, role="director")
        second.rollback()
    message = str(err.value)
    assert "changed by alice" in message
    assert "Role: 'Viewer (read only)' -> 'Analyst'" in message and "Name: 'Tess' -> 'Tess A.'" in message
    assert {c.field for c in err.value.changes} == {"role", "display_name"}
    with Session(engine) as session:
        stored = session.exec(select(User).where(User.username == "target")).one()
    assert (stored.role, stored.version) == ("analyst", 2)


@pytest.mark.store
def test_without_an_expected_version_a_concurrent_save_is_still_not_lost(target):
    engine = target
    with Session(engine) as first, Session(engine) as second:
        held = second.exec(select(User).where(User.username == "target")).one()  # noqa: F841 (the open screen)
        _edit(first, Actor("alice", Role.ADMIN), None, display_name="First")
        first.commit()
        with pytest.raises(Stale):
            _edit(second, Actor("bob", Role.ADMIN), None, display_name="Second")


@pytest.mark.parametrize(("expected", "ok"), [(1, True), (0, False), (2, False), (99, False)])
def test_only_the_current_version_is_accepted(target, expected, ok):
    with Session(target) as session:
        if ok:
            assert _edit(session, ADMIN, expected, display_name="x") == expected + 1
        else:
            with pytest.raises(Stale, match=f"you had version {expected}, it is now version 1"):
                _edit(session, ADMIN, expected, display_name="x")


def test_password_resets_show_without_the_secret(target):
    from vru_core.platform.users import set_password

    set_password(engine=target, actor=Actor("alice", Role.ADMIN), username="target", password="a secret passphrase")
    with Session(target) as session, pytest.raises(Stale) as err:
        _edit(session, ADMIN, 1, display_name="x")
    assert "Local password: False -> True" in str(err.value)  # fields by their labels
    assert "argon2" not in str(err.value) and "secret passphrase" not in str(err.value)


def test_profile_saved_by_a_colleague_is_not_overwritten(engine):
    from vru_core.needs.profiles import get_profile, save_profile
    from vru_core.needs.scoring import Profile

    analyst, colleague = Actor("ana", Role.ANALYST), Actor("col", Role.ANALYST)
    save_profile(engine=engine, actor=analyst, name="Round", profile=Profile(threshold_pct=10.0))
    save_profile(engine=engine, actor=colleague, name="Round", profile=Profile(threshold_pct=20.0), expected_version=1)
    with pytest.raises(Stale) as err:
        save_profile(
            engine=engine, actor=analyst, name="Round", profile=Profile(threshold_pct=15.0), expected_version=1
        )
    assert "changed by col" in str(err.value) and "Settings:" in str(err.value)
    assert get_profile(engine, "Round").threshold_pct == 20.0
    save_profile(engine=engine, actor=analyst, name="Round", profile=Profile(threshold_pct=15.0), expected_version=2)
    assert get_profile(engine, "Round").threshold_pct == 15.0
