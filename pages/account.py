"""Sign in with a local account, or sign out. Reading needs no account; every write checks the role."""

import streamlit as st

from pages.common import current_actor, engine
from vru_core.auth import authenticate

actor = current_actor()
st.title("Account")
if actor is not None:
    st.write(f"Signed in as **{actor.username}** ({actor.role.value}).")
    if st.button("Sign out", key="sign_out"):
        del st.session_state["actor"]
        st.rerun()
else:
    with st.form("sign_in"):
        username = st.text_input("Username", key="login_username")
        password = st.text_input("Password", type="password", key="login_password")
        submitted = st.form_submit_button("Sign in")
    if submitted:
        signed_in = authenticate(engine(), username, password)
        if signed_in is None:
            st.error("Unknown username or wrong password.")
        else:
            st.session_state["actor"] = signed_in
            st.rerun()
    st.caption("Accounts are created by an administrator (`python -m vru_core.users create-admin` for the first).")
