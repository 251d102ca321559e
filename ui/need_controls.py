"""The need scores page's controls: the scoring profile in the sidebar, and saving it."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from ui import uncertainty
from ui.feedback import attempt, show_refusal
from ui.need_state import VIEW, NeedView, load_saved
from ui.session import can, current_actor, engine
from ui.text import plain
from vru_core.needs.measures import MeasureFrame
from vru_core.needs.profiles import list_profiles, save_profile
from vru_core.platform import labels
from vru_core.platform.auth import Permission


def sidebar(frame: MeasureFrame) -> dict[str, str]:
    """Saved profiles, threshold, weights, overrides and smoothing; returns the smoothing choices."""
    measures = frame.measures
    with st.sidebar:
        st.subheader("Scoring profile")
        saved = list_profiles(engine())
        if len(saved):
            st.selectbox(
                "Saved profiles",
                saved["name"].tolist(),
                key="profile_name",
                index=None,
                placeholder="Choose a saved profile…",
            )
            st.button("Load profile", key="load_profile", on_click=load_saved, args=(frame, engine()), width="stretch")
        st.slider(
            "Threshold: flag the worst X% of wards on each measure", 1.0, 50.0, step=1.0, key="threshold", format="%d%%"
        )
        st.caption("Weights (0 leaves a measure out)")
        for family, group in measures.groupby("family", sort=False):
            title = labels.family(str(family))
            with st.expander(f"{title} ({len(group)})", expanded=family == "crime"):
                for code, m in group.iterrows():
                    level = " · borough figure" if m["geography"] == "borough" else ""
                    st.slider(
                        plain(m["label"] + level),
                        0.0,
                        5.0,
                        step=0.5,
                        key=f"w_{code}",
                        help=plain(f"{m['period']}. Source: {m['source']} ({m['publisher']})."),
                    )
        if st.toggle("Per-measure thresholds", key="show_overrides"):
            st.caption("Leave blank to use the global threshold.")
            for code, m in measures.iterrows():
                st.number_input(
                    plain(m["label"]), min_value=1.0, max_value=100.0, step=1.0, value=None, key=f"o_{code}"
                )
        return uncertainty.smoothing_controls(frame)


def save_form(view: NeedView) -> None:
    """Save the profile on screen (every measure's weight and the measure set): a new name, or over the one loaded."""
    with st.expander("Save this profile"):
        if not can(Permission.PROFILES_WRITE):
            st.info("Sign in as an analyst to save profiles. Anyone can share this view: the page address holds it.")
            return
        loaded_name, loaded_version = view.loaded or (None, None)
        with st.form("save_profile_form"):
            name = st.text_input("Profile name", key="save_name", placeholder="e.g. 2026/27 commissioning round")
            description = st.text_input("What it is for", key="save_description")
            if st.form_submit_button("Save profile"):
                same = name.strip() == loaded_name  # saving over the profile loaded names its version
                ok, version = attempt(
                    "save_profile",
                    save_profile,
                    engine=engine(),
                    actor=current_actor(),
                    name=name,
                    profile=view.profile,
                    description=description,
                    expected_version=loaded_version if same else None,
                )
                if ok:
                    st.session_state[VIEW] = replace(view, loaded=(name.strip(), version), loaded_profile=view.profile)
                    st.success(f"Saved profile “{plain(name.strip())}” (version {version}).")
        show_refusal("save_profile")
