"""Every measure with its source, period, licence and caveats; analysts add their own from a CSV."""

import streamlit as st

from ui.cached import crime_series
from ui.feedback import attempt, show_refusal
from ui.session import can, current_actor, engine
from ui.text import plain
from vru_core.needs import sources
from vru_core.needs.measures import DIRECTIONS, FAMILIES, GEOGRAPHIES, MAX_UPLOAD_BYTES, add_measure, list_measures
from vru_core.platform.auth import Permission

st.title("Measures and sources")
st.caption(
    "What the need score is built from. Borough-level measures apply the borough's figure to each of "
    "its wards. Missing values are never flagged."
)
measures = list_measures(engine()).reset_index()
measures["direction"] = measures["direction"].map({"high_is_worse": "high values", "low_is_worse": "low values"})
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
            "total_older": st.column_config.NumberColumn("London total, older release", format="%d"),
            "total_newer": st.column_config.NumberColumn("London total, newer release", format="%d"),
        },
    )

st.subheader("Add a measure")
st.markdown(
    "Upload a CSV with a header row holding `area_code` (May 2022 ward codes `E05…`, or borough codes `E09…`) "
    "and `value`. Other columns are ignored. Blank values are treated as missing. Every problem is listed "
    "with its line number, and nothing is stored until the whole file is valid."
)
if not can(Permission.MEASURES_WRITE):
    st.info("Sign in as an analyst to add measures.")
else:
    with st.form("add_measure"):
        c1, c2 = st.columns(2)
        code = c1.text_input("Code", key="m_code", placeholder="pas_feel_safe")
        label = c2.text_input("Label", key="m_label", placeholder="% who feel safe walking alone after dark")
        family = c1.selectbox("Family", FAMILIES, index=1, key="m_family")
        unit = c2.text_input("Unit", key="m_unit", placeholder="% of respondents")
        direction = c1.selectbox(
            "Which way is worse?",
            DIRECTIONS,
            key="m_direction",
            format_func={"high_is_worse": "High values are worse", "low_is_worse": "Low values are worse"}.get,
        )
        geography = c2.selectbox("Level", GEOGRAPHIES, key="m_geography")
        source = c1.text_input("Source", key="m_source", placeholder="MOPAC Public Attitudes Survey")
        publisher = c2.text_input("Publisher", key="m_publisher", placeholder="MOPAC")
        period = c1.text_input("Period", key="m_period", placeholder="2025/26, Q1–Q4")
        licence = c2.text_input("Licence", key="m_licence", value="Open Government Licence v3.0")
        notes = st.text_area("Caveats", key="m_notes")
        weight = st.number_input("Default weight", min_value=0.0, max_value=5.0, value=1.0, step=0.5, key="m_weight")
        upload = st.file_uploader(
            f"Values (CSV, at most {MAX_UPLOAD_BYTES // 1024 // 1024} MB)", type=["csv"], key="m_file"
        )
        submitted = st.form_submit_button("Validate and add measure")
    if submitted:
        if upload is None:
            st.error("file: choose a CSV file of values")
        else:
            definition = {
                "code": code,
                "label": label,
                "family": family,
                "unit": unit,
                "direction": direction,
                "geography": geography,
                "source": source,
                "publisher": publisher,
                "period": period,
                "licence": licence,
                "notes": notes,
                "default_weight": float(weight),
            }
            ok, n = attempt(
                "add_measure",
                add_measure,
                engine=engine(),
                actor=current_actor(),
                definition=definition,
                data=upload.getvalue(),
            )
            if ok:
                st.success(f"Added “{plain(label)}” with {n} values. It is now part of the need score.")
            else:
                show_refusal("add_measure")
