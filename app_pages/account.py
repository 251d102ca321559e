"""Sign in (local account or single sign-on), see who you are and what your role may do, sign out."""

import streamlit as st

from ui.session import (
    ENDED_KEY,
    SSO_MESSAGE_KEY,
    begin,
    client_address,
    current_actor,
    end_this_session,
    engine,
    session_key,
    sso_configured,
    sso_email,
)
from ui.text import plain
from vru_core.platform import labels
from vru_core.platform.auth import GRANTS
from vru_core.platform.sessions import describe_end, idle_limit, lifetime, live_sessions, span
from vru_core.platform.signin import sign_in

ROLE_SUMMARY = {
    "admin": "manages users and the framework set-up, reads the audit log, and may do every write",
    "commissioner": "records and edits awards, payments and monitoring returns in the register",
    "analyst": "adds measures, saves scoring profiles and enters indicator values",
    "director": "reads everything, including the audit log; changes nothing",
    "viewer": "reads everything; changes nothing",
    "assessor": "scores the applications of funding rounds",
}


def _leave(redirected: bool) -> None:
    st.stop() if redirected else st.rerun()


actor = current_actor()
st.title("Account")
if actor is not None:
    st.markdown(f"Signed in as `{actor.username}`, with the role **{labels.role(actor.role)}**.")
    st.write(f"This role {ROLE_SUMMARY.get(actor.role.value, 'has no summary yet')}.")
    allowed = sorted(labels.permission(p.value) for p in GRANTS[actor.role])
    st.caption("May " + ("; ".join(allowed) if allowed else "read only") + ".")
    live = live_sessions(engine(), actor.username) if session_key() else []
    rule = (
        f"A session ends when you sign out, after {span(idle_limit())} without use, "
        f"or {span(lifetime())} after signing in."
    )
    st.caption((f"Signed in on {len(live)} browser{'s' if len(live) != 1 else ''}. " if live else "") + rule)
    c1, c2 = st.columns(2)
    if c1.button("Sign out", key="sign_out"):
        _leave(end_this_session())
    if len(live) > 1 and c2.button("Sign out everywhere", key="sign_out_everywhere"):
        _leave(end_this_session(everywhere=True))
else:
    ended = st.session_state.get(ENDED_KEY)
    if ended and not ended.startswith("signed_out"):
        st.info(f"Your session ended because {describe_end(ended)}. Sign in again to make changes.")
    st.write("Everyone can read every page. Sign in to make changes your role allows.")
    if sso_configured():
        if SSO_MESSAGE_KEY in st.session_state:
            st.warning(plain(st.session_state[SSO_MESSAGE_KEY]))
        if sso_email() and st.button("Sign out of single sign-on", key="sso_logout"):
            st.logout()
        if st.button("Sign in with single sign-on", key="sso_login", type="primary"):
            st.session_state.pop(SSO_MESSAGE_KEY, None)
            st.login()
        st.caption("Or use a local account:")
    with st.form("sign_in"):
        username = st.text_input("Username", key="login_username", autocomplete="username")
        password = st.text_input("Password", type="password", key="login_password", autocomplete="current-password")
        submitted = st.form_submit_button("Sign in")
    if submitted:
        result = sign_in(engine(), username, password, client=client_address())
        if result.actor is None or result.started is None:
            st.error(result.message)
        else:
            _leave(begin(result.started, st.query_params.get("next", "/account")))
    st.caption(
        "Accounts are created by an administrator (`python -m vru_core.platform.users create-admin` for the first)."
    )
