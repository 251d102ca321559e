"""The commissioning register: every award, filtered by stream, objective, priority area, place, status and date."""

import datetime as dt

import streamlit as st

from ui.cached import labels, register_data
from ui.feedback import attempt, show_refusal
from ui.session import can, current_actor, engine
from ui.widgets import award_columns, date_column, examples_banner, money_column
from vru_core.platform.auth import Permission
from vru_core.platform.csvsafe import safe_csv
from vru_core.register import examples
from vru_core.register.due import due_list
from vru_core.register.query import RegisterFilter, display_csv, display_table, editing_frame, filter_register, totals
from vru_core.register.statuses import STATUSES

st.title("Commissioning register")
st.caption(
    "Every grant the VRU awards, linked to the wards, objectives and need behind it. "
    "Committed = approved, active and completed awards (what is awarded); proposed awards are not yet awarded; "
    "withdrawn ones count in neither."
)
n_examples = examples_banner()
writer = can(Permission.REGISTER_WRITE)
if writer and n_examples and st.button("Remove all example awards", key="remove_examples", type="primary"):
    ok, removed = attempt("examples", examples.remove_examples, engine=engine(), actor=current_actor())
    if ok:
        st.toast(f"Removed {removed} example awards.")
        st.rerun()
show_refusal("examples")

counts = due_list(engine()).counts
st.page_link(
    "app_pages/due.py",
    label=f"Due and overdue: {counts['return_overdue']} monitoring return(s) late, "
    f"{counts['payment_overdue'] + counts['payment_due']} payment(s) due ({counts['payment_overdue']} overdue), "
    f"{counts['ending_overdue'] + counts['ending_due']} award(s) ending or ended",
    icon=":material/event_upcoming:",
)

data = register_data()
if data.awards.empty:
    st.info("The register is empty. Record an award, import a spreadsheet, or load the labelled example register.")
    if writer and st.button("Load the example register (clearly marked EXAMPLE)", key="load_examples"):
        ok, _ = attempt("examples", examples.load_examples, engine=engine(), actor=current_actor())
        if ok:
            st.rerun()
        show_refusal("examples")
    st.stop()

names = labels()
with st.expander("Filters", expanded=True):
    c1, c2, c3 = st.columns(3)
    streams = c1.multiselect(
        "Funding stream", list(names["funding_streams"]), format_func=names["funding_streams"].get, key="reg_streams"
    )
    objectives = c2.multiselect(
        "Objective", list(names["objectives"]), format_func=lambda n: f"{n}. {names['objectives'][n]}", key="reg_obj"
    )
    priorities = c3.multiselect(
        "Priority area", list(names["priority_areas"]), format_func=names["priority_areas"].get, key="reg_priority"
    )
    c4, c5, c6 = st.columns(3)
    boroughs = c4.multiselect("Borough", list(names["boroughs"]), format_func=names["boroughs"].get, key="reg_borough")
    wards = c5.multiselect(
        "Ward (type to search)", list(names["wards"]), format_func=names["wards"].get, key="reg_wards"
    )
    statuses = c6.multiselect("Status", STATUSES, key="reg_status")
    c7, c8, c9 = st.columns(3)
    first, last = data.awards["award_date"].min().date(), data.awards["award_date"].max().date()
    date_from = c7.date_input("Awarded from", value=first, key="reg_from")
    date_to = c8.date_input("Awarded to", value=max(last, dt.date.today()), key="reg_to")
    text = c9.text_input("Search title, recipient or identifier", key="reg_text")
    include_examples = st.checkbox("Include EXAMPLE awards", value=True, key="reg_examples") if n_examples else False

flt = RegisterFilter(
    funding_streams=tuple(streams),
    objectives=tuple(objectives),
    priority_areas=tuple(priorities),
    boroughs=tuple(boroughs),
    wards=tuple(wards),
    statuses=tuple(statuses),
    date_from=date_from,
    date_to=date_to,
    include_examples=include_examples,
    text=text,
)
shown = filter_register(data, flt)
t = totals(shown)
m1, m2, m3, m4, m5 = st.columns(5)
m1.metric("Awards shown", f"{t['awards']:,}")
m2.metric(
    "Committed (awarded)",
    f"£{t['committed']:,.0f}",
    help=f"{t['committed_awards']:,} approved, active and completed awards among those shown",
)
m3.metric(
    "Proposed (not awarded)",
    f"£{t['proposed']:,.0f}",
    help=f"{t['proposed_awards']:,} proposed awards among those shown, awaiting approval",
)
m4.metric("Paid", f"£{t['paid']:,.0f}", help="Payments recorded on the awards shown")
m5.metric("Recipients", f"{t['organisations']:,}")

table = display_table(shown)
st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    column_config={
        **award_columns(),
        "amount": money_column("Amount"),
        "paid": money_column("Paid"),
        "status": "Status",
        "award_date": date_column("Award date"),
        "planned_start": date_column("Start"),
        "planned_end": date_column("End"),
        "funding_stream_name": "Funding stream",
        "priority_area_title": "Priority area",
        "geography_level": "Geography",
        "example": "Example?",
    },
    key="register_table",
)
d1, d2 = st.columns(2)
d1.download_button(
    "Download these rows (CSV)",
    display_csv(shown),
    file_name="vru-register-filtered.csv",
    mime="text/csv",
    key="register_download",
)
d2.download_button(
    "Download these rows for editing (import template, with versions)",
    lambda: safe_csv(editing_frame(data, shown)),
    file_name="vru-register-for-editing.csv",
    mime="text/csv",
    key="register_download_editing",
    on_click="ignore",
    help="Change cells in a spreadsheet and import the file again. A row whose award was changed in the "
    "register since this download is reported as a conflict, never overwritten.",
)
