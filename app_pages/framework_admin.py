"""Framework settings (administrators): RAG thresholds, indicator baselines and targets, objectives'
wording and commitments, priority areas and funding streams. Every save is audited and names the
version the administrator opened, so a colleague's newer save is never overwritten unseen."""

import streamlit as st

from ui import framework_settings as forms
from ui.session import can, current_actor, engine
from vru_core.platform.auth import Permission

store = engine()
st.title("Framework settings")
if not can(Permission.FRAMEWORK_WRITE):
    st.info("Only administrators can change the framework. Everyone can read it on the Performance pages.")
    st.stop()
actor = current_actor()
if saved := st.session_state.pop(forms.SAVED_KEY, None):
    st.success(saved)

tabs = st.tabs(["RAG rule", "Indicator baselines and targets", "Objectives", "Priority areas", "Funding streams"])
for tab, form in zip(
    tabs, (forms.rag_rule, forms.indicator, forms.objective, forms.priority_area, forms.funding_stream), strict=True
):
    with tab:
        form(store, actor)
