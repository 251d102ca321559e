"""Budgets: each funding stream's allocation per financial year, and what the register has committed and paid."""

import datetime as dt

import streamlit as st

from ui.cached import labels
from ui.feedback import attempt, field_errors, moved_on, offer_reload, opened_version, seen_version, show_refusal
from ui.session import can, current_actor, engine
from ui.text import plain
from ui.widgets import pence_column
from vru_core.platform.auth import Permission
from vru_core.platform.csvsafe import safe_csv
from vru_core.register import budget, budget_reads

st.title("Budgets")
st.caption(
    "One line per funding stream and financial year (April to March). An award counts in the year of its award "
    "date. Source: this register's awards, payments and payment schedules, and the allocations administrators set."
)
store = engine()
lines = budget_reads.budget_lines(store)
this_year = budget.financial_year(dt.date.today())
years = sorted({b.year for b in lines} | {this_year}, reverse=True)
asked = budget.parse_year(st.query_params.get("year", ""))
choice = st.selectbox(
    "Financial year",
    [0, *years],
    index=([0, *years].index(asked) if asked in years else 1 + years.index(this_year)),
    format_func=lambda y: "All years" if y == 0 else budget.year_label(y),
    key="budget_year",
)
st.query_params["year"] = budget.year_label(choice) if choice else "all"
shown = [b for b in lines if not choice or b.year == choice]
for b in shown:  # the versions this person saw: a change names them
    if b.version is not None:
        opened_version(f"budget:{b.stream}:{b.year}", b.version)

period = "all years" if not choice else budget.year_label(choice)
budgeted = [b for b in shown if b.budget_set]
cols = st.columns(5)
for col, name in zip(cols, ("allocated", "committed", "paid", "forecast", "remaining"), strict=True):
    pool = budgeted if name in ("allocated", "remaining") else shown
    col.metric(
        f"{name.capitalize()} ({period})",
        f"£{sum(float(getattr(b, name)) for b in pool):,.2f}",
        help=f"{budget.COUNTS[name].capitalize()}; summed over the lines shown"
        + (" that have a budget set." if pool is budgeted else "."),
    )
if not shown:
    st.info(f"No budget is set for {period} and no award is dated in it yet.")
table = budget_reads.lines_frame(shown)
st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    column_config={
        "funding_stream": "Funding stream",
        "year": "Financial year",
        "budget_set": "Budget",
        **{m: pence_column(m.capitalize()) for m in budget.COUNTS},
        "committed_awards": st.column_config.NumberColumn("Committed awards"),
        "overrides": st.column_config.NumberColumn("Overrides", help="Commitments past the allocation, by an admin"),
        "note": "Note",
    },
    key="budget_table",
)
with st.expander("What each figure counts"):
    st.markdown("\n".join(f"- **{k.capitalize()}**: {v}." for k, v in budget.COUNTS.items()))
    st.caption("A stream and year with no budget set is not capped; approvals there are listed but not refused.")
st.download_button(
    "Download these lines (CSV)",
    safe_csv(table),
    file_name=f"vru-budgets-{period.replace('/', '-')}.csv",
    mime="text/csv",
    key="budget_download",
)

overrides = budget_reads.overrides(store, year=choice or None)
if overrides:
    st.subheader("Overrides")
    st.caption("Every commitment past an allocation, recorded with the administrator's reason (also in the audit log).")
    st.dataframe(
        overrides,
        hide_index=True,
        width="stretch",
        key="budget_overrides",
        column_config={
            "at": st.column_config.DatetimeColumn("When (UTC)", format="YYYY-MM-DD HH:mm"),
            "over_by": pence_column("Over by"),
        },
    )

if can(Permission.BUDGET_WRITE):
    st.subheader("Set a budget")
    names = labels()["funding_streams"]
    key = "budget_set"
    show_refusal(key, fields_shown=("funding_stream", "year", "allocated", "note"))
    offer_reload(key, st.session_state.get("budget_last_line", ""))
    with st.form("budget_form"):
        f1, f2, f3 = st.columns(3)
        stream = f1.selectbox("Funding stream", list(names), format_func=names.get, key="budget_stream")
        year_text = f2.text_input("Financial year", value=budget.year_label(choice or this_year), key="budget_year_in")
        allocated = f3.text_input("Allocated (£)", placeholder="6800000", key="budget_amount")
        note = st.text_input("Note (e.g. where the money comes from)", key="budget_note", max_chars=500)
        reason = st.text_input(
            "Override reason (only to set an allocation below what is already committed)",
            key="budget_reason",
            max_chars=500,
        )
        for name in ("funding_stream", "year", "allocated", "note"):
            field_errors(key, name)
        if st.form_submit_button("Save budget", key="budget_save"):
            year = budget.parse_year(year_text)
            st.session_state["budget_last_line"] = f"budget:{stream}:{year}"
            seen = seen_version(f"budget:{stream}:{year}")
            ok, version = attempt(
                key,
                budget.set_budget,
                engine=store,
                actor=current_actor(),
                data={"funding_stream": stream, "year": year_text, "allocated": allocated, "note": note},
                version=seen,
                override_reason=reason,
            )
            if ok:
                moved_on(f"budget:{stream}:{year}", version)
                st.toast(f"Saved the budget for {plain(names.get(stream, stream))} {plain(year_text)}.")
            st.rerun()
