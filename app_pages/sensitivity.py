"""Sensitivity: the top N at several thresholds side by side, and how robust it is to slightly different weights."""

import streamlit as st

from ui.cached import measure_frame
from ui.sensitivity_parts import robustness
from ui.text import plain
from vru_core.needs.profile import Profile
from vru_core.needs.sensitivity import compare_thresholds, parse_thresholds, rank_column
from vru_core.platform.errors import Invalid

frame = measure_frame()
profile = st.session_state.get("profile")
title = st.session_state.get("profile_title") or "The need scores page's current profile"
if profile is None and {"t", "w", "o", "s"} & set(st.query_params):
    profile, title = Profile.from_query_params(st.query_params.to_dict(), frame.measures), "Profile from the address"
elif profile is None:
    profile, title = Profile(), "Default profile"

st.title("Sensitivity")
counted = int((profile.resolved_weights(frame.measures) > 0).sum())
extras = [f"{len(profile.overrides)} measure(s) with their own threshold"] if profile.overrides else []
extras += [f"{len(profile.smoothing)} smoothed measure(s)"] if profile.smoothing else []
st.info(
    f"Testing: **{plain(title)}**: {counted} of {len(frame.measures)} measures counted with its weights"
    + "".join(f", {e}" for e in extras)
    + f"; its own threshold is {profile.threshold_pct:g}%, varied here. "
    "Change the profile on the Ward need scores page."
)
st.caption(
    "Figures: the need score of every ward from the measures on the Measures and sources page, each for the "
    "period it states there. Wards with equal scores share a rank, so a top N can hold more than N wards."
)
c1, c2 = st.columns([1, 2])
top_n = int(c1.number_input("Top N", min_value=5, max_value=200, value=30, step=5, key="sens_top_n"))
text = c2.text_input(
    "Thresholds to compare (%)", value="5, 10, 15", key="sens_thresholds", help="Two to eight, e.g. 5, 7.5, 10"
)
try:
    thresholds = parse_thresholds(text)
except Invalid as exc:
    st.error(plain("Thresholds: " + "; ".join(p.message for p in exc.problems)), icon="⚠️")
    st.stop()

st.subheader(f"The top {top_n} at each threshold")
compared = compare_thresholds(frame, profile, thresholds, top_n)
for note in compared.tie_notes():
    st.warning(note)
first = f"{thresholds[0]:g}%"
st.dataframe(
    compared.summary[["threshold", "in_top_n", "overlap", "overlap_share"]],
    hide_index=True,
    key="sens_compare",
    column_config={
        "threshold": st.column_config.NumberColumn("Threshold", format="%g%%"),
        "in_top_n": st.column_config.NumberColumn(
            f"Wards in the top {top_n}", format="%d", help=f"Wards whose rank is {top_n} or better (ties included)"
        ),
        "overlap": st.column_config.NumberColumn(f"Also in the top {top_n} at {first}", format="%d"),
        "overlap_share": st.column_config.ProgressColumn(
            f"Share of the {first} top {top_n}", min_value=0.0, max_value=1.0, format="percent"
        ),
    },
)
rank_config = {rank_column(t): st.column_config.NumberColumn(f"Rank at {t:g}%", format="%d") for t in thresholds}
st.dataframe(
    compared.wards.drop(columns="ward_code"),
    hide_index=True,
    width="stretch",
    key="sens_compare_wards",
    column_config={
        "ward_name": "Ward",
        "borough_name": "Borough",
        **rank_config,
        "times_in_top_n": st.column_config.NumberColumn(
            f"Thresholds with it in the top {top_n}", format=f"%d of {len(thresholds)}"
        ),
    },
)

robustness(frame, profile, thresholds, top_n)
