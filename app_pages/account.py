"""Sign in (local account or single sign-on), see who you are and what your role may do, sign out."""

import streamlit as st

from ui.session import current_actor, engine, sso_configured, sso_email
from ui.text import plain
from vru_core.platform.auth import GRANTS
from vru_core.platform.users import authenticate

ROLE_SUMMARY = {
    "admin": "manages users and the framework set-up, reads the audit log, and may do every write",
    "commissioner": "records and edits awards, payments and monitoring returns in the register",
    "analyst": "adds measures, saves scoring profiles and enters indicator values",
    "director": "reads everything, including the audit log; changes nothing",
    "viewer": "reads everything; changes nothing",
}

actor = current_actor()
st.title("Account")
if actor is not None:
    st.markdown(f"Signed in as `{actor.username}` with the **{actor.role.value}** role.")
    st.write(f"This role {ROLE_SUMMARY[actor.role.value]}.")
    allowed = sorted(p.value for p in GRANTS[actor.role])
    st.caption("Permissions: " + (", ".join(allowed) if allowed else "none (read only)"))
    if st.button("Sign out", key="sign_out"):
        st.session_state.pop("actor", None)
        if sso_email():
            st.logout()
        st.rerun()
else:
    st.write("Everyone can read every page. Sign in to make changes your role allows.")
    if sso_configured():
        if sso_email():
            st.warning(f"{plain(sso_email())} has no active account here. Ask an administrator to add it.")
            if st.button("Sign out of single sign-on", key="sso_logout"):
                st.logout()
        elif st.button("Sign in with single sign-on", key="sso_login", type="primary"):
            st.login()
        st.caption("Or use a local account:")
    with st.form("sign_in"):
        username = st.text_input("Username", key="login_username")
        password = st.text_input("Password", type="password", key="login_password")
        submitted = st.form_submit_button("Sign in")
    if submitted:
        signed_in = authenticate(engine(), username, password)
        if signed_in is None:
            st.error("Unknown username or wrong password (or the account is inactive).")
        else:
            st.session_state["actor"] = signed_in
            st.rerun()
    st.caption(
        "Accounts are created by an administrator (`python -m vru_core.platform.users create-admin` for the first)."
    )
