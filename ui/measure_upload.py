"""Measures and sources: an analyst adds a measure from a CSV (a template to fill in, the form, what happened)."""

from __future__ import annotations

import streamlit as st

from ui.cached import measure_template
from ui.feedback import attempt, forget, show_refusal
from ui.session import can, current_actor, engine
from ui.text import plain
from vru_core.needs.measures import DIRECTIONS, FAMILIES, GEOGRAPHIES, MAX_UPLOAD_BYTES, add_measure
from vru_core.platform import labels
from vru_core.platform.auth import Permission

KEY = "add_measure"
FLASH = "_measure_added"
FIELDS = ("m_code", "m_label", "m_unit", "m_source", "m_publisher", "m_period", "m_notes", "m_weight", "m_file")


def _submit(definition: dict, upload) -> None:
    if upload is None:
        st.error("Values file: choose a CSV file of values", icon="⚠️")
        return
    ok, n = attempt(
        KEY, add_measure, engine=engine(), actor=current_actor(), definition=definition, data=upload.getvalue()
    )
    if not ok:
        return
    weight = definition["default_weight"]
    counted = (
        f"It counts with weight {weight:g} in the default profile."
        if weight
        else "It is in the default profile at weight 0 (not counted): give it a weight on the Ward need scores page."
    )
    st.session_state[FLASH] = f"Added “{definition['label']}” with {n} values. {counted}"
    for key in FIELDS:  # an empty form for the next measure; the table above now lists this one
        st.session_state.pop(key, None)
    st.rerun()


def add_measure_section() -> None:
    """The template downloads and, for analysts and admins, the form; after an add the page reruns with it listed."""
    st.subheader("Add a measure")
    if FLASH in st.session_state:
        st.success(plain(st.session_state.pop(FLASH)))
    st.markdown(
        "Upload a CSV with a header row holding `ward_code` or `area_code` (May 2022 ward codes `E05…`, or "
        "borough codes `E09…` in `area_code`) and `value`; the app's own exports can be uploaded as they are. "
        "Other columns are ignored and blank values are missing. Save from a spreadsheet as *CSV UTF-8*. "
        "Every problem is listed with its line number, and nothing is stored until the whole file is valid."
    )
    c1, c2 = st.columns(2)
    c1.download_button(
        "Template: every ward",
        measure_template("ward"),
        file_name="measure_template_wards.csv",
        mime="text/csv",
        key="m_template_wards",
    )
    c2.download_button(
        "Template: every borough",
        measure_template("borough"),
        file_name="measure_template_boroughs.csv",
        mime="text/csv",
        key="m_template_boroughs",
    )
    if not can(Permission.MEASURES_WRITE):
        st.info("Sign in as an analyst to add measures.")
        return
    with st.form("add_measure"):
        c1, c2 = st.columns(2)
        definition = {
            "code": c1.text_input("Code (used in CSV files and addresses)", key="m_code", placeholder="pas_feel_safe"),
            "label": c2.text_input("Label", key="m_label", placeholder="% who feel safe walking alone after dark"),
            "family": c1.selectbox("Family", FAMILIES, index=1, key="m_family", format_func=labels.family),
            "unit": c2.text_input("Unit", key="m_unit", placeholder="% of respondents"),
            "direction": c1.selectbox(
                "Which way is worse?", DIRECTIONS, key="m_direction", format_func=labels.direction
            ),
            "geography": c2.selectbox("Level", GEOGRAPHIES, key="m_geography", format_func=labels.geography),
            "source": c1.text_input("Source", key="m_source", placeholder="MOPAC Public Attitudes Survey"),
            "publisher": c2.text_input("Publisher", key="m_publisher", placeholder="MOPAC"),
            "period": c1.text_input("Period", key="m_period", placeholder="2025/26, Q1–Q4"),
            "licence": c2.text_input("Licence", key="m_licence", value="Open Government Licence v3.0"),
            "notes": st.text_area("Caveats", key="m_notes"),
        }
        definition["default_weight"] = float(
            st.number_input(
                "Weight in the default profile",
                min_value=0.0,
                max_value=5.0,
                value=0.0,
                step=0.5,
                key="m_weight",
                help="0 = listed but not counted until someone gives it a weight (saved profiles keep their own)",
            )
        )
        upload = st.file_uploader(
            f"Values (CSV, at most {MAX_UPLOAD_BYTES // 1024 // 1024} MB)", type=["csv"], key="m_file"
        )
        submitted = st.form_submit_button("Validate and add measure")
    if submitted:
        forget(KEY)
        _submit(definition, upload)
    show_refusal(KEY)
