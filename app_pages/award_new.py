"""Record a new award. Every rule is checked before anything is saved; problems show beside their fields."""

import datetime as dt

import streamlit as st

from ui.cached import labels
from ui.session import can, current_actor, engine
from ui.widgets import field_errors, recipient_place_inputs
from vru_core.platform.auth import Permission
from vru_core.register import service
from vru_core.register.validation import GEOGRAPHY_LEVELS, ORG_TYPES, ValidationFailed

st.title("New award")
if not can(Permission.REGISTER_WRITE):
    st.info("Recording awards needs a commissioner or administrator account. Sign in on the Account page.")
    st.stop()

names = labels()
problems = st.session_state.get("award_new_problems", [])
if problems:
    st.error(f"Nothing was saved: {len(problems)} thing(s) to fix, shown beside each field below.")

with st.form("award_new", clear_on_submit=False):
    st.subheader("The award")
    title = st.text_input("Title", key="new_title", placeholder="e.g. Youth mentoring in Hackney Wick")
    field_errors(problems, "title")
    description = st.text_area("Description", key="new_description")
    field_errors(problems, "description")
    c1, c2, c3, c4 = st.columns(4)
    with c1:
        amount = st.text_input("Amount awarded (£)", key="new_amount", placeholder="45000")
        field_errors(problems, "amount_awarded")
    with c2:
        award_date = st.date_input("Award date", value=dt.date.today(), key="new_award_date", format="YYYY-MM-DD")
        field_errors(problems, "award_date")
    with c3:
        start = st.date_input("Planned start", value=dt.date.today(), key="new_start", format="YYYY-MM-DD")
        field_errors(problems, "planned_start")
    with c4:
        end = st.date_input("Planned end", value=dt.date.today() + dt.timedelta(days=365), key="new_end")
        field_errors(problems, "planned_end")

    st.subheader("Recipient")
    r1, r2 = st.columns(2)
    with r1:
        org_id = st.text_input(
            "360Giving organisation identifier", key="new_org_id", placeholder="GB-CHC-1123456 or GB-COH-01234567"
        )
        field_errors(problems, "recipient_org_id")
        org_type = st.selectbox("Type", list(ORG_TYPES), format_func=ORG_TYPES.get, key="new_org_type")
    with r2:
        org_name = st.text_input("Organisation name", key="new_org_name")
        field_errors(problems, "recipient_name")
        n1, n2 = st.columns(2)
        charity = n1.text_input("Charity number", key="new_charity")
        company = n2.text_input("Company number", key="new_company")
    field_errors(problems, "charity_number")
    field_errors(problems, "company_number")
    place = recipient_place_inputs(names, problems, "new_")

    st.subheader("Strategy")
    s1, s2 = st.columns(2)
    with s1:
        stream = st.selectbox(
            "Funding stream", list(names["funding_streams"]), format_func=names["funding_streams"].get, key="new_stream"
        )
        field_errors(problems, "funding_stream")
        objectives = st.multiselect(
            "Objectives (one or more of the eight)",
            list(names["objectives"]),
            format_func=lambda n: f"{n}. {names['objectives'][n]}",
            key="new_objectives",
        )
        field_errors(problems, "objectives")
    with s2:
        priority = st.selectbox(
            "First-year priority area",
            ["", *names["priority_areas"]],
            format_func=lambda c: names["priority_areas"].get(c, "None"),
            key="new_priority",
        )
        field_errors(problems, "priority_area")

    st.subheader("Where")
    level = st.radio(
        "Geography",
        GEOGRAPHY_LEVELS,
        format_func={"ward": "Wards", "borough": "Boroughs", "london": "London-wide"}.get,
        horizontal=True,
        key="new_level",
    )
    field_errors(problems, "geography_level")
    w1, w2 = st.columns(2)
    ward_codes = w1.multiselect(
        "Wards (type a ward or borough name to search; used when Geography is Wards)",
        list(names["wards"]),
        format_func=names["wards"].get,
        key="new_wards",
    )
    borough_codes = w2.multiselect(
        "Boroughs (used when Geography is Boroughs)",
        list(names["boroughs"]),
        format_func=names["boroughs"].get,
        key="new_boroughs",
    )
    field_errors(problems, "areas")
    split = st.text_input(
        "Optional split of the amount across the chosen areas (same order, separated by ';')",
        key="new_split",
        placeholder="15000;15000;15000",
    )
    field_errors(problems, "area_amounts")
    submitted = st.form_submit_button("Save award (as proposed)", type="primary", key="new_submit")

if submitted:
    areas = {"ward": ward_codes, "borough": borough_codes, "london": []}[level]
    data = {
        "title": title,
        "description": description,
        "recipient_org_id": org_id,
        "recipient_name": org_name,
        "recipient_type": org_type,
        "charity_number": charity,
        "company_number": company,
        "amount_awarded": amount,
        "award_date": award_date,
        "planned_start": start,
        "planned_end": end,
        "funding_stream": stream,
        "priority_area": priority,
        "objectives": objectives,
        "geography_level": level,
        "areas": areas,
        "area_amounts": split,
        **place,
    }
    try:
        award_id = service.create_award(engine=engine(), actor=current_actor(), data=data)
    except ValidationFailed as exc:
        st.session_state["award_new_problems"] = exc.problems
        st.rerun()
    st.session_state["award_new_problems"] = []
    st.session_state["award_created"] = award_id
    st.switch_page("app_pages/award.py", query_params={"id": str(award_id)})
