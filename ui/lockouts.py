"""Users and roles: the accounts and computers whose sign-ins are paused, and lifting a pause (admins)."""

from __future__ import annotations

import streamlit as st

from ui.feedback import attempt, show_refusal
from ui.session import current_actor, engine
from vru_core.platform.throttle import LOCK_AFTER, holds, lift


def held_label(key: str) -> str:
    return key.replace("account:", "Account ", 1).replace("client:", "Computer at ", 1)


def sign_in_pauses() -> None:
    st.subheader("Sign-in pauses and lockouts")
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
            lifted = st.form_submit_button("Lift the pause")
        if lifted and attempt("lift", lift, engine=engine(), actor=current_actor(), key=chosen)[0]:
            st.session_state["_users_flash"] = f"{held_label(chosen)} may sign in again."
            st.rerun()
        show_refusal("lift")  # another administrator lifted it, or the pause ran out, meanwhile
