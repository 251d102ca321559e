"""The commissioning register: every award, filtered by stream, objective, priority area, place, status and date."""

import streamlit as st

from ui.cached import labels
from ui.feedback import attempt, show_refusal
from ui.register_filters import REGISTER_COLUMNS, asked_page, register_filters, remember
from ui.session import can, current_actor, engine
from ui.widgets import examples_banner
from vru_core.platform.auth import Permission
from vru_core.platform.csvsafe import safe_csv
from vru_core.register import examples
from vru_core.register.due import due_list
from vru_core.register.query import display_csv, display_table, editing_frame, load_register
from vru_core.register.register_view import filtered_awards, register_extent, register_view

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

store = engine()
extent = register_extent(store)  # (awards, first and last award date): from the indexes
if extent[0] == 0:
    st.info("The register is empty. Record an award, import a spreadsheet, or load the labelled example register.")
    if writer and st.button("Load the example register (clearly marked EXAMPLE)", key="load_examples"):
        ok, _ = attempt("examples", examples.load_examples, engine=store, actor=current_actor())
        if ok:
            st.rerun()
        show_refusal("examples")
    st.stop()

flt, sort, descending, page_size = register_filters(labels(), extent, n_examples)
page = asked_page((flt, sort, descending, page_size))
view = register_view(store, filters=flt, sort=sort, descending=descending, page=page, page_size=page_size)
st.session_state["reg_page"] = view.page  # a page past the end (after a filter or a deletion) shows the last
remember()
t = view.totals
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

st.caption(
    f"{view.matched:,} of {view.register_size:,} awards, page {view.page:,} of {view.pages:,} "
    f"({view.page_size} a page; figures above are for all {view.matched:,} matching awards, from the register now)."
)
st.dataframe(
    display_table(view.rows),
    hide_index=True,
    width="stretch",
    column_config=REGISTER_COLUMNS,
    key="register_table",
)
st.number_input("Page", min_value=1, max_value=view.pages, step=1, key="reg_page")
d1, d2 = st.columns(2)
d1.download_button(
    "Download these rows (CSV)",
    lambda: display_csv(filtered_awards(store, filters=flt, sort=sort, descending=descending)),
    file_name="vru-register-filtered.csv",
    mime="text/csv",
    key="register_download",
    on_click="ignore",
)
d2.download_button(
    "Download these rows for editing (import template, with versions)",
    lambda: safe_csv(
        editing_frame(load_register(store), filtered_awards(store, filters=flt, sort=sort, descending=descending))
    ),
    file_name="vru-register-for-editing.csv",
    mime="text/csv",
    key="register_download_editing",
    on_click="ignore",
    help="Change cells in a spreadsheet and import the file again. A row whose award was changed in the "
    "register since this download is reported as a conflict, never overwritten.",
)
