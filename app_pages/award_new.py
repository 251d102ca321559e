"""Record a new award. Every rule is checked before anything is saved; problems show beside their fields."""

import streamlit as st

from ui.award_form import award_form, new_award_defaults
from ui.cached import labels
from ui.feedback import attempt, refusal, show_refusal
from ui.session import can, current_actor, engine
from vru_core.platform.auth import Permission
from vru_core.register.lifecycle import create_award
from vru_core.register.validation import AWARD_FIELDS

REFUSAL = "award_new"

st.title("New award")
if not can(Permission.REGISTER_WRITE):
    st.info("Recording awards needs a commissioner or administrator account. Sign in on the Account page.")
    st.stop()

if refusal(REFUSAL) is not None:
    show_refusal(REFUSAL, fields_shown=AWARD_FIELDS)
data = award_form(
    "award_new", "new_", labels(), new_award_defaults(), refusal_key=REFUSAL, submit_label="Save award (as proposed)"
)
if data is not None:
    ok, award_id = attempt(REFUSAL, create_award, engine=engine(), actor=current_actor(), data=data)
    if not ok:
        st.rerun()  # draw the problems beside their fields
    st.session_state["award_created"] = award_id
    st.switch_page("app_pages/award.py", query_params={"id": str(award_id)})
