"""The award page's payment schedule and variations sections (the page only lays them out).

Both name the version the person opened: the schedule's own version, and the award's version for a
proposed variation (a variation is approved only while the award is still as it was proposed against).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd
import streamlit as st

from ui.feedback import attempt, field_errors, moved_on, offer_reload, opened_version, show_refusal
from ui.text import plain
from ui.widgets import date_column, money_column
from vru_core.platform.auth import Actor, Permission
from vru_core.platform.inputs import EARLIEST_DATE, latest_date
from vru_core.register.reads import AwardDetail
from vru_core.register.schedule import schedule_view, set_schedule
from vru_core.register.variation import OPEN_STATUSES, decide_variation, propose_variation, variations_of

STATUS_LABELS = {
    "paid": "Paid",
    "part paid": "Part paid",
    "overdue": "Overdue",
    "due": "Due soon",
    "scheduled": "Scheduled",
}


def schedule(detail: AwardDetail, *, store, actor: Actor | None) -> None:
    view = schedule_view(store, detail.id)
    opened_key = f"schedule:{detail.id}"
    opened = opened_version(opened_key, view.version)
    st.caption(
        f"Instalments with due dates; payments cover them in due order. One tied to a monitoring return is paid "
        f"only once that return is received. Scheduled £{view.scheduled:,.2f} of £{detail.amount_awarded:,.2f}"
        + (f" (£{view.unscheduled:,.2f} not scheduled)." if view.unscheduled else ".")
    )
    lines = pd.DataFrame([dataclasses.asdict(line) for line in view.lines])
    if not lines.empty:
        lines = lines.assign(
            status=lines["status"].map(STATUS_LABELS),
            amount=lines["amount"].astype(float),
            paid=lines["paid"].astype(float),
            waiting_for_return=lines["waiting_for_return"].map({True: "waiting for it", False: ""}),
        )
        st.dataframe(
            lines,
            hide_index=True,
            width="stretch",
            key=f"schedule_{detail.id}",
            column_config={
                "position": "Instalment",
                "due_on": date_column("Due"),
                "amount": money_column("Amount"),
                "return_period": "Paid after return",
                "paid": money_column("Paid so far"),
                "status": "Status",
                "waiting_for_return": "Return",
            },
        )
    if actor is None or detail.status in ("completed", "withdrawn"):
        return
    key = f"award_schedule_{detail.id}"
    show_refusal(key, fields_shown=())
    offer_reload(key, opened_key)
    rows = pd.DataFrame(
        [{"due_on": x.due_on, "amount": f"{x.amount:.2f}", "return_period": x.return_period or ""} for x in view.lines],
        columns=["due_on", "amount", "return_period"],
    )
    with st.form(f"schedule_form_{detail.id}"):
        edited = st.data_editor(
            rows,
            num_rows="dynamic",
            hide_index=True,
            width="stretch",
            key=f"schedule_editor_{detail.id}_{opened}",
            column_config={
                "due_on": st.column_config.DateColumn("Due", min_value=EARLIEST_DATE, max_value=latest_date()),
                "amount": st.column_config.TextColumn("Amount (£)"),
                "return_period": st.column_config.TextColumn("Paid after the return for (e.g. 2026-Q3)"),
            },
        )
        if st.form_submit_button("Save the schedule", key=f"schedule_save_{detail.id}"):
            instalments = [{k: ("" if pd.isna(v) else v) for k, v in row.items()} for row in edited.to_dict("records")]
            ok, version = attempt(
                key,
                set_schedule,
                engine=store,
                actor=actor,
                award_id=detail.id,
                version=opened,
                instalments=instalments,
            )
            if ok:
                moved_on(opened_key, version)
                st.toast("Schedule saved.")
            st.rerun()


def variations(detail: AwardDetail, names: dict, *, store, actor: Actor | None, opened: int) -> None:
    listed = pd.DataFrame([dataclasses.asdict(v) for v in variations_of(store, detail.id)])
    st.caption(
        "After approval, a change to the amount, dates, funding stream or areas is a variation: it is proposed here "
        "and applied only when someone else approves it (not whoever proposed it or created the award)."
    )
    if not listed.empty:
        st.dataframe(
            listed.drop(columns=["id", "version", "from_version"]),
            hide_index=True,
            width="stretch",
            key=f"variations_{detail.id}",
            column_config={
                "proposed_at": st.column_config.DatetimeColumn("Proposed (UTC)", format="YYYY-MM-DD HH:mm"),
                "decided_at": st.column_config.DatetimeColumn("Decided (UTC)", format="YYYY-MM-DD HH:mm"),
                "changes": st.column_config.TextColumn("Changes", width="large"),
            },
        )
    if actor is None:
        return
    key = f"award_variation_{detail.id}"
    show_refusal(key, fields_shown=("reason",))
    for v in variations_of(store, detail.id):
        if v.status != "proposed":
            continue
        st.markdown(f"**Waiting for approval:** {plain(v.changes)} (proposed by {plain(v.proposed_by)}).")
        override = ""
        if actor.can(Permission.BUDGET_WRITE):
            override = st.text_input("Budget override reason (only if it over-commits)", key=f"var_override_{v.id}")
        note = st.text_input("Note for the audit log (optional)", key=f"var_note_{v.id}", max_chars=500)
        c1, c2 = st.columns(2)
        for col, approve, label in ((c1, True, "Approve variation"), (c2, False, "Reject variation")):
            if col.button(label, key=f"var_{'approve' if approve else 'reject'}_{v.id}"):
                kwargs = {"variation_id": v.id, "version": v.version, "approve": approve, "note": note}
                ok, _ = attempt(key, decide_variation, engine=store, actor=actor, override_reason=override, **kwargs)
                if ok:
                    moved_on(f"award:{detail.id}", None)  # the award has moved on: read it afresh
                st.rerun()
        return
    if detail.status not in OPEN_STATUSES:
        return
    with st.form(f"variation_form_{detail.id}"):
        v1, v2, v3, v4 = st.columns(4)
        amount = v1.text_input("New amount (£)", f"{detail.amount_awarded:.2f}", key=f"var_amount_{detail.id}")
        dates = {
            name: col.date_input(
                label, getattr(detail, name), EARLIEST_DATE, latest_date(), key=f"var_{name}_{detail.id}"
            )
            for col, name, label in (
                (v2, "award_date", "Award date"),
                (v3, "planned_start", "Start"),
                (v4, "planned_end", "End"),
            )
        }
        streams = names["funding_streams"]
        stream = st.selectbox(
            "Funding stream",
            list(streams),
            index=list(streams).index(detail.funding_stream) if detail.funding_stream in streams else 0,
            format_func=streams.get,
            key=f"var_stream_{detail.id}",
        )
        pool = names["wards"] if detail.geography_level == "ward" else names["boroughs"]
        areas = detail.areas
        if detail.geography_level != "london":
            areas = st.multiselect(
                "Areas", list(pool), default=detail.areas, format_func=pool.get, key=f"var_areas_{detail.id}"
            )
        split = st.text_input(
            "Split across the areas (£, separated by ';'; blank for none)",
            ";".join(f"{a:.2f}" for a in detail.area_amounts),
            key=f"var_split_{detail.id}",
        )
        reason = st.text_area("Why (required)", key=f"var_reason_{detail.id}", max_chars=1000)
        for name in (
            "amount_awarded",
            "award_date",
            "planned_start",
            "planned_end",
            "funding_stream",
            "areas",
            "area_amounts",
            "reason",
        ):
            field_errors(key, name)
        if st.form_submit_button("Propose variation", key=f"var_propose_{detail.id}"):
            data = {
                **detail.form_data(),
                **{k: v.isoformat() if isinstance(v, dt.date) else v for k, v in dates.items()},
                "amount_awarded": amount,
                "funding_stream": stream,
                "areas": list(areas),
                "area_amounts": split,
            }
            kwargs = {"award_id": detail.id, "version": opened, "data": data, "reason": reason}
            if attempt(key, propose_variation, engine=store, actor=actor, **kwargs)[0]:
                st.toast("Variation proposed: someone else must approve it.")
            st.rerun()
