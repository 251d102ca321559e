"""Every measure with its source, period, licence and caveats; analysts add their own from a CSV."""

import streamlit as st

from ui.cached import crime_series
from ui.measure_upload import add_measure_section
from ui.session import engine
from vru_core.needs import sources
from vru_core.needs.measures import list_measures
from vru_core.platform import labels

st.title("Measures and sources")
st.caption(
    "What the need score is built from. Borough-level measures apply the borough's figure to each of "
    "its wards. Missing values are never flagged."
)
measures = list_measures(engine()).reset_index()  # read on every run, so a measure just added is listed at once
for column, label in (("direction", labels.direction), ("family", labels.family), ("geography", labels.geography)):
    measures[column] = measures[column].map(label)
st.dataframe(
    measures[
        [
            "code",
            "label",
            "family",
            "geography",
            "direction",
            "unit",
            "period",
            "source",
            "publisher",
            "licence",
            "default_weight",
            "n_values",
            "origin",
            "notes",
        ]
    ],
    hide_index=True,
    width="stretch",
    height=35 * (len(measures) + 1) + 3,
    column_config={
        "code": st.column_config.TextColumn("Code"),
        "label": st.column_config.TextColumn("Measure", width="large"),
        "family": st.column_config.TextColumn("Family"),
        "geography": st.column_config.TextColumn("Level", help="borough = one figure for every ward of the borough"),
        "direction": st.column_config.TextColumn("Worse when"),
        "unit": st.column_config.TextColumn("Unit"),
        "period": st.column_config.TextColumn("Period"),
        "source": st.column_config.TextColumn("Source", width="large"),
        "publisher": st.column_config.TextColumn("Publisher"),
        "licence": st.column_config.TextColumn("Licence"),
        "default_weight": st.column_config.NumberColumn(
            "Default weight", format="%g", help="Its weight in the default profile; 0 = listed, not counted"
        ),
        "n_values": st.column_config.NumberColumn("Areas with a value", format="%d"),
        "origin": st.column_config.TextColumn(
            "Origin", help="bundled = loaded from data/; uploaded = added by an analyst"
        ),
        "notes": st.column_config.TextColumn("Caveats", width="large"),
    },
)

st.subheader("Bundled data files")
st.caption("The files the bundled measures are read from; data/SOURCES.md says where each was retrieved.")
st.dataframe(
    sources.files_table(),
    hide_index=True,
    width="stretch",
    key="measure_files",
    column_config={
        "file": st.column_config.TextColumn("File"),
        "publisher": st.column_config.TextColumn("Publisher"),
        "licence": st.column_config.TextColumn("Licence"),
        "measures": st.column_config.TextColumn("Measures", width="large"),
    },
)

with st.expander("How the two MPS crime releases are combined, month by month"):
    st.caption(
        "MPS revises recent months, and the newer release's first month (March 2024) is almost empty. For each "
        "month in both releases the newer one is used unless its London total is below half of the older "
        "one's."
    )
    st.dataframe(
        crime_series().provenance,
        hide_index=True,
        width="stretch",
        column_config={
            "month": st.column_config.TextColumn("Month"),
            "release": st.column_config.TextColumn("Release used"),
            "release_file": st.column_config.TextColumn("Release file"),
            "reason": st.column_config.TextColumn("Why", width="large"),
            "total_older": st.column_config.NumberColumn("London total, older release", format="%d"),
            "total_newer": st.column_config.NumberColumn("London total, newer release", format="%d"),
        },
    )

add_measure_section()
