"""Why is this ward flagged: the selected ward's measures, counts, caveats and crime trend."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui import uncertainty
from ui.cached import violence_movement, ward_trend_spec, ward_trend_table
from ui.charts import chart
from ui.text import plain
from vru_core.needs.measures import MeasureFrame
from vru_core.needs.scoring import ScoreResult, explain

DETAIL_COLUMNS = {
    "label": "Measure",
    "geography": st.column_config.TextColumn("Level", help="borough = the borough's figure, the same for every ward"),
    "value": st.column_config.NumberColumn("Ward value", format="%.2f"),
    "threshold_value": st.column_config.NumberColumn(
        "Threshold value", format="%.2f", help="The least extreme value that is still flagged"
    ),
    "percentile": st.column_config.NumberColumn(
        "Worst %", format="%.1f%%", help="Share of wards with a value at least this bad"
    ),
    "flagged": st.column_config.CheckboxColumn("Flagged"),
    "weight": st.column_config.NumberColumn("Weight", format="%.1f"),
    "contribution": st.column_config.NumberColumn("Adds to score", format="%.1f"),
    "unit": "Unit",
    "period": "Period",
}


def ward_detail(frame: MeasureFrame, result: ScoreResult, in_use: int) -> None:
    table = result.table
    ward_names = (table["ward_name"] + " (" + table["borough_name"] + ")").to_dict()
    if st.session_state.get("ward") not in ward_names:
        st.session_state["ward"] = table.index[0]
    ward = st.selectbox("Ward", list(ward_names), format_func=ward_names.get, key="ward")
    w = table.loc[ward]
    st.markdown(
        f"**{plain(w['ward_name'])}**, {plain(w['borough_name'])}: score **{w['score']:g}**, rank "
        f"**{int(w['rank'])}** of {len(table)}, flagged on **{int(w['flagged_count'])}** of {in_use} measures in use."
    )
    detail = explain(result, ward)
    st.dataframe(detail[list(DETAIL_COLUMNS)], hide_index=True, width="stretch", column_config=DETAIL_COLUMNS)
    st.dataframe(uncertainty.counts_for_ward(frame, ward), hide_index=True, width="stretch")
    place = frame.wards.loc[ward]
    if not place["in_mps_data"]:
        st.info(
            "This City of London ward is policed by the City of London Police, so it has no MPS crime figures: "
            "its crime measures are missing and never flagged."
        )
        return
    if pd.notna(place["population_lsoas"]) and place["population_lsoas"] <= 3:
        st.info(
            f"Rates use a Census 2021 population built from only {int(place['population_lsoas'])} LSOAs: "
            "treat them as approximate."
        )
    chart(
        ward_trend_spec(ward),
        description=f"Line chart of offences a month in {place['ward_name']} (MPS).",
        table=ward_trend_table(ward),
        key="ward_trend",
    )
    movement = violence_movement()
    if ward in movement.index:
        m = movement.loc[ward]
        direction = "rising" if m["change"] > 0 else "falling" if m["change"] < 0 else "flat"
        note = "" if m["eligible"] else " (too few offences for the rising/falling lists)"
        st.caption(
            f"Violence with injury: {int(m['latest_12'])} offences in the latest 12 months against "
            f"{int(m['previous_12'])} in the 12 before: {direction}{note}."
        )
