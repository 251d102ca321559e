"""Rule 2, on the pages: a save names the version the person OPENED (kept in session state when the record
was first shown), not one re-read on the rerun that submits. Two apps open the same record; the first
saves; the second's save is refused with what changed and who, and the store keeps the first's change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from streamlit.testing.v1 import AppTest

from tests.factories import sample_award
from tests.pages.conftest import visible
from tests.register.conftest import csv_text
from vru_core.needs.profiles import save_profile
from vru_core.needs.scoring import Profile
from vru_core.platform.auth import Actor, Role
from vru_core.platform.backup import table_checksums
from vru_core.platform.users import create_user
from vru_core.register import lifecycle
from vru_core.register.reads import award_detail

FIRST = Actor("first-admin", Role.ADMIN)
SECOND = Actor("second-admin", Role.ADMIN)
REFUSED = ("changed after you opened it", "since you checked", "since this row was exported or checked")


def _button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def _award(engine) -> dict:
    award_id = lifecycle.create_award(engine=engine, actor=FIRST, data=sample_award(engine, title="Open twice"))
    return {"page": "app_pages/award.py", "query": {"id": str(award_id)}, "award": award_id}


def _edit(field: str, value: str) -> Callable:
    def act(at: AppTest, ctx: dict) -> None:
        award_id = ctx["award"]
        version = at.session_state[f"_opened:award:{award_id}"]
        at.text_input(key=f"edit_{award_id}_{version}_{field}").input(value)
        at.button(key=f"edit_{award_id}_{version}_submit").click().run()

    return act


def _approve(at: AppTest, ctx: dict) -> None:
    at.button(key=f"to_approved_{ctx['award']}").click().run()


def _priority_area(engine) -> dict:
    return {"page": "app_pages/framework_admin.py"}


def _rename_area(title: str) -> Callable:
    def act(at: AppTest, ctx: dict) -> None:
        code = at.selectbox(key="admin_area").value
        at.text_input(key=f"pt_{code}").input(title)
        _button(at, "Save priority area").click().run()

    return act


def _thresholds(on_track: float) -> Callable:
    def act(at: AppTest, ctx: dict) -> None:
        at.number_input(key="rag_on").set_value(on_track)
        _button(at, "Save thresholds").click().run()

    return act


def _indicator_target(target: str) -> Callable:
    def act(at: AppTest, ctx: dict) -> None:
        code = at.selectbox(key="admin_indicator").value
        at.text_input(key=f"tv_{code}").input(target)
        _button(at, "Save indicator").click().run()

    return act


def _profile(engine) -> dict:
    save_profile(engine=engine, actor=FIRST, name="Round", profile=Profile(threshold_pct=10.0))
    return {"page": "app_pages/need_scores.py", "load_profile": "Round"}


def _save_profile(threshold: float) -> Callable:
    def act(at: AppTest, ctx: dict) -> None:
        at.slider(key="threshold").set_value(threshold).run()
        _button(at, "Save profile").click().run()

    return act


def _account(engine) -> dict:
    create_user(engine=engine, actor=FIRST, username="target", role="viewer")
    return {"page": "app_pages/admin_users.py"}


def _set_role(role: str) -> Callable:
    def act(at: AppTest, ctx: dict) -> None:
        at.selectbox(key="change_username").select("target")
        at.radio(key="change_action").set_value("Role")
        at.selectbox(key="change_role").select(role)
        _button(at, "Apply").click().run()

    return act


def _import_file(engine) -> dict:
    ctx = _award(engine)
    row = {**sample_award(engine, title="From the file"), "identifier": award_detail(engine, ctx["award"]).identifier}
    return {**ctx, "page": "app_pages/import_awards.py", "query": {}, "file": csv_text([row]).encode(), "first": ctx}


def _upload_then_import(at: AppTest, ctx: dict) -> None:
    at.file_uploader(key="import_file").set_value(("awards.csv", ctx["file"], "text/csv")).run()


def _click_import(at: AppTest, ctx: dict) -> None:
    at.button(key="import_go").click().run()


@dataclass(frozen=True)
class Screen:
    id: str
    setup: Callable  # engine -> context (page, query, ...)
    first: Callable  # the first person's save (AppTest, ctx)
    second: Callable  # the second person's save, from what they opened
    opened: Callable | None = None  # what the second person does when the record is first shown (if anything)


SCREENS = [
    Screen("award-edit", _award, _edit("title", "Renamed by the first"), _edit("amount", "47000")),
    Screen("award-approval-after-an-edit", _award, _edit("amount", "90000"), _approve),
    Screen("framework-priority-area", _priority_area, _rename_area("First's title"), _rename_area("Second's title")),
    Screen("framework-rag-thresholds", _priority_area, _thresholds(0.6), _thresholds(0.7)),
    Screen("framework-indicator-target", _priority_area, _indicator_target("100"), _indicator_target("200")),
    Screen("need-scores-profile", _profile, _save_profile(20.0), _save_profile(30.0)),
    Screen("users-and-roles", _account, _set_role("analyst"), _set_role("director")),
    Screen(
        "import-checked-before-a-change",
        _import_file,
        _edit("title", "Renamed on the award page"),
        _click_import,
        opened=_upload_then_import,
    ),
]


def _open(make_app, ctx: dict, actor: Actor) -> AppTest:
    at = make_app(ctx["page"], actor=actor)
    for key, value in ctx.get("query", {}).items():
        at.query_params[key] = value
    at.run()
    if "load_profile" in ctx:
        at.selectbox(key="profile_name").set_value(ctx["load_profile"]).run()
        at.button(key="load_profile").click().run()
    assert not at.exception
    return at


@pytest.mark.parametrize("screen", SCREENS, ids=[s.id for s in SCREENS])
def test_the_second_save_from_an_opened_version_is_refused(engine, make_app, screen):
    if engine.dialect.name != "sqlite":
        pytest.skip("the page logic does not depend on the store (the services' refusals run on both)")
    ctx = screen.setup(engine)
    second = _open(make_app, ctx, SECOND)
    if screen.opened:
        screen.opened(second, ctx)
    first = _open(make_app, ctx.get("first", ctx), FIRST)  # the first person may save on another page
    screen.first(first, ctx)
    assert not first.exception and not first.error, [e.value for e in first.error]
    after_first = table_checksums(engine)
    second.run()  # a rerun re-reads the record: the version it names must still be the one it opened
    screen.second(second, ctx)
    assert not second.exception
    message = visible(" ".join(e.value for e in second.error))
    assert any(words in message for words in REFUSED), message
    assert FIRST.username in message
    assert table_checksums(engine) == after_first  # the first person's change stands; nothing of the second's
