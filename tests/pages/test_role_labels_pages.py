"""Roles are shown by their labels ("Administrator", "Commissioning officer"), never by their codes ("admin",
"viewer"): on Users and roles (table, choices, messages), the account page, the sidebar and the audit log."""

from __future__ import annotations

import re

import pytest

from tests.pages.conftest import visible
from tests.pages.test_labels_pages import shown_text
from vru_core.platform import labels
from vru_core.platform.auth import Actor, Role
from vru_core.platform.users import create_user, set_role

ROLE_CODE = re.compile(r"\b(" + "|".join(r.value for r in Role) + r")\b")  # lower case: labels are capitalised
GOOD = "a long enough passphrase 42"
NAME = {role: f"person-{i}" for i, role in enumerate(Role)}  # usernames that hold no role word


def _codes_shown(at) -> list[tuple[str, str]]:
    texts = shown_text(at) + [("sidebar caption", c.value) for c in at.sidebar.caption]
    texts += [("cell", str(v)) for d in at.dataframe for c in d.value.columns if c != "username" for v in d.value[c]]
    texts += [(f"{w.label} option", w.format_func(o)) for w in at.selectbox for o in w.options]
    return [(where, m.group(0)) for where, text in texts for m in ROLE_CODE.finditer(text)]


@pytest.fixture
def people(engine, actors):
    for role in Role:  # one account of each role, in the table to be read
        create_user(engine=engine, actor=actors["admin"], username=NAME[role], role=role.value, password=GOOD)
    return engine


def test_users_and_roles_shows_role_labels_only(make_app, people):
    at = make_app("app_pages/admin_users.py", actor=Actor(NAME[Role.ADMIN], Role.ADMIN))
    assert not _codes_shown(at)
    table = at.dataframe[0].value
    assert set(table["role"]) == set(labels.ROLE_LABELS.values())
    new_role = at.selectbox(key="new_role")
    assert new_role.value == "viewer" and new_role.format_func(new_role.value) == "Viewer (read only)"
    at.selectbox(key="change_username").select(NAME[Role.VIEWER])
    at.radio(key="change_action").set_value("Role")
    at.selectbox(key="change_role").select("commissioner")
    next(b for b in at.button if b.label == "Apply").click().run()
    assert not at.exception and not at.error
    assert at.dataframe[0].value.set_index("username").at[NAME[Role.VIEWER], "role"] == "Commissioning officer"
    assert not _codes_shown(at)


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
def test_account_page_and_sidebar_name_the_role_by_its_label(make_app, people, role):
    at = make_app("app_pages/account.py", actor=Actor(NAME[role], role))
    assert not _codes_shown(at)
    assert any(f"**{labels.role(role)}**" in m.value for m in at.markdown)
    assert any(f"({labels.role(role)})" in visible(c.value) for c in at.sidebar.caption)


def test_audit_log_says_a_role_change_in_labels(make_app, people, actors):
    set_role(engine=people, actor=actors["admin"], username=NAME[Role.ANALYST], role="director")
    at = make_app("app_pages/audit.py", actor=Actor(NAME[Role.ADMIN], Role.ADMIN))
    changes = at.dataframe[0].value["changes"].tolist()
    assert "Role: Analyst -> Director" in changes
    assert not [c for c in changes if ROLE_CODE.search(c)]
