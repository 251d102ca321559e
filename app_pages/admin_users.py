"""Accounts and roles (admins only): add people, change roles, reset passwords, deactivate."""

import streamlit as st

from ui.feedback import attempt, moved_on, offer_reload, opened_version, show_refusal
from ui.lockouts import sign_in_pauses
from ui.session import can, current_actor, engine
from ui.text import plain
from vru_core.platform import labels
from vru_core.platform.auth import MIN_PASSWORD_LENGTH, Permission, Role
from vru_core.platform.errors import Invalid, Problem
from vru_core.platform.users import create_user, deactivate, list_users, reactivate, set_password, set_role

st.title("Users and roles")
if not can(Permission.USERS_WRITE):
    st.error("Only administrators can manage accounts.")
    st.stop()

users = list_users(engine())
shown = users.assign(role=users["role"].map(labels.role))  # "Administrator", never the code
# Each account at the version this person first saw it: a change based on it is refused if someone changed it since.
opened = {u: opened_version(f"user:{u}", int(v)) for u, v in zip(users["username"], users["version"], strict=True)}
st.dataframe(
    shown,
    hide_index=True,
    width="stretch",
    column_config={
        "username": "Username",
        "display_name": "Name",
        "role": "Role",
        "active": st.column_config.CheckboxColumn("Active"),
        "local_password": st.column_config.CheckboxColumn(
            "Local password", help="Unticked: the account signs in through single sign-on only"
        ),
        "created_at": st.column_config.DatetimeColumn("Created", format="YYYY-MM-DD HH:mm"),
        "version": st.column_config.NumberColumn("Version", format="%d"),
    },
)
roles = [r.value for r in Role]


def _same(password: str | None, again: str | None) -> None:
    if password != again:
        raise Invalid([Problem(None, "password", "the two entries differ")])


def _add(*, username: str, role: str, password: str | None, again: str | None, display_name: str) -> int:
    _same(password, again)
    return create_user(
        engine=engine(),
        actor=current_actor(),
        username=username,
        role=role,
        password=password,
        display_name=display_name,
    )


def _change(*, action: str, who: str, role: str, password: str, again: str) -> int:
    args = {"engine": engine(), "actor": current_actor(), "username": who, "expected_version": opened[who]}
    if action == "Role":
        return set_role(**args, role=role)
    if action == "Reset password":
        _same(password, again)
        return set_password(**args, password=password)
    return deactivate(**args) if action == "Deactivate" else reactivate(**args)


st.subheader("Add an account")
with st.form("add_user", clear_on_submit=True):
    c1, c2, c3 = st.columns(3)
    new_username = c1.text_input("Username (or e-mail for single sign-on)", key="new_username")
    new_display = c2.text_input("Name", key="new_display_name")
    new_role = c3.selectbox("Role", roles, index=roles.index("viewer"), key="new_role", format_func=labels.role)
    p1, p2 = st.columns(2)
    new_password = p1.text_input(
        "Password",
        type="password",
        key="new_password",
        help=f"At least {MIN_PASSWORD_LENGTH} characters, and not a commonly used password",
    )
    new_password2 = p2.text_input("Password again", type="password", key="new_password2")
    sso_only = st.checkbox("Single sign-on only (no local password)", key="new_sso_only")
    add = st.form_submit_button("Add account")
if add:
    ok, _ = attempt(
        "add_user",
        _add,
        username=new_username,
        role=new_role,
        password=None if sso_only else new_password,
        again=None if sso_only else new_password2,
        display_name=new_display,
    )
    if ok:
        st.session_state["_users_flash"] = f"Added {new_username.strip().lower()} as {labels.role(new_role)}."
        st.rerun()
show_refusal("add_user")

st.subheader("Change an account")
if len(users):
    with st.form("change_user"):
        c1, c2, c3 = st.columns(3)
        who = c1.selectbox("Account", users["username"].tolist(), key="change_username")
        action = c2.radio(
            "Change", ["Role", "Reset password", "Deactivate", "Reactivate"], key="change_action", horizontal=True
        )
        role = c3.selectbox("New role", roles, key="change_role", format_func=labels.role)
        p1, p2 = st.columns(2)
        password = p1.text_input("New password", type="password", key="change_password")
        password2 = p2.text_input("New password again", type="password", key="change_password2")
        apply = st.form_submit_button("Apply")
    if apply:
        ok, version = attempt(
            "change_user", _change, action=action, who=who, role=role, password=password, again=password2
        )
        if ok:
            moved_on(f"user:{who}", version)
            st.session_state["_users_flash"] = f"{action} applied to {who}."
            st.rerun()
    show_refusal("change_user")
    if len(users):
        offer_reload("change_user", f"user:{st.session_state.get('change_username')}")
sign_in_pauses()
if "_users_flash" in st.session_state:
    st.success(plain(st.session_state.pop("_users_flash")))
st.caption(
    "Accounts are never deleted, so the audit log always names a real person: deactivate instead. "
    "The last active administrator cannot be demoted or deactivated."
)
