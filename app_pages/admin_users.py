"""Accounts and roles (admins only): add people, change roles, reset passwords, deactivate."""

import streamlit as st

from ui.session import can, current_actor, engine
from vru_core.platform.auth import MIN_PASSWORD_LENGTH, Permission, Role
from vru_core.platform.locking import StaleVersion
from vru_core.platform.throttle import LOCK_AFTER, holds, lift
from vru_core.platform.users import create_user, deactivate, list_users, reactivate, set_password, set_role

st.title("Users and roles")
if not can(Permission.USERS_WRITE):
    st.error("Only administrators can manage accounts.")
    st.stop()

users = list_users(engine())
# Versions as this screen last showed them: a save based on them is refused if someone changed the account since.
seen_versions = st.session_state.get("_users_seen_versions", {})
st.session_state["_users_seen_versions"] = dict(zip(users["username"], users["version"], strict=True))
st.dataframe(
    users,
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

st.subheader("Add an account")
with st.form("add_user", clear_on_submit=True):
    c1, c2, c3 = st.columns(3)
    new_username = c1.text_input("Username (or e-mail for single sign-on)", key="new_username")
    new_display = c2.text_input("Name", key="new_display_name")
    new_role = c3.selectbox("Role", roles, index=roles.index("viewer"), key="new_role")
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
    try:
        if not sso_only and new_password != new_password2:
            raise ValueError("password: the two entries differ")
        create_user(
            engine=engine(),
            actor=current_actor(),
            username=new_username,
            role=new_role,
            password=None if sso_only else new_password,
            display_name=new_display,
        )
    except ValueError as exc:
        st.error(f"Not added: {exc}")
    else:
        st.session_state["_users_flash"] = f"Added {new_username.strip().lower()} as {new_role}."
        st.rerun()

st.subheader("Change an account")
if len(users):
    with st.form("change_user"):
        c1, c2, c3 = st.columns(3)
        who = c1.selectbox("Account", users["username"].tolist(), key="change_username")
        action = c2.radio(
            "Change", ["Role", "Reset password", "Deactivate", "Reactivate"], key="change_action", horizontal=True
        )
        role = c3.selectbox("New role", roles, key="change_role")
        p1, p2 = st.columns(2)
        password = p1.text_input("New password", type="password", key="change_password")
        password2 = p2.text_input("New password again", type="password", key="change_password2")
        apply = st.form_submit_button("Apply")
    if apply:
        args = {
            "engine": engine(),
            "actor": current_actor(),
            "username": who,
            "expected_version": seen_versions.get(who),
        }
        try:
            if action == "Role":
                set_role(**args, role=role)
            elif action == "Reset password":
                if password != password2:
                    raise ValueError("password: the two entries differ")
                set_password(**args, password=password)
            elif action == "Deactivate":
                deactivate(**args)
            else:
                reactivate(**args)
        except (ValueError, StaleVersion) as exc:
            st.error(str(exc))
        else:
            st.session_state["_users_flash"] = f"{action} applied to {who}."
            st.rerun()
st.subheader("Sign-in pauses and lockouts")


def held_label(key: str) -> str:
    return key.replace("account:", "Account ", 1).replace("client:", "Computer at ", 1)


held = holds(engine())
if not held:
    st.caption(f"No account or computer is paused. {LOCK_AFTER} failed sign-ins in a row lock one out for a while.")
else:
    st.dataframe(
        [
            {
                "Account or computer": held_label(h.key),
                "Failed sign-ins": h.failures,
                "State": "Locked out" if h.kind == "locked" else "Waiting between tries",
                "Until (UTC)": h.until.strftime("%Y-%m-%d %H:%M:%S"),
            }
            for h in held
        ],
        hide_index=True,
        width="stretch",
    )
    with st.form("lift_lockout"):
        chosen = st.selectbox(
            "Let this one sign in again now", [h.key for h in held], format_func=held_label, key="lift_key"
        )
        if st.form_submit_button("Lift the pause"):
            try:
                lift(engine=engine(), actor=current_actor(), key=chosen)
            except ValueError:  # another administrator lifted it, or the pause ran out, meanwhile
                st.info(f"{held_label(chosen)} is no longer paused.")
            else:
                st.session_state["_users_flash"] = f"{held_label(chosen)} may sign in again."
                st.rerun()
if "_users_flash" in st.session_state:
    st.success(st.session_state.pop("_users_flash"))
st.caption(
    "Accounts are never deleted, so the audit log always names a real person: deactivate instead. "
    "The last active administrator cannot be demoted or deactivated."
)
